"""Django-free agreement between reviewers who annotated the same article.

- Span F1, exact (same label, start and end) and overlap-based (same label,
  overlapping, matched one-to-one, largest overlaps first), per label.
- Krippendorff's alpha per label over code-point units: each reviewer codes
  every character of the body 1 if one of their spans of that label covers it.
- Cohen's kappa on speaker type and on cue stance over attributions that the
  overlap matching paired.
"""

from dataclasses import dataclass
from itertools import accumulate, combinations
from statistics import fmean

LABELS = ("claim", "opinion", "attribution")


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int
    speaker_type: str = ""
    cue_stance: str = ""


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


def span_f1(left: list[Span], right: list[Span], label: str, *, exact: bool) -> float | None:
    a = [s for s in left if s.label == label]
    b = [s for s in right if s.label == label]
    if exact:
        matches = len({(s.start, s.end) for s in a} & {(s.start, s.end) for s in b})
    else:
        matches = len(overlap_pairs(a, b))
    return f1(matches, len(a), len(b))


def alpha_binary(length: int, coders: list[list[tuple[int, int]]]) -> float | None:
    """Krippendorff's alpha (nominal, two values) with every coder coding every unit.

    ``coders`` holds, per coder, the ranges they marked 1. Units are the
    ``length`` positions; runs between consecutive range ends have equal
    coverage and are weighed by their length.
    """
    if len(coders) < 2 or length <= 0:
        return None
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
    ones = disagreement = 0.0
    for left, right, count in zip(points, points[1:], marked, strict=False):
        width = right - left
        ones += width * count
        disagreement += width * 2 * count * (m - count) / (m - 1)
    total = m * length
    zeros = total - ones
    if not ones or not zeros:
        return None
    return 1 - (total - 1) * disagreement / (2 * ones * zeros)


def _within(span, length):
    start, end = span
    return max(0, min(start, length)), max(0, min(end, length))


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    if not pairs:
        return None
    observed = fmean(a == b for a, b in pairs)
    categories = {value for pair in pairs for value in pair}
    size = len(pairs)
    # Summed in sorted order: a set's order changes from one process to the next,
    # and the figure must not change in its last bit with it.
    expected = sum(
        (sum(a == c for a, _ in pairs) / size) * (sum(b == c for _, b in pairs) / size)
        for c in sorted(categories)
    )
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def pair_agreement(left: list[Span], right: list[Span]) -> dict:
    """Span F1 per label (exact and overlap) and kappas for one pair of reviewers."""
    result = {}
    for label in LABELS:
        result[f"f1_exact_{label}"] = span_f1(left, right, label, exact=True)
        result[f"f1_overlap_{label}"] = span_f1(left, right, label, exact=False)
    attributions = overlap_pairs(
        [s for s in left if s.label == "attribution"],
        [s for s in right if s.label == "attribution"],
    )
    result["kappa_speaker_type"] = cohen_kappa(
        [(a.speaker_type, b.speaker_type) for a, b in attributions]
    )
    result["kappa_cue_stance"] = cohen_kappa(
        [(a.cue_stance, b.cue_stance) for a, b in attributions]
    )
    result["f1_exact"] = mean_defined(result[f"f1_exact_{label}"] for label in LABELS)
    result["f1_overlap"] = mean_defined(result[f"f1_overlap_{label}"] for label in LABELS)
    return result


def mean_defined(values) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def article_agreement(length: int, spans_by_reviewer: dict) -> dict | None:
    """Agreement on one article among two or more reviewers, as stored; None with fewer.

    ``pairs`` lists each pair of reviewers (``"reviewers": [a, b]``) with its figures.
    """
    reviewers = sorted(spans_by_reviewer)
    if len(reviewers) < 2:
        return None
    pairs = {
        (a, b): pair_agreement(spans_by_reviewer[a], spans_by_reviewer[b])
        for a, b in combinations(reviewers, 2)
    }
    result = {
        key: mean_defined(values[key] for values in pairs.values())
        for key in next(iter(pairs.values()))
    }
    for label in LABELS:
        result[f"alpha_{label}"] = alpha_binary(
            length,
            [
                [(s.start, s.end) for s in spans_by_reviewer[r] if s.label == label]
                for r in reviewers
            ],
        )
    result["alpha"] = mean_defined(result[f"alpha_{label}"] for label in LABELS)
    result["reviewers"] = reviewers
    result["pairs"] = [{"reviewers": list(pair), **values} for pair, values in pairs.items()]
    return result
