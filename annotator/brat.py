"""Reading brat standoff (a ``.txt`` and its ``.ann`` files) as the spans an import writes.

A mapping file (JSON, ``docs/brat.md``) says what each brat type, attribute,
relation and event stands for here. :func:`article_spans` turns one ``.ann``
file into :class:`~annotator.importing.Incoming` spans, each bad line one
span carrying its ``problem`` and named by file and line number; the import
itself (:func:`annotator.importing.run`) then checks and writes them like any
other file's spans, all or nothing.

Offsets in a ``.ann`` file count code points of its ``.txt`` as written; the
stored body is that text in NFC with ``\\n`` line endings, and
:class:`BratText` carries every offset across. A discontinuous span
(``start end;start end``) becomes one span per fragment, so that exactly the
characters the annotator marked are marked here.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from . import text
from .article_records import IncomingArticle
from .importing import BOOLEANS, CHOICES, FIELD_NAMES, Incoming, SpeakerIndex
from .models import Article, Label, Layer
from .models.corpus import SPEAKER_NAME_MAX_LENGTH

DEFAULT_MAPPING = Path(__file__).with_name("brat_mapping.json")
SPEAKER_REFERENCE = "speaker"  # an N line ``Reference T3 speaker:…`` names T3's speaker
NOTE_TYPE = "AnnotatorNotes"
TARGETS = frozenset([*FIELD_NAMES, "reviewer", "layer"])
LINKED_LABELS = (Label.CLAIM.value, Label.OPINION.value)


class MappingError(ValueError):
    """The mapping file cannot be used; ``problems`` names each thing wrong in it."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class EventRule:
    """What one brat event type makes: an attribution over the fragments of its
    ``attribution`` roles, the words of its ``speaker`` role as its speaker, and a span of
    the given label, linked to it, per fragment of each ``linked`` role."""

    attribution: tuple
    speaker: str | None
    linked: dict
    quote_type_from_content: bool


@dataclass(frozen=True)
class Mapping:
    text: dict  # brat entity type -> label
    ignored: frozenset  # entity types that make no span of their own (an event's arguments)
    attributes: dict  # brat attribute -> field, "reviewer" or "layer"
    relations: dict  # brat relation type -> "attribution" (Arg1 links to Arg2)
    events: dict  # brat event type -> EventRule

    def roles(self, event_type):
        rule = self.events[event_type]
        return {*rule.attribution, *rule.linked, *([rule.speaker] if rule.speaker else [])}


MAPPING_KEYS = ("text", "ignored", "attributes", "relations", "events")
EVENT_KEYS = ("attribution", "speaker", "linked", "quote_type")


def load_mapping(path) -> Mapping:
    """The mapping in the JSON file at ``path``; :class:`MappingError` names all that is wrong."""
    try:
        document = orjson.loads(Path(path).read_bytes())
    except OSError as error:
        raise MappingError([f"{path}: cannot be read ({error.strerror})"]) from error
    except orjson.JSONDecodeError as error:
        raise MappingError([f"{path}: is not JSON ({error.msg})"]) from error
    if not isinstance(document, dict):
        raise MappingError([f"{path}: must be a JSON object with {', '.join(MAPPING_KEYS)}"])
    problems = [f"{key}: is not a part of a mapping" for key in document if key not in MAPPING_KEYS]
    parts = {key: document.get(key, [] if key == "ignored" else {}) for key in MAPPING_KEYS}
    problems += _names_problems(parts)
    if not problems:
        problems += _values_problems(parts)
    if problems:
        raise MappingError([f"{path}: {problem}" for problem in problems])
    return Mapping(
        text=parts["text"],
        ignored=frozenset(parts["ignored"]),
        attributes=parts["attributes"],
        relations=parts["relations"],
        events={name: _event_rule(rule) for name, rule in parts["events"].items()},
    )


def _names_problems(parts) -> list:
    problems = []
    if not (isinstance(parts["ignored"], list) and all(_is_name(n) for n in parts["ignored"])):
        problems.append("ignored: must be a list of brat types")
    for key in ("text", "attributes", "relations", "events"):
        if not (isinstance(parts[key], dict) and all(map(_is_name, parts[key]))):
            problems.append(f"{key}: must be an object whose keys are brat names")
    return problems


def _is_name(value):
    return isinstance(value, str) and re.fullmatch(r"[^\s:;]+", value) is not None


def _values_problems(parts) -> list:
    """Each value of the mapping that names nothing of ours, in words."""
    problems = [
        f"text: {name}: {label!r} is not one of {', '.join(Label.values)}"
        for name, label in parts["text"].items()
        if label not in Label.values
    ]
    problems += [
        f"attributes: {name}: {target!r} is not a field, reviewer or layer"
        for name, target in parts["attributes"].items()
        if target not in TARGETS
    ]
    problems += [
        f"relations: {name}: {target!r} is not attribution (the link of a claim or opinion)"
        for name, target in parts["relations"].items()
        if target != "attribution"
    ]
    for name, rule in parts["events"].items():
        problems += [f"events: {name}: {problem}" for problem in _event_problems(rule)]
    return problems


def _event_problems(rule) -> list:
    if not isinstance(rule, dict):
        return ["must be an object with attribution, and speaker, linked or quote_type"]
    problems = [
        f"{key}: is not a part of an event's mapping" for key in rule if key not in EVENT_KEYS
    ]
    roles = rule.get("attribution")
    if not (isinstance(roles, list) and roles and all(map(_is_name, roles))):
        problems.append("attribution: must be a list of the roles the attribution covers")
    if "speaker" in rule and not _is_name(rule["speaker"]):
        problems.append("speaker: must be the role whose words name the speaker")
    linked = rule.get("linked", {})
    if not isinstance(linked, dict) or not all(
        _is_name(role) and label in LINKED_LABELS for role, label in linked.items()
    ):
        problems.append("linked: must map roles to claim or opinion")
    if rule.get("quote_type", "from_content") != "from_content":
        problems.append("quote_type: can only be from_content")
    return problems


def _event_rule(rule) -> EventRule:
    return EventRule(
        attribution=tuple(rule["attribution"]),
        speaker=rule.get("speaker"),
        linked=rule.get("linked", {}),
        quote_type_from_content="quote_type" in rule,
    )


# ---------------------------------------------------------------- texts


@dataclass
class BratText:
    """A ``.txt`` file: its text as written, the body stored for it, and the offsets between.

    ``starts[i]`` is where the body holds what raw offset ``i`` starts; ``ends[i]`` where
    what ends there ends (they differ only inside a character that normalising composes,
    such as a letter and its combining mark, or inside ``\\r\\n``).
    """

    name: str
    raw: str
    body: str
    starts: list | None = None  # None when the text is stored as it is
    ends: list | None = None

    @property
    def sha256(self):
        return text.sha256_hex(self.body)

    def start(self, offset):
        return offset if self.starts is None else self.starts[offset]

    def end(self, offset):
        return offset if self.ends is None else self.ends[offset]


class TextError(ValueError):
    """A ``.txt`` file that cannot be read as text."""


def read_text(path: Path) -> BratText:
    """The ``.txt`` file at ``path``, its body normalised and its offsets mapped."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise TextError(f"{path.name}: is not UTF-8 text (byte {error.start})") from error
    body = text.normalise_text(raw)
    if body == raw:
        return BratText(path.name, raw, body)
    starts, ends, pieces, at = [], [], [], 0
    for cluster in _clusters(raw):
        piece = text.normalise_text(cluster)
        starts += [at] * len(cluster)
        ends += [at] + [at + len(piece)] * (len(cluster) - 1)
        pieces.append(piece)
        at += len(piece)
    if "".join(pieces) != body:
        raise TextError(f"{path.name}: its text changes when normalised as a whole (NFC)")
    starts.append(len(body))
    ends.append(len(body))
    return BratText(path.name, raw, body, starts, ends)


def _clusters(raw):
    """``raw`` cut before each character that normalising cannot join to the one before."""
    cluster = ""
    for character in raw:
        joins = unicodedata.combining(character) or (cluster[-1:] == "\r" and character == "\n")
        if cluster and not joins:
            yield cluster
            cluster = ""
        cluster += character
    if cluster:
        yield cluster


# ---------------------------------------------------------------- .ann lines


@dataclass
class Entity:
    line: int
    type: str
    fragments: list  # (start, end) into the body


@dataclass
class Parsed:
    """What one ``.ann`` file says, each line kept with its number."""

    entities: dict = field(default_factory=dict)  # T id -> Entity
    events: list = field(default_factory=list)  # (line, id, type, [(role, T id)])
    relations: list = field(default_factory=list)  # (line, type, Arg1 id, Arg2 id)
    attributes: list = field(default_factory=list)  # (line, name, target id, value or None)
    speakers: list = field(default_factory=list)  # (line, target id, name)
    notes: list = field(default_factory=list)  # (line, target id, text)
    problems: list = field(default_factory=list)  # (line, problem)


ENTITY = re.compile(r"(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
EVENT = re.compile(r"(E\d+)\t(\S+):(T\d+)((?: \S+:[TE]\d+)*) ?")
RELATION = re.compile(r"R\d+\t(\S+) Arg1:([TE]\d+) Arg2:([TE]\d+) ?")
ATTRIBUTE = re.compile(r"[AM]\d+\t(\S+) ([TER]\d+)(?: (\S+))? ?")
NORMALIZATION = re.compile(r"N\d+\t(\S+) ([TE]\d+) ([^\s:]+):(\S*)\t(.*)")
NOTE = re.compile(r"#\d*\t(\S+) ([TER]\d+)\t(.*)")


def parse(lines: list, brat_text: BratText) -> Parsed:
    """The lines of a ``.ann`` file (without their line ends) read against its text.

    A text-bound annotation whose text holds line breaks may go on over the following
    lines, as brat writes it; those lines are its text, not annotations.
    """
    parsed, number = Parsed(), 0
    while number < len(lines):
        line, number = lines[number], number + 1
        if not line.strip():
            continue
        if match := ENTITY.fullmatch(line):
            taken, problem = _entity(parsed, number, match, lines[number:], brat_text)
            number += taken
        else:
            problem = _other_line(parsed, number, line)
        if problem:
            parsed.problems.append((number, problem))
    return parsed


def _entity(parsed, number, match, following, brat_text):
    """(lines of text it goes on over, problem) for a T line, kept in ``parsed`` if good."""
    identifier, kind, offsets, written = match.groups()
    fragments = [tuple(map(int, pair.split())) for pair in offsets.split(";")]
    raw = brat_text.raw
    if any(not start < end <= len(raw) for start, end in fragments):
        return 0, f"its offsets {offsets} are not ranges within the {len(raw)} characters"
    covered = " ".join(raw[start:end] for start, end in fragments)
    taken = 0
    if written != covered and written == covered.split("\n")[0]:
        taken = covered.count("\n")
        written = "\n".join([written, *following[:taken]])
    if written not in (covered, covered.replace("\n", " ")):
        return taken, f"its text {written[:40]!r} is not the text at {offsets} {covered[:40]!r}"
    if identifier in parsed.entities:
        return taken, f"{identifier} is the id of an annotation further up"
    placed = [(brat_text.start(start), brat_text.end(end)) for start, end in fragments]
    parsed.entities[identifier] = Entity(number, kind, placed)
    return taken, ""


def _other_line(parsed, number, line) -> str:
    """Keep an E, R, A, N or # line in ``parsed``; what is wrong with it otherwise."""
    if match := EVENT.fullmatch(line):
        identifier, kind, trigger, rest = match.groups()
        arguments = [(kind, trigger)] + [tuple(a.split(":")) for a in rest.split()]
        parsed.events.append((number, identifier, kind, arguments))
    elif match := RELATION.fullmatch(line):
        parsed.relations.append((number, *match.groups()))
    elif match := ATTRIBUTE.fullmatch(line):
        parsed.attributes.append((number, *match.groups()))
    elif match := NORMALIZATION.fullmatch(line):
        reference, target, database, _entry, name = match.groups()
        if database != SPEAKER_REFERENCE:
            return f"its normalization names {database!r}; only {SPEAKER_REFERENCE}: is read"
        parsed.speakers.append((number, target, name))
    elif match := NOTE.fullmatch(line):
        kind, target, note = match.groups()
        if kind != NOTE_TYPE:
            return f"its note type {kind!r} is not {NOTE_TYPE}"
        parsed.notes.append((number, target, note))
    else:
        return "it is not a brat annotation (T, E, R, A, N or # line)"
    return ""


# ---------------------------------------------------------------- spans


class SpanMaker:
    """The spans of one ``.ann`` file: each brat annotation the mapping maps, made into
    :class:`Incoming` spans keyed by file and brat id, links and fields attached."""

    def __init__(self, file_name, brat_text, mapping, reviewer, speakers):
        self.file_name, self.text, self.mapping = file_name, brat_text, mapping
        self.reviewer, self.speakers = reviewer, speakers
        self.made = {}  # brat id -> the spans made of it, the one a link names first
        self.by_place = {}  # (label, start, end) -> the span already made there
        self.spans, self.problems = [], []

    def where(self, line):
        return f"{self.file_name}, line {line}"

    def name(self, line, problem):
        self.problems.append(Incoming(self.where(line), problem=problem))

    def span(self, line, key, label, start, end, *, shared=False):
        """A span of ``label`` at ``start``–``end``; a ``shared`` one is made once, however
        many events of the file mark it (two relations sharing their source and cue share
        their attribution)."""
        made = self.by_place.get((label, start, end)) if shared else None
        if made is None:
            made = Incoming(
                where=self.where(line),
                key=f"{self.file_name}:{key}",
                body_sha256=self.text.sha256,
                reviewer=self.reviewer,
                label=label,
                start=start,
                end=end,
                quote=self.text.body[start:end],
            )
            self.spans.append(made)
            if shared:
                self.by_place[(label, start, end)] = made
        return made

    def speaker(self, words):
        """A speaker record named by ``words``; a stored speaker's name when one is found by it
        (ignoring case), so that importing again finds nothing changed."""
        name = speaker_name(words)
        stored = self.speakers.find(name)
        return {"name": stored.name if stored else name}

    def entities(self, parsed):
        for identifier, entity in parsed.entities.items():
            label = self.mapping.text.get(entity.type)
            if label is not None:
                self.made[identifier] = [
                    self.span(entity.line, f"{identifier}.{number}", label, start, end)
                    for number, (start, end) in enumerate(entity.fragments, 1)
                ]
            elif entity.type not in self.mapping.ignored:
                self.name(entity.line, f"its type {entity.type!r} is not in the mapping")

    def events(self, parsed):
        for line, identifier, kind, arguments in parsed.events:
            problem = self._event_problem(parsed, kind, arguments)
            if problem:
                self.name(line, problem)
            else:
                self._event(parsed, line, identifier, self.mapping.events[kind], arguments)

    def _event_problem(self, parsed, kind, arguments) -> str:
        if kind not in self.mapping.events:
            return f"its event type {kind!r} is not in the mapping"
        roles = self.mapping.roles(kind)
        for role, target in arguments:
            if target not in parsed.entities:
                return f"its {role} {target} is no text-bound annotation of the file"
            if _role(role) not in roles:
                return f"its role {role!r} is not in the mapping of {kind}"
        return ""

    def _event(self, parsed, line, identifier, rule, arguments):
        by_role = {}
        for role, target in arguments:
            by_role.setdefault(_role(role), []).append(target)
        covered = [
            fragment
            for role in rule.attribution
            for target in by_role.get(role, [])
            for fragment in parsed.entities[target].fragments
        ]
        start, end = min(s for s, _ in covered), max(e for _, e in covered)
        attribution = self.span(line, identifier, Label.ATTRIBUTION.value, start, end, shared=True)
        self.made[identifier] = [attribution]
        if rule.speaker in by_role and attribution.speaker is None:
            fragments = [f for t in by_role[rule.speaker] for f in parsed.entities[t].fragments]
            words = " ".join(self.text.body[s:e] for s, e in fragments)
            attribution.speaker = self.speaker(words)
        contents = []
        for role, target in arguments:
            label = rule.linked.get(_role(role))
            if label is None:
                self.made.setdefault(target, [attribution])
                continue
            spans = [
                self.span(line, f"{identifier}.{target}.{number}", label, start, end, shared=True)
                for number, (start, end) in enumerate(parsed.entities[target].fragments, 1)
            ]
            for span in spans:
                span.link = span.link or attribution.key
                contents.append(span.quote)
            self.made.setdefault(target, spans)
        if rule.quote_type_from_content and contents and not attribution.fields:
            attribution.fields["quote_type"] = text.quote_type(" ".join(contents))

    def relations(self, parsed):
        for line, kind, first, second in parsed.relations:
            if self.mapping.relations.get(kind) != "attribution":
                self.name(line, f"its relation type {kind!r} is not in the mapping")
            elif first not in self.made or second not in self.made:
                self.name(line, "its Arg1 and Arg2 must be annotations the mapping makes spans of")
            elif self.made[second][0].label != Label.ATTRIBUTION:
                self.name(line, f"its Arg2 {second} is not an attribution")
            elif any(span.label not in LINKED_LABELS for span in self.made[first]):
                self.name(line, f"its Arg1 {first} is not a claim or opinion")
            else:
                for span in self.made[first]:
                    span.link = self.made[second][0].key

    def attributes(self, parsed):
        for line, name, target, value in parsed.attributes:
            field_name = self.mapping.attributes.get(name)
            problem = _attribute_problem(field_name, name, target in self.made, value)
            if problem:
                self.name(line, problem)
                continue
            for span in self.made[target]:
                if field_name == "reviewer":
                    span.reviewer = value
                elif field_name == "layer":
                    span.layer = value
                else:
                    span.fields[field_name] = _field_value(field_name, value)

    def speakers_and_notes(self, parsed):
        for line, target, name in parsed.speakers:
            if target not in self.made:
                self.name(line, f"its {target} is no annotation the mapping makes a span of")
                continue
            for span in self.made[target]:
                span.speaker = self.speaker(name)
        for line, target, note in parsed.notes:
            if target in parsed.entities and target not in self.made:
                continue  # a note on text that became no span here
            if target not in self.made:
                self.name(line, f"its {target} is no annotation the mapping makes a span of")
                continue
            for span in self.made[target]:
                span.note = note


def _role(role):
    """A role as the mapping names it: brat numbers a role's repeats (Content2)."""
    return role.rstrip("0123456789")


def _attribute_problem(field_name, name, target_found, value) -> str:
    if field_name is None:
        return f"its attribute {name!r} is not in the mapping"
    if not target_found:
        return "its target is no annotation the mapping makes a span of"
    if field_name in BOOLEANS:
        if value not in (None, "true", "false"):
            return f"{name}: {value!r} is not true or false"
    elif value is None:
        return f"{name}: it has no value"
    elif field_name in CHOICES and value not in CHOICES[field_name]:
        return f"{name}: {value!r} is not one of {', '.join(sorted(CHOICES[field_name]))}"
    elif field_name == "layer" and value not in Layer.values:
        return f"{name}: {value!r} is not raw or adjudicated"
    return ""


def _field_value(name, value):
    if name in BOOLEANS:
        return value != "false"  # a binary attribute (no value) is true
    return value


def speaker_name(words: str) -> str:
    """A speaker's name from the words that name them: spaces evened, at most 200 characters."""
    return text.shortened(" ".join(words.split()), SPEAKER_NAME_MAX_LENGTH)


def article_spans(ann_path: Path, brat_text: BratText, mapping: Mapping, reviewer, speakers):
    """The spans of one ``.ann`` file over ``brat_text``, then one problem span per bad line.

    ``reviewer`` is the spans' reviewer unless an attribute mapped to reviewer names one;
    ``speakers`` (a :class:`~annotator.importing.SpeakerIndex`) the speakers stored.
    """
    try:
        lines = ann_path.read_bytes().decode("utf-8").split("\n")
    except OSError as error:
        return [Incoming(ann_path.name, problem=f"cannot be read ({error.strerror})")]
    except UnicodeDecodeError as error:
        return [Incoming(ann_path.name, problem=f"is not UTF-8 text (byte {error.start})")]
    parsed = parse([line.removesuffix("\r") for line in lines], brat_text)
    maker = SpanMaker(ann_path.name, brat_text, mapping, reviewer, speakers)
    maker.entities(parsed)
    maker.events(parsed)
    maker.relations(parsed)
    maker.attributes(parsed)
    maker.speakers_and_notes(parsed)
    problems = [Incoming(maker.where(line), problem=problem) for line, problem in parsed.problems]
    return maker.spans + sorted(problems + maker.problems, key=_line_order)


def _line_order(span):
    return int(span.where.rsplit(" ", 1)[1]) if span.where[-1:].isdigit() else 0


# ---------------------------------------------------------------- files


def pairs(path: Path) -> list:
    """(``.txt``, ``.ann`` or None) for each text of a directory, or for one file's pair.

    An ``.ann`` file goes with the ``.txt`` file of its name.
    """
    if path.is_dir():
        texts = sorted(path.glob("*.txt"))
        orphans = sorted({a.stem for a in path.glob("*.ann")} - {t.stem for t in texts})
        found = [
            (t, t.with_suffix(".ann") if t.with_suffix(".ann").exists() else None) for t in texts
        ]
        return found + [(path / f"{stem}.txt", path / f"{stem}.ann") for stem in orphans]
    return [(path.with_suffix(".txt"), path.with_suffix(".ann"))]


def records(path: Path, mapping: Mapping, *, reviewer=None, source=None):
    """What an import of the brat files at ``path`` reads, article after article.

    Each text is a stored article (found by the SHA-256 of its body) or, with
    ``source``, a new one of that source, its ``seed_file`` the text's file name.
    """
    speakers = SpeakerIndex()
    for text_path, ann_path in pairs(path):
        if not text_path.exists():
            yield Incoming(ann_path.name, problem=f"there is no {text_path.name} beside it")
            continue
        try:
            brat_text = read_text(text_path)
        except TextError as error:
            yield Incoming(text_path.name, problem=str(error).split(": ", 1)[1])
            continue
        if not Article.objects.filter(body_sha256=brat_text.sha256).exists():
            if source is None:
                yield Incoming(text_path.name, problem=NOT_STORED)
                continue
            yield new_article(brat_text, {"source": {"name": source}, "reviews": []})
        if ann_path is not None:
            yield from article_spans(ann_path, brat_text, mapping, reviewer, speakers)


NOT_STORED = "no stored article has this text (give a source to create it)"


def new_article(brat_text: BratText, record: dict) -> IncomingArticle:
    """The record that creates the article of ``brat_text`` (or finds it stored), with what
    ``record`` says of it (its source, title, reviews...)."""
    return IncomingArticle(
        brat_text.name,
        brat_text.sha256,
        {"seed_file": brat_text.name, **record, "body": brat_text.body},
    )
