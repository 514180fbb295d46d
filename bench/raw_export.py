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

import orjson
from raw import Raw  # bench/raw.py, beside this script

# The product's constants, written again here: the baseline imports nothing of it.
SCHEMA = {
    "schema": "newsroom-annotator/export",
    "schema_version": "1.3",
    "offset_unit": "codepoint",
}
FILTERS = dict.fromkeys(("source", "article", "reviewer", "label", "layer", "since"))
URN = "urn:newsroom-annotator:"
PAGE_SIZE = 5000
SPANS = (
    'SELECT article_id, id, reviewer_id, layer, label, start, "end", quote, prefix, suffix, '
    "note, created, updated, speaker_id, attribution_id, "
    "speaker_type, cue_stance, quote_type, counter_voice, check_worthy, hedged, opinion_type, "
    "orphaned FROM annotator_annotation ORDER BY article_id"
)
ARTICLES = (
    "SELECT a.id, a.title, a.author, a.published, a.date_shown, a.dateline, a.seed_file, "
    "s.id, s.name, s.domain, s.identified, a.body_sha256, length(a.body), a.word_count "
    "FROM annotator_article a JOIN annotator_source s ON s.id = a.source_id"
)
BOOLEAN = {None: None, 0: False, 1: True}


def sqlite_time(stored):
    """SQLite's stored UTC text, as isoformat() writes it."""
    return stored.replace(" ", "T") + "+00:00"


def span_records(rows, names, speakers, done, iso):
    records = []
    for row in sorted(rows, key=lambda row: (row[5], -row[6], row[1])):
        (_article, pk, reviewer, layer, label, start, end, quote, prefix, suffix, note) = row[:11]
        (created, updated, speaker, attribution, speaker_type, cue_stance, quote_type) = row[11:18]
        counter_voice, check_worthy, hedged, opinion_type, orphaned = row[18:]
        records.append(
            {
                "id": pk,
                "reviewer": names[reviewer],
                "review_state": "done" if reviewer in done else "in_progress",
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
                "fields": {
                    "speaker": speakers.get(speaker),
                    "speaker_type": speaker_type,
                    "cue_stance": cue_stance,
                    "quote_type": quote_type,
                    "counter_voice": BOOLEAN[counter_voice],
                    "check_worthy": BOOLEAN[check_worthy],
                    "hedged": BOOLEAN[hedged],
                    "opinion_type": opinion_type,
                },
                "links": {"attribution": attribution},
            }
        )
    return records


def w3c(record, article_id, sha256):
    fields = record["fields"]
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": record["label"]}]
    for name in ("speaker_type", "cue_stance", "quote_type", "opinion_type"):
        if fields[name]:
            bodies.append(
                {"type": "TextualBody", "purpose": "tagging", "value": f"{name}:{fields[name]}"}
            )
    if record["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"]})
    link = record["links"]["attribution"]
    reviewer = record["reviewer"]
    return {
        "id": f"{URN}annotation:{record['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": record["created"],
        "modified": record["updated"],
        "creator": {"id": f"{URN}user:{reviewer}", "type": "Person", "nickname": reviewer},
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
        "nra:links": {"attribution": f"{URN}annotation:{link}" if link else None},
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
    done = defaultdict(set)
    for article, reviewer in database.execute(
        "SELECT article_id, reviewer_id FROM annotator_articlereview WHERE done"
    ):
        done[article].add(reviewer)
    articles = {row[0]: row for row in database.execute(ARTICLES)}
    total = database.count("annotator_annotation")
    with open(output, "wb") as out:
        if fmt == "native":
            out.write(
                orjson.dumps({**SCHEMA, "exported_at": stamp, "filters": FILTERS})[:-1]
                + b',"articles":[\n'
            )
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
        for index, (article_id, rows) in enumerate(
            groupby(database.stream(SPANS), key=itemgetter(0))
        ):
            records = span_records(rows, names, speakers, done[article_id], iso)
            (_, title, author, published, shown, dateline, seed, *source) = articles[article_id]
            source_id, source_name, domain, identified, sha256, length, words = source
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
                    "annotations": records,
                }
                out.write((b"," if index else b"") + orjson.dumps(record) + b"\n")
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
