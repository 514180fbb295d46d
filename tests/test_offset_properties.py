"""Properties of offsets and anchoring (annotator/text.py, Annotation.anchor_and_check).

Bodies are drawn with astral characters, combining marks and line breaks, since
offsets are code points: whatever the text, a span's quote and context are the
body's own characters at its offsets, and a bad span is a ValidationError.
"""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator import text
from annotator.models import Annotation

from .conftest import make_article

# Few letters, so quotes repeat; an astral emoji, a combining accent, line breaks, spaces.
ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "😀", "e\u0301", "é", "\u0301"])
bodies = st.lists(ALPHABET, max_size=60).map("".join)


@st.composite
def body_and_span(draw, min_size=1):
    """A body and offsets ``start < end`` within it."""
    body = draw(bodies.filter(lambda body: len(body) >= min_size))
    start = draw(st.integers(min_value=0, max_value=len(body) - 1))
    end = draw(st.integers(min_value=start + 1, max_value=len(body)))
    return body, start, end


@given(bodies)
def test_normalising_is_idempotent_and_leaves_no_carriage_return(body):
    normal = text.normalise_text(body)
    assert "\r" not in normal
    assert text.normalise_text(normal) == normal


@given(body_and_span(), st.integers(min_value=0, max_value=40))
def test_context_is_the_bodys_own_text_around_the_span(drawn, size):
    body, start, end = drawn
    prefix, suffix = text.context(body, start, end, size)
    assert len(prefix) <= size and len(suffix) <= size
    assert body.startswith(prefix + body[start:end] + suffix, start - len(prefix))
    # As much context as the body has, up to size.
    assert len(prefix) == min(size, start)
    assert len(suffix) == min(size, len(body) - end)


@given(bodies, st.lists(ALPHABET, max_size=4).map("".join))
def test_occurrences_are_every_position_of_the_quote(body, quote):
    expected = [i for i in range(len(body)) if quote and body.startswith(quote, i)]
    assert text.occurrences(body, quote) == expected


@given(bodies)
def test_paragraphs_are_the_non_blank_lines_at_their_offsets(body):
    body = text.normalise_text(body)
    found = text.paragraphs(body)
    assert [line for _, line in found] == [line for line in body.split("\n") if line.strip()]
    for offset, line in found:
        assert body[offset : offset + len(line)] == line
        assert offset == 0 or body[offset - 1] == "\n"


@given(body_and_span())
def test_an_unchanged_body_reanchors_each_span_where_it_was(drawn):
    body, start, end = drawn
    prefix, suffix = text.context(body, start, end)
    assert text.reanchor(body, body[start:end], prefix, suffix, near=start) == start


@given(body_and_span(), bodies, bodies)
def test_reanchoring_into_an_edited_body_finds_the_quote_or_nothing(drawn, before, after):
    body, start, end = drawn
    quote = body[start:end]
    prefix, suffix = text.context(body, start, end)
    edited = before + body + after
    found = text.reanchor(edited, quote, prefix, suffix, near=start)
    if found is not None:
        assert edited[found : found + len(quote)] == quote
    # Text added around the body moves a span whose quote and context stand once.
    if len(text.occurrences(edited, prefix + quote + suffix)) == 1:
        assert found == len(before) + start


@pytest.fixture
def body_article(db):
    """An article per body, created once per body within the test's transaction."""
    made = {}

    def article_for(body):
        if body not in made:
            made[body] = make_article(body=body, title=f"body {len(made)}")
        return made[body]

    return article_for


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(body_and_span())
def test_anchoring_fills_quote_and_context_from_the_stored_body(alice, body_article, drawn):
    body, start, end = drawn
    article = body_article(text.normalise_text(body))
    body = article.body
    assume(end <= len(body))
    span = Annotation(article=article, reviewer=alice, label="claim", start=start, end=end)
    span.anchor_and_check(expected_quote=body[start:end])
    assert span.quote == body[start:end]
    assert (span.prefix, span.suffix) == text.context(body, start, end)


@FUZZ
@given(
    bodies.filter(lambda body: body.strip()),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
)
def test_anchoring_bad_offsets_is_a_validation_error_naming_them(
    alice, body_article, body, start, end
):
    article = body_article(text.normalise_text(body))
    assume(not 0 <= start < end <= len(article.body))
    span = Annotation(article=article, reviewer=alice, label="claim", start=start, end=end)
    with pytest.raises(ValidationError) as refused:
        span.anchor_and_check()
    assert {"start", "end"} & set(refused.value.message_dict)
