"""The raw baseline for exports: the product's document, written by hand without Django.

Plain ``sqlite3`` or ``psycopg`` and ``orjson`` write the same bytes as ``manage.py
export_annotations --format native|w3c`` (unfiltered, given the export time the
product wrote), so the benchmark compares equal work and checks that it is.

    python bench/raw_export.py DATABASE OUTPUT native|w3c EXPORTED_AT

DATABASE is a database URL, or a SQLite file's path.
"""

import sys
from collections import defaultdict
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import orjson
from raw import Raw, column_list  # bench/raw.py, beside this script

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from annotator import span_schema  # noqa: E402  (plain data, no Django)

# The product's constants, written again here: the baseline imports nothing of it but
# the span schema.
SCHEMA = {
    "schema": "newsroom-annotator/export",
    "schema_version": "1.5",
    "offset_unit": "codepoint",
}
METRICS = {
    "definitions_version": 1,
    "min_articles": 15,
    "min_alpha": 0.667,
    "bootstrap_min_articles": 10,
    "bootstrap_resamples": 1000,
    "bootstrap_seed": "crc32 of '<source id>:<articles resampled>'",
    "article_order": ["seed_file", "id"],
}
FILTERS = dict.fromkeys(("source", "article", "reviewer", "label", "layer", "since"))
URN = "urn:newsroom-annotator:"
PAGE_SIZE = 5000
# Every span column the export reads (span_schema: plain data, the one list of a span's
# fields), by article.
SPANS = f"SELECT {column_list(span_schema.COLUMNS)} FROM annotator_annotation ORDER BY article_id"
PLACE = len(span_schema.PLACE_COLUMNS)
START, END = span_schema.COLUMNS.index("start"), span_schema.COLUMNS.index("end")
ARTICLES = (
    "SELECT a.id, a.title, a.author, a.published, a.date_shown, a.dateline, a.seed_file, "
    "s.id, s.name, s.domain, s.identified, a.body_sha256, length(a.body), a.word_count, a.body "
    "FROM annotator_article a JOIN annotator_source s ON s.id = a.source_id ORDER BY a.id"
)
REVIEWS = (
    "SELECT article_id, reviewer_id, done, done_at, genre, byline_shown, date_shown, bio_shown, "
    "headline_fidelity, note FROM annotator_articlereview"
)
ADJUDICATIONS = (
    "SELECT article_id, adjudicator_id, created, completed_at, completed_by_id "
    "FROM annotator_adjudication"
)
BOOLEAN = {None: None, 0: False, 1: True}


def sqlite_time(stored):
    """SQLite's stored UTC text, as isoformat() writes it."""
    return stored.replace(" ", "T") + "+00:00"


def provenance(suggested_by):
    """Marked by hand, or an accepted suggestion of the engine "name/version"."""
    if not suggested_by:
        return {"origin": "manual"}
    engine, version = suggested_by.split("/")
    return {"origin": "suggestion", "engine": engine, "version": version}


def span_records(rows, names, speakers, done, iso):
    records = []
    for row in sorted(rows, key=lambda row: (row[START], -row[END], row[0])):
        (pk, _article, reviewer, layer, label, start, end, quote, prefix, suffix) = row[:10]
        (note, created, updated, orphaned, suggested_by) = row[10:PLACE]
        fields = dict(zip(span_schema.NAMES, row[PLACE:], strict=True))
        for name in span_schema.BOOLEAN_NAMES:
            fields[name] = BOOLEAN[fields[name]]
        fields["speaker"] = speakers.get(fields["speaker"])
        links = {name: fields.pop(name) for name in span_schema.LINK_NAMES}
        records.append(
            {
                "id": pk,
                "reviewer": names[reviewer],
                "review_state": "done" if names[reviewer] in done else "in_progress",
                "layer": layer,
                "label": label,
                "orphaned": bool(orphaned),
                "start": None if orphaned else start,
                "end": None if orphaned else end,
                "quote": quote,
                "prefix": prefix,
                "suffix": suffix,
                "note": note,
                "created": iso(created),
                "updated": iso(updated),
                "provenance": provenance(suggested_by),
                "fields": fields,
                "links": links,
            }
        )
    return records


def review_records(database, names, iso):
    """Article id -> its page reviews, by reviewer name."""
    reviews = defaultdict(list)
    for (
        article,
        reviewer,
        done,
        done_at,
        genre,
        byline,
        date,
        bio,
        fidelity,
        note,
    ) in database.execute(REVIEWS):
        reviews[article].append(
            {
                "reviewer": names[reviewer],
                "done": bool(done),
                "done_at": iso(done_at) if done_at else None,
                "genre": genre,
                "byline_shown": BOOLEAN[byline],
                "date_shown": BOOLEAN[date],
                "bio_shown": BOOLEAN[bio],
                "headline_fidelity": fidelity,
                "note": note,
            }
        )
    for records in reviews.values():
        records.sort(key=itemgetter("reviewer"))
    return reviews


def adjudication_records(database, names, iso):
    return {
        article: {
            "adjudicator": names[adjudicator],
            "started": iso(started),
            "completed_at": iso(completed_at) if completed_at else None,
            "completed_by": names.get(completed_by),
            "complete": completed_at is not None,
        }
        for article, adjudicator, started, completed_at, completed_by in database.execute(
            ADJUDICATIONS
        )
    }


def w3c(record, article_id, sha256):
    fields = record["fields"]
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": record["label"]}]
    for name in span_schema.CHOICE_NAMES:
        if fields[name]:
            bodies.append(
                {"type": "TextualBody", "purpose": "tagging", "value": f"{name}:{fields[name]}"}
            )
    if record["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"]})
    reviewer = record["reviewer"]
    creator = {"id": f"{URN}user:{reviewer}", "type": "Person", "nickname": reviewer}
    origin = record["provenance"]
    if origin["origin"] == "suggestion":
        engine = f"{origin['engine']}/{origin['version']}"
        creator = [creator, {"id": f"{URN}engine:{engine}", "type": "Software", "name": engine}]
    return {
        "id": f"{URN}annotation:{record['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": record["created"],
        "modified": record["updated"],
        "creator": creator,
        "body": bodies,
        "target": {
            "source": f"urn:sha256:{sha256}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": record["quote"],
                    "prefix": record["prefix"],
                    "suffix": record["suffix"],
                },
                {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]},
            ][: 1 if record["orphaned"] else 2],  # an orphan has no position
        },
        "nra:article": article_id,
        "nra:orphaned": record["orphaned"],
        "nra:reviewState": record["review_state"],
        "nra:layer": record["layer"],
        "nra:fields": fields,
        "nra:links": {
            name: f"{URN}annotation:{link}" if link else None
            for name, link in record["links"].items()
        },
    }


def main(database, output, fmt, stamp):
    database = Raw(database if "://" in database else f"sqlite:///{database}")
    iso = sqlite_time if database.sqlite else datetime.isoformat
    names = dict(database.execute("SELECT id, username FROM auth_user"))
    speakers = {
        pk: {"id": pk, "name": name, "affiliation": affiliation}
        for pk, name, affiliation in database.execute(
            "SELECT id, name, affiliation FROM annotator_speaker"
        )
    }
    reviews = review_records(database, names, iso)
    adjudications = adjudication_records(database, names, iso)
    total = database.count("annotator_annotation")
    with open(output, "wb") as out:
        if fmt == "native":
            header = {**SCHEMA, "exported_at": stamp, "metrics": METRICS, "filters": FILTERS}
            out.write(orjson.dumps(header)[:-1] + b',"articles":[\n')
        else:
            collection = {
                "@context": ["http://www.w3.org/ns/anno.jsonld", {"nra": f"{URN}vocab#"}],
                "id": f"{URN}export:{stamp}",
                "type": "AnnotationCollection",
                "label": "Newsroom annotator export",
                "total": total,
                "nra:schemaVersion": SCHEMA["schema_version"],
                "nra:exportedAt": stamp,
                "nra:offsetUnit": "codepoint",
                "nra:filters": FILTERS,
            }
            out.write(orjson.dumps(collection)[:-1])
        pages = in_page = 0
        groups = groupby(database.stream(SPANS), key=itemgetter(1))
        group = next(groups, None)
        index = 0
        for article in database.execute(ARTICLES):
            (article_id, title, author, published, shown, dateline, seed, *source) = article
            source_id, source_name, domain, identified, sha256, length, words, body = source
            rows = []
            if group is not None and group[0] == article_id:
                rows, group = list(group[1]), next(groups, None)
            done = {r["reviewer"] for r in reviews[article_id] if r["done"]}
            records = span_records(rows, names, speakers, done, iso)
            if fmt == "native":
                record = {
                    "id": article_id,
                    "title": title,
                    "author": author,
                    "published": published,
                    "date_shown": shown,
                    "dateline": dateline,
                    "seed_file": seed,
                    "source": {
                        "id": source_id,
                        "name": source_name,
                        "domain": domain,
                        "identified": bool(identified),
                    },
                    "body_sha256": sha256,
                    "body_length": length,
                    "word_count": words,
                    "body": body,
                    "reviews": reviews[article_id],
                    "adjudication": adjudications.get(article_id),
                    "annotations": records,
                }
                out.write((b"," if index else b"") + orjson.dumps(record) + b"\n")
                index += 1
                continue
            while records:
                if pages == 0 or in_page == PAGE_SIZE:
                    key = "first" if pages == 0 else "next"
                    page = {"id": f"{URN}export:{stamp}:page:{pages + 1}", "type": "AnnotationPage"}
                    out.write(
                        (b"]" if pages else b"")
                        + f',"{key}":'.encode()
                        + orjson.dumps(page)[:-1]
                        + b',"items":[\n'
                    )
                    pages += 1
                    in_page = 0
                share, records = records[: PAGE_SIZE - in_page], records[PAGE_SIZE - in_page :]
                items = orjson.dumps([w3c(record, article_id, sha256) for record in share])
                out.write((b"," if in_page else b"") + items[1:-1] + b"\n")
                in_page += len(share)
        if fmt == "native":
            out.write(b"]}\n")
        else:
            out.write(b"]" * bool(pages) + b"}" * pages + b"}\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
