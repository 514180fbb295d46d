"""Django-free agreement between reviewers who coded the same article.

A *coder* of an article is a reviewer with raw spans on it or who marked it
done; one who marked it done with no spans coded every unit 0.

- Span F1, exact (same label, start and end) and overlap-based (same label,
  overlapping, matched one-to-one, largest overlaps first), per label.
- Krippendorff's alpha per label over code-point units: each coder codes
  every character of the body 1 if one of their spans of that label covers it.
- Cohen's kappa on speaker type and on cue stance over attributions that the
  overlap matching paired.

An article stores counts, not coefficients (:class:`Tally`): alpha's coincidence
sums, F1's matches and span counts, kappa's contingency table. Summed over a
source's articles they give the pooled figures (:func:`pooled`), and summed
over one article they give that article's.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import accumulate, combinations, product
from statistics import fmean

import numpy

from . import maths

LABELS = ("claim", "opinion", "attribution")
MATCHINGS = ("exact", "overlap")
KAPPA_FIELDS = ("speaker_type", "cue_stance")


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int
    speaker_type: str = ""
    cue_stance: str = ""


@dataclass(frozen=True)
class AlphaCounts:
    """Krippendorff's coincidence sums for one label coded 0/1: the pairable values,
    how many of them are 1, and the disagreeing coincidences (o₀₁ + o₁₀)."""

    pairable: int = 0
    ones: int = 0
    disagreement: float = 0.0

    def __add__(self, other):
        return AlphaCounts(
            self.pairable + other.pairable,
            self.ones + other.ones,
            self.disagreement + other.disagreement,
        )

    @property
    def alpha(self) -> float | None:
        """1 − (n − 1)·D / (2·n₁·n₀); None when every value is 0 or every value is 1."""
        zeros = self.pairable - self.ones
        if not self.ones or not zeros:
            return None
        return 1 - (self.pairable - 1) * self.disagreement / (2 * self.ones * zeros)


@dataclass(frozen=True)
class F1Counts:
    """Span F1's counts for one label: matched spans, and the spans of either side."""

    matches: int = 0
    left: int = 0
    right: int = 0

    def __add__(self, other):
        return F1Counts(
            self.matches + other.matches, self.left + other.left, self.right + other.right
        )

    @property
    def f1(self) -> float | None:
        return f1(self.matches, self.left, self.right)


def f1(matches: int, left: int, right: int) -> float | None:
    return 2 * matches / (left + right) if left + right else None


def overlap_pairs(left: list[Span], right: list[Span]) -> list[tuple[Span, Span]]:
    """One-to-one pairs of overlapping spans, taking the largest overlaps first."""
    candidates = sorted(
        (
            (min(a.end, b.end) - max(a.start, b.start), i, j)
            for i, a in enumerate(left)
            for j, b in enumerate(right)
            if a.start < b.end and b.start < a.end
        ),
        reverse=True,
    )
    used_left, used_right, pairs = set(), set(), []
    for _overlap, i, j in candidates:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((left[i], right[j]))
    return pairs


def span_f1_counts(left: list[Span], right: list[Span], label: str, *, exact: bool) -> F1Counts:
    a = [s for s in left if s.label == label]
    b = [s for s in right if s.label == label]
    if exact:
        matches = len({(s.start, s.end) for s in a} & {(s.start, s.end) for s in b})
    else:
        matches = len(overlap_pairs(a, b))
    return F1Counts(matches, len(a), len(b))


def alpha_counts(length: int, coders: list[list[tuple[int, int]]]) -> AlphaCounts:
    """Alpha's sums for one label, every coder coding every one of ``length`` units.

    ``coders`` holds, per coder, the ranges they marked 1. Runs between
    consecutive range ends have equal coverage and are weighed by their length.
    Fewer than two coders (or no units) pair no values.
    """
    if len(coders) < 2 or length <= 0:
        return AlphaCounts()
    coders = [[_within(span, length) for span in ranges] for ranges in coders]
    points = sorted({0, length, *(end for ranges in coders for span in ranges for end in span)})
    marked = [0] * (len(points) - 1)  # how many coders marked each run
    index = {point: i for i, point in enumerate(points)}
    for ranges in coders:
        # Each range opens at its start and closes at its end; a run inside any is marked.
        opened = [0] * len(points)
        for start, end in ranges:
            if start < end:
                opened[index[start]] += 1
                opened[index[end]] -= 1
        for run, depth in enumerate(accumulate(opened[:-1])):
            marked[run] += depth > 0
    m = len(coders)
    ones = mismatched = 0
    for left, right, count in zip(points, points[1:], marked, strict=False):
        width = right - left
        ones += width * count
        mismatched += width * 2 * count * (m - count)
    # Each unit's m·(m − 1) ordered pairs of values weigh 1/(m − 1).
    return AlphaCounts(m * length, ones, mismatched / (m - 1))


def _within(span, length):
    start, end = span
    return max(0, min(start, length)), max(0, min(end, length))


def cohen_kappa(table: Counter) -> float | None:
    """Cohen's kappa of a contingency table: (first coder's value, second's) -> count."""
    size = sum(table.values())
    if not size:
        return None
    observed = sum(n for (a, b), n in table.items() if a == b) / size
    firsts, seconds = Counter(), Counter()
    for (a, b), n in table.items():
        firsts[a] += n
        seconds[b] += n
    # Summed in sorted order: a set's order changes from one process to the next,
    # and the figure must not change in its last bit with it.
    expected = sum(
        (firsts[c] / size) * (seconds[c] / size) for c in sorted(firsts.keys() | seconds.keys())
    )
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass
class Tally:
    """What agreement is computed from, summable: over reviewer pairs, then over articles.

    ``alpha``: label -> :class:`AlphaCounts`; ``f1``: matching ("exact" or
    "overlap") -> label -> :class:`F1Counts`, summed over pairs of coders;
    ``kappa``: field -> Counter of (first coder's value, second's) over the
    attribution pairs the overlap matching made, the first coder being the
    one of the pair that :func:`article_agreement` was given first (storage:
    the username that sorts first).
    """

    articles: int = 0
    units: int = 0
    coders: frozenset = frozenset()
    alpha: dict = field(default_factory=lambda: dict.fromkeys(LABELS, AlphaCounts()))
    f1: dict = field(
        default_factory=lambda: {m: dict.fromkeys(LABELS, F1Counts()) for m in MATCHINGS}
    )
    kappa: dict = field(default_factory=lambda: {name: Counter() for name in KAPPA_FIELDS})

    def __add__(self, other):
        return Tally(
            articles=self.articles + other.articles,
            units=self.units + other.units,
            coders=self.coders | other.coders,
            alpha={label: self.alpha[label] + other.alpha[label] for label in LABELS},
            f1={
                m: {label: self.f1[m][label] + other.f1[m][label] for label in LABELS}
                for m in MATCHINGS
            },
            kappa={name: self.kappa[name] + other.kappa[name] for name in KAPPA_FIELDS},
        )

    def stored(self) -> dict:
        """As JSON: lists for the counts, kappa tables as sorted [first, second, count]."""
        return {
            "units": self.units,
            "coders": sorted(self.coders),
            "alpha": {
                label: [c.pairable, c.ones, c.disagreement] for label, c in self.alpha.items()
            },
            "f1": {
                m: {label: [c.matches, c.left, c.right] for label, c in by_label.items()}
                for m, by_label in self.f1.items()
            },
            "kappa": {
                name: sorted([a, b, n] for (a, b), n in table.items())
                for name, table in self.kappa.items()
            },
        }

    @classmethod
    def from_stored(cls, stored: dict, articles: int = 1):
        return cls(
            articles=articles,
            units=stored["units"],
            coders=frozenset(stored["coders"]),
            alpha={label: AlphaCounts(*c) for label, c in stored["alpha"].items()},
            f1={
                m: {label: F1Counts(*c) for label, c in by_label.items()}
                for m, by_label in stored["f1"].items()
            },
            kappa={
                name: Counter({(a, b): n for a, b, n in rows})
                for name, rows in stored["kappa"].items()
            },
        )

    def figures(self) -> dict:
        """The coefficients, with what each rests on (no intervals: see :func:`pooled`)."""
        alphas = {label: self.alpha[label].alpha for label in LABELS}
        f1_per_label = {m: {label: self.f1[m][label].f1 for label in LABELS} for m in MATCHINGS}
        weakest = weakest_label(alphas, LABELS)
        return {
            "articles": self.articles,
            "coders": len(self.coders),
            "units": self.units,
            "alpha": {
                label: {
                    "value": alphas[label],
                    "units": self.units,
                    "pairable_values": self.alpha[label].pairable,
                    "coders": len(self.coders),
                    "articles": self.articles,
                    "interval": None,
                    "interval_method": None,
                }
                for label in LABELS
            },
            "weakest_label": {"label": weakest, "alpha": alphas[weakest]},
            "kappa": {
                name: {"value": cohen_kappa(table), "pairs": sum(table.values())}
                for name, table in self.kappa.items()
            },
            "f1_per_label": f1_per_label,
            "macro_f1": {m: mean_defined(f1_per_label[m].values()) for m in MATCHINGS},
        }


def weakest_label(alphas: dict, labels) -> str | None:
    """Of ``labels``, the one whose alpha is lowest, an unknown alpha lowest of all."""
    return min(
        labels,
        key=lambda label: (alphas[label] is not None, alphas[label] or 0.0),
        default=None,
    )


def pair_tally(left: list[Span], right: list[Span]) -> Tally:
    """Span F1 counts per label (exact and overlap) and kappa tables for one pair of coders."""
    attributions = overlap_pairs(
        [s for s in left if s.label == "attribution"],
        [s for s in right if s.label == "attribution"],
    )
    return Tally(
        f1={
            m: {label: span_f1_counts(left, right, label, exact=m == "exact") for label in LABELS}
            for m in MATCHINGS
        },
        kappa={
            name: Counter((getattr(a, name), getattr(b, name)) for a, b in attributions)
            for name in KAPPA_FIELDS
        },
    )


def mean_defined(values) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def article_agreement(length: int, spans_by_reviewer: dict, order=None) -> dict | None:
    """Agreement on one article among two or more coders, as stored; None with fewer.

    ``spans_by_reviewer`` maps each coder to their spans (none for one who marked
    the article done without any). ``order`` lists the coders as each pair is
    oriented (its first is the first coder of the pair's kappa tables), by
    default in sorted order. ``pairs`` holds each pair of coders' own tally
    (its ``coders`` the two of them; F1 counts and kappa tables only).
    """
    reviewers = list(order) if order is not None else sorted(spans_by_reviewer)
    if len(reviewers) < 2:
        return None
    pairs = [
        replace(pair_tally(spans_by_reviewer[a], spans_by_reviewer[b]), coders=frozenset((a, b)))
        for a, b in combinations(reviewers, 2)
    ]
    tally = sum(pairs, Tally(units=length))
    tally.alpha = {
        label: alpha_counts(
            length,
            [
                [(s.start, s.end) for s in spans_by_reviewer[r] if s.label == label]
                for r in reviewers
            ],
        )
        for label in LABELS
    }
    return {**tally.stored(), "pairs": [pair.stored() for pair in pairs]}


# How the coders of an article worked: every one shown suggested spans, none, or some.
SUGGESTION_CONDITIONS = ("on", "off", "mixed")


def by_suggestions(tallies: dict, shown: dict) -> dict:
    """The articles' tallies (article id -> :class:`Tally`) split by their coders'
    suggestions conditions (``shown``: article id -> {coder: True if shown suggestions}),
    each group in article id order: condition -> [Tally]."""
    groups = {condition: [] for condition in SUGGESTION_CONDITIONS}
    for article_id in sorted(tallies):
        conditions = {shown[article_id][coder] for coder in tallies[article_id].coders}
        if len(conditions) > 1:
            groups["mixed"].append(tallies[article_id])
        else:
            groups["on" if conditions == {True} else "off"].append(tallies[article_id])
    return groups


def pooled(tallies: list[Tally], seed=None) -> dict:
    """Figures of the summed tallies (one per article, in a fixed order) and, given a
    ``seed`` and at least ``maths.BOOTSTRAP_MIN_ARTICLES`` articles, each label's 95%
    bootstrap interval of the pooled alpha over resamples of the articles."""
    figures = sum(tallies, Tally()).figures()
    if _bounded(seed, tallies):
        _add_intervals(
            figures, [[tally.alpha[label] for label in LABELS] for tally in tallies], seed
        )
    return figures


def pooled_stored(stored: list[dict], seed=None) -> dict:
    """:func:`pooled` of the articles' stored tallies (``Tally.stored()``, each article's
    ``pairs`` left out or not), read straight from them: one sum, not a Tally per article."""
    figures = summed_stored(stored).figures()
    if _bounded(seed, stored):
        alphas = [[AlphaCounts(*tally["alpha"][label]) for label in LABELS] for tally in stored]
        _add_intervals(figures, alphas, seed)
    return figures


def summed_stored(stored: list[dict]) -> Tally:
    """What ``sum(map(Tally.from_stored, stored), Tally())`` is, added up in place: in the
    same order, as a float sum's last bit depends on it."""
    coders, units = set(), 0
    alpha = {label: [0, 0, 0.0] for label in LABELS}
    f1 = {m: {label: [0, 0, 0] for label in LABELS} for m in MATCHINGS}
    kappa = {name: Counter() for name in KAPPA_FIELDS}
    for tally in stored:
        units += tally["units"]
        coders.update(tally["coders"])
        for label, (pairable, ones, disagreement) in tally["alpha"].items():
            sums = alpha[label]
            sums[0] += pairable
            sums[1] += ones
            sums[2] += disagreement
        for m, by_label in tally["f1"].items():
            for label, (matches, left, right) in by_label.items():
                sums = f1[m][label]
                sums[0] += matches
                sums[1] += left
                sums[2] += right
        for name, rows in tally["kappa"].items():
            table = kappa[name]
            for first, second, count in rows:
                table[first, second] += count
    return Tally(
        articles=len(stored),
        units=units,
        coders=frozenset(coders),
        alpha={label: AlphaCounts(*sums) for label, sums in alpha.items()},
        f1={m: {label: F1Counts(*sums) for label, sums in f1[m].items()} for m in MATCHINGS},
        kappa=kappa,
    )


def _bounded(seed, articles) -> bool:
    """Whether pooled alpha gets an interval: a ``seed`` is given and there are at least
    ``maths.BOOTSTRAP_MIN_ARTICLES`` articles."""
    return seed is not None and len(articles) >= maths.BOOTSTRAP_MIN_ARTICLES


def _add_intervals(figures, alphas, seed):
    """Each label's interval into pooled ``figures`` (``alphas``: each article's
    AlphaCounts in the order of LABELS)."""
    for label, interval in zip(LABELS, alpha_intervals(alphas, seed), strict=True):
        figures["alpha"][label]["interval"] = interval
        figures["alpha"][label]["interval_method"] = maths.INTERVAL_BOOTSTRAP


def alpha_intervals(alphas: list[list[AlphaCounts]], seed) -> list:
    """Per label, the 95% percentile interval of the pooled alpha over
    ``maths.BOOTSTRAP_RESAMPLES`` resamples of the articles (``alphas``: each article's
    AlphaCounts in the order of LABELS; None where no resample defines it); a resample
    where every value is 0 (or 1) is left out."""
    sums = numpy.array(
        [
            [counts[i].pairable for counts in alphas]
            + [counts[i].ones for counts in alphas]
            + [counts[i].disagreement for counts in alphas]
            for i in range(len(LABELS))
        ],
        dtype=float,
    ).reshape(len(LABELS) * 3, len(alphas))
    pairable, ones, disagreement = (
        maths.resampled_sums(sums, seed).reshape(len(LABELS), 3, -1).transpose(1, 0, 2)
    )
    zeros = pairable - ones
    with numpy.errstate(invalid="ignore", divide="ignore"):
        alphas = 1 - (pairable - 1) * disagreement / (2 * ones * zeros)
    alphas[(ones == 0) | (zeros == 0)] = numpy.nan
    return maths.percentile_intervals(alphas)


def nominal_alpha(units) -> float | None:
    """Krippendorff's alpha for nominal values: ``units`` holds, per unit, the values its
    coders gave it (None where a coder gave none). Units with fewer than two values pair
    none; None when no pairs, or only one value, are found."""
    coincidences, pairable = Counter(), 0
    for values in units:
        counts = Counter(value for value in values if value is not None)
        coders = sum(counts.values())
        if coders < 2:
            continue
        pairable += coders
        for first, second in product(counts, repeat=2):
            pairs = counts[first] * (counts[second] - (first == second))
            coincidences[first, second] += pairs / (coders - 1)
    totals = Counter()
    for (first, _second), weight in coincidences.items():
        totals[first] += weight
    expected = pairable * pairable - sum(n * n for n in totals.values())
    if not expected:
        return None
    observed = sum(w for (first, second), w in coincidences.items() if first != second)
    return 1 - (pairable - 1) * observed / expected
