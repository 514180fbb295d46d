"""The one place that turns stored annotations into per-source figures.

Pages, the API and the export all call :func:`source_summaries`; it runs the
same four queries however many articles or annotations there are.
"""

from django.db.models import Count, Q

from .metrics import SpanCount, summarise
from .models import Annotation, Article, ArticleReview, Source


def source_summaries(user, sources=None):
    """``[(source, figures, [(article, figures), ...]), ...]`` for the given sources.

    Figures count only the annotations ``user`` may see: a reviewer's summaries
    rest on their own work (they stay blind to the others'), staff see everyone's.
    """
    sources = list(sources if sources is not None else Source.objects.all())
    articles = list(
        Article.objects.filter(source__in=sources)
        .only("id", "source_id", "title", "seed_file", "word_count", "date_shown")
        .order_by("seed_file", "pk")
    )
    source_ids = [source.pk for source in sources]
    grouped = (
        Annotation.objects.visible_to(user)
        .filter(article__source_id__in=source_ids)
        .values("article_id", "reviewer_id", "label", "speaker_type")
        .annotate(
            linked=Count("pk", filter=Q(attribution__isnull=False)),
            total=Count("pk"),
        )
        .order_by()
    )
    span_counts = []
    for row in grouped:
        linked, unlinked = row["linked"], row["total"] - row["linked"]
        for is_linked, count in ((True, linked), (False, unlinked)):
            if count:
                span_counts.append(
                    SpanCount(
                        row["article_id"],
                        row["reviewer_id"],
                        row["label"],
                        is_linked,
                        row["speaker_type"],
                        count,
                    )
                )
    reviews = ArticleReview.objects.filter(article__source_id__in=source_ids, done=True)
    if not user.is_staff:
        reviews = reviews.filter(reviewer=user)
    finished = reviews.values_list("article_id", "reviewer_id")
    per_article, per_source = summarise(
        {a.pk: (a.source_id, a.word_count) for a in articles},
        span_counts,
        finished,
        source_ids=source_ids,
    )
    by_source = {source.pk: [] for source in sources}
    for article in articles:
        by_source[article.source_id].append((article, per_article[article.pk]))
    return [(source, per_source[source.pk], by_source[source.pk]) for source in sources]
