"""Django-free profile arithmetic (see docs/metrics.md for every formula).

One *unit* is one annotator's work on one article: a reviewer's raw spans, or
the adjudicated layer. A unit's value for a metric may be ``None``: "not
enough data" (no claims to divide by, fewer than two identifiable speakers),
never a misleading 0.

Article value = the adjudicated unit where staff marked the layer complete, else
the mean over its reviewers' units; source value = mean over its articles, so one long article
or one busy reviewer does not dominate. Each source value carries the number
of articles and reviewers behind it and, on request, a seeded 95% bootstrap
interval over articles (from ``BOOTSTRAP_MIN_ARTICLES`` articles; below that, the
range of the article values).

A label field nobody answered (check-worthy, cue stance, quote type,
counter-voice) is missing, not "no": figures that need it count only the spans
that answer it, and each such figure comes with its completion rate.
"""

import math
import operator
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
# Voice diversity spreads speakers over the affiliations a reader can tell apart.
KNOWN_AFFILIATIONS = tuple(a for a in AFFILIATIONS if a != "unknown")
# The answers of the choice fields figures read ("" is unanswered).
CUE_STANCES = ("neutral", "endorsing", "distancing", "intensifying")
QUOTE_TYPES = ("direct", "indirect", "mixed")
ADJUDICATED = "adjudicated"
# Whether a profile counts the spans reviewers made by accepting a suggestion (the default:
# they are the reviewers' spans) or leaves them out (``?suggestions=exclude``).
WITH_SUGGESTIONS, WITHOUT_SUGGESTIONS = "include", "exclude"
BOOTSTRAP_RESAMPLES = 1000
# Fewer articles than this give no 95% interval, only the range of their values: a
# bootstrap over a handful of articles mostly returns their minimum and maximum.
BOOTSTRAP_MIN_ARTICLES = 10
INTERVAL_BOOTSTRAP = "bootstrap_95"
INTERVAL_RANGE = "range"
RESAMPLE_BLOCK = 100


@dataclass(frozen=True, init=False)
class Spans:
    """A set of spans, by the values their facts must have.

    ``Spans(label="claim", linked=False)`` is every claim not linked to an
    attribution; a tuple allows any of its values, and no condition is every
    span. Conditions name fields of :class:`SpanFacts` (``has_speaker``: one is
    chosen). :mod:`annotator.profiles.evidence` turns the same conditions into a
    filter on stored spans.
    """

    conditions: tuple  # (field, allowed values) pairs

    def __init__(self, **conditions):
        allowed = {
            name: values if isinstance(values, tuple) else (values,)
            for name, values in conditions.items()
        }
        object.__setattr__(self, "conditions", tuple(allowed.items()))

    def holds(self, span) -> bool:
        return all(getattr(span, name) in values for name, values in self.conditions)


IDENTIFIABLE = Spans(label="attribution", has_speaker=True, speaker_type=IDENTIFIABLE_TYPES)
# What a unit counts: every figure is arithmetic on these counts, and a figure's
# evidence (Metric.counts) is the union of some of them.
COUNTED = {
    "spans": Spans(),
    "claims": Spans(label="claim"),
    "opinions": Spans(label="opinion"),
    "attributions": Spans(label="attribution"),
    "sourced_claims": Spans(label="claim", linked=True),
    "check_worthy_claims": Spans(label="claim", check_worthy=True),
    "sourced_check_worthy_claims": Spans(label="claim", check_worthy=True, linked=True),
    "unsupported_check_worthy_claims": Spans(label="claim", check_worthy=True, linked=False),
    "weasel_attributions": Spans(label="attribution", speaker_type=("vague", "none")),
    "orphan_quotes": Spans(label="attribution", speaker_type="none"),
    "direct_quotes": Spans(label="attribution", quote_type="direct"),
    "author_opinions": Spans(label="opinion", linked=False),
    "author_claims": Spans(label="claim", linked=False),
    "identifiable": IDENTIFIABLE,
    # Who speaks is identified by the speaker type; only a speaker record says where they stand.
    "identified_voices": Spans(label="attribution", speaker_type=IDENTIFIABLE_TYPES),
    "official": Spans(**dict(IDENTIFIABLE.conditions), affiliation=OFFICIAL_AFFILIATIONS),
    "known_affiliation": Spans(**dict(IDENTIFIABLE.conditions), affiliation=KNOWN_AFFILIATIONS),
    "counter_voices": Spans(label="attribution", counter_voice=True),
    "endorsing": Spans(label="attribution", cue_stance="endorsing"),
    "distancing": Spans(label="attribution", cue_stance="distancing"),
    "intensifying": Spans(label="attribution", cue_stance="intensifying"),
    **{
        f"speaker_{kind or 'unspecified'}": Spans(label="attribution", speaker_type=kind)
        for kind in SPEAKER_TYPES
    },
    # The spans that answer a field (see ANSWERABLE).
    "answered_check_worthy": Spans(label="claim", check_worthy=(True, False)),
    "answered_cue_stance": Spans(label="attribution", cue_stance=CUE_STANCES),
    "answered_quote_type": Spans(label="attribution", quote_type=QUOTE_TYPES),
    "answered_counter_voice": Spans(label="attribution", counter_voice=(True, False)),
}
# Fields figures read that a reviewer may leave unanswered -> the spans that should answer.
ANSWERABLE = {
    "check_worthy": "claims",
    "cue_stance": "attributions",
    "quote_type": "attributions",
    "counter_voice": "attributions",
}
# A unit's completion rate of each field: the share of the spans that should answer it that do.
COMPLETION_KEYS = tuple(f"completion_{name}" for name in ANSWERABLE)
# The facts that decide which of COUNTED a span is in.
COUNTED_FIELDS = tuple(sorted({name for spans in COUNTED.values() for name, _ in spans.conditions}))


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    group: str  # reliability, bias or trust
    kind: str  # share (0..1), per_1000, count, index (-1..1)
    reading: str
    counts: tuple = ()  # the names in COUNTED of the spans it counts: its evidence
    # The labels whose spans (or links to attributions) the figure rests on: their
    # agreement is its reliability. Transparency rests on page reviews, not spans.
    labels: tuple = ()
    needs: str = ""  # the field of ANSWERABLE it reads, if any: its completion rate is shown

    @property
    def completion_key(self) -> str | None:
        return f"completion_{self.needs}" if self.needs else None


METRICS = (
    Metric(
        "sourcing_rate",
        "Sourcing rate",
        "reliability",
        "share",
        "Claims linked to an attribution, out of all claims.",
        counts=("claims",),
        labels=("claim", "attribution"),
    ),
    Metric(
        "sourcing_rate_check_worthy",
        "Sourcing rate, check-worthy claims",
        "reliability",
        "share",
        "The same, for check-worthy claims only.",
        counts=("check_worthy_claims",),
        labels=("claim", "attribution"),
        needs="check_worthy",
    ),
    Metric(
        "unsupported_check_worthy_per_1000",
        "Unsupported check-worthy claims",
        "reliability",
        "per_1000",
        "Check-worthy claims in the outlet's own voice, per 1,000 words.",
        counts=("unsupported_check_worthy_claims",),
        labels=("claim", "attribution"),
        needs="check_worthy",
    ),
    Metric(
        "weasel_share",
        "Vague or missing speakers",
        "reliability",
        "share",
        "Attributions whose speaker is vague or absent.",
        counts=("weasel_attributions",),
        labels=("attribution",),
    ),
    Metric(
        "direct_quote_rate",
        "Direct quotes",
        "reliability",
        "share",
        "Attributions that quote the speaker's words directly.",
        counts=("direct_quotes",),
        labels=("attribution",),
        needs="quote_type",
    ),
    Metric(
        "orphan_quotes",
        "Orphan quotes per article",
        "reliability",
        "count",
        "Attributions with no speaker at all, per article.",
        counts=("orphan_quotes",),
        labels=("attribution",),
    ),
    Metric(
        "author_opinion_per_1000",
        "Author opinion",
        "bias",
        "per_1000",
        "Opinions in the outlet's own voice, per 1,000 words.",
        counts=("author_opinions",),
        labels=("opinion", "attribution"),
    ),
    Metric(
        "author_opinion_share",
        "Author opinion share",
        "bias",
        "share",
        "Unlinked opinions out of everything the outlet says in its own voice.",
        counts=("author_opinions", "author_claims"),
        labels=("claim", "opinion", "attribution"),
    ),
    Metric(
        "voice_diversity",
        "Voice diversity",
        "bias",
        "share",
        "How evenly the speakers (each counted once) spread over the seven known "
        "affiliations: normalised entropy, 1 = evenly spread.",
        counts=("known_affiliation",),
        labels=("attribution",),
    ),
    Metric(
        "speaker_concentration",
        "Speaker concentration",
        "bias",
        "share",
        "Sum of squared speaker shares (1 = a single speaker).",
        counts=("identifiable",),
        labels=("attribution",),
    ),
    Metric(
        "official_dependence",
        "Official-source dependence",
        "bias",
        "share",
        "Identifiable attributions to governments or intergovernmental bodies.",
        counts=("identified_voices",),
        labels=("attribution",),
    ),
    Metric(
        "counter_voice_rate",
        "Counter-voice rate",
        "bias",
        "share",
        "Articles with at least one voice that contrasts with the main line.",
        counts=("counter_voices",),
        labels=("attribution",),
        needs="counter_voice",
    ),
    Metric(
        "cue_balance",
        "Cue stance balance",
        "bias",
        "index",
        "(Endorsing − distancing cues) per attribution: credulity if positive.",
        counts=("endorsing", "distancing"),
        labels=("attribution",),
        needs="cue_stance",
    ),
    Metric(
        "intensifying_rate",
        "Intensifying cues",
        "bias",
        "share",
        "Attributions with an intensifying cue (warned, stressed).",
        counts=("intensifying",),
        labels=("attribution",),
        needs="cue_stance",
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


@dataclass(slots=True)
class SpanFacts:
    """``count`` identical spans by one annotator on one article.

    Not frozen: a frozen dataclass sets each field through ``object.__setattr__``,
    which made building a million of them three times as slow.
    """

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
    suggested: bool = False  # accepted from an engine's suggestion

    @property
    def has_speaker(self) -> bool:
        return self.speaker_id is not None


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


_deciding_facts = operator.attrgetter(*COUNTED_FIELDS)
_COUNTED_IN: dict = {}


def counted_in(span: SpanFacts) -> tuple:
    """The names of the sets in COUNTED that hold ``span``.

    Remembered by the facts that decide it (COUNTED_FIELDS): spans repeat a
    few combinations of them.
    """
    facts = _deciding_facts(span)
    names = _COUNTED_IN.get(facts)
    if names is None:
        names = _COUNTED_IN[facts] = tuple(
            name for name, spans in COUNTED.items() if spans.holds(span)
        )
    return names


@dataclass
class Unit:
    """One annotator's spans on one article, tallied."""

    words: int
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))  # of each set
    speakers: Counter = field(default_factory=Counter)  # identifiable speaker -> spans
    # Identifiable speakers whose affiliation is known -> that affiliation (a speaker has one).
    affiliation_of: dict = field(default_factory=dict)

    def add(self, span: SpanFacts):
        n, counts = span.count, self.counts
        names = counted_in(span)
        for name in names:
            counts[name] += n
        if "identifiable" in names:
            self.speakers[span.speaker_id] += n
        if "known_affiliation" in names:
            self.affiliation_of[span.speaker_id] = span.affiliation

    def voice_diversity(self) -> float | None:
        """Entropy of the speakers' affiliations, each speaker once, over ln 7 (the
        known affiliations); None below two speakers of known affiliation."""
        if len(self.affiliation_of) < 2:
            return None
        return normalised_entropy(Counter(self.affiliation_of.values()), len(KNOWN_AFFILIATIONS))

    def answered(self, field_name) -> float | None:
        """Share of the spans that should answer ``field_name`` that do (ANSWERABLE)."""
        counts = self.counts
        return ratio(counts[f"answered_{field_name}"], counts[ANSWERABLE[field_name]])

    def counter_voice_rate(self) -> float | None:
        """1 if any voice contrasts with the main line; 0 only if every attribution says no."""
        if self.counts["counter_voices"]:
            return 1.0
        return 0.0 if self.answered("counter_voice") in (1.0, None) else None

    def unsupported_check_worthy_per_1000(self) -> float | None:
        """None while a claim's check-worthiness is unanswered: the count would be a floor."""
        if self.answered("check_worthy") not in (1.0, None):
            return None
        return ratio(1000 * self.counts["unsupported_check_worthy_claims"], self.words)

    def figures(self) -> dict:
        counts, words = self.counts, self.words
        attributions = counts["attributions"]
        identifiable = counts["identifiable"]
        values = {
            "spans_per_1000_words": ratio(1000 * counts["spans"], words),
            "sourcing_rate": ratio(counts["sourced_claims"], counts["claims"]),
            "sourcing_rate_check_worthy": ratio(
                counts["sourced_check_worthy_claims"], counts["check_worthy_claims"]
            ),
            "unsupported_check_worthy_per_1000": self.unsupported_check_worthy_per_1000(),
            "weasel_share": ratio(counts["weasel_attributions"], attributions),
            "direct_quote_rate": ratio(counts["direct_quotes"], counts["answered_quote_type"]),
            "orphan_quotes": float(counts["orphan_quotes"]),
            "author_opinion_per_1000": ratio(1000 * counts["author_opinions"], words),
            "author_opinion_share": ratio(
                counts["author_opinions"], counts["author_opinions"] + counts["author_claims"]
            ),
            "voice_diversity": self.voice_diversity(),
            "speaker_concentration": concentration(self.speakers) if identifiable >= 2 else None,
            "official_dependence": ratio(counts["official"], counts["identified_voices"]),
            "counter_voice_rate": self.counter_voice_rate(),
            "cue_balance": ratio(
                counts["endorsing"] - counts["distancing"], counts["answered_cue_stance"]
            ),
            "intensifying_rate": ratio(counts["intensifying"], counts["answered_cue_stance"]),
        }
        for kind, key in zip(SPEAKER_TYPES, SPEAKER_SHARE_KEYS, strict=True):
            values[key] = ratio(counts[f"speaker_{kind or 'unspecified'}"], attributions)
        for field_name, key in zip(ANSWERABLE, COMPLETION_KEYS, strict=True):
            values[key] = self.answered(field_name)
        return values

    def label_counts(self) -> dict:
        return {label: self.counts[f"{label}s"] for label in LABELS}


# Both sum over the counts in sorted order: the same spans read in any order
# (databases promise none without ORDER BY) give the same figure to the last bit.


def normalised_entropy(counts: Counter, categories: int) -> float:
    total = sum(counts.values())
    # p·log(1/p) rather than −p·log(p): one category gives 0.0, never −0.0,
    # which PostgreSQL's jsonb would store as 0 and SQLite as −0.0.
    entropy = sum((n / total) * math.log(total / n) for n in sorted(counts.values()) if n)
    return entropy / math.log(categories)


def concentration(counts: Counter) -> float:
    total = sum(counts.values())
    return sum((n / total) ** 2 for n in sorted(counts.values()))


def transparency(review: ReviewFacts | None) -> float | None:
    """Share of byline, date, bio and genre label shown; None until all four are answered."""
    if review is None:
        return None
    answers = [review.byline_shown, review.date_shown, review.bio_shown]
    if any(answer is None for answer in answers) or not review.genre:
        return None
    return fmean([*map(float, answers), float(review.genre != "none")])


def bootstrap_interval(values, seed, resamples: int = BOOTSTRAP_RESAMPLES):
    """95% percentile interval of the mean, resampling articles; None below two articles.

    Profiles ask for it from ``BOOTSTRAP_MIN_ARTICLES`` articles only (see
    :func:`_source_intervals`).
    """
    if len(values) < 2:
        return None
    sample = numpy.asarray(values, dtype=float)
    return bootstrap_intervals(sample[None, :], seed, resamples)[0]


def bootstrap_intervals(samples, seed, resamples: int = BOOTSTRAP_RESAMPLES):
    """:func:`bootstrap_interval` of each row of ``samples`` (figures × articles), all
    resampled by the same seeded draw: figures resting on as many articles share it."""
    means = resampled_sums(samples, seed, resamples)
    means /= samples.shape[1]
    return percentile_intervals(means)


def resampled_sums(samples, seed, resamples: int = BOOTSTRAP_RESAMPLES):
    """Each row of ``samples`` (figures × articles) summed over each of ``resamples``
    resamples of the articles with replacement: figures × resamples.

    A resample's sum is how often it picked each article times the sample:
    one matrix product for every figure, where gathering each pick of each
    resample took half of a source page's time. Resamples are drawn and summed
    RESAMPLE_BLOCK at a time, in order from one generator: arrays that small
    are reused by the allocator, where a whole draw's were mapped afresh (and
    faulted in page by page) on every call.
    """
    figures, size = samples.shape
    generator = numpy.random.default_rng(seed)
    offsets = (numpy.arange(RESAMPLE_BLOCK, dtype=numpy.int32) * size)[:, None]
    sums = numpy.empty((figures, resamples))
    for first in range(0, resamples, RESAMPLE_BLOCK):
        block = min(RESAMPLE_BLOCK, resamples - first)
        # 32-bit picks are drawn in half the time of 64-bit ones.
        picks = generator.integers(0, size, size=(block, size), dtype=numpy.int32)
        picks += offsets[:block]  # each resample's picks counted in its own row
        counts = numpy.bincount(picks.ravel(), minlength=block * size).reshape(block, size)
        sums[:, first : first + block] = samples @ counts.T
    return sums


def percentile_intervals(values) -> list:
    """Per row of ``values`` (figures × resamples), the 2.5th and 97.5th percentiles of
    its defined (non-NaN) resamples; None for a row with none."""
    values = numpy.sort(values, axis=1)  # NaN sorts last
    intervals = []
    for row, defined in zip(values, (~numpy.isnan(values)).sum(axis=1).tolist(), strict=True):
        if not defined:
            intervals.append(None)
            continue
        low, high = row[int(0.025 * defined)], row[max(int(0.975 * defined) - 1, 0)]
        intervals.append((float(low), float(high)))
    return intervals


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
    # key -> {"value", "articles", "reviewers", "interval", "interval_method"}: the
    # articles with a value, the reviewers whose own value exists on one of them, and
    # an INTERVAL_BOOTSTRAP or INTERVAL_RANGE interval (or None, None).
    values: dict

    def value(self, key):
        return self.values[key]["value"]


FIGURE_KEYS = ("spans_per_1000_words", *METRIC_KEYS, *SPEAKER_SHARE_KEYS, *COMPLETION_KEYS)


@dataclass(frozen=True)
class UnitFacts:
    """One unit's figures (``FIGURE_KEYS`` to a value or None) and its label counts."""

    article_id: int
    annotator: object
    values: dict
    label_counts: dict

    def stored(self) -> dict:
        """What ``UnitFigures.figures`` holds for this unit."""
        return {"values": self.values, "labels": self.label_counts}


def unit_facts(article_id: int, annotator, unit: Unit) -> UnitFacts:
    return UnitFacts(article_id, annotator, unit.figures(), unit.label_counts())


def tally(articles: dict, spans) -> list[UnitFacts]:
    """Units of the given spans; ``articles`` maps article id to ``(source id, words)``."""
    units: dict = {}
    for span in spans:
        key = (span.article_id, span.annotator)
        if key not in units:
            units[key] = Unit(articles[span.article_id][1])
        units[key].add(span)
    return [
        unit_facts(article_id, annotator, unit) for (article_id, annotator), unit in units.items()
    ]


def without_suggestions(articles: dict, spans) -> dict:
    """The units of ``spans`` that hold an accepted suggestion, counted again from their
    other spans: (article id, annotator) -> :class:`UnitFacts`, or None where every span
    of the unit is one (without them there is no unit). ``articles`` as :func:`tally`."""
    spans = list(spans)
    holding = {(span.article_id, span.annotator) for span in spans if span.suggested}
    kept = [
        span
        for span in spans
        if not span.suggested and (span.article_id, span.annotator) in holding
    ]
    recounted = dict.fromkeys(holding)
    recounted.update({(unit.article_id, unit.annotator): unit for unit in tally(articles, kept)})
    return recounted


def summarise(
    articles: dict, units, reviews=(), source_ids=(), intervals=False, with_articles=True
):
    """Figures per article (unless ``with_articles`` is false) and per source.

    ``articles`` maps article id to ``(source id, body words)``; ``reviews``
    are :class:`ReviewFacts`. A reviewer who marked an article done with no
    spans counts as a real zero. A review by ``ADJUDICATED`` says the article's
    adjudicated layer is complete: that unit then stands for the article (an
    empty layer as a real zero); an adjudicated unit without one is work in
    progress and is left out;
    ``source_ids`` names sources to report even without articles. ``units``
    come from :func:`tally` or from the stored unit figures. ``intervals``:
    True for every figure's interval, or the keys of the figures to bound
    (each figure's interval is the same whichever others are asked for).
    Works on arrays: one row per unit, one column per figure, NaN for
    "no data".
    """
    article_ids = list(articles)
    position = {article_id: i for i, article_id in enumerate(article_ids)}
    reviews = list(reviews)
    complete_layers = {review.article_id for review in reviews if review.annotator == ADJUDICATED}
    units = [
        unit
        for unit in units
        if unit.article_id in position
        and (unit.annotator != ADJUDICATED or unit.article_id in complete_layers)
    ]
    seen = {(unit.article_id, unit.annotator) for unit in units}
    page_shown = {}  # (article, reviewer) -> what their page review says the page shows
    for review in reviews:
        if review.article_id not in position:
            continue
        key = (review.article_id, review.annotator)
        if review.annotator != ADJUDICATED:
            shown = transparency(review)
            page_shown[key] = numpy.nan if shown is None else shown
        if key not in seen and (review.counts or review.annotator == ADJUDICATED):
            seen.add(key)
            units.append(unit_facts(*key, Unit(articles[review.article_id][1])))

    n_articles, n_keys = len(article_ids), len(FIGURE_KEYS)
    article_of = numpy.array([position[u.article_id] for u in units], dtype=numpy.int64)
    adjudicated = numpy.array([u.annotator == ADJUDICATED for u in units], dtype=bool)
    values = numpy.array(
        [tuple(map(u.values.get, FIGURE_KEYS)) for u in units], dtype=float
    ).reshape(len(units), n_keys)
    labels = numpy.array(
        [[u.label_counts.get(label, 0) for label in LABELS] for u in units], dtype=float
    ).reshape(len(units), len(LABELS))
    # Each reviewer's own transparency, from their page review (the adjudicated layer has none).
    transparency_column = FIGURE_KEYS.index("transparency")
    values[:, transparency_column] = [
        page_shown.get((u.article_id, u.annotator), numpy.nan) for u in units
    ]

    # An article's figures: its complete adjudicated unit where there is one, else its
    # reviewers' mean.
    has_adjudicated = numpy.zeros(n_articles, dtype=bool)
    has_adjudicated[article_of[adjudicated]] = True
    chosen = adjudicated | ~has_adjudicated[article_of]
    article_values = _group_mean(values[chosen], article_of[chosen], n_articles)
    chosen_units = numpy.bincount(article_of[chosen], minlength=n_articles)
    article_labels = _group_sums(labels[chosen], article_of[chosen], n_articles)
    article_labels = numpy.round(article_labels / numpy.maximum(chosen_units, 1)[:, None], 2)
    reviewer_units = ~adjudicated
    # What the page shows is read by the reviewers, adjudicated or not.
    article_values[:, transparency_column] = _group_mean(
        values[reviewer_units][:, [transparency_column]], article_of[reviewer_units], n_articles
    )[:, 0]
    reviewer_ids = sorted({u.annotator for u in units if u.annotator != ADJUDICATED})
    reviewer_code = {reviewer: i for i, reviewer in enumerate(reviewer_ids)}
    unit_reviewer = numpy.array(
        [reviewer_code.get(u.annotator, -1) for u in units], dtype=numpy.int64
    )
    reviewers_of = defaultdict(list)
    for u in units:
        if u.annotator != ADJUDICATED:
            reviewers_of[u.article_id].append(u.annotator)
    annotated = chosen_units > 0

    per_article = {}
    if with_articles:
        for i, article_id in enumerate(article_ids):
            per_article[article_id] = ArticleFigures(
                article_id=article_id,
                basis=ADJUDICATED
                if has_adjudicated[i]
                else ("reviewers" if annotated[i] else "none"),
                reviewers=sorted(reviewers_of[article_id]),
                label_counts={
                    label: float(article_labels[i, j]) if annotated[i] else 0
                    for j, label in enumerate(LABELS)
                },
                values=dict(zip(FIGURE_KEYS, _nones_for_nans(article_values[i]), strict=True)),
            )

    # A source's figures: means over its annotated articles, with what lies behind each.
    all_sources = list(dict.fromkeys([*source_ids, *(s for s, _ in articles.values())]))
    source_position = {source_id: i for i, source_id in enumerate(all_sources)}
    n_sources = len(all_sources)
    source_of = numpy.array(
        [source_position[articles[a][0]] for a in article_ids], dtype=numpy.int64
    )
    article_values[~annotated] = numpy.nan
    defined = ~numpy.isnan(article_values)
    source_values = _group_mean(article_values[annotated], source_of[annotated], n_sources)
    behind = _group_sums(defined, source_of, n_sources).astype(numpy.int64)
    unit_source = source_of[article_of]
    width = max(len(reviewer_ids), 1)
    # A reviewer is behind a figure where their own value exists, on an article the
    # figure counts: "2 of 3 reviewers" never counts one whose value is undefined.
    own_value_behind = ~numpy.isnan(values[reviewer_units]) & defined[article_of[reviewer_units]]
    # Each (source, reviewer) pair once: its reviewer is behind the source's figures where
    # one of their units there has its own value.
    pairs, pair_of = numpy.unique(
        unit_source[reviewer_units] * width + unit_reviewer[reviewer_units], return_inverse=True
    )
    pair_source = pairs // width
    held = _group_sums(own_value_behind, pair_of, len(pairs)) > 0
    behind_reviewers = _group_sums(held, pair_source, n_sources).astype(numpy.int64)
    source_reviewers = numpy.bincount(pair_source, minlength=n_sources)
    source_articles = numpy.bincount(source_of, minlength=n_sources)
    source_annotated = numpy.bincount(source_of[annotated], minlength=n_sources)
    source_adjudicated = numpy.bincount(source_of[has_adjudicated], minlength=n_sources)
    source_labels = _group_sums(article_labels[annotated], source_of[annotated], n_sources)

    per_source = {}
    bounded = (
        list(range(n_keys))
        if intervals is True
        else [FIGURE_KEYS.index(key) for key in intervals or ()]
    )
    for s, source_id in enumerate(all_sources):
        figure_values, found = {}, {}
        if bounded:
            rows = numpy.flatnonzero(source_of == s)
            found = _source_intervals(source_id, article_values[rows], bounded)
        shown = _nones_for_nans(source_values[s])
        for j, key in enumerate(FIGURE_KEYS):
            interval, method = found.get(j, (None, None))
            figure_values[key] = {
                "value": shown[j],
                "articles": int(behind[s, j]),
                "reviewers": int(behind_reviewers[s, j]),
                "interval": interval,
                "interval_method": method,
            }
        per_source[source_id] = SourceFigures(
            source_id=source_id,
            articles=int(source_articles[s]),
            annotated_articles=int(source_annotated[s]),
            adjudicated_articles=int(source_adjudicated[s]),
            reviewers=int(source_reviewers[s]),
            label_counts={
                label: round(float(source_labels[s, j]), 2) for j, label in enumerate(LABELS)
            },
            values=figure_values,
        )
    return per_article, per_source


def _source_intervals(source_id, values, columns) -> dict:
    """Figure column -> (interval, method) over a source's articles (rows of ``values``;
    NaN where an article has no such figure), for each of ``columns``.

    From BOOTSTRAP_MIN_ARTICLES articles a 95% bootstrap interval: figures resting on
    as many articles share one seeded draw of resamples and are resampled together.
    From two articles up to that, the range (lowest, highest) of the article values.
    """
    by_size = defaultdict(list)
    found = {}
    for j in columns:
        sample = values[:, j][~numpy.isnan(values[:, j])]
        if len(sample) >= BOOTSTRAP_MIN_ARTICLES:
            by_size[len(sample)].append((j, sample))
        elif len(sample) >= 2:
            found[j] = ((float(sample.min()), float(sample.max())), INTERVAL_RANGE)
    for size, figures in by_size.items():
        columns, samples = zip(*figures, strict=True)
        intervals = bootstrap_intervals(numpy.stack(samples), stable_seed(source_id, size))
        found.update(
            (column, (interval, INTERVAL_BOOTSTRAP))
            for column, interval in zip(columns, intervals, strict=True)
        )
    return found


def _group_mean(values, groups, size):
    """Per group, the mean of each column over its defined (non-NaN) values; NaN if none."""
    defined = ~numpy.isnan(values)
    sums = _group_sums(numpy.where(defined, values, 0.0), groups, size)
    counts = _group_sums(defined, groups, size)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        return numpy.where(counts > 0, sums / counts, numpy.nan)


def _group_sums(values, groups, size):
    """Per group (``groups``: each row's, below ``size``), the sum of each column of
    ``values``: added up row by row in their order, as ``numpy.add.at`` adds, so to the
    same last bit, but a column at a time (``numpy.bincount``), in a fraction of its time."""
    sums = numpy.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        sums[:, j] = numpy.bincount(groups, weights=values[:, j], minlength=size)
    return sums


def _nones_for_nans(row) -> list:
    """A row of figures as Python floats, None where NaN (NaN is the one value unequal
    to itself): one conversion for the row instead of one call per figure."""
    return [value if value == value else None for value in row.tolist()]
