"""Streaming exports in three formats: native JSON, JSON Lines and W3C Web Annotation.

The command, ``/api/export/`` and the admin action all call :func:`stream`, so
they write the same bytes for the same data, filters and export time. Memory
stays flat: articles are read in batches, each batch's annotations with it.
"""

from collections import defaultdict, namedtuple
from itertools import islice

import orjson
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast, Length

from . import fastsql
from .models import Article, ArticleReview

SCHEMA_NAME = "newsroom-annotator/export"
SCHEMA_VERSION = "1.2"
FORMATS = ("native", "jsonl", "w3c")
FILTERS = ("source", "article", "reviewer", "label", "layer", "since")
CONTENT_TYPES = {
    "native": "application/json",
    "jsonl": "application/jsonl",
    "w3c": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
}
EXTENSIONS = {"native": "json", "jsonl": "jsonl", "w3c": "jsonld"}
ARTICLE_BATCH = 100
W3C_PAGE_SIZE = 5000
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
VOCAB_PREFIX = "urn:newsroom-annotator:"
W3C_CONTEXT = [ANNO_CONTEXT, {"nra": f"{VOCAB_PREFIX}vocab#"}]


def dumps(value) -> str:
    """Compact JSON, UTF-8 as is (orjson: the export's hot path).

    Datetimes come out as an aware datetime's isoformat(); naive ones (SQLite's
    cursor returns the UTC time Django stored) are UTC.
    """
    return orjson.dumps(value, option=orjson.OPT_NAIVE_UTC).decode()


def filtered(
    annotations, *, source=None, article=None, reviewer=None, label=None, layer=None, since=None
):
    """Narrow annotations by the export filters (ids, username, names, a datetime).

    Orphaned spans are left out: their offsets index a body that no longer exists.
    """
    annotations = annotations.placed()
    if source is not None:
        annotations = annotations.filter(article__source_id=source)
    if article is not None:
        annotations = annotations.filter(article_id=article)
    if reviewer is not None:
        annotations = annotations.filter(reviewer__username=reviewer)
    if label is not None:
        annotations = annotations.filter(label=label)
    if layer is not None:
        annotations = annotations.filter(layer=layer)
    if since is not None:
        annotations = annotations.filter(updated__gt=since)
    return annotations


def _batches(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


# What each exported span is read as: (attribute, values() lookup).
SPAN_COLUMNS = (
    ("id", "id"),
    ("article_id", "article_id"),
    ("reviewer_id", "reviewer_id"),
    ("reviewer", "reviewer__username"),
    ("layer", "layer"),
    ("label", "label"),
    ("start", "start"),
    ("end", "end"),
    ("quote", "quote"),
    ("prefix", "prefix"),
    ("suffix", "suffix"),
    ("note", "note"),
    ("created", "created"),
    ("updated", "updated"),
    ("speaker_id", "speaker_id"),
    ("speaker_name", "speaker__name"),
    ("speaker_affiliation", "speaker__affiliation"),
    ("attribution_id", "attribution_id"),
    ("speaker_type", "speaker_type"),
    ("cue_stance", "cue_stance"),
    ("quote_type", "quote_type"),
    ("counter_voice", "counter_voice"),
    ("check_worthy", "check_worthy"),
    ("hedged", "hedged"),
    ("opinion_type", "opinion_type"),
)
SpanRow = namedtuple("SpanRow", [name for name, _lookup in SPAN_COLUMNS])


def _boolean(value):
    return None if value is None else bool(value)


def _lookups():
    """What to select; on SQLite the times as the text it stores.

    Parsing that text into datetimes, only to write it out again, cost a fifth
    of an export.
    """
    if connection.vendor != "sqlite":
        return [lookup for _name, lookup in SPAN_COLUMNS]
    return [
        Cast(lookup, CharField()) if name in ("created", "updated") else lookup
        for name, lookup in SPAN_COLUMNS
    ]


def _time(value):
    """A stored time as an aware datetime's isoformat() writes it.

    SQLite's text is UTC ("2025-05-28 09:00:00.500000"); other databases give
    datetimes, which dumps() writes the same way.
    """
    return value.replace(" ", "T") + "+00:00" if isinstance(value, str) else value


def article_groups(annotations, progress=None):
    """``(article, [span rows], done reviewer ids)`` in article order, batch by batch.

    Span rows are :class:`SpanRow` tuples of what the database driver returns
    (read without Django's per-value converters: an export reads every span
    once, and converting cost more than the rest together); ``progress``,
    if given, is called with each article's count.
    """
    article_ids = annotations.order_by("article_id").values_list("article_id", flat=True).distinct()
    for batch in _batches(article_ids.iterator(), ARTICLE_BATCH):
        articles = (
            Article.objects.filter(pk__in=batch)
            .select_related("source")
            .annotate(body_length=Length("body"))
            .defer("body")
            .in_bulk()
        )
        done = defaultdict(set)
        for article_id, reviewer_id in ArticleReview.objects.filter(
            article_id__in=batch, done=True
        ).values_list("article_id", "reviewer_id"):
            done[article_id].add(reviewer_id)
        spans = defaultdict(list)
        rows = annotations.filter(article_id__in=batch).order_by(
            "article_id", "start", "-end", "id"
        )
        for row in map(SpanRow._make, fastsql.rows(rows.values_list(*_lookups()))):
            spans[row.article_id].append(row)
        for article_id in batch:
            if progress is not None:
                progress(len(spans[article_id]))
            yield articles[article_id], spans[article_id], done[article_id]


def label_fields(row):
    speaker = (
        None
        if row.speaker_id is None
        else {
            "id": row.speaker_id,
            "name": row.speaker_name,
            "affiliation": row.speaker_affiliation,
        }
    )
    return {
        "speaker": speaker,
        "speaker_type": row.speaker_type,
        "cue_stance": row.cue_stance,
        "quote_type": row.quote_type,
        "counter_voice": _boolean(row.counter_voice),
        "check_worthy": _boolean(row.check_worthy),
        "hedged": _boolean(row.hedged),
        "opinion_type": row.opinion_type,
    }


def annotation_record(row, done_by):
    return {
        "id": row.id,
        "reviewer": row.reviewer,
        "review_state": "done" if row.reviewer_id in done_by else "in_progress",
        "layer": row.layer,
        "label": row.label,
        "start": row.start,
        "end": row.end,
        "quote": row.quote,
        "prefix": row.prefix,
        "suffix": row.suffix,
        "note": row.note,
        "created": _time(row.created),
        "updated": _time(row.updated),
        "fields": label_fields(row),
        "links": {"attribution": row.attribution_id},
    }


def article_record(article, spans, done_by):
    return {
        "id": article.pk,
        "title": article.title,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "date_shown": article.date_shown,
        "dateline": article.dateline,
        "seed_file": article.seed_file,
        "source": {
            "id": article.source.pk,
            "name": article.source.name,
            "domain": article.source.domain,
            "identified": article.source.identified,
        },
        "body_sha256": article.body_sha256,
        "body_length": article.body_length,
        "word_count": article.word_count,
        "annotations": [annotation_record(span, done_by) for span in spans],
    }


def provenance(exported_at):
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "offset_unit": "codepoint",
        "exported_at": exported_at.isoformat(),
    }


def _native(annotations, filters, exported_at, progress):
    header = {**provenance(exported_at), "filters": filters}
    yield dumps(header)[:-1] + ',"articles":[\n'
    for index, group in enumerate(article_groups(annotations, progress)):
        yield ("," if index else "") + dumps(article_record(*group)) + "\n"
    yield "]}\n"


def _jsonl(annotations, filters, exported_at, progress):
    header = provenance(exported_at)
    for group in article_groups(annotations, progress):
        yield dumps({**header, **article_record(*group)}) + "\n"


def w3c_annotation(row, article, done_by):
    """One span as a W3C Web Annotation; the product's own data rides along under ``nra:``."""
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": row.label}]
    for name in ("speaker_type", "cue_stance", "quote_type", "opinion_type"):
        value = getattr(row, name)
        if value:
            bodies.append({"type": "TextualBody", "purpose": "tagging", "value": f"{name}:{value}"})
    if row.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": row.note})
    return {
        "id": f"{VOCAB_PREFIX}annotation:{row.id}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": _time(row.created),
        "modified": _time(row.updated),
        "creator": {
            "id": f"{VOCAB_PREFIX}user:{row.reviewer}",
            "type": "Person",
            "nickname": row.reviewer,
        },
        "body": bodies,
        "target": {
            "source": f"urn:sha256:{article.body_sha256}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": row.quote,
                    "prefix": row.prefix,
                    "suffix": row.suffix,
                },
                {"type": "TextPositionSelector", "start": row.start, "end": row.end},
            ],
        },
        "nra:article": article.pk,
        "nra:reviewState": "done" if row.reviewer_id in done_by else "in_progress",
        "nra:layer": row.layer,
        "nra:fields": label_fields(row),
        "nra:links": {
            "attribution": f"{VOCAB_PREFIX}annotation:{row.attribution_id}"
            if row.attribution_id
            else None
        },
    }


def _w3c(annotations, filters, exported_at, progress):
    """An AnnotationCollection whose pages are embedded, each one ``next`` of the last."""
    stamp = exported_at.isoformat()
    collection = {
        "@context": W3C_CONTEXT,
        "id": f"{VOCAB_PREFIX}export:{stamp}",
        "type": "AnnotationCollection",
        "label": "Newsroom annotator export",
        "total": annotations.count(),
        "nra:schemaVersion": SCHEMA_VERSION,
        "nra:exportedAt": stamp,
        "nra:offsetUnit": "codepoint",
        "nra:filters": filters,
    }
    yield dumps(collection)[:-1]
    pages = 0
    in_page = 0

    def open_page():
        key = "first" if pages == 0 else "next"
        page = {"id": f"{VOCAB_PREFIX}export:{stamp}:page:{pages + 1}", "type": "AnnotationPage"}
        return f',"{key}":' + dumps(page)[:-1] + ',"items":[\n'

    for article, spans, done_by in article_groups(annotations, progress):
        chunk = []  # one write per article, not per span
        for span in spans:
            if in_page == 0:
                chunk.append(open_page())
                pages += 1
            elif in_page == W3C_PAGE_SIZE:
                chunk.append("]" + open_page())
                pages += 1
                in_page = 0
            if in_page:
                chunk.append(",")
            chunk.append(dumps(w3c_annotation(span, article, done_by)))
            chunk.append("\n")
            in_page += 1
        yield "".join(chunk)
    if pages:
        yield "]" + "}" * pages
    yield "}\n"


WRITERS = {"native": _native, "jsonl": _jsonl, "w3c": _w3c}


def stream(fmt, annotations, filters, exported_at, progress=None):
    """The export as an iterator of text chunks (``filters`` as given, for the record)."""
    clean = {name: _plain(filters.get(name)) for name in FILTERS}
    return WRITERS[fmt](filtered(annotations, **filters), clean, exported_at, progress)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
