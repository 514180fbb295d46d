"""Keeps the precomputed figures (:mod:`annotator.models.precomputed`) true to the spans.

Every write that changes what a unit counts (a span saved or deleted, a body
or word count changed, a speaker's affiliation changed or merged) recomputes
the units of the articles it touched, in the same transaction, and drops
their stored agreement. Single writes reach here through the receivers at
the end of this module, run inside the transaction of the model's ``save()``
or ``delete()``; bulk writes (imports, generated corpora, merges) run inside
:func:`batched`, which refreshes each touched article once at the end of the
block.

Agreement is dearer (pairs of reviewers, every code point), so a write only
forgets it; :func:`agreement_for` computes what is missing when someone reads
it, and bulk jobs fill it in as they finish. Marking an article done, or not
done, changes who coded it: that forgets its agreement too.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

import orjson
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, TextField
from django.db.models.functions import Cast, JSONObject, Length
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import (
    Annotation,
    Article,
    ArticleAgreement,
    ArticleReview,
    Layer,
    Speaker,
    UnitFigures,
    UnitFiguresByHand,
)
from ..models.spans import SUGGESTED
from . import agreement, maths

BATCH = 500
_pending: ContextVar[set | None] = ContextVar("figures_pending", default=None)


SPAN_FACT_COLUMNS = (
    "article_id",
    "reviewer_id",
    "layer",
    "label",
    "linked",
    "check_worthy",
    "speaker_type",
    "cue_stance",
    "quote_type",
    "speaker_id",
    "speaker__affiliation",
    "counter_voice",
    "suggested",
)


def span_facts(annotations) -> list[maths.SpanFacts]:
    """Identical spans grouped and counted: what the unit figures are computed from."""
    adjudicated = Layer.ADJUDICATED.value
    return [
        maths.SpanFacts(
            article_id=article_id,
            annotator=maths.ADJUDICATED if layer == adjudicated else reviewer_id,
            label=label,
            linked=bool(linked),
            check_worthy=check_worthy,
            speaker_type=speaker_type,
            cue_stance=cue_stance,
            quote_type=quote_type,
            speaker_id=speaker_id,
            affiliation=affiliation or "",
            counter_voice=counter_voice,
            count=n,
            suggested=suggested,
        )
        for (
            article_id,
            reviewer_id,
            layer,
            label,
            linked,
            check_worthy,
            speaker_type,
            cue_stance,
            quote_type,
            speaker_id,
            affiliation,
            counter_voice,
            suggested,
            n,
        ) in annotations.annotate(
            linked=ExpressionWrapper(Q(attribution__isnull=False), output_field=BooleanField()),
            suggested=ExpressionWrapper(SUGGESTED, output_field=BooleanField()),
        )
        .values(*SPAN_FACT_COLUMNS)
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(*SPAN_FACT_COLUMNS, "n")
    ]


def refresh(article_ids, *, with_agreement=False):
    """Recompute the units of these articles; forget their agreement, or recompute it too."""
    for chunk in _chunks(sorted(set(article_ids))):
        with transaction.atomic():
            tallied = _recount(chunk, Annotation.objects.placed(), {"article_id__in": chunk})
            if with_agreement:
                done = ArticleReview.objects.filter(article_id__in=chunk, done=True)
                reviews = [
                    maths.ReviewFacts(article_id, reviewer_id, done=True)
                    for article_id, reviewer_id in done.values_list("article_id", "reviewer_id")
                ]
                _compute_agreement(double_annotated(coders(tallied, reviews)))


def refresh_unit(article_id, reviewer_id):
    """Recompute one unit: a reviewer's raw spans on an article, or (None) its adjudicated layer.

    What a single span write changes. Joins the transaction it is called in
    (the span's ``save()`` or ``delete()``): a failure rolls the write back too.
    """
    spans = Annotation.objects.placed()
    spans = (
        spans.adjudicated() if reviewer_id is None else spans.raw().filter(reviewer_id=reviewer_id)
    )
    with transaction.atomic(savepoint=False):
        _recount([article_id], spans, {"article_id": article_id, "reviewer_id": reviewer_id})


def _recount(article_ids, spans, stale_units) -> list[maths.UnitFacts]:
    """Replace the units ``stale_units`` (a filter) selects, with their figures by hand, by
    the units tallied from ``spans`` on these articles.

    Locks the articles first (see :func:`_locked`) and forgets their agreement.
    Articles no longer there (deleted with their spans) get no units.
    """
    articles = {
        pk: (source_id, words)
        for pk, source_id, words in _locked(article_ids).values_list(
            "pk", "source_id", "word_count"
        )
    }
    facts = span_facts(spans.filter(article_id__in=list(articles)))
    tallied = maths.tally(articles, facts)
    by_hand = maths.without_suggestions(articles, facts)
    for model in (UnitFigures, UnitFiguresByHand):
        model.objects.filter(**stale_units).delete()
    forget_agreement(article_ids)
    UnitFigures.objects.bulk_create(
        UnitFigures(
            article_id=unit.article_id,
            reviewer_id=_reviewer_id(unit.annotator),
            figures=unit.stored(),
        )
        for unit in tallied
    )
    # Only units holding an accepted suggestion: {} where nothing else is left.
    UnitFiguresByHand.objects.bulk_create(
        UnitFiguresByHand(
            article_id=article_id,
            reviewer_id=_reviewer_id(annotator),
            figures=unit.stored() if unit is not None else {},
        )
        for (article_id, annotator), unit in by_hand.items()
    )
    return tallied


def _reviewer_id(annotator):
    """The stored reviewer of a unit's ``annotator`` (the adjudicated layer's is None)."""
    return None if annotator == maths.ADJUDICATED else annotator


def _annotator(reviewer_id):
    """A stored unit's annotator: its reviewer, or the adjudicated layer."""
    return maths.ADJUDICATED if reviewer_id is None else reviewer_id


def _chunks(ids):
    """``ids`` (a list) in lists of up to ``BATCH``."""
    return [ids[first : first + BATCH] for first in range(0, len(ids), BATCH)]


def touched(article_ids):
    """Articles whose units changed: refreshed now, or at the end of a :func:`batched` block."""
    pending = _pending.get()
    if pending is None:
        refresh(article_ids)
    else:
        pending.update(article_ids)


@contextmanager
def batched(*, with_agreement=False):
    """One transaction in which touched articles are refreshed once, at the end."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(set())
    try:
        with transaction.atomic():
            yield
            refresh(_pending.get(), with_agreement=with_agreement)
    finally:
        _pending.reset(token)


def unit_rows(units):
    """A ``UnitFigures`` (or ``UnitFiguresByHand``) queryset's (article id, reviewer id,
    figures as JSON text) rows."""
    return units.annotate(text=Cast("figures", TextField())).values_list(
        "article_id", "reviewer_id", "text"
    )


def decoded_units(rows) -> list[maths.UnitFacts]:
    """The units of :func:`unit_rows` (figures by hand of {} are no unit: nothing is left)."""
    result = []
    for article_id, reviewer_id, text in rows:
        figures = orjson.loads(text)
        if not figures:
            continue
        result.append(
            maths.UnitFacts(
                article_id, _annotator(reviewer_id), figures["values"], figures["labels"]
            )
        )
    return result


def by_hand(units, rows) -> list[maths.UnitFacts]:
    """``units`` with each unit holding an accepted suggestion replaced by its figures by
    hand (``rows``: :func:`unit_rows` of ``UnitFiguresByHand``): one left with no span is
    no unit, as a reviewer who marked nothing has none."""
    rows = list(rows)
    replaced = {(article_id, _annotator(reviewer_id)) for article_id, reviewer_id, _text in rows}
    kept = [unit for unit in units if (unit.article_id, unit.annotator) not in replaced]
    return kept + decoded_units(rows)


def coders(units, reviews) -> dict:
    """Article id -> the reviewers who coded it: those with raw spans on it (``units``)
    and those who marked it done (``reviews``, :class:`maths.ReviewFacts`)."""
    result = defaultdict(set)
    for unit in units:
        if unit.annotator != maths.ADJUDICATED:
            result[unit.article_id].add(unit.annotator)
    for review in reviews:
        if review.done and review.annotator != maths.ADJUDICATED:
            result[review.article_id].add(review.annotator)
    return result


def double_annotated(coded_by) -> list[int]:
    """The articles of ``coded_by`` (:func:`coders`) that two or more reviewers coded."""
    return [article_id for article_id, who in coded_by.items() if len(who) >= 2]


# What a source's pooled agreement reads of an article's: its figures without the pairs.
POOLED_KEYS = ("units", "coders", "alpha", "f1", "kappa")


def agreement_rows(agreements, *, pairs=True):
    """An ``ArticleAgreement`` queryset's (article id, figures as JSON text) rows; without
    each pair of coders' tally (``pairs=False``), half the text to read and decode."""
    figures = "figures" if pairs else JSONObject(**{key: f"figures__{key}" for key in POOLED_KEYS})
    return agreements.annotate(text=Cast(figures, TextField())).values_list("article_id", "text")


def agreement_for(coded_by, stored) -> dict:
    """Agreement on each article two or more coders coded (``coded_by``, :func:`coders`).

    Takes what is stored from ``stored``, :func:`agreement_rows` of a query that
    covers those articles; computes (and stores) what a write made it forget.
    """
    article_ids = set(double_annotated(coded_by))
    result = {
        article_id: orjson.loads(text) for article_id, text in stored if article_id in article_ids
    }
    for chunk in _chunks(sorted(article_ids - set(result))):
        result.update(_compute_agreement(chunk))
    return result


def _locked(article_ids):
    """The articles, their rows locked until the transaction ends (PostgreSQL).

    Whoever recomputes an article's figures holds its row: two writers, or a
    writer and a reader storing agreement, take turns, so none stores figures
    from spans another has changed meanwhile. SQLite's IMMEDIATE transactions
    already let one writer in at a time.
    """
    return Article.objects.select_for_update().filter(pk__in=article_ids).order_by("pk")


@transaction.atomic
def _compute_agreement(article_ids) -> dict:
    lengths = dict(_locked(article_ids).annotate(length=Length("body")).values_list("pk", "length"))
    spans = {}
    rows = (
        Annotation.objects.placed()
        .raw()
        .filter(article_id__in=article_ids)
        .values_list(
            "article_id",
            "reviewer_id",
            "reviewer__username",
            "label",
            "start",
            "end",
            "speaker_type",
            "cue_stance",
        )
    )
    names = {}  # pairs of coders are oriented by name, which an export keeps (ids it does not)
    for article_id, reviewer_id, name, label, start, end, speaker_type, cue_stance in rows:
        names[reviewer_id] = name
        spans.setdefault(article_id, {}).setdefault(reviewer_id, []).append(
            agreement.Span(label, start, end, speaker_type, cue_stance)
        )
    done = ArticleReview.objects.filter(article_id__in=article_ids, done=True)
    for article_id, reviewer_id, name in done.values_list(
        "article_id", "reviewer_id", "reviewer__username"
    ):
        names[reviewer_id] = name
        spans.setdefault(article_id, {}).setdefault(reviewer_id, [])  # coded every unit 0
    computed = {}
    for article_id, by_reviewer in spans.items():
        if len(by_reviewer) >= 2:
            computed[article_id] = agreement.article_agreement(
                lengths[article_id], by_reviewer, order=sorted(by_reviewer, key=names.get)
            )
    ArticleAgreement.objects.bulk_create(
        [ArticleAgreement(article_id=pk, figures=figures) for pk, figures in computed.items()],
        ignore_conflicts=True,
    )
    return computed


@receiver([post_save, post_delete], sender=Annotation)
def _annotation_written(sender, instance, **kwargs):
    """A span was saved or deleted: recompute its unit (or its article, in a batch)."""
    if _pending.get() is not None:
        touched([instance.article_id])
    else:
        adjudicated = instance.layer == Layer.ADJUDICATED
        refresh_unit(instance.article_id, None if adjudicated else instance.reviewer_id)


@receiver(post_save, sender=ArticleReview)
@receiver(post_delete, sender=ArticleReview)
def _review_written(sender, instance, update_fields=None, **kwargs):
    """A review marked done or not done (or deleted) changes who coded its article."""
    if update_fields is None or "done" in update_fields:
        forget_agreement([instance.article_id])


def forget_agreement(article_ids):
    """Drop the stored agreement of these articles: the next reader recomputes it."""
    ArticleAgreement.objects.filter(article_id__in=article_ids).delete()


@receiver(post_save, sender=Article)
def _article_written(sender, instance, created, **kwargs):
    if not created:
        touched([instance.pk])


@receiver(post_save, sender=Speaker)
def _speaker_written(sender, instance, created, **kwargs):
    if not created:
        touched(
            Annotation.objects.filter(speaker=instance)
            .values_list("article_id", flat=True)
            .distinct()
        )
