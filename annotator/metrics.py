"""Django-free summary arithmetic: per article (mean over reviewers), per source
(mean over articles), so that one long article or one busy reviewer does not
dominate a source's figures.

A rate with no denominator (no claims, no attributions) is ``None``, "not
enough data", never 0: a 0 would claim the outlet never sources its claims.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

LABELS = ("claim", "opinion", "attribution")
SPEAKER_TYPES = ("named_person", "named_organisation", "unnamed_identified", "vague", "none", "")


@dataclass(frozen=True)
class SpanCount:
    """How many spans one reviewer made on one article with the same label and traits."""

    article_id: int
    reviewer_id: int
    label: str
    linked: bool
    speaker_type: str
    count: int


@dataclass
class ReviewerTally:
    labels: dict = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    linked: dict = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    speaker_types: dict = field(default_factory=lambda: dict.fromkeys(SPEAKER_TYPES, 0))

    def add(self, row: SpanCount):
        self.labels[row.label] += row.count
        if row.linked:
            self.linked[row.label] += row.count
        if row.label == "attribution":
            self.speaker_types[row.speaker_type] += row.count

    def figures(self, words: int) -> dict:
        claims, opinions = self.labels["claim"], self.labels["opinion"]
        attributions = self.labels["attribution"]
        unlinked_claims = claims - self.linked["claim"]
        unlinked_opinions = opinions - self.linked["opinion"]
        return {
            "spans_per_1000_words": ratio(1000 * sum(self.labels.values()), words),
            "sourcing_rate": ratio(self.linked["claim"], claims),
            "author_opinion_share": ratio(unlinked_opinions, unlinked_opinions + unlinked_claims),
            "speaker_type_shares": {
                kind: ratio(count, attributions) for kind, count in self.speaker_types.items()
            },
        }


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def mean_or_none(values) -> float | None:
    present = [value for value in values if value is not None]
    return fmean(present) if present else None


def mean_figures(figure_sets: list[dict]) -> dict:
    """Average figure dicts key by key, skipping the ones that had no data."""
    return {
        "spans_per_1000_words": mean_or_none(f["spans_per_1000_words"] for f in figure_sets),
        "sourcing_rate": mean_or_none(f["sourcing_rate"] for f in figure_sets),
        "author_opinion_share": mean_or_none(f["author_opinion_share"] for f in figure_sets),
        "speaker_type_shares": {
            kind: mean_or_none(f["speaker_type_shares"][kind] for f in figure_sets)
            for kind in SPEAKER_TYPES
        },
    }


def summarise(articles: dict, span_counts, finished_reviews=(), source_ids=()) -> tuple[dict, dict]:
    """Figures per article and per source.

    ``articles`` maps article id to ``(source id, body words)``;
    ``span_counts`` is an iterable of :class:`SpanCount`; ``finished_reviews``
    holds ``(article id, reviewer id)`` for reviewers who marked an article done,
    so that a reviewer who found nothing to mark counts as a real zero;
    ``source_ids`` names sources to report even when they have no articles.
    """
    tallies: dict = defaultdict(dict)
    for article_id, reviewer_id in finished_reviews:
        tallies[article_id].setdefault(reviewer_id, ReviewerTally())
    for row in span_counts:
        tallies[row.article_id].setdefault(row.reviewer_id, ReviewerTally()).add(row)

    per_article = {}
    for article_id, (_source_id, words) in articles.items():
        reviewers = tallies.get(article_id, {})
        figure_sets = [tally.figures(words) for tally in reviewers.values()]
        label_totals = {label: sum(t.labels[label] for t in reviewers.values()) for label in LABELS}
        per_article[article_id] = {
            "reviewers": sorted(reviewers),
            "label_counts": label_totals,
            **mean_figures(figure_sets),
        }

    per_source: dict = {source_id: [] for source_id in source_ids}
    for article_id, (source_id, _words) in articles.items():
        per_source.setdefault(source_id, []).append(article_id)
    source_figures = {}
    for source_id, article_ids in per_source.items():
        annotated = [per_article[a] for a in article_ids if per_article[a]["reviewers"]]
        reviewer_ids = {r for figures in annotated for r in figures["reviewers"]}
        source_figures[source_id] = {
            "articles": len(article_ids),
            "annotated_articles": len(annotated),
            "reviewers": len(reviewer_ids),
            "label_counts": {
                label: sum(figures["label_counts"][label] for figures in annotated)
                for label in LABELS
            },
            **mean_figures(annotated),
        }
    return per_article, source_figures
