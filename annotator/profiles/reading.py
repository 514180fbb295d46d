"""The one place that turns stored annotations into per-source profiles.

Pages, the API and the CSV/JSON tables all call :func:`source_profiles`; it
reads the precomputed unit figures and agreement with the same few queries
however many sources, articles or spans there are, then hands plain facts to
:mod:`annotator.profiles.maths`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from .. import fastsql
from ..models import (
    Adjudication,
    Article,
    ArticleAgreement,
    ArticleReview,
    Source,
    UnitFigures,
)
from . import agreement, maths, storage

# What an article's row shows, in the model's field order (see fastsql.instance).
ARTICLE_ROW_FIELDS = ("id", "source_id", "title", "date_shown", "seed_file", "word_count")
FIGURE_FIELDS = ("id", "source_id", "word_count")
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
AGREEMENT_KEYS = ("alpha", "f1_exact", "f1_overlap", "kappa_speaker_type", "kappa_cue_stance")


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


def _reads(where, reviewer, with_articles):
    """A profile's five queries, of rows: its articles (those that ``where`` selects, by
    lookups on Article; all a row shows, or only what figures need), their unit
    figures and reviews (only ``reviewer``'s, unless None), adjudicated articles
    and stored agreement."""
    related = {f"article__{lookup}": value for lookup, value in where.items()}
    own = {} if reviewer is None else {"reviewer_id": reviewer}
    articles = Article.objects.filter(**where).order_by("seed_file", "pk")
    return (
        articles.values_list(*(ARTICLE_ROW_FIELDS if with_articles else FIGURE_FIELDS)),
        storage.unit_rows(UnitFigures.objects.filter(**related, **own)),
        ArticleReview.objects.filter(**related, **own).values_list(*REVIEW_FIELDS),
        Adjudication.objects.filter(**related).values_list("article_id"),
        storage.agreement_rows(ArticleAgreement.objects.filter(**related)),
    )


def _one_source_reads(with_articles):
    return tuple(
        fastsql.Prepared(
            lambda source, reviewer=None, index=index: _reads(
                {"source_id": source}, reviewer, with_articles
            )[index]
        )
        for index in range(5)
    )


# (with article rows, as staff) -> the five reads for one source, each compiled once.
_ONE_SOURCE = {
    (rows, staff): _one_source_reads(rows) for rows in (True, False) for staff in (True, False)
}
ARTICLES, UNITS, REVIEWS, ADJUDICATED, AGREEMENT = range(5)


def source_profiles(user, sources=None, *, intervals=False, with_articles=True):
    """Profiles of the given sources (all by default) from what ``user`` may see.

    A reviewer's profiles rest on their own raw spans (reviewing stays blind);
    staff see every reviewer's, the adjudicated layer, and agreement. Reads the
    precomputed unit figures (see :mod:`annotator.profiles.storage`), never the spans.
    ``with_articles=False`` leaves out the per-article rows (tables of sources).
    """
    sources = list(sources if sources is not None else Source.objects.all())
    source_ids = [source.pk for source in sources]
    reviewer = None if user.is_staff else user.pk
    if len(source_ids) == 1:  # a source's page or its API: queries compiled once
        prepared = _ONE_SOURCE[with_articles, user.is_staff]
        values = {"source": source_ids[0]} | ({} if reviewer is None else {"reviewer": reviewer})

        def fetch(index):
            return prepared[index].rows(**values)
    else:
        queries = _reads({"source_id__in": source_ids}, reviewer, with_articles)

        def fetch(index):
            return list(queries[index])

    article_rows = fetch(ARTICLES)
    if with_articles:  # the rows' articles, read once for the figures too
        listed = [fastsql.instance(Article, ARTICLE_ROW_FIELDS, row) for row in article_rows]
        articles = {article.pk: (article.source_id, article.word_count) for article in listed}
    else:
        articles = {pk: (source_id, words) for pk, source_id, words in article_rows}
    units = storage.decoded_units(fetch(UNITS))
    review_facts = [maths.ReviewFacts(*row) for row in fetch(REVIEWS)]
    agreements = {}
    if user.is_staff:
        review_facts += [
            maths.ReviewFacts(article_id=article_id, annotator=maths.ADJUDICATED)
            for (article_id,) in fetch(ADJUDICATED)
        ]
        agreements = storage.agreement_for(units, fetch(AGREEMENT))

    per_article, per_source = maths.summarise(
        articles,
        units,
        review_facts,
        source_ids=source_ids,
        intervals=intervals,
        with_articles=with_articles,
    )
    rows_by_source = defaultdict(list)
    for article in listed if with_articles else ():
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
