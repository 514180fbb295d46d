"""Importing annotations from any of the three export formats.

Reading (:func:`parse`) turns a file into plain :class:`Incoming` spans;
:func:`plan` checks every one against the stored articles (re-anchoring by
quote and context when the offsets no longer fit) and collects every problem;
:func:`apply` writes a plan in one transaction, and only a plan with no
problems. Importing the same file twice changes nothing the second time.
"""

import codecs
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import orjson
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_update_with_history

from . import bulksql, tallies, text
from .exporting import SCHEMA_NAME, VOCAB_PREFIX
from .models import (
    ALL_LABEL_FIELDS,
    LABEL_FIELDS,
    REVIEWERS_GROUP,
    Affiliation,
    Annotation,
    Article,
    Label,
    Layer,
    Speaker,
)

FIELD_NAMES = tuple(name for name in ALL_LABEL_FIELDS if name not in ("speaker", "attribution"))
CHOICES = {
    name: {value for value, _ in Annotation._meta.get_field(name).choices}
    for name in FIELD_NAMES
    if Annotation._meta.get_field(name).choices
}
DEFAULTS = {name: Annotation._meta.get_field(name).get_default() for name in FIELD_NAMES}
BOOLEANS = {
    name for name in FIELD_NAMES if isinstance(Annotation._meta.get_field(name), BooleanField)
}
LABELS, LAYERS = frozenset(Label.values), frozenset(Layer.values)
RAW = Layer.RAW.value
ARTICLE_BATCH = 500
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
    problem: str = ""


@dataclass
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
}
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
    "creator": (dict, NULL),
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
W3C_CREATOR_SHAPE = {"name": (str,), "nickname": (str,)}


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
    """(format, spans) from the bytes of an export in any of the three formats.

    orjson reads the bytes as they are (it checks the UTF-8 itself): decoding
    a large export to a string first took as long as parsing it. A span whose
    record has a field of the wrong type comes back with its ``problem``;
    more than :data:`REFUSED_LIMIT` of them stop the reading.
    """
    content = raw.removeprefix(codecs.BOM_UTF8)
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        return "jsonl", _within_limit(_native_spans(_jsonl_records(content), "line"))
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


def _within_limit(spans):
    """The spans as a list, unless more than :data:`REFUSED_LIMIT` of them are malformed."""
    kept, refused = [], []
    for span in spans:
        if span.problem:
            refused.append(span)
            if len(refused) > REFUSED_LIMIT:
                first = refused[0]
                raise ImportFileError(
                    f"more than {REFUSED_LIMIT} annotations are malformed, "
                    f"the first {first.where}: {first.problem}"
                )
        kept.append(span)
    return kept


def _jsonl_records(content: bytes):
    """(line number, record) for each line that is not blank; lines break at newlines only.

    Read one line at a time, so that a file refused at its first line never
    stands in memory as millions of records.
    """
    found = False
    for number, line in enumerate(io.BytesIO(content), 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            _check_utf8(content)
            raise ImportFileError(f"line {number} is not JSON ({error.msg})") from error
        if not (isinstance(record, dict) and record.get("schema") == SCHEMA_NAME):
            raise ImportFileError(f"{NEITHER} (line {number} is no record of a native export)")
        found = True
        yield number, record
    if not found:
        raise ImportFileError(NEITHER)


def _check_utf8(content: bytes):
    """Whether text orjson refused is UTF-8 at all: asked only once parsing failed."""
    try:
        content.decode()
    except UnicodeDecodeError as error:
        raise ImportFileError(f"the file is not UTF-8 text (byte {error.start})") from error


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
    )
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
    )


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
    creator = item.get("creator") or {}
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
        or wrong_shape(item.get("creator") or {}, W3C_CREATOR_SHAPE, "creator.")
        or wrong_shape(fields, FIELDS_SHAPE, "nra:fields.")
        or wrong_shape(fields.get("speaker") or {}, SPEAKER_SHAPE, "nra:fields.speaker.")
        or wrong_shape(item.get("nra:links") or {}, LINKS_SHAPE, "nra:links.")
    )


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
    for validator in validators:
        try:
            validator(value)
        except ValidationError as error:
            return f"{label}: {' '.join(error.messages)}"
    return ""


USERNAME_VALIDATORS = text_validators(get_user_model(), get_user_model().USERNAME_FIELD)
NOTE_VALIDATORS = text_validators(Annotation, "note")
SPEAKER_NAME_VALIDATORS = text_validators(Speaker, "name")
BODY_HASH = re.compile("[0-9a-f]{64}")
STORED_ID = re.compile(rf"(?:{re.escape(VOCAB_PREFIX)}annotation:)?([0-9]{{1,18}})")


def plan(spans: list[Incoming]) -> Plan:
    """Check every span against the database without writing anything.

    Orphans (spans whose quote their body no longer holds, exported without
    offsets) are skipped, each named; a link to one is kept where the orphan is
    stored here, and cleared otherwise, each span named.
    """
    result = Plan()
    orphans = {span.key: span for span in spans if span.orphaned and not span.problem}
    result.skipped_orphans = [span.where for span in orphans.values()]
    spans = [span for span in spans if not (span.orphaned and not span.problem)]
    # Only values that can be stored are looked up (PostgreSQL refuses NUL characters).
    hashes = {s.body_sha256 for s in spans if _is_body_hash(s.body_sha256)}
    articles = {a.body_sha256: a for a in Article.objects.filter(body_sha256__in=hashes)}
    names = {s.reviewer for s in spans if isinstance(s.reviewer, str)}
    name_problems = {name: _reviewer_problem(name) for name in names}
    valid_names = [name for name, problem in name_problems.items() if not problem]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=valid_names)}
    speakers = SpeakerIndex()
    by_key = {span.key: span for span in spans}
    key_counts = Counter(span.key for span in spans)
    stored_targets = _stored_targets(span.link for span in spans if span.link not in by_key)
    existing = {
        (a.article_id, a.reviewer.username, a.layer, a.label, a.start, a.end): a
        for a in Annotation.objects.filter(
            article__in=list(articles.values()), reviewer__in=list(users.values())
        ).select_related("reviewer", "speaker")
    }
    seen = set()
    for span in spans:
        created = _created(span.created)
        problem = (
            span.problem or _shape_problem(span, created) or _limits_problem(span, name_problems)
        )
        if not problem and key_counts[span.key] > 1:
            problem = f"its id {span.key[:40]} is also the id of another annotation in the file"
        if problem:
            result.problems.append(f"{span.where}: {problem}")
            continue
        article = articles.get(span.body_sha256)
        if article is None:
            result.problems.append(
                f"{span.where}: no stored article has the body hash {span.body_sha256[:12]}…"
            )
            continue
        placed = _place(article.body, span)
        if placed is None:
            result.problems.append(
                f"{span.where}: the quote {span.quote[:40]!r} is not in the article body, "
                "neither at its offsets nor anywhere its context fits"
            )
            continue
        start, end = placed
        identity = (article.id, span.reviewer, span.layer, span.label, start, end)
        if identity in seen:
            result.problems.append(f"{span.where}: the file holds this span twice")
            continue
        seen.add(identity)
        stored_link = stored_targets.get(span.link) if span.link not in by_key else None
        if span.link in orphans and stored_link is None:
            span = replace(span, link=None)
            result.unlinked.append(span.where)
        problem = _link_problem(span, by_key.get(span.link), stored_link) or _field_problem(span)
        if problem:
            result.problems.append(f"{span.where}: {problem}")
            continue
        if span.reviewer not in users:
            result.new_reviewers.add(span.reviewer)
        if span.speaker and span.speaker.get("name") and not speakers.find(span.speaker["name"]):
            result.new_speakers.add(span.speaker["name"])
        planned = Planned(
            span,
            article,
            start,
            end,
            reanchored=(start, end) != (span.start, span.end),
            created=created,
            stored_link=stored_link.pk if stored_link else None,
        )
        planned.existing = existing.get(identity)
        if planned.existing is not None:
            planned.changed = _differs(planned.existing, span)
        result.spans.append(planned)
    return result


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


def _link_problem(span, in_file, stored):
    """The link rule: a claim or opinion links to an attribution of its article, reviewer and
    layer, whether that attribution comes in the same file (``in_file``) or is ``stored``."""
    if span.link is None:
        return ""
    if span.label == Label.ATTRIBUTION:
        return "attribution: an attribution links to nothing."
    target = in_file or stored
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


@transaction.atomic
def apply(result: Plan) -> dict:
    """Write a checked plan: new spans as plain bulk inserts, each with its history row.

    Attributions go in first, so that claims and opinions are inserted with
    their links; spans already stored are updated through the ORM, history
    included. Then the precomputed figures of every article touched.
    """
    if result.problems:
        raise ValueError("A plan with problems is never applied.")
    reviewers_group = Group.objects.get_or_create(name=REVIEWERS_GROUP)[0]
    names = {planned.incoming.reviewer for planned in result.spans}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    for name in sorted(names - set(users)):
        users[name] = get_user_model().objects.create_user(username=name)  # no usable password
        users[name].groups.add(reviewers_group)
    speakers = SpeakerIndex()
    ids, updated = {}, []
    for planned in result.spans:
        if planned.existing is not None:
            ids[planned.incoming.key] = planned.existing.pk
            if planned.changed:
                _rewrite(planned.existing, planned.incoming, speakers)
                updated.append(planned.existing)
    new = [planned for planned in result.spans if planned.existing is None]
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    for batch in _article_batches(new):
        attributions = [p for p in batch if p.incoming.label == Label.ATTRIBUTION]
        others = [p for p in batch if p.incoming.label != Label.ATTRIBUTION]
        for wave in (attributions, others):
            stored = bulksql.insert_returning_ids(
                Annotation, [_new_row(planned, users, speakers, ids, stamp) for planned in wave]
            )
            for planned, pk in zip(wave, stored, strict=True):
                ids[planned.incoming.key] = pk
            bulksql.copy_history(Annotation, stored, "+", None, stamp)
    # Spans already stored may link to attributions that only now have an id.
    linked, rewritten = [], {id(annotation) for annotation in updated}
    for planned in result.spans:
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
    # Bulk writes send no signals: bring the precomputed figures up to date here.
    tallies.refresh({planned.article.id for planned in result.spans}, with_agreement=True)
    return {what: result.count(what) for what in ("created", "updated", "unchanged", "reanchored")}


def _rewrite(annotation, span, speakers):
    annotation.note = span.note
    for name in FIELD_NAMES:
        setattr(annotation, name, span.fields.get(name, DEFAULTS[name]))
    annotation.speaker = _speaker_for(span.speaker, speakers)
    annotation.anchor()


def _article_batches(planned_spans):
    """The spans grouped by article, ARTICLE_BATCH articles at a time (links stay inside one)."""
    by_article = {}
    for planned in planned_spans:
        by_article.setdefault(planned.article.id, []).append(planned)
    for groups in bulksql.batches(by_article.values(), ARTICLE_BATCH):
        yield [planned for group in groups for planned in group]


def _new_row(planned, users, speakers, ids, stamp):
    """A new span's columns, values adapted for the database (``stamp`` already is)."""
    span, body, created = planned.incoming, planned.article.body, planned.created
    prefix, suffix = text.context(body, planned.start, planned.end)
    speaker = _speaker_for(span.speaker, speakers)
    return {
        "article_id": planned.article.id,
        "reviewer_id": users[span.reviewer].id,
        "layer": span.layer,
        "label": span.label,
        "start": planned.start,
        "end": planned.end,
        "quote": body[planned.start : planned.end],
        "prefix": prefix,
        "suffix": suffix,
        "note": span.note,
        "created": connection.ops.adapt_datetimefield_value(created) if created else stamp,
        "updated": stamp,
        **{name: span.fields.get(name, DEFAULTS[name]) for name in FIELD_NAMES},
        "speaker_id": speaker.pk if speaker else None,
        "attribution_id": _linked_id(planned, ids),
        "orphaned": False,
        "adjudicated_from_id": None,
    }


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
