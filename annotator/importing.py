"""Importing annotations from any of the three export formats.

Reading (:func:`read`) turns a file into plain :class:`Incoming` spans, a
record at a time; :func:`run` checks them against the stored articles
(re-anchoring by quote and context when the offsets no longer fit) and writes
them, batch after batch of whole articles, all in one transaction that is
rolled back if any span has a problem, each problem named. Memory stays flat
however long the file. Importing the same file twice changes nothing the
second time.
"""

import codecs
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain

import orjson
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_update_with_history

from . import article_records, bulksql, span_schema, text
from .article_records import IncomingArticle
from .exporting import ENGINE_PREFIX, SCHEMA_NAME, VOCAB_PREFIX
from .models import (
    LABEL_FIELDS,
    REVIEWERS_GROUP,
    Affiliation,
    Annotation,
    Article,
    Label,
    Layer,
    Speaker,
)
from .profiles import storage

FIELD_NAMES = span_schema.VALUE_NAMES
CHOICES = {
    name: {value for value, _ in Annotation._meta.get_field(name).choices}
    for name in span_schema.CHOICE_NAMES
}
DEFAULTS = {field.name: field.empty for field in span_schema.VALUES}
BOOLEANS = frozenset(span_schema.BOOLEAN_NAMES)
LABELS, LAYERS = frozenset(Label.values), frozenset(Layer.values)
RAW = Layer.RAW.value
LOOKUP_BATCH = 10_000  # ids in one query, well under SQLite's limit of bound values


REFUSED_LIMIT = 1000  # malformed annotations listed before reading stops
NEITHER = "the file is neither a native export, JSON Lines, nor W3C annotations"
NULL = type(None)
KIND_WORDS = {
    str: "text",
    int: "a whole number",
    float: "a number with a fraction",
    bool: "true or false",
    dict: "an object",
    list: "a list",
    NULL: "null",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read: not JSON, or no known format."""


@dataclass(slots=True)
class Incoming:
    """One span as the file describes it; ``where`` names it in error messages.

    ``problem`` says why a record could not be read as a span at all (a field
    of the wrong JSON type); such a span carries nothing else.
    """

    where: str
    key: str = ""  # the span's id in the file, for links
    body_sha256: str | None = None
    reviewer: str | None = None
    layer: str = RAW
    label: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    created: str | None = None
    fields: dict = field(default_factory=dict)
    speaker: dict | None = None
    link: str | None = None
    orphaned: bool = False
    suggested_by: str = ""  # the engine ("name/version") of an accepted suggestion
    problem: str = ""


@dataclass(slots=True)
class Planned:
    incoming: Incoming
    article: Article
    start: int
    end: int
    reanchored: bool
    created: datetime | None = None
    stored_link: int | None = None  # the pk of a stored attribution the span links to
    existing: Annotation | None = None
    changed: bool = True
    later: bool = False  # its link names no span read so far: checked at the end


@dataclass
class Plan:
    spans: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    new_reviewers: set = field(default_factory=set)
    new_speakers: set = field(default_factory=set)
    skipped_orphans: list = field(default_factory=list)  # where each orphan is in the file
    unlinked: list = field(default_factory=list)  # spans whose link to a skipped orphan is cleared

    def count(self, what):
        if what == "reanchored":
            return sum(1 for p in self.spans if p.reanchored)
        if what == "created":
            return sum(1 for p in self.spans if p.existing is None)
        if what == "updated":
            return sum(1 for p in self.spans if p.existing is not None and p.changed)
        return sum(1 for p in self.spans if p.existing is not None and not p.changed)


# ---------------------------------------------------------------- reading


# What JSON type each field of a record must have when it is there at all (exact
# types: orjson gives dict, list, str, int, float, bool or None, and true is no number).
SPEAKER_SHAPE = {"name": (str,), "affiliation": (str, NULL)}
FIELDS_SHAPE = {
    "speaker": (dict, NULL),
    **{name: (bool, NULL) if name in BOOLEANS else (str, NULL) for name in FIELD_NAMES},
}
LINKS_SHAPE = {"attribution": (int, str, NULL)}
NATIVE_ARTICLE_SHAPE = {"body_sha256": (str,), "annotations": (list, NULL)}
NATIVE_SPAN_SHAPE = {
    "id": (int, str),
    "reviewer": (str,),
    "layer": (str,),
    "label": (str,),
    "start": (int, NULL),
    "end": (int, NULL),
    "orphaned": (bool,),
    "quote": (str,),
    "prefix": (str,),
    "suffix": (str,),
    "note": (str,),
    "created": (str, NULL),
    "fields": (dict, NULL),
    "links": (dict, NULL),
    "provenance": (dict, NULL),
}
PROVENANCE_SHAPE = {"origin": (str,), "engine": (str,), "version": (str,)}
W3C_CONTAINER_SHAPE = {
    "type": (str, list, NULL),
    "items": (list, NULL),
    "first": (dict, str, NULL),
    "next": (dict, str, NULL),
}
W3C_SPAN_SHAPE = {
    "id": (str, int),
    "target": (dict, NULL),
    "body": (list, dict, NULL),
    "creator": (dict, list, NULL),
    "created": (str, NULL),
    "nra:layer": (str,),
    "nra:orphaned": (bool,),
    "nra:fields": (dict, NULL),
    "nra:links": (dict, NULL),
}
W3C_TARGET_SHAPE = {"source": (str,), "selector": (list, dict, NULL)}
W3C_SELECTOR_SHAPE = {
    "type": (str,),
    "exact": (str,),
    "prefix": (str,),
    "suffix": (str,),
    "start": (int,),
    "end": (int,),
}
W3C_BODY_SHAPE = {"purpose": (str,), "value": (str,)}
W3C_CREATOR_SHAPE = {"id": (str,), "name": (str,), "nickname": (str,)}


def wrong_shape(record: dict, shape: dict, path: str = "") -> str:
    """The first field of ``record`` whose JSON type is none of those ``shape`` allows, in words."""
    for name, kinds in shape.items():
        if name in record and type(record[name]) not in kinds:
            allowed = " or ".join(KIND_WORDS[kind] for kind in kinds)
            return f"its {path}{name} must be {allowed}, not {KIND_WORDS[type(record[name])]}"
    return ""


def _wrong_items(items: list, shape: dict, path: str) -> str:
    """The first item of ``items`` that is no object or has a field of the wrong type."""
    for number, item in enumerate(items, 1):
        if type(item) is not dict:
            return f"its {path}[{number}] must be an object, not {KIND_WORDS[type(item)]}"
        problem = wrong_shape(item, shape, f"{path}[{number}].")
        if problem:
            return problem
    return ""


def parse(raw: bytes) -> tuple[str, list[Incoming]]:
    """(format, spans) from the bytes of an export in any of the three formats: see :func:`read`.

    The spans only: a 1.4 file's article records are left out.
    """
    fmt, records = read(io.BytesIO(raw))
    return fmt, [record for record in records if not isinstance(record, IncomingArticle)]


def read(file) -> tuple[str, Iterator[Incoming]]:
    """(format, spans read as they are asked for) from a binary file of an export.

    Exports as this tool writes them (native: a header line, then an article a
    line; W3C: a line of annotations per article, a line between pages) and
    JSON Lines are read a line at a time, so memory stays flat however long
    the file; a document laid out otherwise (JSON written by other tools) is
    read whole. orjson reads the bytes as they are (it
    checks the UTF-8 itself). A span whose record has a field of the wrong type
    comes with its ``problem``; more than :data:`REFUSED_LIMIT` of them stop
    the reading with :class:`ImportFileError`, as does a record that is no JSON.
    """
    lines = iter(file)
    head = [next(lines, b"").removeprefix(codecs.BOM_UTF8)]  # blank lines, then the first
    while head[-1] and not head[-1].strip():
        head.append(next(lines, b""))
    first = head[-1]
    if _is_native_header(first):
        articles = _article_lines(lines, len(head) + 1, sum(map(len, head)))
        return "native", _within_limit(_native_spans(articles, "article"))
    if _is_w3c_header(first):
        items = enumerate(_w3c_lines(lines, len(head) + 1, sum(map(len, head))), 1)
        return "w3c", _within_limit(_from_w3c(item, f"annotation {n}") for n, item in items)
    try:
        document = orjson.loads(first)
    except orjson.JSONDecodeError:
        # A document over several lines, or JSON Lines whose first line is no JSON.
        content = b"".join(head) + file.read()
        try:
            document = orjson.loads(content)
        except orjson.JSONDecodeError:
            return "jsonl", _within_limit(
                _native_spans(_jsonl_records(io.BytesIO(content)), "line")
            )
        return _document(document)
    blanks = []
    for line in lines:
        blanks.append(line)
        if line.strip():  # a second record: JSON Lines
            records = _jsonl_records(chain(head, blanks, lines))
            return "jsonl", _within_limit(_native_spans(records, "line"))
    return _document(document)


def _document(document):
    """(format, spans) of a file that is one JSON document."""
    if isinstance(document, dict) and document.get("schema") == SCHEMA_NAME:
        if "articles" not in document:
            return "jsonl", _within_limit(_native_spans([(1, document)], "line"))
        if type(document["articles"]) is not list:
            raise ImportFileError("its articles must be a list")
        return "native", _within_limit(_native_spans(enumerate(document["articles"], 1), "article"))
    if isinstance(document, dict | list):
        annotations = list(_w3c_items(document))
        if annotations:
            return "w3c", _within_limit(
                _from_w3c(item, f"annotation {n}") for n, item in enumerate(annotations, 1)
            )
    raise ImportFileError(NEITHER)


def _closed(line: bytes, closing: bytes):
    """The JSON of a first line that opens a list, once ``closing`` closes it; None if none."""
    if not line.rstrip().endswith(b"["):
        return None
    try:
        return orjson.loads(line.rstrip() + closing)
    except orjson.JSONDecodeError:
        return None


def _is_native_header(line: bytes) -> bool:
    """Whether ``line`` opens a native export as this tool writes it: ``{...,"articles":[``."""
    header = _closed(line, b"]}")
    return (
        isinstance(header, dict)
        and header.get("schema") == SCHEMA_NAME
        and header.get("articles") == []
    )


def _article_lines(lines, first_number, position):
    """(number, record) for each article after a native header, one or more lines each.

    The list ends at a line starting with ``]``, after which only the end of
    the document may follow. ``lines`` start at line ``first_number``, byte
    ``position``.
    """
    number, held, first_line, at = 0, b"", first_number, position
    for line_number, line in enumerate(lines, first_number):
        if not held:
            if not line.strip():
                position += len(line)
                continue
            first_line, at = line_number, position
            if line.lstrip().startswith(b"]"):
                _check_end(line.lstrip()[1:] + b"".join(lines), line_number)
                return
        held += line
        position += len(line)
        record = held.strip().removeprefix(b",").removesuffix(b",")
        if not record.endswith(b"}"):
            continue
        try:
            parsed = orjson.loads(record)
        except orjson.JSONDecodeError as error:
            if error.pos == len(record):
                continue  # a record over several lines: read on
            _check_utf8([held], at)
            raise ImportFileError(f"line {first_line} is not JSON ({error.msg})") from error
        number, held = number + 1, b""
        yield number, parsed
    raise ImportFileError("the file ends before its list of articles does")


def _check_end(tail: bytes, line_number: int):
    """What follows a native export's list of articles: ``}``, or further fields and ``}``."""
    try:
        orjson.loads(b'{"articles":[]' + tail)
    except orjson.JSONDecodeError as error:
        raise ImportFileError(f"line {line_number} is not JSON ({error.msg})") from error


def _is_w3c_header(line: bytes) -> bool:
    """Whether ``line`` opens a W3C export as this tool writes it: a collection, then its first
    page up to ``"items":[``."""
    header = _closed(line, b"]}}")
    page = header.get("first") if isinstance(header, dict) else None
    return (
        isinstance(page, dict)
        and header.get("type") == "AnnotationCollection"
        and list(page)[-1:] == ["items"]
        and page["items"] == []
        and not wrong_shape(header, W3C_CONTAINER_SHAPE)
        and not wrong_shape(page, W3C_CONTAINER_SHAPE)
    )


def _w3c_lines(lines, first_number, position):
    """Each annotation after a W3C header: a line of them per article, a line between pages
    (``],"next":{...,"items":[``), and the closing brackets of every page and the collection."""
    depth, count = 2, 0  # the collection and its first page are open
    for line_number, line in enumerate(lines, first_number):
        stripped = line.strip()
        if stripped.startswith(b"],"):
            try:
                page = orjson.loads(b"{" + stripped[2:] + b"]}}")["next"]
            except (orjson.JSONDecodeError, KeyError, TypeError) as error:
                raise ImportFileError(f"line {line_number} is not a W3C page") from error
            problem = wrong_shape(page, W3C_CONTAINER_SHAPE)
            if problem:
                raise ImportFileError(f"a W3C page: {problem}")
            depth += 1
        elif stripped.startswith(b"]"):
            rest = re.sub(rb"\s", b"", stripped[1:] + b"".join(lines))
            if rest != b"}" * depth:
                raise ImportFileError(f"line {line_number} does not close the W3C collection")
            break
        elif stripped:
            try:
                items = orjson.loads(b"[" + stripped.removeprefix(b",") + b"]")
            except orjson.JSONDecodeError as error:
                _check_utf8([line], position)
                raise ImportFileError(f"line {line_number} is not JSON ({error.msg})") from error
            count += len(items)
            yield from items
        position += len(line)
    else:
        raise ImportFileError("the file ends before its W3C collection does")
    if not count:
        raise ImportFileError(NEITHER)


def _within_limit(spans):
    """The spans, read on until more than :data:`REFUSED_LIMIT` of them are malformed."""
    refused = []
    for span in spans:
        if span.problem:
            refused.append(span)
            if len(refused) > REFUSED_LIMIT:
                first = refused[0]
                raise ImportFileError(
                    f"more than {REFUSED_LIMIT} annotations are malformed, "
                    f"the first {first.where}: {first.problem}"
                )
        yield span


def _jsonl_records(lines):
    """(line number, record) for each line that is not blank; lines break at newlines only.

    Read one line at a time, so that a file refused at its first line never
    stands in memory as millions of records.
    """
    found, position = False, 0
    for number, line in enumerate(lines, 1):
        position += len(line)
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            _check_utf8(chain([line], lines), position - len(line))
            raise ImportFileError(f"line {number} is not JSON ({error.msg})") from error
        if not (isinstance(record, dict) and record.get("schema") == SCHEMA_NAME):
            raise ImportFileError(f"{NEITHER} (line {number} is no record of a native export)")
        found = True
        yield number, record
    if not found:
        raise ImportFileError(NEITHER)


def _check_utf8(chunks, position=0):
    """Whether text orjson refused is UTF-8 at all: asked only once parsing failed.

    ``chunks`` are the rest of the file, the first at byte ``position``.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in chain(chunks, [b""]):
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            at = position - held + error.start
            raise ImportFileError(f"the file is not UTF-8 text (byte {at})") from error
        position += len(chunk)


def _native_spans(numbered_records, unit):
    for number, record in numbered_records:
        where = f"{unit} {number}"
        if type(record) is not dict:
            yield Incoming(where, problem=f"it must be an object, not {KIND_WORDS[type(record)]}")
            continue
        problem = wrong_shape(record, NATIVE_ARTICLE_SHAPE)
        if problem:
            yield Incoming(where, problem=problem)
            continue
        if "body" in record or "reviews" in record:  # 1.4: the article itself comes first
            yield article_records.incoming(record, where, wrong_shape)
        for index, item in enumerate(record.get("annotations") or [], 1):
            yield _from_native(item, record.get("body_sha256"), f"{where}, annotation {index}")


def _from_native(item, body_sha256, where):
    if type(item) is not dict:
        return Incoming(where, problem=f"it must be an object, not {KIND_WORDS[type(item)]}")
    fields = item.get("fields") or {}
    problem = (
        wrong_shape(item, NATIVE_SPAN_SHAPE)
        or wrong_shape(fields, FIELDS_SHAPE, "fields.")
        or wrong_shape(fields.get("speaker") or {}, SPEAKER_SHAPE, "fields.speaker.")
        or wrong_shape(item.get("links") or {}, LINKS_SHAPE, "links.")
        or wrong_shape(item.get("provenance") or {}, PROVENANCE_SHAPE, "provenance.")
    )
    suggested_by = ""
    if not problem:
        problem, suggested_by = _engine_of(item.get("provenance") or {})
    if problem:
        return Incoming(where, problem=problem)
    return Incoming(
        where=where,
        key=str(item.get("id", where)),
        body_sha256=body_sha256,
        reviewer=item.get("reviewer"),
        layer=item.get("layer", RAW),
        label=item.get("label"),
        start=item.get("start"),
        end=item.get("end"),
        quote=item.get("quote"),
        prefix=item.get("prefix", ""),
        suffix=item.get("suffix", ""),
        note=item.get("note", ""),
        created=item.get("created"),
        fields={k: v for k, v in fields.items() if k in FIELD_NAMES},
        speaker=fields.get("speaker"),
        link=_str_or_none((item.get("links") or {}).get("attribution")),
        orphaned=item.get("orphaned", False),
        suggested_by=suggested_by,
    )


def _engine_of(provenance: dict) -> tuple[str, str]:
    """A native span's provenance as ``(problem, suggested_by)``: manual (or none given,
    as before 1.5) is ""; an accepted suggestion is "engine/version"."""
    origin = provenance.get("origin", "manual")
    if origin == "manual":
        return "", ""
    if origin != "suggestion":
        return f'its provenance.origin must be "manual" or "suggestion", not {_shown(origin)}', ""
    if "engine" not in provenance or "version" not in provenance:
        return "its provenance is a suggestion and must name its engine and version", ""
    return "", f"{provenance['engine']}/{provenance['version']}"


def _str_or_none(value):
    return None if value is None else str(value)


def _w3c_items(document):
    """Annotations in a W3C collection (embedded pages), a page, a list or one annotation.

    A list holds annotations, pages or collections, never further lists: the
    walk needs no recursion however deep the file nests.
    """
    for container in document if isinstance(document, list) else [document]:
        if type(container) is not dict:
            yield container  # refused by _from_w3c, with its number
            continue
        problem = wrong_shape(container, W3C_CONTAINER_SHAPE)
        if problem:
            raise ImportFileError(f"a W3C collection or page: {problem}")
        kinds = container.get("type")
        if "Annotation" in (kinds if isinstance(kinds, list) else [kinds]):
            yield container
            continue
        yield from container.get("items") or []
        page = container.get("first")
        while isinstance(page, dict):
            problem = wrong_shape(page, W3C_CONTAINER_SHAPE)
            if problem:
                raise ImportFileError(f"a W3C page: {problem}")
            yield from page.get("items") or []
            page = page.get("next")


def _from_w3c(item, where):
    if type(item) is not dict:
        return Incoming(where, problem=f"it must be an object, not {KIND_WORDS[type(item)]}")
    problem = _w3c_problem(item)
    if problem:
        return Incoming(where, problem=problem)
    target = item.get("target") or {}
    selectors = _as_list(target.get("selector"))
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), {})
    position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), {})
    bodies = _as_list(item.get("body"))
    label = next((b.get("value") for b in bodies if b.get("purpose") == "classifying"), None)
    note = next((b.get("value") for b in bodies if b.get("purpose") == "commenting"), "")
    source = target.get("source", "")
    agents = _as_list(item.get("creator"))
    engines = [agent for agent in agents if agent.get("id", "").startswith(ENGINE_PREFIX)]
    creator = next((agent for agent in agents if agent not in engines), {})
    fields = item.get("nra:fields") or {}
    if not fields:
        for body in bodies:
            name, _, value = body.get("value", "").partition(":")
            if body.get("purpose") == "tagging" and name in FIELD_NAMES:
                fields[name] = value
    return Incoming(
        where=where,
        key=str(item.get("id", where)),
        body_sha256=source.removeprefix("urn:sha256:"),
        reviewer=creator.get("nickname") or creator.get("name"),
        layer=item.get("nra:layer", Layer.RAW),
        label=label,
        start=position.get("start"),
        end=position.get("end"),
        quote=quote.get("exact"),
        prefix=quote.get("prefix", ""),
        suffix=quote.get("suffix", ""),
        note=note,
        created=item.get("created"),
        fields={k: v for k, v in fields.items() if k in FIELD_NAMES},
        speaker=fields.get("speaker"),
        link=_str_or_none((item.get("nra:links") or {}).get("attribution")),
        orphaned=item.get("nra:orphaned", False),
        suggested_by=engines[0]["id"].removeprefix(ENGINE_PREFIX) if engines else "",
    )


def _w3c_problem(item):
    """The first field of a W3C annotation (its target, selectors, bodies...) of the wrong type."""
    problem = wrong_shape(item, W3C_SPAN_SHAPE)
    if problem:
        return problem
    target, fields = item.get("target") or {}, item.get("nra:fields") or {}
    return (
        wrong_shape(target, W3C_TARGET_SHAPE, "target.")
        or _wrong_items(_as_list(target.get("selector")), W3C_SELECTOR_SHAPE, "target.selector")
        or _wrong_items(_as_list(item.get("body")), W3C_BODY_SHAPE, "body")
        or _wrong_creators(item.get("creator"))
        or wrong_shape(fields, FIELDS_SHAPE, "nra:fields.")
        or wrong_shape(fields.get("speaker") or {}, SPEAKER_SHAPE, "nra:fields.speaker.")
        or wrong_shape(item.get("nra:links") or {}, LINKS_SHAPE, "nra:links.")
    )


def _wrong_creators(creator) -> str:
    """The first field of the W3C creator (one agent, or a list of them) of the wrong type."""
    if isinstance(creator, list):
        return _wrong_items(creator, W3C_CREATOR_SHAPE, "creator")
    return wrong_shape(creator or {}, W3C_CREATOR_SHAPE, "creator.")


def _as_list(value):
    """A JSON-LD value that may stand alone or in a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- checking


class SpeakerIndex:
    """Speakers by folded name and alias, read once per import."""

    def __init__(self):
        self.by_name = {}
        for speaker in Speaker.objects.all():
            self.add(speaker)

    def add(self, speaker):
        for name in (speaker.name, *speaker.aliases):
            self.by_name.setdefault(name.casefold(), speaker)

    def find(self, name):
        return self.by_name.get(name.casefold())


def text_validators(model, name):
    """What the API and the model refuse in a text field: NUL characters (as every form and
    serializer does), more than its ``max_length``, anything its own validators refuse."""
    field = model._meta.get_field(name)
    return [*field.formfield().validators, *field.validators]


def limit_problem(validators, value, label):
    """The first of ``validators`` that refuses ``value``, as "label: reason"; "" if none."""
    if value == "":  # no limit refuses an empty text (most notes and speakers are)
        return ""
    for validator in validators:
        try:
            validator(value)
        except ValidationError as error:
            return f"{label}: {' '.join(error.messages)}"
    return ""


USERNAME_VALIDATORS = text_validators(get_user_model(), get_user_model().USERNAME_FIELD)
NOTE_VALIDATORS = text_validators(Annotation, "note")
ENGINE_VALIDATORS = text_validators(Annotation, "suggested_by")
SPEAKER_NAME_VALIDATORS = text_validators(Speaker, "name")
BODY_HASH = re.compile("[0-9a-f]{64}")
STORED_ID = re.compile(rf"(?:{re.escape(VOCAB_PREFIX)}annotation:)?([0-9]{{1,18}})")


BATCH_SPANS = 5000  # spans checked and written together, whole articles at a time


@dataclass
class Summary:
    """What an import did, or would do, with every problem it found."""

    read: int = 0
    problems: list = field(default_factory=list)
    new_reviewers: set = field(default_factory=set)
    new_speakers: set = field(default_factory=set)
    skipped_orphans: list = field(default_factory=list)
    unlinked: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def take(self, result: Plan):
        self.problems += result.problems
        self.new_reviewers |= result.new_reviewers
        self.new_speakers |= result.new_speakers
        self.skipped_orphans += result.skipped_orphans
        self.unlinked += result.unlinked
        for what in ("created", "updated", "unchanged", "reanchored"):
            self.counts[what] += result.count(what)


def plan(spans: list[Incoming]) -> Plan:
    """Check every span against the database without writing anything, as one batch.

    Orphans (spans whose quote their body no longer holds, exported without
    offsets) are skipped, each named; a link to one is kept where the orphan is
    stored here, and cleared otherwise, each span named.
    """
    with closing(Importer()) as importer:
        result = importer.plan(spans)
        importer.settle(result)
    return result


def run(spans, *, dry_run=False, progress=None, keep_ids=False) -> Summary:
    """Check and write ``spans`` batch by batch, all in one transaction; return what it did.

    ``spans`` may hold the article records of a 1.4 file
    (:class:`~annotator.article_records.IncomingArticle`), each before its
    spans. Any problem in the file, or a dry run, rolls the whole transaction
    back: the summary then names every bad span and says what the import would
    do. ``progress``, if given, is called with each batch's count of records.
    ``keep_ids``: articles and sources created take the file's ids (for an
    empty database whose caller rolls the work back: ``recompute_profiles``).
    """
    with transaction.atomic(), closing(Importer(keep_ids)) as importer:
        batches = article_runs(spans, BATCH_SPANS)
        batch = next(batches, None)
        while batch is not None:
            importer.add(batch)
            if progress is not None:
                progress(len(batch))
            with importer.recording():  # the batch's history and keys, while the next is read
                batch = next(batches, None)
        importer.finish(refresh_figures=not dry_run)
        if importer.summary.problems or dry_run:
            transaction.set_rollback(True)
    return importer.summary


def article_runs(spans, size):
    """Lists of about ``size`` spans in file order, cut only where the article changes."""
    batch, article = [], None
    for span in spans:
        if len(batch) >= size and span.body_sha256 not in (article, None):
            yield batch
            batch = []
        batch.append(span)
        article = span.body_sha256 or article
    if batch:
        yield batch


@dataclass
class Found:
    """What one batch's checks read: the stored rows its spans name, and the batch's own ids."""

    articles: dict = field(default_factory=dict)
    by_key: dict = field(default_factory=dict)
    key_counts: Counter = field(default_factory=Counter)
    earlier: dict = field(default_factory=dict)  # entries of ids that earlier batches had
    stored: dict = field(default_factory=dict)  # stored spans by the links that name them
    existing: dict = field(default_factory=dict)  # stored spans by identity
    ours: set = field(default_factory=set)  # the pks of those that earlier batches wrote
    orphans: dict = field(default_factory=dict)

    def target(self, link):
        """The span a link names: in this batch, in an earlier one, or stored (None if none)."""
        if link in self.by_key:
            return self.by_key[link]
        entry = self.earlier.get(link)
        if entry is not None and not entry.orphaned:
            return StoredTarget(
                entry.pk, entry.label, entry.body_sha256, entry.reviewer, entry.layer
            )
        return self.stored.get(link)

    def orphan(self, link):
        entry = self.earlier.get(link)
        return link in self.orphans or (entry is not None and entry.orphaned)


class Importer:
    """One import, batch after batch of whole articles, and what its batches share.

    Every span's id is kept, with what a link to it needs, in a scratch index
    on disk (:class:`bulksql.ScratchIndex`): a million of them would not fit
    the memory an import may take. A link to a span further on in the file
    waits until the end (:meth:`settle`); a batch is written only while no
    problem has been found, so that every problem can still be named.
    """

    def __init__(self, keep_ids=False):
        self.keep_ids = keep_ids
        self.keys = bulksql.ScratchIndex(
            ("place", "label", "body_sha256", "reviewer", "layer", "pk", "orphaned", "refused"),
            indexed=("pk",),
        )
        self.users, self.name_problems = {}, {}
        self.speakers = SpeakerIndex()
        self.summary = Summary()
        self.touched = set()  # ids of the articles written to
        self.pending = []  # planned spans whose link waits for the end
        self.unrecorded = []  # ids of spans written without their history row yet
        self.unindexed = []  # scratch index rows of the spans taken, not added yet
        self.adapt_time = connection.ops.adapt_datetimefield_value
        self.stamp = self.adapt_time(timezone.now())

    def close(self):
        self.keys.close()

    @contextmanager
    def recording(self):
        """The spans taken since: their history rows written and foreign keys checked by
        the server while the block runs (see :func:`bulksql.meanwhile`), and meanwhile
        their ids noted in the scratch index, which the next batch's checks read."""
        ids, self.unrecorded = self.unrecorded, []
        with bulksql.meanwhile():
            bulksql.copy_history(Annotation, ids, "+", None, self.stamp)
            bulksql.check_deferred_keys()
            self.keys.add(self.unindexed)
            self.unindexed = []
            yield

    def add(self, records: list):
        """Check one batch and, while the file has shown no problem, write it.

        The batch's new articles are created first, problems or not (their spans
        are checked against them; a problem rolls everything back at the end).
        """
        articles = [r for r in records if isinstance(r, IncomingArticle)]
        spans = [r for r in records if not isinstance(r, IncomingArticle)]
        stored = self._store_articles(articles)
        self.summary.read += len(spans)
        result = self.plan(spans)
        self.pending += [planned for planned in result.spans if planned.later]
        result.spans = [planned for planned in result.spans if not planned.later]
        self._take(result, spans)
        if not self.summary.problems:
            for item, article in stored:
                article_records.store_verdicts(article, item.record, self.users)

    def _store_articles(self, items) -> list:
        """(record, article) for each good article record, creating those not stored yet;
        the rest named as problems, with each of their reviews' and adjudication's."""
        problems, good = self.summary.problems, []
        hashes = {item.body_sha256 for item in items if _is_body_hash(item.body_sha256)}
        stored = {a.body_sha256: a for a in Article.objects.filter(body_sha256__in=hashes)}
        for item in items:
            problem = item.problem or article_records.article_problem(item)
            if problem:
                problems.append(f"{item.where}: {problem}")
                continue
            verdicts = self._verdict_problems(item)
            problems += verdicts
            article = stored.get(item.body_sha256)
            if article is None:
                article = stored[item.body_sha256] = article_records.store_article(
                    item, self.keep_ids
                )
                self.summary.counts["articles created"] += 1
            if not verdicts:
                good.append((item, article))
        return good

    def _verdict_problems(self, item) -> list:
        """Each bad review or adjudication of the record, named; accounts for the good names."""
        record, where = item.record, item.where
        self._know_reviewers(article_records.people(record))
        name_problem = self.name_problems.__getitem__
        problems = [
            f"{where}, review {number}: {problem}"
            for number, review in enumerate(record.get("reviews") or [], 1)
            if (problem := article_records.review_problem(review, name_problem))
        ]
        adjudication = record.get("adjudication")
        if adjudication is not None:
            problem = article_records.adjudication_problem(adjudication, name_problem)
            if problem:
                problems.append(f"{where}, adjudication: {problem}")
        if not problems and not self.summary.problems:
            self._add_reviewers(article_records.people(record))
        return problems

    def finish(self, refresh_figures=True):
        """Settle and write the spans whose link waited; then the figures of every article."""
        result = Plan(spans=self.pending)
        self.pending = []
        self.settle(result)
        self._take(result, [])
        with self.recording():
            pass
        if refresh_figures and not self.summary.problems:
            # Bulk writes send no signals: bring the precomputed figures up to date here.
            storage.refresh(self.touched, with_agreement=True)

    def _take(self, result, spans):
        self.summary.take(result)
        ids = self._write(result.spans) if not self.summary.problems else {}
        refused = {problem.split(": ", 1)[0] for problem in result.problems}
        self.unindexed += [
            (
                *(span.key, span.where, span.label, span.body_sha256),
                *(span.reviewer, span.layer, ids.get(span.key), span.orphaned),
                span.where in refused,
            )
            for span in spans
            if not span.problem
        ]

    def plan(self, spans: list[Incoming]) -> Plan:
        """Check a batch against the database, the batches before it and itself."""
        result = Plan()
        orphans = {span.key: span for span in spans if span.orphaned and not span.problem}
        result.skipped_orphans = [span.where for span in orphans.values()]
        spans = [span for span in spans if not (span.orphaned and not span.problem)]
        found = self._find(spans, orphans, result)
        seen = set()
        for span in spans:
            checked = self._check(span, found, seen, result)
            if isinstance(checked, Planned):
                result.spans.append(checked)
            else:
                result.problems.append(f"{span.where}: {checked}")
        return result

    def _find(self, spans, orphans, result) -> Found:
        # Only values that can be stored are looked up (PostgreSQL refuses NUL characters).
        hashes = {s.body_sha256 for s in spans if _is_body_hash(s.body_sha256)}
        articles = {a.body_sha256: a for a in Article.objects.filter(body_sha256__in=hashes)}
        self._know_reviewers({s.reviewer for s in spans if isinstance(s.reviewer, str)})
        users = [self.users[s.reviewer] for s in spans if s.reviewer in self.users]
        by_key = {span.key: span for span in spans}
        key_counts = Counter(span.key for span in spans)
        links = {span.link for span in spans if span.link is not None} - set(by_key)
        earlier = self.keys.get([*key_counts, *links])
        self._name_first_of_repeated(key_counts, earlier, result)
        unknown = (link for link in links if link not in earlier or earlier[link].orphaned)
        existing = {
            (a.article_id, a.reviewer.username, a.layer, a.label, a.start, a.end): a
            for a in Annotation.objects.filter(
                article__in=list(articles.values()), reviewer__in=set(users)
            ).select_related("reviewer", "speaker")
        }
        again = [a.pk for a in existing.values() if a.article_id in self.touched]
        ours = self.keys.present("pk", again) if again else set()
        return Found(
            articles=articles,
            by_key=by_key,
            key_counts=key_counts,
            earlier=earlier,
            stored=_stored_targets(unknown),
            existing=existing,
            ours=ours,
            orphans=orphans,
        )

    def _know_reviewers(self, names):
        """Each new reviewer name checked once, and its user looked up."""
        new = names - set(self.name_problems)
        self.name_problems.update((name, _reviewer_problem(name)) for name in new)
        valid = [name for name in new if not self.name_problems[name]]
        if valid:
            self.users.update(
                (user.username, user)
                for user in get_user_model().objects.filter(username__in=valid)
            )

    def _name_first_of_repeated(self, key_counts, earlier, result):
        """An id of this batch that a span of an earlier batch had: that span is named too."""
        repeated = [
            key
            for key in key_counts
            if key in earlier and not earlier[key].orphaned and not earlier[key].refused
        ]
        for key in repeated:
            result.problems.append(f"{earlier[key].place}: {_repeated(key)}")
        self.keys.set(repeated, "refused", True)

    def _check(self, span, found, seen, result):
        """The span as planned, or what is wrong with it."""
        created = _created(span.created)
        problem = (
            span.problem
            or _shape_problem(span, created)
            or _limits_problem(span, self.name_problems)
        )
        if problem:
            return problem
        earlier = found.earlier.get(span.key)
        if found.key_counts[span.key] > 1 or (earlier is not None and not earlier.orphaned):
            return _repeated(span.key)
        article = found.articles.get(span.body_sha256)
        if article is None:
            return f"no stored article has the body hash {span.body_sha256[:12]}…"
        placed = _place(article.body, span)
        if placed is None:
            return (
                f"the quote {span.quote[:40]!r} is not in the article body, "
                "neither at its offsets nor anywhere its context fits"
            )
        start, end = placed
        identity = (article.id, span.reviewer, span.layer, span.label, start, end)
        existing = found.existing.get(identity)
        if identity in seen or (existing is not None and existing.pk in found.ours):
            return "the file holds this span twice"
        seen.add(identity)
        target = found.target(span.link) if span.link is not None else None
        if span.link is not None and target is None and found.orphan(span.link):
            span = replace(span, link=None)
            result.unlinked.append(span.where)
        later = target is None and span.link is not None and span.label != Label.ATTRIBUTION
        problem = ("" if later else _link_problem(span, target)) or _field_problem(span)
        if problem:
            return problem
        self._note_new_people(span, result)
        planned = Planned(
            span,
            article,
            start,
            end,
            reanchored=(start, end) != (span.start, span.end),
            created=created,
            stored_link=target.pk if isinstance(target, StoredTarget) else None,
            existing=existing,
            later=later,
        )
        if existing is not None:
            planned.changed = _differs(existing, span)
        return planned

    def _note_new_people(self, span, result):
        if span.reviewer not in self.users:
            result.new_reviewers.add(span.reviewer)
        name = (span.speaker or {}).get("name")
        if name and not self.speakers.find(name):
            result.new_speakers.add(name)

    def settle(self, result: Plan):
        """Check the links that waited for the rest of the file: each names a span of the file,
        now that all of it has been read, or a stored one, or is a problem."""
        waiting = [planned for planned in result.spans if planned.later]
        links = {planned.incoming.link for planned in waiting}
        entries = self.keys.get(links)
        found = Found(earlier=entries, stored=_stored_targets(links))
        result.spans = [planned for planned in result.spans if not planned.later]
        for planned in waiting:
            span, target = planned.incoming, found.target(planned.incoming.link)
            if target is None and found.orphan(span.link):
                planned.incoming = replace(span, link=None)
                result.unlinked.append(span.where)
            elif problem := _link_problem(span, target):
                result.problems.append(f"{span.where}: {problem}")
                continue
            else:
                planned.stored_link = target.pk
            planned.later = False
            result.spans.append(planned)

    def _write(self, spans):
        """Write planned spans: new ones as plain bulk inserts, whose history rows
        :meth:`recording` adds; return the pk of each span by its id in the file.

        Attributions go in first, so that claims and opinions are inserted with
        their links; spans already stored are updated through the ORM, history
        included.
        """
        self._add_reviewers({planned.incoming.reviewer for planned in spans})
        ids, updated = {}, []
        for planned in spans:
            if planned.existing is not None:
                ids[planned.incoming.key] = planned.existing.pk
                if planned.changed:
                    _rewrite(planned.existing, planned.incoming, self.speakers)
                    updated.append(planned.existing)
        new = [planned for planned in spans if planned.existing is None]
        attributions = [p for p in new if p.incoming.label == Label.ATTRIBUTION]
        others = [p for p in new if p.incoming.label != Label.ATTRIBUTION]
        for wave in (attributions, others):
            rows = [self._new_row(planned, ids) for planned in wave]
            stored = bulksql.insert_returning_ids(Annotation, rows)
            for planned, pk in zip(wave, stored, strict=True):
                ids[planned.incoming.key] = pk
            self.unrecorded += stored
        # Spans already stored may link to attributions that only now have an id.
        linked, rewritten = [], {id(annotation) for annotation in updated}
        for planned in spans:
            annotation = planned.existing
            target = _linked_id(planned, ids)
            if annotation is not None and annotation.attribution_id != target:
                annotation.attribution_id = target
                if id(annotation) not in rewritten:
                    linked.append(annotation)
        if updated:
            bulk_update_with_history(updated, Annotation, UPDATED_FIELDS, batch_size=2000)
        if linked:
            bulk_update_with_history(linked, Annotation, ["attribution"], batch_size=2000)
        self.touched.update(planned.article.id for planned in spans)
        return ids

    def _new_row(self, planned, ids):
        """A new span's columns, values adapted for the database."""
        span, body, created = planned.incoming, planned.article.body, planned.created
        prefix, suffix = text.context(body, planned.start, planned.end)
        speaker = _speaker_for(span.speaker, self.speakers)
        return {
            "article_id": planned.article.id,
            "reviewer_id": self.users[span.reviewer].id,
            "layer": span.layer,
            "label": span.label,
            "start": planned.start,
            "end": planned.end,
            "quote": body[planned.start : planned.end],
            "prefix": prefix,
            "suffix": suffix,
            "note": span.note,
            "created": self.adapt_time(created) if created else self.stamp,
            "updated": self.stamp,
            **{name: span.fields.get(name, DEFAULTS[name]) for name in FIELD_NAMES},
            "speaker_id": speaker.pk if speaker else None,
            "attribution_id": _linked_id(planned, ids),
            "orphaned": False,
            "suggested_by": span.suggested_by,
            "adjudicated_from_id": None,
        }

    def _add_reviewers(self, names):
        """An account, without a usable password, for each reviewer not stored yet."""
        missing = sorted(names - set(self.users))
        if missing:
            reviewers_group = Group.objects.get_or_create(name=REVIEWERS_GROUP)[0]
        for name in missing:
            self.users[name] = get_user_model().objects.create_user(username=name)
            self.users[name].groups.add(reviewers_group)


def _repeated(key):
    return f"its id {key[:40]} is also the id of another annotation in the file"


@dataclass(frozen=True, slots=True)
class StoredTarget:
    """A stored span a link in the file points to, as the link rule compares it."""

    pk: int
    label: str
    body_sha256: str
    reviewer: str
    layer: str


def _stored_targets(links):
    """Stored spans by the links that name them (a native id, or a W3C annotation id)."""
    by_pk = {}
    for link in links:
        match = STORED_ID.fullmatch(link) if link is not None else None
        if match:
            by_pk.setdefault(int(match[1]), set()).add(link)
    pks, targets = list(by_pk), {}
    for first in range(0, len(pks), LOOKUP_BATCH):
        found = Annotation.objects.filter(pk__in=pks[first : first + LOOKUP_BATCH]).values_list(
            "pk", "label", "article__body_sha256", "reviewer__username", "layer"
        )
        targets.update((link, StoredTarget(*row)) for row in found for link in by_pk[row[0]])
    return targets


def _shape_problem(span: Incoming, created) -> str:
    """What the span lacks or holds out of range; ``created`` is its time as read."""
    if not _is_body_hash(span.body_sha256):
        return "it names no article body hash (64 lowercase hexadecimal digits)"
    if not isinstance(span.reviewer, str) or not span.reviewer.strip():
        return "it names no reviewer"
    if span.label not in LABELS:
        return f"its label {_shown(span.label)} is not one of claim, opinion, attribution"
    if span.layer not in LAYERS:
        return f"its layer {_shown(span.layer)} is not raw or adjudicated"
    if not span.quote:
        return "it has no quote"
    for name in ("start", "end"):
        value = getattr(span, name)
        if value is None or value < 0:
            return f"its {name} is not a whole number of code points"
    if span.start >= span.end:
        return "its start is not before its end"
    if span.created is not None and created is None:
        return "its created is not a date and time such as 2025-05-28T09:30:00+00:00"
    return ""


def _is_body_hash(value):
    return isinstance(value, str) and BODY_HASH.fullmatch(value) is not None


def _reviewer_problem(name):
    """What the user model refuses in a username, or stores otherwise than written (NFKC)."""
    stored = get_user_model().normalize_username(name)
    if stored != name:
        return f"reviewer: usernames are stored in Unicode form NFKC, {_shown(stored)} here."
    return limit_problem(USERNAME_VALIDATORS, name, "reviewer")


def _shown(value):
    """A value of the file in a message: quoted, at most 40 characters of it."""
    return repr(value if value is None else value[:40])


def _limits_problem(span: Incoming, name_problems: dict) -> str:
    """Values the API and the model would refuse: NUL characters, too long, no valid username
    (``name_problems``: each reviewer's name checked once)."""
    return (
        name_problems[span.reviewer]
        or limit_problem(NOTE_VALIDATORS, span.note, "note")
        or limit_problem(ENGINE_VALIDATORS, span.suggested_by, "provenance")
        or limit_problem(SPEAKER_NAME_VALIDATORS, (span.speaker or {}).get("name", ""), "speaker")
    )


def _created(value):
    """``created`` as an aware time (a time without offset is UTC); None if it names none."""
    if value is None:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # no such day or hour; a year past 9999 in UTC
        return None


def _link_problem(span, target):
    """The link rule: a claim or opinion links to an attribution of its article, reviewer and
    layer, whether that attribution (``target``) comes in the same file or is stored."""
    if span.link is None:
        return ""
    if span.label == Label.ATTRIBUTION:
        return "attribution: an attribution links to nothing."
    if target is None:
        return f"attribution: it links to {span.link[:60]}, neither in the file nor stored."
    if target.label != Label.ATTRIBUTION:
        return "attribution: A link must point to an attribution."
    if target.body_sha256 != span.body_sha256:
        return "attribution: The linked attribution belongs to another article."
    if (target.reviewer, target.layer) != (span.reviewer, span.layer):
        return "attribution: The linked attribution belongs to another reviewer or layer."
    return ""


def _field_problem(span):
    """Fields of the wrong label or with unknown values, as the model's validation words them.

    Plain checks on the parsed values: a model instance and its full validation
    per span cost more than the rest of an import.
    """
    if span.speaker is not None and "name" not in span.speaker:
        return "its speaker is not a record with a name"
    problems = []
    own = LABEL_FIELDS[span.label]
    for name, value in span.fields.items():
        if value is None or value == "":
            continue
        if name not in own:
            problems.append(f"{name}: {name} is not a field of a {span.label}.")
        elif name in CHOICES and value not in CHOICES[name]:
            problems.append(f"{name}: Value {_shown(value)} is not a valid choice.")
        elif name in BOOLEANS and not isinstance(value, bool):
            problems.append(f"{name}: “{value[:40]}” value must be either True or False.")
    if span.speaker and span.label != Label.ATTRIBUTION:
        problems.append(f"speaker: speaker is not a field of a {span.label}.")
    return "; ".join(problems)


def _place(body, span):
    """The span's offsets: as given if the quote is there, else re-anchored, else None."""
    if body[span.start : span.end] == span.quote:
        return span.start, span.end
    start = text.reanchor(body, span.quote, span.prefix, span.suffix, span.start)
    return None if start is None else (start, start + len(span.quote))


def _differs(existing, span):
    if existing.note != span.note:
        return True
    for name in FIELD_NAMES:
        if name in span.fields and getattr(existing, name) != span.fields[name]:
            return True
    speaker_name = (span.speaker or {}).get("name")
    current = existing.speaker.name if existing.speaker_id else None
    return speaker_name != current and not (
        speaker_name and existing.speaker_id and speaker_name in existing.speaker.aliases
    )


# ---------------------------------------------------------------- writing


UPDATED_FIELDS = ["note", "speaker", "attribution", *FIELD_NAMES]


def _rewrite(annotation, span, speakers):
    annotation.note = span.note
    for name in FIELD_NAMES:
        setattr(annotation, name, span.fields.get(name, DEFAULTS[name]))
    annotation.speaker = _speaker_for(span.speaker, speakers)
    annotation.anchor()


def _linked_id(planned, ids):
    """The pk of the attribution a span links to: stored already, or written by this import."""
    if planned.incoming.link is None:
        return None
    return planned.stored_link if planned.stored_link is not None else ids[planned.incoming.link]


def _speaker_for(record, speakers):
    if not record or not record.get("name"):
        return None
    speaker = speakers.find(record["name"])
    if speaker is None:
        affiliation = record.get("affiliation")
        speaker = Speaker.objects.create(
            name=record["name"],
            affiliation=affiliation if affiliation in Affiliation.values else Affiliation.UNKNOWN,
        )
        speakers.add(speaker)
    return speaker
