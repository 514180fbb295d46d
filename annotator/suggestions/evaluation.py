"""Scoring the engine against a PolNeAR-style corpus read from its files (``docs/suggestions.md``).

A corpus is ``DATA_DIR/<compartment>/text/<article>.txt`` with one
``DATA_DIR/<compartment>/attributions/<article>_<annotator>.ann`` per annotator, read
with :mod:`annotator.brat` (offsets carried to the NFC body the engine is given). Each
relation gives gold units: its cue, its source, its source and cue together (first start
to last end, the attribution the import makes) and each fragment of its content (a
claim). A suggestion **overlaps** a unit when they share at least one code point of any
of its fragments, and **matches it exactly** when its start and end are the unit's first
start and last end. Precision counts the suggestions that overlap (match) some unit,
recall the units that some suggestion overlaps (matches). Each annotator's file is scored
on its own against the engine's suggestions for the article, and the counts are summed
over files (micro-average): an article six annotators marked counts six times.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from annotator import brat

from . import engine

PARTS = ("build", "held-out")
HELD_OUT_SHARE = 5  # one article in five of each compartment is held out of building
ANNOTATOR = re.compile(r"[^_]+")
SOURCE, CUE, CONTENT, TRIGGERS = "Source", "Cue", "Content", ("Attribution",)


class CorpusError(ValueError):
    """The corpus cannot be read; the message is one plain sentence naming what."""


def part_of(article: str) -> str:
    """Which part of the split ``article`` (a file name without ``.txt``) falls in: fixed
    by the SHA-256 of its name, so the split is the same on every machine."""
    digest = hashlib.sha256(article.encode("utf-8")).digest()
    return PARTS[1] if digest[0] % HELD_OUT_SHARE == 0 else PARTS[0]


@dataclass
class GoldFile:
    """One annotator's relations in one article, as gold units of fragments."""

    name: str
    cues: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    attributions: list = field(default_factory=list)
    contents: list = field(default_factory=list)


@dataclass
class Article:
    name: str
    body: str
    files: list  # GoldFile, one per annotator


def articles(data_dir: Path, compartments, part=None):
    """The articles of the compartments (only those of ``part`` of the split, if given), each
    with its annotators' gold units; :class:`CorpusError` for what cannot be read."""
    if not data_dir.is_dir():
        raise CorpusError(f"{data_dir} is not a directory.")
    for compartment in compartments:
        folder = data_dir / compartment
        if not (folder / "text").is_dir() or not (folder / "attributions").is_dir():
            raise CorpusError(
                f"{folder} is not a compartment (it needs text/ and attributions/ folders)."
            )
    for compartment in compartments:
        folder = data_dir / compartment
        for text_path in sorted((folder / "text").glob("*.txt")):
            if part is None or part_of(text_path.stem) == part:
                yield _article(text_path, folder / "attributions")


def _article(text_path: Path, attributions: Path) -> Article:
    try:
        brat_text = brat.read_text(text_path)
    except (OSError, brat.TextError) as error:
        raise CorpusError(f"{text_path} cannot be read ({error}).") from error
    files = []
    for ann_path in sorted(attributions.glob(f"{text_path.stem}_*.ann")):
        if ANNOTATOR.fullmatch(ann_path.stem[len(text_path.stem) + 1 :]):
            files.append(_gold_file(ann_path, brat_text))
    return Article(text_path.stem, brat_text.body, files)


def _gold_file(ann_path: Path, brat_text) -> GoldFile:
    try:
        lines = ann_path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"{ann_path} cannot be read ({error}).") from error
    parsed = brat.parse([line.removesuffix("\r") for line in lines], brat_text)
    if parsed.problems:
        number, problem = parsed.problems[0]
        raise CorpusError(f"{ann_path.name}, line {number}: {problem}.")
    gold = GoldFile(ann_path.name)
    cues, sources, attributions, contents = set(), set(), set(), set()
    for number, _identifier, _kind, arguments in parsed.events:
        roles = {}
        for role, target in arguments:
            entity = parsed.entities.get(target)
            if entity is None:
                raise CorpusError(f"{ann_path.name}, line {number}: {target} is not a T line.")
            roles.setdefault(role.rstrip("0123456789"), []).append(tuple(entity.fragments))
        cues.update(roles.get(CUE, []))
        sources.update(roles.get(SOURCE, []))
        covered = [
            fragment
            for role in (SOURCE, CUE, *TRIGGERS)
            for fragments in roles.get(role, [])
            for fragment in fragments
        ]
        if covered:
            extent = (min(s for s, _ in covered), max(e for _, e in covered))
            attributions.add((extent,))
        contents.update(
            (fragment,) for fragments in roles.get(CONTENT, []) for fragment in fragments
        )
    gold.cues, gold.sources = sorted(cues), sorted(sources)
    gold.attributions, gold.contents = sorted(attributions), sorted(contents)
    return gold


# ---------------------------------------------------------------- scoring

# Each row: its name, the suggestions it scores, the gold units it scores them against.
ROWS = (
    ("attribution / cue", "attribution", "cues"),
    ("attribution / source", "attribution", "sources"),
    ("attribution / source+cue", "attribution", "attributions"),
    ("claim / content", "claim", "contents"),
    ("claim linked / content", "linked claim", "contents"),
    ("opinion (no gold)", "opinion", None),
)


@dataclass
class Tally:
    """Counts for one row, summed over annotators' files."""

    suggested: int = 0
    gold: int = 0
    counts: Counter = field(default_factory=Counter)

    def add(self, spans: list, units: list):
        self.suggested += len(spans)
        self.gold += len(units)
        for rule, test in (("exact", _exact), ("overlap", _overlap)):
            self.counts[f"{rule} suggested"] += sum(any(test(s, u) for u in units) for s in spans)
            self.counts[f"{rule} gold"] += sum(any(test(s, u) for s in spans) for u in units)

    def scores(self, rule: str) -> tuple:
        """(precision, recall, F1) for ``rule`` (exact or overlap); None where undefined
        (all three when there is no gold to score against)."""
        if not self.gold:
            return None, None, None
        precision = _ratio(self.counts[f"{rule} suggested"], self.suggested)
        recall = _ratio(self.counts[f"{rule} gold"], self.gold)
        if precision is None or recall is None or precision + recall == 0:
            return precision, recall, None if recall is None else 0.0
        return precision, recall, 2 * precision * recall / (precision + recall)


def _ratio(part, whole):
    return part / whole if whole else None


def _exact(span, unit) -> bool:
    return span == (unit[0][0], unit[-1][1])


def _overlap(span, unit) -> bool:
    return any(span[0] < end and start < span[1] for start, end in unit)


@dataclass
class Result:
    articles: int = 0
    files: int = 0
    rows: dict = field(default_factory=lambda: {name: Tally() for name, _, _ in ROWS})


def evaluate(corpus, progress=None) -> Result:
    """Run the engine on each article of ``corpus`` and score it against each gold file."""
    result = Result()
    for article in corpus:
        by_kind = {"attribution": [], "claim": [], "linked claim": [], "opinion": []}
        for suggestion in engine.suggest(article.body):
            span = (suggestion.start, suggestion.end)
            by_kind[suggestion.label].append(span)
            if suggestion.attribution is not None:
                by_kind["linked claim"].append(span)
        result.articles += 1
        result.files += len(article.files)
        for gold in article.files:
            for name, kind, units in ROWS:
                result.rows[name].add(by_kind[kind], getattr(gold, units) if units else [])
        if progress is not None:
            progress(1)
    return result


def table(result: Result) -> str:
    """The result as a plain-text table, one row per label and gold target."""
    header = (
        f"{'suggestions / gold':<26}{'suggested':>10}{'gold':>8}"
        f"{'exact P':>9}{'R':>7}{'F1':>7}{'overlap P':>11}{'R':>7}{'F1':>7}"
    )
    lines = [
        f"{result.articles} article(s), {result.files} annotator file(s); "
        f"engine {engine.identity()}",
        header,
        "-" * len(header),
    ]
    for name, _, _ in ROWS:
        tally = result.rows[name]
        exact, overlap = tally.scores("exact"), tally.scores("overlap")
        cells = "".join(
            f"{_cell(value):>{width}}"
            for value, width in zip((*exact, *overlap), (9, 7, 7, 11, 7, 7), strict=True)
        )
        lines.append(f"{name:<26}{tally.suggested:>10}{tally.gold:>8}{cells}")
    return "\n".join(lines)


def _cell(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"
