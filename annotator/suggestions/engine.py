"""The suggestion engine's face: its name and version, :class:`Suggestion` and :func:`suggest`.

``suggest(body)`` parses the body paragraph by paragraph with the spaCy pipeline
(:mod:`.pipeline`, loaded on first use) and reads attributions, claims and opinions off
each sentence (:mod:`.rules`). It stores nothing and answers the same for the same body.
Offsets are code points into ``body``, end exclusive, like every span's.
"""

from dataclasses import asdict, dataclass, field

from annotator import text

from . import pipeline, rules

ENGINE = "polnear-rules"
VERSION = "1.1"  # changes with any change to the rules or the lexicon


def identity() -> str:
    """The provenance an accepted suggestion keeps: the engine's name and version."""
    return f"{ENGINE}/{VERSION}"


@dataclass(frozen=True)
class Suggestion:
    """One suggested span: what a reviewer accepts into a span of theirs, or rejects.

    ``fields`` holds only value fields the label owns (``span_schema.fields_of``), ``""``
    for a choice the engine cannot guess; ``speaker_name`` is an attribution's source words
    (``""`` for other labels or no source); ``attribution`` is the key of the suggested
    attribution a claim or opinion belongs to.
    """

    key: str
    label: str
    start: int
    end: int
    quote: str
    fields: dict = field(default_factory=dict)
    speaker_name: str = ""
    attribution: str | None = None
    score: float = 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "engine": identity()}


def suggest(body: str) -> list[Suggestion]:
    """The suggestions for ``body``, sorted by start, end and label."""
    found = []
    for offset, sentence in sentences(body):
        found += rules.sentence_suggestions(sentence, body, offset)
    return _keyed(found, body)


def sentences(body: str):
    """Each parsed sentence of ``body`` with the offset of its piece: the pipeline reads one
    line (paragraph) at a time, so no sentence runs across a line break, and a line longer
    than ``LONGEST_PIECE`` in pieces cut at spaces, within what spaCy accepts."""
    placed = [piece for offset, line in text.paragraphs(body) for piece in _pieces(offset, line)]
    nlp = pipeline.nlp()
    for (offset, _), doc in zip(placed, nlp.pipe(line for _, line in placed), strict=True):
        for sentence in doc.sents:
            yield offset, sentence


LONGEST_PIECE = 100_000  # code points; spaCy refuses texts over 1,000,000


def _pieces(offset: int, line: str):
    """``line`` (at ``offset``) in pieces of at most LONGEST_PIECE code points, each cut
    after the last space it holds (or at the limit, when it holds none)."""
    while len(line) > LONGEST_PIECE:
        cut = line.rfind(" ", 0, LONGEST_PIECE) + 1 or LONGEST_PIECE
        yield offset, line[:cut]
        offset, line = offset + cut, line[cut:]
    yield offset, line


def _keyed(found: list, body: str) -> list[Suggestion]:
    """The found spans as suggestions, each keyed by label and place; of two with the same
    key the first found stays (and a claim linked to the other is linked to it)."""
    kept, key_of = {}, {}
    for item in found:
        if item.end > item.start:
            key_of[id(item)] = f"{item.label}:{item.start}:{item.end}"
            kept.setdefault(key_of[id(item)], item)
    suggestions = [
        Suggestion(
            key=key,
            label=item.label,
            start=item.start,
            end=item.end,
            quote=body[item.start : item.end],
            fields=dict(item.fields),
            speaker_name=item.speaker_name,
            attribution=key_of.get(id(item.attribution)) if item.attribution else None,
            score=round(min(max(item.score, 0.0), 1.0), 3),
        )
        for key, item in kept.items()
    ]
    return sorted(suggestions, key=lambda s: (s.start, s.end, s.label))
