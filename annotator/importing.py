"""Importing annotations from any of the three export formats.

Reading (:func:`parse`) turns a file into plain :class:`Incoming` spans;
:func:`plan` checks every one against the stored articles (re-anchoring by
quote and context when the offsets no longer fit) and collects every problem;
:func:`apply` writes a plan in one transaction, and only a plan with no
problems. Importing the same file twice changes nothing the second time.
"""

import codecs
from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import BooleanField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_update_with_history

from . import fastsql, tallies, text
from .exporting import SCHEMA_NAME
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


class ImportFileError(ValueError):
    """The file as a whole cannot be read: not JSON, or no known format."""


@dataclass(slots=True)
class Incoming:
    """One span as the file describes it; ``where`` names it in error messages."""

    where: str
    key: str  # the span's id in the file, for links
    body_sha256: str
    reviewer: str
    layer: str
    label: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    created: str | None = None
    fields: dict = field(default_factory=dict)
    speaker: dict | None = None
    link: str | None = None


@dataclass
class Planned:
    incoming: Incoming
    article: Article
    start: int
    end: int
    reanchored: bool
    existing: Annotation | None = None
    changed: bool = True


@dataclass
class Plan:
    spans: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    new_reviewers: set = field(default_factory=set)
    new_speakers: set = field(default_factory=set)

    def count(self, what):
        if what == "reanchored":
            return sum(1 for p in self.spans if p.reanchored)
        if what == "created":
            return sum(1 for p in self.spans if p.existing is None)
        if what == "updated":
            return sum(1 for p in self.spans if p.existing is not None and p.changed)
        return sum(1 for p in self.spans if p.existing is not None and not p.changed)


# ---------------------------------------------------------------- reading


def parse(raw: bytes) -> tuple[str, list[Incoming]]:
    """(format, spans) from the bytes of an export in any of the three formats.

    orjson reads the bytes as they are (it checks the UTF-8 itself): decoding
    a large export to a string first took as long as parsing it.
    """
    content = raw.removeprefix(codecs.BOM_UTF8)
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        return "jsonl", _from_jsonl(content)
    if (
        isinstance(document, dict)
        and document.get("schema") == SCHEMA_NAME
        and "articles" in document
    ):
        return "native", _from_native_articles(document["articles"], "article")
    if isinstance(document, dict) and document.get("schema") == SCHEMA_NAME:
        return "jsonl", _from_native_articles([document], "line")
    if isinstance(document, dict | list):
        annotations = list(_w3c_items(document))
        if annotations:
            return "w3c", [
                _from_w3c(item, f"annotation {n}") for n, item in enumerate(annotations, 1)
            ]
    raise ImportFileError("the file is neither a native export, JSON Lines, nor W3C annotations")


def _from_jsonl(content: bytes):
    records = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(orjson.loads(line))
        except orjson.JSONDecodeError as error:
            _check_utf8(content)
            raise ImportFileError(f"line {number} is not JSON ({error.msg})") from error
    if not records or not all(
        isinstance(r, dict) and r.get("schema") == SCHEMA_NAME for r in records
    ):
        raise ImportFileError(
            "the file is neither a native export, JSON Lines, nor W3C annotations"
        )
    return _from_native_articles(records, "line")


def _check_utf8(content: bytes):
    """Whether text orjson refused is UTF-8 at all: asked only once parsing failed."""
    try:
        content.decode()
    except UnicodeDecodeError as error:
        raise ImportFileError(f"the file is not UTF-8 text (byte {error.start})") from error


def _from_native_articles(records, unit):
    spans = []
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise ImportFileError(f"{unit} {number} is not a JSON object")
        for index, item in enumerate(record.get("annotations") or [], 1):
            where = f"{unit} {number}, annotation {index}"
            fields = item.get("fields") if isinstance(item.get("fields"), dict) else {}
            spans.append(
                Incoming(
                    where=where,
                    key=str(item.get("id", where)),
                    body_sha256=record.get("body_sha256"),
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
                )
            )
    return spans


def _str_or_none(value):
    return None if value is None else str(value)


def _w3c_items(document):
    """Annotations in a W3C collection (embedded pages), a page, a list or one annotation."""
    if isinstance(document, list):
        for item in document:
            yield from _w3c_items(item)
        return
    kinds = document.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "Annotation" in kinds:
        yield document
        return
    yield from document.get("items") or []
    page = document.get("first")
    while isinstance(page, dict):
        yield from page.get("items") or []
        page = page.get("next")


def _from_w3c(item, where):
    if not isinstance(item, dict):
        raise ImportFileError(f"{where} is not a JSON object")
    selectors = (item.get("target") or {}).get("selector") or []
    selectors = selectors if isinstance(selectors, list) else [selectors]
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), {})
    position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), {})
    bodies = item.get("body") or []
    bodies = bodies if isinstance(bodies, list) else [bodies]
    label = next((b.get("value") for b in bodies if b.get("purpose") == "classifying"), None)
    note = next((b.get("value") for b in bodies if b.get("purpose") == "commenting"), "")
    source = (item.get("target") or {}).get("source", "")
    creator = item.get("creator") or {}
    fields = item.get("nra:fields") if isinstance(item.get("nra:fields"), dict) else {}
    if not fields:
        for body in bodies:
            name, _, value = str(body.get("value", "")).partition(":")
            if body.get("purpose") == "tagging" and name in FIELD_NAMES:
                fields[name] = value
    link = (item.get("nra:links") or {}).get("attribution")
    return Incoming(
        where=where,
        key=str(item.get("id", where)),
        body_sha256=source.removeprefix("urn:sha256:") if isinstance(source, str) else None,
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
        link=link,
    )


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


def plan(spans: list[Incoming]) -> Plan:
    """Check every span against the database without writing anything."""
    result = Plan()
    hashes = {s.body_sha256 for s in spans if isinstance(s.body_sha256, str)}
    articles = {a.body_sha256: a for a in Article.objects.filter(body_sha256__in=hashes)}
    names = {s.reviewer for s in spans if isinstance(s.reviewer, str)}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    speakers = SpeakerIndex()
    by_key = {span.key: span for span in spans}
    existing = {
        (a.article_id, a.reviewer.username, a.layer, a.label, a.start, a.end): a
        for a in Annotation.objects.filter(
            article__in=list(articles.values()), reviewer__in=list(users.values())
        ).select_related("reviewer", "speaker")
    }
    seen = set()
    for span in spans:
        problem = _shape_problem(span)
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
        problem = _link_problem(span, by_key) or _field_problem(span)
        if problem:
            result.problems.append(f"{span.where}: {problem}")
            continue
        if span.reviewer not in users:
            result.new_reviewers.add(span.reviewer)
        if span.speaker and span.speaker.get("name") and not speakers.find(span.speaker["name"]):
            result.new_speakers.add(span.speaker["name"])
        planned = Planned(
            span, article, start, end, reanchored=(start, end) != (span.start, span.end)
        )
        planned.existing = existing.get(identity)
        if planned.existing is not None:
            planned.changed = _differs(planned.existing, span)
        result.spans.append(planned)
    return result


def _shape_problem(span: Incoming) -> str:
    if not isinstance(span.body_sha256, str) or len(span.body_sha256) != 64:
        return "it names no article body hash"
    if not isinstance(span.reviewer, str) or not span.reviewer.strip():
        return "it names no reviewer"
    if span.label not in LABELS:
        return f"its label {span.label!r} is not one of claim, opinion, attribution"
    if span.layer not in LAYERS:
        return f"its layer {span.layer!r} is not raw or adjudicated"
    if not isinstance(span.quote, str) or not span.quote:
        return "it has no quote"
    for name in ("start", "end"):
        value = getattr(span, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"its {name} is not a whole number of code points"
    if span.start >= span.end:
        return "its start is not before its end"
    if not isinstance(span.note, str):
        return "its note is not text"
    return ""


def _link_problem(span, by_key):
    if span.link is None:
        return ""
    target = by_key.get(span.link)
    if target is None:
        return f"it links to {span.link}, which is not in the file"
    if span.label == Label.ATTRIBUTION or target.label != Label.ATTRIBUTION:
        return "only a claim or opinion links, and only to an attribution"
    same = (target.body_sha256, target.reviewer, target.layer)
    if same != (span.body_sha256, span.reviewer, span.layer):
        return "it links to an attribution of another article, reviewer or layer"
    return ""


def _field_problem(span):
    """Fields of the wrong label or with unknown values, as the model's validation words them.

    Plain checks on the parsed values: a model instance and its full validation
    per span cost more than the rest of an import.
    """
    if not isinstance(span.speaker, dict | None) or (
        span.speaker is not None and not isinstance(span.speaker.get("name"), str)
    ):
        return "its speaker is not a record with a name"
    if len(span.note) > settings.ANNOTATION_NOTE_MAX_LENGTH:
        return f"note: a note has at most {settings.ANNOTATION_NOTE_MAX_LENGTH} characters."
    problems = []
    own = LABEL_FIELDS[span.label]
    for name, value in span.fields.items():
        if value is None or value == "":
            continue
        if name not in own:
            problems.append(f"{name}: {name} is not a field of a {span.label}.")
        elif name in CHOICES and value not in CHOICES[name]:
            problems.append(f"{name}: Value {value!r} is not a valid choice.")
        elif name in BOOLEANS and not isinstance(value, bool):
            problems.append(f"{name}: “{value}” value must be either True or False.")
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
            stored = fastsql.insert_returning_ids(
                Annotation, [_new_row(planned, users, speakers, ids, stamp) for planned in wave]
            )
            for planned, pk in zip(wave, stored, strict=True):
                ids[planned.incoming.key] = pk
            fastsql.copy_history(Annotation, stored, "+", None, stamp)
    # Spans already stored may link to attributions that only now have an id.
    linked, rewritten = [], {id(annotation) for annotation in updated}
    for planned in result.spans:
        annotation, span = planned.existing, planned.incoming
        target = ids[span.link] if span.link is not None else None
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
    for groups in fastsql.batches(by_article.values(), ARTICLE_BATCH):
        yield [planned for group in groups for planned in group]


def _new_row(planned, users, speakers, ids, stamp):
    """A new span's columns, values adapted for the database (``stamp`` already is)."""
    span, body = planned.incoming, planned.article.body
    try:
        created = parse_datetime(span.created) if isinstance(span.created, str) else None
    except ValueError:
        created = None
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
        "attribution_id": ids[span.link] if span.link is not None else None,
        "orphaned": False,
        "adjudicated_from_id": None,
    }


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
