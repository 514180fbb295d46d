"""The one place that turns stored annotations into per-source profiles.

Pages, the API and the CSV/JSON tables all call :func:`source_profiles`; it
reads the precomputed unit figures and agreement with the same few queries
however many sources, articles or spans there are, then hands plain facts to
:mod:`annotator.profiles.maths`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from ..models import (
    Adjudication,
    Article,
    ArticleAgreement,
    ArticleReview,
    Source,
    UnitFigures,
)
from . import agreement, maths, storage

# What an article's row shows (its link and title) and its figures need.
ARTICLE_ROW_FIELDS = ("id", "source_id", "title", "date_shown", "seed_file", "word_count")
# A review's columns in the order of maths.ReviewFacts.
REVIEW_FIELDS = (
    "article_id",
    "reviewer_id",
    "done",
    "genre",
    "byline_shown",
    "date_shown",
    "bio_shown",
)
ALPHA_KEYS = {label: f"alpha_{label}" for label in maths.LABELS}
AGREEMENT_KEYS = (
    "alpha",
    *ALPHA_KEYS.values(),
    "f1_exact",
    "f1_overlap",
    "kappa_speaker_type",
    "kappa_cue_stance",
)
# The figures a caution may grey out: each metric, and each speaker type's share.
FIGURE_LABELS = {
    **{metric.key: metric.labels for metric in maths.METRICS},
    **dict.fromkeys(maths.SPEAKER_SHARE_KEYS, ("attribution",)),
}


@dataclass
class ArticleRow:
    article: Article
    figures: maths.ArticleFigures
    agreement: dict | None


@dataclass
class SourceProfile:
    source: Source
    figures: maths.SourceFigures
    articles: list[ArticleRow]
    agreement: dict = field(default_factory=dict)
    double_annotated: int = 0
    warnings: list[str] = field(default_factory=list)
    # Figure key -> why that figure alone is too weak to conclude on (empty: it is not).
    cautions: dict = field(default_factory=dict)

    @property
    def greyed(self) -> bool:
        return bool(self.warnings)


def figure_cautions(figures, source_agreement, is_staff) -> dict:
    """Why each figure is greyed: fewer than PROFILE_MIN_ARTICLES articles with a value,
    or (for staff, who see agreement) a label it rests on whose alpha is unknown or
    below PROFILE_MIN_ALPHA. The profile-wide warnings stand beside these."""
    minimum, floor = settings.PROFILE_MIN_ARTICLES, settings.PROFILE_MIN_ALPHA
    weak_labels = {}
    for label, key in ALPHA_KEYS.items():
        alpha = source_agreement.get(key)
        if alpha is None:
            weak_labels[label] = f"Agreement on {label}s is unknown."
        elif alpha < floor:
            weak_labels[label] = f"Agreement on {label}s (alpha {alpha:.2f}) is below {floor}."
    cautions = {}
    for key, labels in FIGURE_LABELS.items():
        articles = figures.values[key]["articles"]
        reasons = []
        if articles < minimum:
            reasons.append(f"Rests on {articles} article(s); at least {minimum} are needed.")
        if is_staff:
            reasons += [weak_labels[label] for label in labels if label in weak_labels]
        cautions[key] = reasons
    return cautions


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
    staff see every reviewer's, the adjudicated layers staff marked complete,
    and agreement. Reads the precomputed unit figures (see
    :mod:`annotator.profiles.storage`), never the spans, with the same six
    queries for one source or many: the sources, their articles, unit figures,
    page reviews, complete adjudications and stored agreement.
    ``with_articles=False`` leaves out the per-article rows (tables of sources).
    """
    sources = list(sources if sources is not None else Source.objects.all())
    source_ids = [source.pk for source in sources]
    of_sources = {"article__source_id__in": source_ids}
    own = {} if user.is_staff else {"reviewer_id": user.pk}
    # In one order however they are read: intervals resample articles by position.
    articles = Article.objects.filter(source_id__in=source_ids).order_by("seed_file", "pk")
    if with_articles:
        listed = list(articles.only(*ARTICLE_ROW_FIELDS))
        sizes = {article.pk: (article.source_id, article.word_count) for article in listed}
    else:
        listed = []
        sizes = {
            pk: (source_id, words)
            for pk, source_id, words in articles.values_list("pk", "source_id", "word_count")
        }
    units = storage.decoded_units(
        storage.unit_rows(UnitFigures.objects.filter(**of_sources, **own))
    )
    review_facts = [
        maths.ReviewFacts(*row)
        for row in ArticleReview.objects.filter(**of_sources, **own).values_list(*REVIEW_FIELDS)
    ]
    agreements = {}
    if user.is_staff:
        complete_layers = Adjudication.objects.complete().filter(**of_sources)
        review_facts += [
            maths.ReviewFacts(article_id=article_id, annotator=maths.ADJUDICATED)
            for article_id in complete_layers.values_list("article_id", flat=True)
        ]
        agreements = storage.agreement_for(
            units, storage.agreement_rows(ArticleAgreement.objects.filter(**of_sources))
        )

    per_article, per_source = maths.summarise(
        sizes,
        units,
        review_facts,
        source_ids=source_ids,
        intervals=intervals,
        with_articles=with_articles,
    )
    rows_by_source = defaultdict(list)
    for article in listed:
        rows_by_source[article.source_id].append(
            ArticleRow(article, per_article[article.pk], agreements.get(article.pk))
        )
    measured_by_source = defaultdict(list)
    for article_id, figures in agreements.items():
        measured_by_source[sizes[article_id][0]].append(figures)
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
        profile.cautions = figure_cautions(profile.figures, source_agreement, user.is_staff)
        profiles.append(profile)
    return profiles
