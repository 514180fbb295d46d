"""Streaming exports in three formats: native JSON, JSON Lines and W3C Web Annotation.

The command, ``/api/export/`` and the admin action all call :func:`stream`, so
they write the same bytes for the same data, filters and export time. Memory
stays flat: articles are read in batches, each batch's annotations with it.
"""

from collections import defaultdict

import orjson
from django.contrib.auth import get_user_model
from django.db.models.functions import Length

from . import bulksql, span_schema
from .models import Article, ArticleReview, Speaker

SCHEMA_NAME = "newsroom-annotator/export"
SCHEMA_VERSION = "1.3"
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


def dumps(value) -> bytes:
    """Compact JSON in UTF-8 (orjson: the export's hot path).

    Datetimes come out as an aware datetime's isoformat(); naive ones (SQLite's
    cursor returns the UTC time Django stored) are UTC.
    """
    return orjson.dumps(value, option=orjson.OPT_NAIVE_UTC)


def filtered(
    annotations, *, source=None, article=None, reviewer=None, label=None, layer=None, since=None
):
    """Narrow annotations by the export filters (ids, username, names, a datetime).

    Orphaned spans are kept (links to them stay inside the file); each record says so.
    """
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


# The span columns an export reads, without joins: reviewer names and speakers
# are looked up from dictionaries read once (joining them per row, and sorting
# in SQL, took most of the database's time).
SPAN_COLUMNS = span_schema.COLUMNS
START, END = SPAN_COLUMNS.index("start"), SPAN_COLUMNS.index("end")
PLACE = len(span_schema.PLACE_COLUMNS)  # the label fields' columns follow the place's


def _text_order(row):
    return row[START], -row[END], row[0]


def article_groups(annotations, progress=None):
    """``(article, [span rows], done reviewer ids, people)`` in article order, batch by batch.

    Span rows are tuples of :data:`SPAN_COLUMNS` as the database driver returns
    them (read without Django's per-value converters: an export reads every
    span once, and converting cost more than the rest together); ``people``
    maps reviewer ids to names and speaker ids to records. ``progress``, if
    given, is called with each article's count.
    """
    article_ids = annotations.order_by("article_id").values_list("article_id", flat=True).distinct()
    people = (
        dict(get_user_model().objects.values_list("id", "username")),
        {
            pk: {"id": pk, "name": name, "affiliation": affiliation}
            for pk, name, affiliation in Speaker.objects.values_list("id", "name", "affiliation")
        },
    )
    columns = bulksql.with_utc_times(SPAN_COLUMNS, "+00:00")
    for batch in bulksql.batches(article_ids.iterator(), ARTICLE_BATCH):
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
        rows = annotations.filter(article_id__in=batch).order_by().values_list(*columns)
        for row in bulksql.rows(rows):
            spans[row[1]].append(row)
        for article_spans in spans.values():
            article_spans.sort(key=_text_order)
        for article_id in batch:
            if progress is not None:
                progress(len(spans[article_id]))
            yield articles[article_id], spans[article_id], done[article_id], people


def annotation_record(row, done_by, people):
    pk, _article, reviewer_id, layer, label, start, end, quote, prefix, suffix = row[:10]
    note, created, updated, orphaned = row[10:PLACE]
    names, speakers = people
    fields = dict(zip(span_schema.NAMES, row[PLACE:], strict=True))
    fields["speaker"] = speakers.get(fields["speaker"])
    links = {name: fields.pop(name) for name in span_schema.LINK_NAMES}
    # An orphan's offsets index a body that is gone: they are given as null.
    return {
        "id": pk,
        "reviewer": names[reviewer_id],
        "review_state": "done" if reviewer_id in done_by else "in_progress",
        "layer": layer,
        "label": label,
        "orphaned": orphaned,
        "start": None if orphaned else start,
        "end": None if orphaned else end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "note": note,
        "created": created,
        "updated": updated,
        "fields": fields,
        "links": links,
    }


def article_record(article, spans, done_by, people):
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
        "annotations": [annotation_record(span, done_by, people) for span in spans],
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
    yield dumps(header)[:-1] + b',"articles":[\n'
    for index, group in enumerate(article_groups(annotations, progress)):
        yield (b"," if index else b"") + dumps(article_record(*group)) + b"\n"
    yield b"]}\n"


def _jsonl(annotations, filters, exported_at, progress):
    header = provenance(exported_at)
    for group in article_groups(annotations, progress):
        yield dumps({**header, **article_record(*group)}) + b"\n"


def w3c_annotation(record, article):
    """One span (its native record) as a W3C Web Annotation; our own data rides under ``nra:``."""
    fields = record["fields"]
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": record["label"]}]
    for name in span_schema.CHOICE_NAMES:
        if fields[name]:
            bodies.append(
                {"type": "TextualBody", "purpose": "tagging", "value": f"{name}:{fields[name]}"}
            )
    if record["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"]})
    selectors = [
        {
            "type": "TextQuoteSelector",
            "exact": record["quote"],
            "prefix": record["prefix"],
            "suffix": record["suffix"],
        }
    ]
    if not record["orphaned"]:
        selectors.append(
            {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]}
        )
    return {
        "id": f"{VOCAB_PREFIX}annotation:{record['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": record["created"],
        "modified": record["updated"],
        "creator": {
            "id": f"{VOCAB_PREFIX}user:{record['reviewer']}",
            "type": "Person",
            "nickname": record["reviewer"],
        },
        "body": bodies,
        "target": {"source": f"urn:sha256:{article.body_sha256}", "selector": selectors},
        "nra:article": article.pk,
        "nra:orphaned": record["orphaned"],
        "nra:reviewState": record["review_state"],
        "nra:layer": record["layer"],
        "nra:fields": fields,
        "nra:links": {
            name: f"{VOCAB_PREFIX}annotation:{link}" if link else None
            for name, link in record["links"].items()
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
        return f',"{key}":'.encode() + dumps(page)[:-1] + b',"items":[\n'

    for article, spans, done_by, people in article_groups(annotations, progress):
        chunk, position = [], 0  # one write per article, one dumps() per page's share
        while position < len(spans):
            if pages == 0:
                chunk.append(open_page())
                pages += 1
            elif in_page == W3C_PAGE_SIZE:
                chunk.append(b"]" + open_page())
                pages += 1
                in_page = 0
            share = spans[position : position + W3C_PAGE_SIZE - in_page]
            items = dumps(
                [w3c_annotation(annotation_record(row, done_by, people), article) for row in share]
            )
            chunk.append((b"," if in_page else b"") + items[1:-1] + b"\n")
            in_page += len(share)
            position += len(share)
        yield b"".join(chunk)
    if pages:
        yield b"]" + b"}" * pages
    yield b"}\n"


WRITERS = {"native": _native, "jsonl": _jsonl, "w3c": _w3c}


def stream(fmt, annotations, filters, exported_at, progress=None):
    """The export as an iterator of UTF-8 chunks (``filters`` as given, for the record)."""
    clean = {name: _plain(filters.get(name)) for name in FILTERS}
    return WRITERS[fmt](filtered(annotations, **filters), clean, exported_at, progress)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
