"""Building the adjudicated layer: staff accept reviewers' spans or reject them.

The layer is a set of ordinary annotations with ``layer="adjudicated"``; an
:class:`~annotator.models.Adjudication` row says it exists (even when empty)
and whether staff marked it complete. Only a complete layer replaces the mean
over reviewers in summaries and evidence.
"""

from dataclasses import dataclass, field

from django.db import transaction

from . import span_schema
from .models import Adjudication, Annotation, Label, Layer
from .profiles import storage

COMPARED_FIELDS = tuple(name for name in span_schema.NAMES if name not in span_schema.LINK_NAMES)


@dataclass
class Cluster:
    """Same-label spans that overlap, across reviewers and the adjudicated layer."""

    label: str
    start: int
    end: int
    by_reviewer: dict = field(default_factory=dict)
    adjudicated: list = field(default_factory=list)
    # History rows of the spans staff took out of the current layer here.
    rejected: list = field(default_factory=list)

    def add(self, span):
        self.start, self.end = min(self.start, span.start), max(self.end, span.end)
        if span.layer == Layer.ADJUDICATED:
            self.adjudicated.append(span)
        else:
            self.by_reviewer.setdefault(span.reviewer_id, []).append(span)

    def overlaps(self, label, start, end) -> bool:
        return label == self.label and start < self.end and self.start < end

    @property
    def decided(self) -> bool:
        """Staff accepted a span here or took one out of the layer."""
        return bool(self.adjudicated or self.rejected)

    def disagreement(self, reviewer_ids) -> str:
        """Why reviewers differ here, or "" when they all marked the same thing."""
        signatures = {
            reviewer: sorted(_signature(s) for s in self.by_reviewer.get(reviewer, []))
            for reviewer in reviewer_ids
        }
        if any(not spans for spans in signatures.values()):
            return "not every reviewer marked this"
        offsets = {tuple(sig[:2] for sig in spans) for spans in signatures.values()}
        if len(offsets) > 1:
            return "boundaries differ"
        if len({tuple(spans) for spans in signatures.values()}) > 1:
            return "fields differ"
        return ""


def _signature(span):
    return (
        span.start,
        span.end,
        *(getattr(span, f"{name}_id" if name == "speaker" else name) for name in COMPARED_FIELDS),
    )


def clusters(article, layer=None):
    """Every cluster of overlapping same-label spans on the article, in text order.

    Orphaned spans stand nowhere in the body, so they are in no cluster. Given
    the article's :class:`~annotator.models.Adjudication`, each cluster also
    holds the spans taken out of that layer since it was started
    (:func:`rejections`).
    """
    spans = (
        Annotation.objects.filter(article=article)
        .placed()
        .select_related("reviewer", "speaker", "attribution")
        .order_by("label", "start", "-end", "pk")
    )
    result = []
    current = None
    for span in spans:
        if current is None or span.label != current.label or span.start >= current.end:
            current = Cluster(span.label, span.start, span.end)
            result.append(current)
        current.add(span)
    if layer is not None:
        for removed in rejections(layer):
            found = (c for c in result if c.overlaps(removed.label, removed.start, removed.end))
            if (cluster := next(found, None)) is not None:
                cluster.rejected.append(removed)
    return sorted(result, key=lambda cluster: (cluster.start, cluster.end))


def rejections(layer):
    """The spans staff took out of ``layer`` since it was started, newest first: the
    history rows of their deletion, with who deleted them. A discarded layer's spans
    were deleted before this layer began, so they are not among them."""
    return (
        Annotation.history.filter(
            article_id=layer.article_id,
            layer=Layer.ADJUDICATED,
            history_type="-",
            history_date__gte=layer.created,
        )
        .select_related("history_user")
        .order_by("-history_date")
    )


@transaction.atomic
def accept(span: Annotation, adjudicator) -> Annotation:
    """Copy a reviewer's span into the adjudicated layer (updating an identical one).

    Links are carried across whichever is accepted first: a claim or opinion
    whose reviewer linked it to an attribution is linked to that attribution's
    adjudicated copy, now if it is there, else when the attribution is accepted.
    An orphaned span is refused (``ValidationError``).
    """
    # One adjudicator owns the layer, so links inside it stay within one reviewer.
    owner = Adjudication.objects.get_or_create(
        article=span.article, defaults={"adjudicator": adjudicator}
    )[0].adjudicator
    copy = (
        Annotation.objects.adjudicated()
        .filter(article=span.article, label=span.label, start=span.start, end=span.end)
        .first()
    ) or Annotation(
        article=span.article,
        reviewer=owner,
        layer=Layer.ADJUDICATED,
        label=span.label,
        start=span.start,
        end=span.end,
    )
    for name in COMPARED_FIELDS:
        setattr(copy, name, getattr(span, name))
    copy.note = span.note
    copy.suggested_by = span.suggested_by  # the provenance follows the span accepted
    copy.orphaned = span.orphaned  # refused by anchor_and_check(): it stands nowhere
    copy.adjudicated_from = span
    copy.attribution = None
    if span.attribution_id is not None:
        copy.attribution = (
            Annotation.objects.adjudicated()
            .filter(
                article=span.article, reviewer=copy.reviewer, adjudicated_from=span.attribution_id
            )
            .first()
        )
    copy.anchor_and_check()
    copy.save()
    if span.label == Label.ATTRIBUTION:
        _link_accepted_spans_to(copy)
    return copy


def _link_accepted_spans_to(attribution_copy):
    """Adjudicated copies of the spans their reviewer linked to this attribution get its copy."""
    waiting = (
        Annotation.objects.adjudicated()
        .filter(
            article_id=attribution_copy.article_id,
            reviewer_id=attribution_copy.reviewer_id,
            adjudicated_from__attribution_id=attribution_copy.adjudicated_from_id,
        )
        .exclude(attribution_id=attribution_copy.pk)
    )
    for copy in waiting:
        copy.attribution = attribution_copy
        copy.save(update_fields=["attribution", "updated"])


def reject(adjudicated_span: Annotation, adjudicator) -> list[int]:
    """Take a span out of the adjudicated layer; the layer itself stays. Its history
    row names ``adjudicator``, which is how the page tells a rejected passage from
    one nobody decided.

    Returns the ids of the adjudicated claims and opinions that were linked to it.
    """
    return adjudicated_span.delete_by(adjudicator)


@transaction.atomic
def start_empty(article, adjudicator):
    """An adjudicated layer that accepts nothing yet, in progress until marked complete."""
    Adjudication.objects.get_or_create(article=article, defaults={"adjudicator": adjudicator})


@transaction.atomic
def discard(article):
    """Drop the adjudicated layer: summaries go back to the mean over reviewers."""
    with storage.batched():
        Annotation.objects.adjudicated().filter(article=article).delete()
    Adjudication.objects.filter(article=article).delete()
