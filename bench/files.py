"""Export and import, each in its own process, timed and measured beside a raw writer or
reader of the same file."""

import filecmp
import os
import re
import sqlite3
import sys
import time

import orjson
import psycopg

from annotator import span_schema
from bench.raw import Raw, database_name, is_sqlite, sqlite_path, with_database
from bench.report import Row
from bench.timing import ROOT, child

EXPORT_TIME = re.compile(rb'"(?:exported_at|nra:exportedAt)":"([^"]+)"')
# The spans, their history and the figures kept from them: what an import fills.
SPAN_TABLES = (
    "annotator_historicalannotation",
    "annotator_unitfigures",
    "annotator_articleagreement",
    "annotator_annotation",
)
# The raw import stores what a span must hold: its place and its choice fields, which
# are "" when unanswered rather than null (span_schema).
RAW_COLUMNS = (
    *(column for column in span_schema.PLACE_COLUMNS if column != "id"),
    *span_schema.CHOICE_NAMES,
)
# Label Studio 1.23.2 importing 100,000 spans on this machine (issue 15): spans/s.
LABEL_STUDIO_IMPORT = 15_900


def export(url, env, manage, folder, total):
    """Native and W3C exports of every span, against bench/raw_export.py writing the same
    document; each side runs twice, in turn, after a sync, and its faster run is kept."""
    rows = []
    for fmt in ("native", "w3c"):
        product_file, raw_file = folder / f"export.{fmt}", folder / f"raw.{fmt}"
        product = [*manage, "export_annotations", "--quiet", f"--format={fmt}"]
        product.append(f"--output={product_file}")
        seconds = raw_seconds = float("inf")
        memory = raw_memory = 0
        for _ in range(2):
            os.sync()
            taken, peak = child(product, env)
            seconds, memory = min(seconds, taken), max(memory, peak)
            with open(product_file, "rb") as head:
                stamp = EXPORT_TIME.search(head.read(2000)).group(1).decode()
            os.sync()
            baseline = [sys.executable, str(ROOT / "bench/raw_export.py"), url, str(raw_file)]
            taken, peak = child([*baseline, fmt, stamp], env)
            raw_seconds, raw_memory = min(raw_seconds, taken), max(raw_memory, peak)
        same = filecmp.cmp(product_file, raw_file, shallow=False)
        size = product_file.stat().st_size
        raw_file.unlink()
        share = raw_seconds / seconds
        rows += [
            Row(
                f"export {fmt} (rows/s)",
                f"{total / seconds:,.0f}",
                f"{total / raw_seconds:,.0f}",
                f"{share:.2f}x",
                ">= 0.6x raw",
                share >= 0.6,
            ),
            Row(
                f"  raw wrote the same {size:,} bytes",
                raw="yes" if same else "NO",
                budget="same",
                met=same,
            ),
            Row(
                "  peak memory (MB)",
                f"{memory:.0f}",
                f"{raw_memory:.0f}",
                budget="<= 100 MB",
                met=memory <= 100,
            ),
        ]
    return rows


def empty_copy(url, folder):
    """A copy of the database without spans, for the import; returns its URL.

    On PostgreSQL the copy is a database made from this one as a template, so
    nothing may be connected to it meanwhile.
    """
    if is_sqlite(url):
        copy = folder / "import.sqlite3"
        with sqlite3.connect(sqlite_path(url)) as original, sqlite3.connect(copy) as target:
            original.backup(target)
        copy_url = f"sqlite:///{copy}"
    else:
        name = database_name(url)
        copy_url = with_database(url, f"{name}_import")
        with psycopg.connect(with_database(url, "postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}_import"')
            server.execute(f'CREATE DATABASE "{name}_import" TEMPLATE "{name}"')
    empty(Raw(copy_url))
    return copy_url


def empty(database):
    for table in SPAN_TABLES:
        database.execute(f"DELETE FROM {table}")
    database.commit()


def drop_copy(copy_url):
    if not is_sqlite(copy_url):
        name = database_name(copy_url)
        with psycopg.connect(with_database(copy_url, "postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE "{name}"')


def import_native(url, env, manage, folder):
    """``import_annotations`` of the native export into a copy without spans, against the
    same file read with orjson and inserted in one go (PostgreSQL: COPY; SQLite:
    executemany)."""
    exported = folder / "export.native"
    copy_url = empty_copy(url, folder)
    seconds, memory = child(
        [*manage, "import_annotations", "--quiet", str(exported)], {**env, "DATABASE_URL": copy_url}
    )
    copy = Raw(copy_url)
    imported = copy.count("annotator_annotation")
    empty(copy)

    began = time.perf_counter()
    document = orjson.loads(exported.read_bytes())
    article_ids = dict(copy.execute("SELECT body_sha256, id FROM annotator_article"))
    user_ids = dict(copy.execute("SELECT username, id FROM auth_user"))
    tuples = [
        (article_ids[record["body_sha256"]], user_ids[span["reviewer"]], span["layer"])
        + (span["label"], span["start"], span["end"], span["quote"], span["prefix"])
        + (span["suffix"], span["note"], span["created"], span["updated"], False)
        + tuple(span["fields"][name] for name in span_schema.CHOICE_NAMES)
        for record in document["articles"]
        for span in record["annotations"]
    ]
    copy.insert("annotator_annotation", RAW_COLUMNS, tuples)
    copy.commit()
    raw_seconds = time.perf_counter() - began
    copy.close()
    drop_copy(copy_url)
    share = (imported / seconds) / (len(tuples) / raw_seconds)
    return [
        Row(
            f"import native, {imported:,} spans (rows/s)",
            f"{imported / seconds:,.0f}",
            f"{len(tuples) / raw_seconds:,.0f}",
            f"{share:.2f}x",
            ">= 0.25x raw",
            share >= 0.25,
        ),
        Row(
            "  against Label Studio 1.23.2's import here (100k spans; rows/s)",
            f"{imported / seconds:,.0f}",
            f"{LABEL_STUDIO_IMPORT:,}",
            f"{imported / seconds / LABEL_STUDIO_IMPORT:.2f}x",
            f"> {LABEL_STUDIO_IMPORT:,}",
            imported / seconds > LABEL_STUDIO_IMPORT,
        ),
        Row("  peak memory (MB)", f"{memory:.0f}", budget="<= 300 MB", met=memory <= 300),
    ]
