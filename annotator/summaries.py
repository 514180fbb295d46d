"""The one place that turns stored annotations into per-source profiles.

Pages, the API and the CSV/JSON tables all call :func:`source_profiles`; it
runs the same six queries however many sources, articles or spans there are,
then hands plain facts to :mod:`annotator.metrics` and :mod:`annotator.agreement`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import Length

from . import agreement, metrics
from .models import Adjudication, Annotation, Article, ArticleReview, Layer, Source

AGREEMENT_KEYS = ("alpha", "f1_exact", "f1_overlap", "kappa_speaker_type", "kappa_cue_stance")


@dataclass
class ArticleRow:
    article: Article
    figures: metrics.ArticleFigures
    agreement: dict | None


@dataclass
class SourceProfile:
    source: Source
    figures: metrics.SourceFigures
    articles: list[ArticleRow]
    agreement: dict = field(default_factory=dict)
    double_annotated: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def greyed(self) -> bool:
        return bool(self.warnings)


def _span_facts(annotations):
    rows = (
        annotations.annotate(
            linked=ExpressionWrapper(Q(attribution__isnull=False), output_field=BooleanField())
        )
        .values(
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
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        metrics.SpanFacts(
            article_id=row["article_id"],
            annotator=metrics.ADJUDICATED
            if row["layer"] == Layer.ADJUDICATED
            else row["reviewer_id"],
            label=row["label"],
            linked=bool(row["linked"]),
            check_worthy=row["check_worthy"],
            speaker_type=row["speaker_type"],
            cue_stance=row["cue_stance"],
            quote_type=row["quote_type"],
            speaker_id=row["speaker_id"],
            affiliation=row["speaker__affiliation"] or "",
            counter_voice=row["counter_voice"],
            count=row["n"],
        )
        for row in rows
    ]


def _agreement_by_article(annotations, lengths):
    """Agreement on every article that two or more reviewers annotated."""
    spans = defaultdict(lambda: defaultdict(list))
    rows = annotations.filter(layer=Layer.RAW).values_list(
        "article_id", "reviewer_id", "label", "start", "end", "speaker_type", "cue_stance"
    )
    for article_id, reviewer_id, label, start, end, speaker_type, cue_stance in rows:
        spans[article_id][reviewer_id].append(
            agreement.Span(label, start, end, speaker_type, cue_stance)
        )
    return {
        article_id: agreement.article_agreement(lengths[article_id], by_reviewer)
        for article_id, by_reviewer in spans.items()
        if len(by_reviewer) >= 2
    }


def _warnings(figures, source_agreement, double_annotated, is_staff):
    warnings = []
    minimum = settings.PROFILE_MIN_ARTICLES
    if figures.annotated_articles < minimum:
        warnings.append(
            f"Rests on {figures.annotated_articles} annotated article(s); "
            f"at least {minimum} are needed for conclusions."
        )
    alpha = source_agreement.get("alpha")
    if not is_staff:
        warnings.append("Shows your own annotations only; agreement is for staff to judge.")
    elif not double_annotated:
        warnings.append("No article was annotated by two reviewers, so agreement is unknown.")
    elif alpha is None or alpha < settings.PROFILE_MIN_ALPHA:
        shown = "undefined" if alpha is None else f"{alpha:.2f}"
        warnings.append(
            f"Reviewer agreement (Krippendorff's alpha {shown}) is below "
            f"{settings.PROFILE_MIN_ALPHA}, the floor for tentative conclusions."
        )
    return warnings


def source_profiles(user, sources=None, *, intervals=False):
    """Profiles of the given sources (all by default) from what ``user`` may see.

    A reviewer's profiles rest on their own raw spans (reviewing stays blind);
    staff see every reviewer's, the adjudicated layer, and agreement.
    """
    sources = list(sources if sources is not None else Source.objects.all())
    source_ids = [source.pk for source in sources]
    articles = list(
        Article.objects.filter(source_id__in=source_ids)
        .annotate(body_length=Length("body"))
        .only("id", "source_id", "title", "seed_file", "word_count", "date_shown")
        .order_by("seed_file", "pk")
    )
    annotations = (
        Annotation.objects.visible_to(user).placed().filter(article__source_id__in=source_ids)
    )
    reviews = ArticleReview.objects.filter(article__source_id__in=source_ids)
    if not user.is_staff:
        reviews = reviews.filter(reviewer=user)
    review_facts = [
        metrics.ReviewFacts(
            article_id=row["article_id"],
            annotator=row["reviewer_id"],
            done=row["done"],
            genre=row["genre"],
            byline_shown=row["byline_shown"],
            date_shown=row["date_shown"],
            bio_shown=row["bio_shown"],
        )
        for row in reviews.values(
            "article_id", "reviewer_id", "done", "genre", "byline_shown", "date_shown", "bio_shown"
        )
    ]
    if user.is_staff:
        adjudicated = Adjudication.objects.filter(article__source_id__in=source_ids)
        review_facts += [
            metrics.ReviewFacts(article_id=article_id, annotator=metrics.ADJUDICATED)
            for article_id in adjudicated.values_list("article_id", flat=True)
        ]
        agreements = _agreement_by_article(
            annotations, {article.pk: article.body_length for article in articles}
        )
    else:
        agreements = {}

    per_article, per_source = metrics.summarise(
        {article.pk: (article.source_id, article.word_count) for article in articles},
        _span_facts(annotations),
        review_facts,
        source_ids=source_ids,
        intervals=intervals,
    )
    rows_by_source = defaultdict(list)
    for article in articles:
        rows_by_source[article.source_id].append(
            ArticleRow(article, per_article[article.pk], agreements.get(article.pk))
        )
    profiles = []
    for source in sources:
        rows = rows_by_source[source.pk]
        measured = [row.agreement for row in rows if row.agreement]
        source_agreement = {
            key: agreement.mean_defined(a[key] for a in measured) for key in AGREEMENT_KEYS
        }
        profile = SourceProfile(
            source=source,
            figures=per_source[source.pk],
            articles=rows,
            agreement=source_agreement,
            double_annotated=len(measured),
        )
        profile.warnings = _warnings(
            profile.figures, source_agreement, len(measured), user.is_staff
        )
        profiles.append(profile)
    return profiles
