"""A figure's evidence: the stored spans it counts, for pages to list.

Built from the figure's own definition (:attr:`.maths.Metric.counts`, names of
the span sets in :data:`.maths.COUNTED` that its value is computed from), so
the spans listed are the spans counted.
"""

from django.db.models import Count, Min, Q

from ..models import Adjudication, Annotation, Article, Layer
from ..models.spans import BY_HAND
from .maths import COUNTED, METRICS, WITH_SUGGESTIONS, WITHOUT_SUGGESTIONS

# The stored spans' lookup for each fact a span set may name.
LOOKUPS = {
    "label": "label",
    "check_worthy": "check_worthy",
    "speaker_type": "speaker_type",
    "cue_stance": "cue_stance",
    "quote_type": "quote_type",
    "counter_voice": "counter_voice",
    "affiliation": "speaker__affiliation",
}
# Facts that say whether a span points at another row.
POINTS_AT = {"linked": "attribution", "has_speaker": "speaker"}


def span_filter(spans) -> Q:
    """The :class:`.maths.Spans` ``spans`` as a filter on :class:`~annotator.models.Annotation`."""
    condition = Q()
    for name, values in spans.conditions:
        if name in POINTS_AT:
            [points] = values
            condition &= Q(**{f"{POINTS_AT[name]}__isnull": not points})
        else:
            condition &= Q(**{f"{LOOKUPS[name]}__in": values})
    return condition


def _figure_filter(metric) -> Q:
    condition = Q()
    for name in metric.counts:
        condition |= span_filter(COUNTED[name])
    return condition


# Figure key -> which stored spans it counts; figures that count no spans are absent.
EVIDENCE = {metric.key: _figure_filter(metric) for metric in METRICS if metric.counts}


def counted_filter(metric_key, suggestions=WITH_SUGGESTIONS) -> Q | None:
    """Which stored spans a figure counts (None: it counts no spans); without accepted
    suggestions, those made by hand only, as the figures read without them count."""
    condition = EVIDENCE.get(metric_key)
    if condition is not None and suggestions == WITHOUT_SUGGESTIONS:
        condition &= BY_HAND
    return condition


def counted_spans(user, source, metric_key, suggestions=WITH_SUGGESTIONS):
    """The spans a figure of ``source`` counts, of those ``user`` may see, with or
    without the accepted suggestions (``suggestions``) as the profile's figures.

    As the figures do: for staff the adjudicated layer where an article's layer
    is complete and the reviewers' raw spans elsewhere (the spans of a layer in
    progress count nowhere), for a reviewer their own raw spans; spans orphaned
    by a body change count nowhere.
    Returns None for a figure that counts no spans.
    """
    condition = counted_filter(metric_key, suggestions)
    if condition is None:
        return None
    spans = Annotation.objects.visible_to(user).placed().filter(article__source=source)
    if user.is_staff:  # a reviewer's figures rest on their raw spans wherever they are
        complete = Adjudication.objects.complete().filter(article__source=source)
        in_complete_layer = Q(article_id__in=complete.values("article_id"))
        spans = spans.filter(
            Q(layer=Layer.ADJUDICATED) & in_complete_layer | Q(layer=Layer.RAW) & ~in_complete_layer
        )
    return (
        spans.filter(condition)
        .select_related("article", "reviewer", "speaker", "attribution")
        .order_by("article_id", "start", "pk")
    )


def counted_articles(spans):
    """The articles holding ``spans`` (from :func:`counted_spans`) in article order, each with
    how many (``spans``) and their layer (``layer``: one article's are all of one layer)."""
    return (
        Article.objects.filter(annotations__in=spans)
        .annotate(spans=Count("annotations"), layer=Min("annotations__layer"))
        .only("pk", "title", "opening", "seed_file")
        .order_by("pk")
    )
