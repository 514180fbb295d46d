"""Property tests of import parsing: every input parses or yields a clean, named error."""

import json
from datetime import timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator import importing
from annotator.exporting import SCHEMA_NAME
from annotator.management.commands.import_articles import Command as ImportArticles
from annotator.models import Article
from annotator.pagetext import PageText, parse_page_text

from .conftest import make_article

SPAN_KEYS = [*importing.NATIVE_SPAN_SHAPE, "fields", "links"]
FIELD_KEYS = [*importing.FIELDS_SHAPE]
W3C_KEYS = [*importing.W3C_SPAN_SHAPE, "type"]
ARTICLE_KEYS = ["title", "author", "published", "date_shown", "dateline", "seed_file", "source"]
# Every kind of JSON value, keys often the names the importers read.
keys = st.sampled_from(
    [*SPAN_KEYS, *FIELD_KEYS, *W3C_KEYS, *ARTICLE_KEYS, "name", "selector", "exact", "items"]
) | st.text(max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["claim", "attribution", "raw", "vague", "2025-02-30T00:00:00Z", "\x00"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)
spans = st.dictionaries(
    st.sampled_from(SPAN_KEYS),
    json_values,
) | st.builds(
    lambda span, fields: {**span, "fields": fields},
    st.dictionaries(st.sampled_from(SPAN_KEYS), json_values),
    st.dictionaries(st.sampled_from(FIELD_KEYS), json_values),
)
w3c_annotations = st.builds(
    lambda annotation: {"type": "Annotation", **annotation},
    st.dictionaries(st.sampled_from(W3C_KEYS), json_values),
)
PROPERTIES = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def parsed_or_refused(content: bytes):
    """parse() gives spans, each whole or with a problem, or refuses the file as a whole."""
    try:
        _fmt, found = importing.parse(content)
    except importing.ImportFileError as error:
        assert str(error)
        return []
    for span in found:
        assert isinstance(span, importing.Incoming)
        assert span.where
    return found


@PROPERTIES
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_are_refused(content):
    parsed_or_refused(content)


@PROPERTIES
@given(json_values)
def test_any_json_document_parses_or_is_refused(document):
    parsed_or_refused(json.dumps(document).encode())


@PROPERTIES
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", '{"a":']))
def test_deep_nesting_is_a_named_error_never_a_recursion_error(depth, opener):
    closer = "]" if opener == "[" else "}"
    parsed_or_refused((opener * depth + "1" + closer * depth).encode())


@pytest.mark.django_db
@settings(PROPERTIES, max_examples=40)
@given(
    st.lists(spans, min_size=1, max_size=4),
    st.lists(w3c_annotations, min_size=1, max_size=3),
    json_values,
)
@example(records=[{"orphaned": True}], annotations=[{"type": "Annotation"}], article_field=None)
def test_every_malformed_span_is_a_named_problem(records, annotations, article_field):
    """Each span read is planned, named as a problem, or named as a skipped orphan."""
    article = Article.objects.first() or make_article()
    document = {
        "schema": SCHEMA_NAME,
        "articles": [
            {"body_sha256": article.body_sha256, "annotations": records},
            {"body_sha256": article.body_sha256, "annotations": article_field},
        ],
    }
    lines = "\n".join(json.dumps({"schema": SCHEMA_NAME, **a}) for a in document["articles"])
    for content in (json.dumps(document), lines, json.dumps(annotations)):
        found = parsed_or_refused(content.encode())
        result = importing.plan(found)
        named = {problem.split(": ", 1)[0] for problem in result.problems}
        planned = {planned.incoming.where for planned in result.spans}
        skipped = set(result.skipped_orphans)
        assert not skipped & (named | planned)
        assert named | planned | skipped == {span.where for span in found}


offsets = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
times = st.builds(
    lambda moment, offset: moment.replace(tzinfo=timezone(offset)).isoformat(),
    st.datetimes(),
    offsets,
)


@PROPERTIES
@given(st.text(max_size=40) | times)
def test_created_is_a_utc_time_or_none(value):
    created = importing._created(value)
    assert created is None or created.utcoffset() == timedelta(0)


@PROPERTIES
@given(st.dictionaries(st.sampled_from([*ARTICLE_KEYS, "body"]), json_values) | json_values)
def test_any_article_record_is_read_or_named(record):
    read = ImportArticles()._from_record("file.json record 1", "file.json", record)
    assert read.where == "file.json record 1"
    if not read.problem:
        assert isinstance(read.page, PageText) and read.page.body.strip()


@PROPERTIES
@given(st.text(max_size=400))
def test_any_page_text_is_read(raw):
    page = parse_page_text(raw)
    assert all(isinstance(getattr(page, name), str) for name in ("title", "author", "body"))
