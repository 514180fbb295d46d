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
    UnitFiguresByHand,
)
from . import agreement, maths, storage
from .presentation import format_value

# What an article's row shows (its link and title) and its figures need.
ARTICLE_ROW_FIELDS = (
    "id",
    "source_id",
    "title",
    "opening",
    "date_shown",
    "seed_file",
    "word_count",
)
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
# The figures a caution may grey out: each metric, and each speaker type's share.
FIGURE_LABELS = {
    **{metric.key: metric.labels for metric in maths.METRICS},
    **dict.fromkeys(maths.SPEAKER_SHARE_KEYS, ("attribution",)),
}


@dataclass
class ArticleRow:
    article: Article
    figures: maths.ArticleFigures
    # The article's agreement (agreement.Tally.figures()) and each pair of its coders'
    # tally; None and none where fewer than two reviewers coded it (or for a reviewer).
    agreement: dict | None
    pairs: list = field(default_factory=list)
    tally: agreement.Tally | None = None  # what ``agreement`` was computed from


@dataclass
class SourceProfile:
    source: Source
    figures: maths.SourceFigures
    articles: list[ArticleRow]
    # Pooled over the double-annotated articles (agreement.pooled_stored()); empty for a reviewer.
    agreement: dict = field(default_factory=dict)
    double_annotated: int = 0
    warnings: list[str] = field(default_factory=list)
    # Figure key -> why that figure alone is too weak to conclude on (empty: it is not).
    cautions: dict = field(default_factory=dict)
    # Figure key -> the label of weakest agreement it rests on (staff only; None: no label).
    weakest_labels: dict = field(default_factory=dict)
    # maths.WITH_SUGGESTIONS: every span counts (the default); WITHOUT_SUGGESTIONS: the
    # spans reviewers made by accepting a suggestion count nowhere.
    suggestions: str = maths.WITH_SUGGESTIONS

    @property
    def greyed(self) -> bool:
        return bool(self.warnings)


def label_alphas(source_agreement) -> dict:
    """Label -> the source's pooled alpha (None where unknown)."""
    return {label: source_agreement["alpha"][label]["value"] for label in agreement.LABELS}


def figure_weakest_labels(alphas) -> dict:
    """Figure key -> the label of lowest alpha among those it rests on (None: none)."""
    return {key: agreement.weakest_label(alphas, labels) for key, labels in FIGURE_LABELS.items()}


def figure_cautions(figures, alphas, is_staff) -> dict:
    """Why each figure is greyed: fewer than PROFILE_MIN_ARTICLES articles with a value,
    or (for staff, who see agreement) the weakest label it rests on having a pooled
    alpha (``alphas``, label -> value) unknown or below PROFILE_MIN_ALPHA. The
    profile-wide warnings stand beside these."""
    minimum, floor = settings.PROFILE_MIN_ARTICLES, settings.PROFILE_MIN_ALPHA
    weakest = figure_weakest_labels(alphas)
    cautions = {}
    for key in FIGURE_LABELS:
        articles = figures.values[key]["articles"]
        reasons = []
        if articles < minimum:
            reasons.append(f"Rests on {articles} article(s); at least {minimum} are needed.")
        label = weakest[key]
        if is_staff and label is not None:
            alpha = alphas[label]
            if alpha is None:
                reasons.append(f"Agreement on {label}s, the weakest label it rests on, is unknown.")
            elif alpha < floor:
                reasons.append(
                    f"Agreement on {label}s, the weakest label it rests on "
                    f"(pooled alpha {format_value('coefficient', alpha)}), is below {floor}."
                )
        cautions[key] = reasons
    return cautions


def _warnings(figures, source_agreement, is_staff):
    warnings = []
    minimum = settings.PROFILE_MIN_ARTICLES
    if figures.annotated_articles < minimum:
        warnings.append(
            f"Rests on {figures.annotated_articles} annotated article(s); "
            f"at least {minimum} are needed for conclusions."
        )
    if not is_staff:
        warnings.append("Shows your own annotations only; agreement is for staff to judge.")
        return warnings
    weakest = source_agreement["weakest_label"]
    alpha, floor = weakest["alpha"], settings.PROFILE_MIN_ALPHA
    if not source_agreement["articles"]:
        warnings.append("No article was coded by two reviewers, so agreement is unknown.")
    elif alpha is None or alpha < floor:
        shown = "undefined" if alpha is None else format_value("coefficient", alpha)
        warnings.append(
            f"Reviewer agreement on {weakest['label']}s, the weakest label (Krippendorff's "
            f"alpha {shown}, pooled over {source_agreement['articles']} double-annotated "
            f"article(s)), is below {floor}, the floor for tentative conclusions."
        )
    return warnings


def source_profiles(
    user, sources=None, *, intervals=False, with_articles=True, suggestions=maths.WITH_SUGGESTIONS
):
    """Profiles of the given sources (all by default) from what ``user`` may see.

    A reviewer's profiles rest on their own raw spans (reviewing stays blind);
    staff see every reviewer's, the adjudicated layers staff marked complete,
    and agreement. Reads the precomputed unit figures (see
    :mod:`annotator.profiles.storage`), never the spans, with the same six
    queries for one source or many: the sources, their articles, unit figures,
    page reviews, complete adjudications and stored agreement.
    ``intervals``: True for every figure's interval and agreement's, or the keys of
    the figures to bound (tables of sources). ``with_articles=False`` leaves out
    the per-article rows (tables of sources).
    ``suggestions=maths.WITHOUT_SUGGESTIONS`` leaves out the spans reviewers made by
    accepting a suggestion: it reads in one more query the figures stored without them of
    each unit holding one (``UnitFiguresByHand``). Agreement stays the coders' agreement on
    every span they made.
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
            storage.coders(units, review_facts),
            storage.agreement_rows(
                ArticleAgreement.objects.filter(**of_sources), pairs=with_articles
            ),
        )

    if suggestions == maths.WITHOUT_SUGGESTIONS:  # agreement above rests on every span
        units = storage.by_hand(
            units, storage.unit_rows(UnitFiguresByHand.objects.filter(**of_sources, **own))
        )
    per_article, per_source = maths.summarise(
        sizes,
        units,
        review_facts,
        source_ids=source_ids,
        intervals=intervals,
        with_articles=with_articles,
    )
    # In article id order however they were read: intervals resample articles by position.
    stored_by_source = defaultdict(list)
    for article_id in sorted(agreements):
        stored_by_source[sizes[article_id][0]].append(agreements[article_id])
    rows_by_source = defaultdict(list)
    for article in listed:
        row = ArticleRow(article, per_article[article.pk], None)
        if article.pk in agreements:
            row.tally = agreement.Tally.from_stored(agreements[article.pk])
            row.agreement = row.tally.figures()
            row.pairs = [agreement.Tally.from_stored(p) for p in agreements[article.pk]["pairs"]]
        rows_by_source[article.source_id].append(row)
    return [
        _profile(
            source,
            per_source[source.pk],
            rows_by_source[source.pk],
            stored_by_source[source.pk] if user.is_staff else None,
            intervals,
            suggestions,
        )
        for source in sources
    ]


def _profile(source, figures, rows, stored_agreement, intervals, suggestions):
    """A source's profile; ``stored_agreement`` its articles' stored agreement
    (``Tally.stored()``; None: not the reader's to see)."""
    profile = SourceProfile(source=source, figures=figures, articles=rows, suggestions=suggestions)
    is_staff = stored_agreement is not None
    alphas = dict.fromkeys(agreement.LABELS)
    if is_staff:
        seed = maths.stable_seed(source.pk, "agreement") if intervals is True else None
        profile.agreement = agreement.pooled_stored(stored_agreement, seed)
        profile.double_annotated = len(stored_agreement)
        alphas = label_alphas(profile.agreement)
        profile.weakest_labels = figure_weakest_labels(alphas)
    profile.warnings = _warnings(figures, profile.agreement, is_staff)
    profile.cautions = figure_cautions(figures, alphas, is_staff)
    return profile
