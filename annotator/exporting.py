"""Streaming exports in three formats: native JSON, JSON Lines and W3C Web Annotation.

The command, ``/api/export/`` and the admin action all call :func:`stream`, so
they write the same bytes for the same data, filters and export time. Memory
stays flat: articles are read in batches, each batch's annotations, page
reviews and adjudication with it.

A native or JSON Lines export of every span (see :func:`covers_every_span`)
holds all a source's figures rest on: every article, with its body, every
reviewer's page review (done or not, with or without spans) and its
adjudication record,
so that ``manage.py recompute_profiles`` can compute the figures from the file
alone.
"""

from collections import defaultdict
from operator import itemgetter

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.functions import Length

from . import bulksql, span_schema
from .models import Adjudication, Article, ArticleReview, Layer, Speaker
from .profiles import maths

SCHEMA_NAME = "newsroom-annotator/export"
SCHEMA_VERSION = "1.5"
FORMATS = ("native", "jsonl", "w3c")
FILTERS = ("source", "article", "reviewer", "label", "layer", "since")
# Filters that pick spans rather than articles: an export narrowed by one of them
# is a selection of spans, and carries only the articles those spans are on.
SPAN_FILTERS = ("reviewer", "label", "layer", "since")
# Which definitions of the figures (docs/metrics.md) this code computes: raised
# whenever a formula in annotator/profiles changes what a figure means.
METRIC_DEFINITIONS_VERSION = 1
# A page review's columns as an export writes them, after the reviewer's name.
REVIEW_FIELDS = (
    "done",
    "done_at",
    "genre",
    "byline_shown",
    "date_shown",
    "bio_shown",
    "headline_fidelity",
    "note",
)
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
ENGINE_PREFIX = f"{VOCAB_PREFIX}engine:"  # a W3C software agent's id: the engine's identity
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


def covers_every_span(annotations, filters) -> bool:
    """Whether an export holds every span of its articles: ``annotations`` unnarrowed
    (staff's, the command's) and no span filter given; ``source`` and ``article`` pick
    articles. Such an export carries every article they pick, with spans or not
    (a source's figures count its articles), and every reviewer's review. Any
    other (a reviewer's own spans, an admin selection, ``label=claim``...)
    carries the articles its spans are on, the reviews of those spans'
    reviewers, and the adjudication record where it holds adjudicated spans.
    """
    narrowed = any(filters.get(name) is not None for name in SPAN_FILTERS)
    return not narrowed and not annotations.query.has_filters()


def exported_article_ids(annotations, filters, whole):
    """The ids of the articles an export writes, in order (``annotations`` already filtered)."""
    if not whole:
        return annotations.order_by("article_id").values_list("article_id", flat=True).distinct()
    articles = Article.objects.all()
    if filters.get("source") is not None:
        articles = articles.filter(source_id=filters["source"])
    if filters.get("article") is not None:
        articles = articles.filter(pk=filters["article"])
    return articles.order_by("pk").values_list("pk", flat=True)


def article_groups(annotations, article_ids, progress=None, *, whole=False, bodies=True):
    """``(article, [span rows], reviews, adjudication, people)`` in article order, batch by batch.

    Span rows are tuples of :data:`SPAN_COLUMNS` as the database driver returns
    them (read without Django's per-value converters: an export reads every
    span once, and converting cost more than the rest together); ``reviews``
    are the article's page reviews as records, by reviewer name (all of them
    when the export is ``whole``, else those of the reviewers of its spans);
    ``adjudication`` is its record or None; ``people`` maps reviewer ids to
    names and speaker ids to records. ``progress``, if given, is called with
    each article's count. ``bodies=False`` leaves the bodies unread.
    """
    people = (
        dict(get_user_model().objects.values_list("id", "username")),
        {
            pk: {"id": pk, "name": name, "affiliation": affiliation}
            for pk, name, affiliation in Speaker.objects.values_list("id", "name", "affiliation")
        },
    )
    columns = bulksql.with_utc_times(SPAN_COLUMNS, "+00:00")
    names = people[0]
    for batch in bulksql.batches(article_ids.iterator(), ARTICLE_BATCH):
        articles = (
            Article.objects.filter(pk__in=batch)
            .select_related("source")
            .annotate(body_length=Length("body"))
        )
        articles = (articles if bodies else articles.defer("body")).in_bulk()
        spans = defaultdict(list)
        rows = annotations.filter(article_id__in=batch).order_by().values_list(*columns)
        for row in bulksql.rows(rows):
            spans[row[1]].append(row)
        for article_spans in spans.values():
            article_spans.sort(key=_text_order)
        reviews = _reviews(batch, spans, names, whole)
        adjudications = _adjudications(batch, spans, names, whole)
        for article_id in batch:
            if progress is not None:
                progress(len(spans[article_id]))
            yield (
                articles[article_id],
                spans[article_id],
                reviews[article_id],
                adjudications.get(article_id),
                people,
            )


def _reviews(batch, spans, names, whole):
    """Article id -> its page reviews as records, by reviewer name."""
    reviews = defaultdict(list)
    rows = ArticleReview.objects.filter(article_id__in=batch).values_list(
        "article_id", "reviewer_id", *REVIEW_FIELDS
    )
    for article_id, reviewer_id, *values in rows:
        if whole or any(row[2] == reviewer_id for row in spans[article_id]):
            record = {
                "reviewer": names[reviewer_id],
                **dict(zip(REVIEW_FIELDS, values, strict=True)),
            }
            reviews[article_id].append(record)
    for records in reviews.values():  # by name as Python orders text, whatever the collation
        records.sort(key=itemgetter("reviewer"))
    return reviews


def _adjudications(batch, spans, names, whole):
    """Article id -> its adjudication record, where the export carries one."""
    adjudicated = Layer.ADJUDICATED.value
    rows = Adjudication.objects.filter(article_id__in=batch).values_list(
        "article_id", "adjudicator_id", "created", "completed_at", "completed_by_id"
    )
    return {
        article_id: {
            "adjudicator": names[adjudicator_id],
            "started": started,
            "completed_at": completed_at,
            "completed_by": names.get(completed_by_id),
            "complete": completed_at is not None,
        }
        for article_id, adjudicator_id, started, completed_at, completed_by_id in rows
        if whole or any(row[3] == adjudicated for row in spans[article_id])
    }


def annotation_record(row, done_by, people):
    pk, _article, reviewer_id, layer, label, start, end, quote, prefix, suffix = row[:10]
    note, created, updated, orphaned, suggested_by = row[10:PLACE]
    names, speakers = people
    fields = dict(zip(span_schema.NAMES, row[PLACE:], strict=True))
    fields["speaker"] = speakers.get(fields["speaker"])
    links = {name: fields.pop(name) for name in span_schema.LINK_NAMES}
    # An orphan's offsets index a body that is gone: they are given as null.
    return {
        "id": pk,
        "reviewer": names[reviewer_id],
        "review_state": "done" if names[reviewer_id] in done_by else "in_progress",
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
        "provenance": span_provenance(suggested_by),
        "fields": fields,
        "links": links,
    }


MANUAL = {"origin": "manual"}


def span_provenance(suggested_by: str) -> dict:
    """How a span was made: by hand, or from the suggestion of an engine ("name/version",
    one slash: the model's rule) that the reviewer accepted."""
    if not suggested_by:
        return MANUAL
    engine, version = suggested_by.split("/")
    return {"origin": "suggestion", "engine": engine, "version": version}


def engine_agent(provenance: dict) -> dict:
    """The engine of an accepted suggestion as a W3C software agent."""
    identity = f"{provenance['engine']}/{provenance['version']}"
    return {"id": f"{ENGINE_PREFIX}{identity}", "type": "Software", "name": identity}


def done_reviewers(reviews) -> set:
    return {review["reviewer"] for review in reviews if review["done"]}


def article_record(article, spans, reviews, adjudication, people):
    done_by = done_reviewers(reviews)
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
        "body": article.body,
        "reviews": reviews,
        "adjudication": adjudication,
        "annotations": [annotation_record(span, done_by, people) for span in spans],
    }


def metrics():
    """What the figures computed from an export rest on, besides its data."""
    return {
        "definitions_version": METRIC_DEFINITIONS_VERSION,
        "min_articles": settings.PROFILE_MIN_ARTICLES,
        "min_alpha": settings.PROFILE_MIN_ALPHA,
        "bootstrap_min_articles": maths.BOOTSTRAP_MIN_ARTICLES,
        "bootstrap_resamples": maths.BOOTSTRAP_RESAMPLES,
        "bootstrap_seed": "crc32 of '<source id>:<articles resampled>'",
        "article_order": ["seed_file", "id"],
    }


def provenance(exported_at):
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "offset_unit": "codepoint",
        "exported_at": exported_at.isoformat(),
        "metrics": metrics(),
    }


def _native(groups, filters, exported_at):
    header = {**provenance(exported_at), "filters": filters}
    yield dumps(header)[:-1] + b',"articles":[\n'
    for index, group in enumerate(groups):
        yield (b"," if index else b"") + dumps(article_record(*group)) + b"\n"
    yield b"]}\n"


def _jsonl(groups, filters, exported_at):
    header = provenance(exported_at)
    for group in groups:
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
    creator = {
        "id": f"{VOCAB_PREFIX}user:{record['reviewer']}",
        "type": "Person",
        "nickname": record["reviewer"],
    }
    if record["provenance"]["origin"] == "suggestion":  # the reviewer accepted what it proposed
        creator = [creator, engine_agent(record["provenance"])]
    return {
        "id": f"{VOCAB_PREFIX}annotation:{record['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": record["created"],
        "modified": record["updated"],
        "creator": creator,
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


def _w3c(groups, filters, exported_at, annotations):
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

    for article, spans, reviews, _adjudication, people in groups:
        done_by = done_reviewers(reviews)
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


def stream(fmt, annotations, filters, exported_at, progress=None):
    """The export as an iterator of UTF-8 chunks (``filters`` as given, for the record).

    The W3C format holds spans only: its articles are those of its spans.
    """
    clean = {name: _plain(filters.get(name)) for name in FILTERS}
    whole = fmt != "w3c" and covers_every_span(annotations, filters)
    annotations = filtered(annotations, **filters)
    article_ids = exported_article_ids(annotations, filters, whole)
    groups = article_groups(annotations, article_ids, progress, whole=whole, bodies=fmt != "w3c")
    if fmt == "w3c":
        return _w3c(groups, clean, exported_at, annotations)
    return (_native if fmt == "native" else _jsonl)(groups, clean, exported_at)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
