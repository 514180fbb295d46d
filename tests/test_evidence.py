"""Every figure's evidence lists exactly the spans its value counts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotator import adjudication
from annotator.models import (
    Adjudication,
    Affiliation,
    Annotation,
    CueStance,
    Layer,
    QuoteType,
    Source,
)
from annotator.profiles import evidence, maths, storage

from .conftest import logged_in
from .test_seed_profile import annotated, seeds  # noqa: F401 (the seed scenario)

pytestmark = pytest.mark.django_db

SPAN_METRICS = [metric for metric in maths.METRICS if metric.counts]


def profiled_spans(user, source):
    """The placed spans ``user``'s profile of ``source`` rests on, chosen by hand: staff
    see the adjudicated layer where an article's layer is complete, every reviewer's raw
    spans elsewhere; a reviewer sees their own raw spans."""
    spans = Annotation.objects.placed().filter(article__source=source)
    if not user.is_staff:
        return list(spans.filter(layer=Layer.RAW, reviewer=user))
    layered = {
        layer.article_id for layer in Adjudication.objects.all() if layer.completed_at is not None
    }
    return [
        span for span in spans if (span.layer == Layer.ADJUDICATED) == (span.article_id in layered)
    ]


def counted(spans):
    """How many of ``spans`` fall in each of maths.COUNTED, as a unit tallies them."""
    unit = maths.Unit(words=1)
    for facts in storage.span_facts(Annotation.objects.filter(pk__in=[s.pk for s in spans])):
        unit.add(facts)
    return unit.counts


def facts_of(spans):
    """Each span's facts, as the unit figures read them (one span at a time)."""
    return {span.pk: storage.span_facts(Annotation.objects.filter(pk=span.pk))[0] for span in spans}


def assert_evidence_is_what_is_counted(user):
    """For every source and figure; returns how many spans each figure counted in all."""
    totals = dict.fromkeys((metric.key for metric in SPAN_METRICS), 0)
    for source in Source.objects.all():
        spans = profiled_spans(user, source)
        counts, facts = counted(spans), facts_of(spans)
        for metric in SPAN_METRICS:
            listed = evidence.counted_spans(user, source, metric.key)
            expected = sorted(
                pk
                for pk, span in facts.items()
                if any(maths.COUNTED[name].holds(span) for name in metric.counts)
            )
            assert sorted(listed.values_list("pk", flat=True)) == expected, metric.key
            assert listed.count() == sum(counts[name] for name in metric.counts), metric.key
            totals[metric.key] += len(expected)
    return totals


def test_seed_scenario_evidence_is_what_each_figure_counts(annotated, alice, carol):  # noqa: F811
    assert any(assert_evidence_is_what_is_counted(carol).values())
    assert any(assert_evidence_is_what_is_counted(alice).values())


def test_generated_corpus_evidence_is_what_each_figure_counts(django_user_model):
    call_command(
        "generate_corpus",
        sources=2,
        articles=8,
        annotations=400,
        reviewers=3,
        body_chars=1500,
        quiet=True,
    )
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    for article_spans in _first_spans_of_some_articles():
        for span in article_spans:
            adjudication.accept(span, staff)
    # Half the layers complete, half still in progress (whose spans count nowhere).
    for layer in Adjudication.objects.order_by("pk")[::2]:
        layer.mark_complete(staff)
    assert Adjudication.objects.filter(completed_at__isnull=True).exists()
    reviewer = get_user_model().objects.filter(is_staff=False).earliest("pk")
    # Every figure counts some spans here, so no comparison is of two empty lists.
    assert all(assert_evidence_is_what_is_counted(staff).values())
    assert any(assert_evidence_is_what_is_counted(reviewer).values())


def _first_spans_of_some_articles():
    """A reviewer's first spans on every other article: what staff accept into a layer."""
    articles = Annotation.objects.order_by().values_list("article_id", flat=True).distinct()
    for article_id in sorted(articles)[::2]:
        spans = Annotation.objects.filter(article_id=article_id, attribution__isnull=True)
        yield list(spans.order_by("pk")[:3])


def test_evidence_page_lists_as_many_spans_as_the_figure_counts(annotated, carol):  # noqa: F811
    client = logged_in(carol)
    for source in Source.objects.all():
        spans = profiled_spans(carol, source)
        counts = counted(spans)
        for metric in SPAN_METRICS:
            page = client.get(f"/sources/{source.pk}/evidence/{metric.key}/").content.decode()
            assert f"{sum(counts[name] for name in metric.counts)} span(s)." in page


def test_answered_spans_are_those_holding_any_stored_choice():
    """COUNTED's answered sets and known affiliations name every stored choice but the
    empty (or "unknown") one: a choice added to the model must be added here too."""
    assert set(maths.CUE_STANCES) == set(CueStance.values)
    assert set(maths.QUOTE_TYPES) == set(QuoteType.values)
    assert set(maths.KNOWN_AFFILIATIONS) == set(Affiliation.values) - {Affiliation.UNKNOWN}
    assert set(maths.AFFILIATIONS) == set(Affiliation.values)
