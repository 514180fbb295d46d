"""Export and import, each in its own process, timed and measured beside a raw writer or
reader of the same file."""

import filecmp
import os
import re
import sqlite3
import subprocess
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
# Label Studio 1.23.2 importing 100,000 spans of 2,000 articles on this machine (issue 15):
# spans/s, and the corpus it was measured on, which the comparison is made at.
LABEL_STUDIO_IMPORT = 15_900
LABEL_STUDIO_CORPUS = {"sources": 20, "articles": 2000, "annotations": 100_000, "reviewers": 20}


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
    """The span tables emptied. On PostgreSQL they are then vacuumed and analysed, as
    autovacuum would within a minute: the import writes into empty tables, as into a new
    database, not beside the dead rows of those deleted."""
    for table in SPAN_TABLES:
        database.execute(f"DELETE FROM {table}")
    database.commit()
    if not database.sqlite:
        database.connection.autocommit = True
        database.execute(f"VACUUM ANALYZE {', '.join(SPAN_TABLES)}")
        database.connection.autocommit = False


def drop_copy(copy_url):
    if not is_sqlite(copy_url):
        name = database_name(copy_url)
        with psycopg.connect(with_database(copy_url, "postgres"), autocommit=True) as server:
            server.execute(f'DROP DATABASE "{name}"')


def import_native(url, env, manage, folder):
    """``import_annotations`` of the native export into a copy without spans, against the
    same file read with orjson and inserted in one go (PostgreSQL: COPY; SQLite:
    executemany)."""
    imported, seconds, memory, raw_rate = timed_import(url, env, manage, folder)
    share = (imported / seconds) / raw_rate
    return [
        Row(
            f"import native, {imported:,} spans (rows/s)",
            f"{imported / seconds:,.0f}",
            f"{raw_rate:,.0f}",
            f"{share:.2f}x",
            ">= 0.25x raw",
            share >= 0.25,
        ),
        Row("  peak memory (MB)", f"{memory:.0f}", budget="<= 300 MB", met=memory <= 300),
    ]


LABEL_STUDIO_RUNS = 3  # Label Studio's figure was the faster of its runs: ours likewise


def import_against_label_studio(url, env, manage, folder):
    """The same import of a corpus the size Label Studio's import was measured on, built in a
    database of its own beside the benchmark's: the fastest of :data:`LABEL_STUDIO_RUNS`
    runs against Label Studio's, every run's rate shown."""
    runs = [timed_import(url, env, manage, folder) for _ in range(LABEL_STUDIO_RUNS)]
    rates = [imported / seconds for imported, seconds, _memory, _raw in runs]
    imported = runs[0][0]
    rate, raw_rate = max(rates), max(raw for *_, raw in runs)
    memory = max(memory for _imported, _seconds, memory, _raw in runs)
    return [
        Row(
            f"import native, {imported:,} spans (rows/s), against Label Studio 1.23.2 here, "
            f"fastest of {LABEL_STUDIO_RUNS}",
            f"{rate:,.0f}",
            f"{raw_rate:,.0f}",
            f"{rate / LABEL_STUDIO_IMPORT:.2f}x LS",
            f"> {LABEL_STUDIO_IMPORT:,}",
            rate > LABEL_STUDIO_IMPORT,
        ),
        Row("  each run (rows/s)", " / ".join(f"{each:,.0f}" for each in rates)),
        Row("  peak memory (MB)", f"{memory:.0f}", budget="<= 300 MB", met=memory <= 300),
    ]


def timed_import(url, env, manage, folder):
    """Import ``folder``/export.native into a copy of ``url`` without spans, in its own
    process, then the raw baseline; (spans imported, seconds, peak MB, raw rows/s)."""
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
        + (engine_of(span["provenance"]),)
        + tuple(span["fields"][name] for name in span_schema.CHOICE_NAMES)
        for record in document["articles"]
        for span in record["annotations"]
    ]
    copy.insert("annotator_annotation", RAW_COLUMNS, tuples)
    copy.commit()
    raw_seconds = time.perf_counter() - began
    copy.close()
    drop_copy(copy_url)
    return imported, seconds, memory, len(tuples) / raw_seconds


def engine_of(provenance):
    """A span's provenance in the file as the column stores it: "" by hand, else name/version."""
    if provenance["origin"] == "manual":
        return ""
    return f"{provenance['engine']}/{provenance['version']}"


def export_native(env, manage, folder):
    """The native export of every span to ``folder``/export.native (untimed)."""
    subprocess.run(
        [*manage, "export_annotations", "--quiet", f"--output={folder / 'export.native'}"],
        env=env,
        check=True,
        cwd=ROOT,
    )
