"""The one place that turns stored annotations into per-source profiles.

Pages, the API and the CSV/JSON tables all call :func:`source_profiles`; it
reads the precomputed unit figures and agreement with the same few queries
however many sources, articles or spans there are, then hands plain facts to
:mod:`annotator.metrics`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from . import agreement, metrics, tallies
from .models import Adjudication, Article, ArticleReview, Source, UnitFigures

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


def source_profiles(user, sources=None, *, intervals=False, with_articles=True):
    """Profiles of the given sources (all by default) from what ``user`` may see.

    A reviewer's profiles rest on their own raw spans (reviewing stays blind);
    staff see every reviewer's, the adjudicated layer, and agreement. Reads the
    precomputed unit figures (see :mod:`annotator.tallies`), never the spans.
    ``with_articles=False`` leaves out the per-article rows (tables of sources).
    """
    sources = list(sources if sources is not None else Source.objects.all())
    source_ids = [source.pk for source in sources]
    articles = {
        pk: (source_id, words)
        for pk, source_id, words in Article.objects.filter(source_id__in=source_ids)
        .order_by("seed_file", "pk")
        .values_list("pk", "source_id", "word_count")
    }
    units = UnitFigures.objects.filter(article__source_id__in=source_ids)
    reviews = ArticleReview.objects.filter(article__source_id__in=source_ids)
    if not user.is_staff:
        units = units.filter(reviewer=user)
        reviews = reviews.filter(reviewer=user)
    units = tallies.stored_units(units)
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
    agreements = {}
    if user.is_staff:
        adjudicated = Adjudication.objects.filter(article__source_id__in=source_ids)
        review_facts += [
            metrics.ReviewFacts(article_id=article_id, annotator=metrics.ADJUDICATED)
            for article_id in adjudicated.values_list("article_id", flat=True)
        ]
        agreements = tallies.agreement_for(units)

    per_article, per_source = metrics.summarise(
        articles,
        units,
        review_facts,
        source_ids=source_ids,
        intervals=intervals,
        with_articles=with_articles,
    )
    rows_by_source = defaultdict(list)
    if with_articles:
        for article in (
            Article.objects.filter(source_id__in=source_ids)
            .only("id", "source_id", "title", "seed_file", "word_count", "date_shown")
            .order_by("seed_file", "pk")
        ):
            rows_by_source[article.source_id].append(
                ArticleRow(article, per_article[article.pk], agreements.get(article.pk))
            )
    measured_by_source = defaultdict(list)
    for article_id, figures in agreements.items():
        measured_by_source[articles[article_id][0]].append(figures)
    profiles = []
    for source in sources:
        measured = measured_by_source[source.pk]
        source_agreement = {
            key: agreement.mean_defined(a[key] for a in measured) for key in AGREEMENT_KEYS
        }
        profile = SourceProfile(
            source=source,
            figures=per_source[source.pk],
            articles=rows_by_source[source.pk],
            agreement=source_agreement,
            double_annotated=len(measured),
        )
        profile.warnings = _warnings(
            profile.figures, source_agreement, len(measured), user.is_staff
        )
        profiles.append(profile)
    return profiles
