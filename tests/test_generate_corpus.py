"""generate_corpus: seeded synthetic data that satisfies every invariant of real data."""

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation, Article

pytestmark = pytest.mark.django_db


def test_generated_spans_are_valid_and_cover_every_label_and_link():
    call_command(
        "generate_corpus",
        sources=3,
        articles=12,
        annotations=600,
        reviewers=3,
        body_chars=1500,
        quiet=True,
    )
    assert Article.objects.count() == 12
    spans = list(Annotation.objects.select_related("article", "attribution", "speaker"))
    assert len(spans) == 600
    assert {s.label for s in spans} == {"claim", "opinion", "attribution"}
    assert any(s.attribution_id for s in spans) and any(s.speaker_id for s in spans)
    for span in spans:
        assert span.article.body[span.start : span.end] == span.quote
        span.clean()  # raises on any broken invariant


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_corpus", articles=0, quiet=True)
