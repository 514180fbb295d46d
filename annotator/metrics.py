"""Django-free profile arithmetic (see docs/metrics.md for every formula).

One *unit* is one annotator's work on one article: a reviewer's raw spans, or
the adjudicated layer. A unit's value for a metric may be ``None``: "not
enough data" (no claims to divide by, fewer than two identifiable speakers),
never a misleading 0.

Article value = the adjudicated unit where one exists, else the mean over its
reviewers' units; source value = mean over its articles, so one long article
or one busy reviewer does not dominate. Each source value carries the number
of articles and reviewers behind it and, on request, a seeded 95% bootstrap
interval over articles.
"""

import math
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import fmean

import numpy

LABELS = ("claim", "opinion", "attribution")
SPEAKER_TYPES = ("named_person", "named_organisation", "unnamed_identified", "vague", "none", "")
IDENTIFIABLE_TYPES = ("named_person", "named_organisation", "unnamed_identified")
AFFILIATIONS = (
    "government_named",
    "government_other",
    "intergovernmental",
    "independent_expert",
    "civil_society",
    "media",
    "citizen",
    "unknown",
)
OFFICIAL_AFFILIATIONS = ("government_named", "government_other", "intergovernmental")
ADJUDICATED = "adjudicated"
BOOTSTRAP_RESAMPLES = 1000


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    group: str  # reliability, bias or trust
    kind: str  # share (0..1), per_1000, count, index (-1..1)
    reading: str


METRICS = (
    Metric(
        "sourcing_rate",
        "Sourcing rate",
        "reliability",
        "share",
        "Claims linked to an attribution, out of all claims.",
    ),
    Metric(
        "sourcing_rate_check_worthy",
        "Sourcing rate, check-worthy claims",
        "reliability",
        "share",
        "The same, for check-worthy claims only.",
    ),
    Metric(
        "unsupported_check_worthy_per_1000",
        "Unsupported check-worthy claims",
        "reliability",
        "per_1000",
        "Check-worthy claims in the outlet's own voice, per 1,000 words.",
    ),
    Metric(
        "weasel_share",
        "Vague or missing speakers",
        "reliability",
        "share",
        "Attributions whose speaker is vague or absent.",
    ),
    Metric(
        "direct_quote_rate",
        "Direct quotes",
        "reliability",
        "share",
        "Attributions that quote the speaker's words directly.",
    ),
    Metric(
        "orphan_quotes",
        "Orphan quotes per article",
        "reliability",
        "count",
        "Attributions with no speaker at all, per article.",
    ),
    Metric(
        "author_opinion_per_1000",
        "Author opinion",
        "bias",
        "per_1000",
        "Opinions in the outlet's own voice, per 1,000 words.",
    ),
    Metric(
        "author_opinion_share",
        "Author opinion share",
        "bias",
        "share",
        "Unlinked opinions out of everything the outlet says in its own voice.",
    ),
    Metric(
        "voice_diversity",
        "Voice diversity",
        "bias",
        "share",
        "Normalised entropy of identifiable speakers' affiliations (1 = evenly spread).",
    ),
    Metric(
        "speaker_concentration",
        "Speaker concentration",
        "bias",
        "share",
        "Sum of squared speaker shares (1 = a single speaker).",
    ),
    Metric(
        "official_dependence",
        "Official-source dependence",
        "bias",
        "share",
        "Identifiable attributions to governments or intergovernmental bodies.",
    ),
    Metric(
        "counter_voice_rate",
        "Counter-voice rate",
        "bias",
        "share",
        "Articles with at least one voice that contrasts with the main line.",
    ),
    Metric(
        "cue_balance",
        "Cue stance balance",
        "bias",
        "index",
        "(Endorsing − distancing cues) per attribution: credulity if positive.",
    ),
    Metric(
        "intensifying_rate",
        "Intensifying cues",
        "bias",
        "share",
        "Attributions with an intensifying cue (warned, stressed).",
    ),
    Metric(
        "transparency",
        "Transparency",
        "trust",
        "share",
        "Share of byline, date, author bio and genre label the page shows.",
    ),
)
METRIC_KEYS = tuple(metric.key for metric in METRICS)
SPEAKER_SHARE_KEYS = tuple(f"share_{kind or 'unspecified'}" for kind in SPEAKER_TYPES)


@dataclass(frozen=True)
class SpanFacts:
    """``count`` identical spans by one annotator on one article."""

    article_id: int
    annotator: object  # a reviewer id, or ADJUDICATED
    label: str
    linked: bool = False
    check_worthy: bool | None = None
    speaker_type: str = ""
    cue_stance: str = ""
    quote_type: str = ""
    speaker_id: int | None = None
    affiliation: str = ""
    counter_voice: bool | None = None
    count: int = 1


@dataclass(frozen=True)
class ReviewFacts:
    """What one annotator answered about one article's page."""

    article_id: int
    annotator: object
    done: bool = False
    genre: str = ""
    byline_shown: bool | None = None
    date_shown: bool | None = None
    bio_shown: bool | None = None

    @property
    def counts(self) -> bool:
        """A finished review, or any answer about the page, makes the annotator count."""
        answers = (self.byline_shown, self.date_shown, self.bio_shown)
        return self.done or bool(self.genre) or any(a is not None for a in answers)


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def mean_or_none(values) -> float | None:
    present = [value for value in values if value is not None]
    return fmean(present) if present else None


@dataclass
class Unit:
    """One annotator's spans on one article, tallied."""

    words: int
    labels: Counter = field(default_factory=Counter)
    linked: Counter = field(default_factory=Counter)
    claims_check_worthy: int = 0
    linked_check_worthy: int = 0
    speaker_types: Counter = field(default_factory=Counter)
    cues: Counter = field(default_factory=Counter)
    direct: int = 0
    counter_voices: int = 0
    speakers: Counter = field(default_factory=Counter)
    affiliations: Counter = field(default_factory=Counter)

    def add(self, span: SpanFacts):
        n = span.count
        self.labels[span.label] += n
        if span.linked:
            self.linked[span.label] += n
        if span.label == "claim" and span.check_worthy:
            self.claims_check_worthy += n
            self.linked_check_worthy += n if span.linked else 0
        if span.label == "attribution":
            self.speaker_types[span.speaker_type] += n
            self.cues[span.cue_stance] += n
            self.direct += n if span.quote_type == "direct" else 0
            self.counter_voices += n if span.counter_voice else 0
            if span.speaker_id is not None and span.speaker_type in IDENTIFIABLE_TYPES:
                self.speakers[span.speaker_id] += n
                self.affiliations[span.affiliation or "unknown"] += n

    def figures(self) -> dict:
        claims, opinions = self.labels["claim"], self.labels["opinion"]
        attributions = self.labels["attribution"]
        unlinked_claims = claims - self.linked["claim"]
        unlinked_opinions = opinions - self.linked["opinion"]
        identifiable = sum(self.speakers.values())
        values = {
            "spans_per_1000_words": ratio(1000 * sum(self.labels.values()), self.words),
            "sourcing_rate": ratio(self.linked["claim"], claims),
            "sourcing_rate_check_worthy": ratio(self.linked_check_worthy, self.claims_check_worthy),
            "unsupported_check_worthy_per_1000": ratio(
                1000 * (self.claims_check_worthy - self.linked_check_worthy), self.words
            ),
            "weasel_share": ratio(
                self.speaker_types["vague"] + self.speaker_types["none"], attributions
            ),
            "direct_quote_rate": ratio(self.direct, attributions),
            "orphan_quotes": float(self.speaker_types["none"]),
            "author_opinion_per_1000": ratio(1000 * unlinked_opinions, self.words),
            "author_opinion_share": ratio(unlinked_opinions, unlinked_opinions + unlinked_claims),
            "voice_diversity": normalised_entropy(self.affiliations, len(AFFILIATIONS))
            if len(self.speakers) >= 2
            else None,
            "speaker_concentration": concentration(self.speakers) if identifiable >= 2 else None,
            "official_dependence": ratio(
                sum(self.affiliations[a] for a in OFFICIAL_AFFILIATIONS), identifiable
            ),
            "counter_voice_rate": 1.0 if self.counter_voices else 0.0,
            "cue_balance": ratio(self.cues["endorsing"] - self.cues["distancing"], attributions),
            "intensifying_rate": ratio(self.cues["intensifying"], attributions),
        }
        for kind, key in zip(SPEAKER_TYPES, SPEAKER_SHARE_KEYS, strict=True):
            values[key] = ratio(self.speaker_types[kind], attributions)
        return values


def normalised_entropy(counts: Counter, categories: int) -> float:
    total = sum(counts.values())
    entropy = -sum((n / total) * math.log(n / total) for n in counts.values() if n)
    return entropy / math.log(categories)


def concentration(counts: Counter) -> float:
    total = sum(counts.values())
    return sum((n / total) ** 2 for n in counts.values())


def transparency(review: ReviewFacts | None) -> float | None:
    """Share of byline, date, bio and genre label shown; None until all four are answered."""
    if review is None:
        return None
    answers = [review.byline_shown, review.date_shown, review.bio_shown]
    if any(answer is None for answer in answers) or not review.genre:
        return None
    return fmean([*map(float, answers), float(review.genre != "none")])


def bootstrap_interval(values: list[float], seed: int, resamples: int = BOOTSTRAP_RESAMPLES):
    """95% percentile interval of the mean, resampling articles; None below two articles."""
    if len(values) < 2:
        return None
    generator = numpy.random.default_rng(seed)
    sample = numpy.asarray(values, dtype=float)
    picks = generator.integers(0, len(sample), size=(resamples, len(sample)))
    means = numpy.sort(sample[picks].mean(axis=1))
    return float(means[int(0.025 * resamples)]), float(means[int(0.975 * resamples) - 1])


def stable_seed(*parts) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


@dataclass
class ArticleFigures:
    article_id: int
    basis: str  # "adjudicated", "reviewers" or "none"
    reviewers: list
    label_counts: dict
    values: dict


@dataclass
class SourceFigures:
    source_id: int
    articles: int
    annotated_articles: int
    adjudicated_articles: int
    reviewers: int
    label_counts: dict
    values: dict  # key -> {"value", "articles", "reviewers", "interval"}

    def value(self, key):
        return self.values[key]["value"]


def article_figures(article_id: int, words: int, spans, reviews) -> ArticleFigures:
    """Figures of one article from its spans and page reviews (any annotators)."""
    units: dict = {}
    for review in reviews:
        if review.counts or review.annotator == ADJUDICATED:
            units.setdefault(review.annotator, Unit(words))
    for span in spans:
        units.setdefault(span.annotator, Unit(words)).add(span)
    reviewers = sorted(a for a in units if a != ADJUDICATED)
    if ADJUDICATED in units:
        chosen, basis = [units[ADJUDICATED]], ADJUDICATED
    else:
        chosen, basis = [units[a] for a in reviewers], "reviewers" if reviewers else "none"
    figure_sets = [unit.figures() for unit in chosen]
    # What the page shows is read by the reviewers, adjudicated or not.
    shown = mean_or_none(transparency(r) for r in reviews if r.annotator != ADJUDICATED)
    keys = ("spans_per_1000_words", *METRIC_KEYS, *SPEAKER_SHARE_KEYS)
    return ArticleFigures(
        article_id=article_id,
        basis=basis,
        reviewers=reviewers,
        label_counts={
            label: round(fmean(unit.labels[label] for unit in chosen), 2) if chosen else 0
            for label in LABELS
        },
        values={
            key: shown if key == "transparency" else mean_or_none(f[key] for f in figure_sets)
            for key in keys
        },
    )


def source_figures(
    source_id: int, articles: list[ArticleFigures], intervals: bool
) -> SourceFigures:
    annotated = [a for a in articles if a.basis != "none"]
    values = {}
    for key in ("spans_per_1000_words", *METRIC_KEYS, *SPEAKER_SHARE_KEYS):
        behind = [a for a in annotated if a.values[key] is not None]
        article_values = [a.values[key] for a in behind]
        values[key] = {
            "value": fmean(article_values) if article_values else None,
            "articles": len(behind),
            "reviewers": len({r for a in behind for r in a.reviewers}),
            "interval": bootstrap_interval(article_values, stable_seed(source_id, key))
            if intervals
            else None,
        }
    return SourceFigures(
        source_id=source_id,
        articles=len(articles),
        annotated_articles=len(annotated),
        adjudicated_articles=sum(1 for a in annotated if a.basis == ADJUDICATED),
        reviewers=len({r for a in annotated for r in a.reviewers}),
        label_counts={
            label: round(sum(a.label_counts[label] for a in annotated), 2) for label in LABELS
        },
        values=values,
    )


def summarise(articles: dict, spans, reviews=(), source_ids=(), intervals=False):
    """Figures per article and per source.

    ``articles`` maps article id to ``(source id, body words)``; ``spans`` are
    :class:`SpanFacts`, ``reviews`` :class:`ReviewFacts`. A reviewer who marked
    an article done with no spans counts as a real zero; ``source_ids`` names
    sources to report even without articles.
    """
    spans_by_article, reviews_by_article = defaultdict(list), defaultdict(list)
    for span in spans:
        spans_by_article[span.article_id].append(span)
    for review in reviews:
        reviews_by_article[review.article_id].append(review)
    per_article = {
        article_id: article_figures(
            article_id, words, spans_by_article[article_id], reviews_by_article[article_id]
        )
        for article_id, (_source, words) in articles.items()
    }
    grouped: dict = {source_id: [] for source_id in source_ids}
    for article_id, (source_id, _words) in articles.items():
        grouped.setdefault(source_id, []).append(per_article[article_id])
    per_source = {
        source_id: source_figures(source_id, figures, intervals)
        for source_id, figures in grouped.items()
    }
    return per_article, per_source
