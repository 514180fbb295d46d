"""Benchmark the product against the raw database, in the same run, on the same data.

    .venv/bin/python bench/run.py --annotations 1000000 --articles 20000 --sources 200
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:55444/annotator

Builds (or with --reuse, reuses) a corpus with generate_corpus in the given
database, then prints each figure for the product, for a raw baseline (plain
sqlite3 or psycopg, and orjson), their ratio, and the issue's budget with
whether it is met. Nothing is asserted: it measures.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import browser, load  # noqa: E402
from bench.raw import Raw, analysed, database_name, is_sqlite, sqlite_path, with_database  # noqa: E402
from bench.report import Row, show  # noqa: E402
from bench.timing import child  # noqa: E402

DEFAULT_URL = f"sqlite:///{Path(tempfile.gettempdir()) / 'annotator-bench.sqlite3'}"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--annotations", type=int, default=1000000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help="A database the benchmark owns: sqlite:///PATH or postgres://USER@HOST:PORT/NAME; "
        "without --reuse it is deleted and built again.",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the database's corpus if it has one."
    )
    parser.add_argument(
        "--polnear-only",
        action="store_true",
        help="Only the PolNeAR run, in a database beside --database-url's (no synthetic corpus).",
    )
    return parser.parse_args()


def has_corpus(url):
    if is_sqlite(url):
        return Path(sqlite_path(url)).exists()
    try:
        with psycopg.connect(url) as database:
            found = database.execute("SELECT to_regclass('annotator_annotation')").fetchone()
    except psycopg.OperationalError:  # no such database yet
        return False
    return found[0] is not None


def recreate(url):
    """An empty database at ``url`` (PostgreSQL: through the server's ``postgres`` database)."""
    if is_sqlite(url):
        for suffix in ("", "-wal", "-shm"):
            Path(sqlite_path(url) + suffix).unlink(missing_ok=True)
        return
    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')


def build(args, env, manage):
    """Migrate an empty database and generate the corpus; returns the generation's row."""
    migrated(args.database_url, env, manage)
    seconds, memory = child(
        [
            *manage,
            "generate_corpus",
            "--quiet",
            f"--sources={args.sources}",
            f"--articles={args.articles}",
            f"--annotations={args.annotations}",
            f"--reviewers={args.reviewers}",
        ],
        env,
    )
    analysed(args.database_url)
    return Row("generate_corpus (s); peak memory (MB)", f"{seconds:.1f}; {memory:.0f}")


def migrated(url, env, manage):
    """An empty database at ``url``, migrated."""
    recreate(url)
    subprocess.run(
        [*manage, "migrate", "-v0"], env={**env, "DATABASE_URL": url}, check=True, cwd=ROOT
    )


def machine(raw):
    if raw.sqlite:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        database = f"PostgreSQL {raw.execute('SHOW server_version').fetchone()[0]}"
    import django

    return (
        f"{database}, Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} cores"
    )


def browser_rows(port):
    """Chromium opening a 5,000-word article with 500 spans, then labelling 60 spans."""
    from bench import corpus

    if not Path(browser.CHROMIUM).exists():
        return [
            Row(f"browser: open, not measured (no {browser.CHROMIUM})", budget="<= 600 ms"),
            Row("browser: key to new span drawn, p95, not measured", budget="<= 100 ms"),
        ]
    reader, article = corpus.browser_article()
    seen = browser.measure(
        f"http://127.0.0.1:{port}", reader, corpus.BROWSER_PASSWORD, article, labels=60
    )
    return [
        Row(
            f"browser: open 5,000-word article, {seen['spans']} spans, interactive (ms)",
            f"{seen['open_ms']:.0f}",
            budget="<= 600 ms",
            met=seen["open_ms"] <= 600,
        ),
        Row("  DOMContentLoaded (ms)", f"{seen['dom_ready_ms']:.0f}"),
        Row("browser: selection to toolbar, p50 (ms)", f"{seen['toolbar_p50_ms']:.0f}"),
        Row("browser: key to new span drawn, p50 (ms)", f"{seen['label_p50_ms']:.0f}"),
        Row(
            "  p95 (ms)",
            f"{seen['label_p95_ms']:.0f}",
            budget="<= 100 ms",
            met=seen["label_p95_ms"] <= 100,
        ),
    ]


def main():
    args = arguments()
    url = args.database_url
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings.test"}
    os.environ.update(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    if args.polnear_only:
        show(polnear_run(url, env, manage))
        return
    rows = [] if args.reuse and has_corpus(url) else [build(args, env, manage)]

    import django

    django.setup()
    from django.db import connections

    # The app loaded as the server loads it (project/wsgi.py, its gc.freeze() included), so
    # the requests timed in this process meet the collector as a server's would.
    import project.wsgi  # noqa: F401
    from annotator.models import Article, Source
    from bench import corpus, files, reads, saves

    raw = Raw(url)
    total = raw.count("annotator_annotation")
    print(
        f"Corpus: {total:,} annotations, {Article.objects.count():,} articles, "
        f"{Source.objects.count()} sources in {url}\n{machine(raw)}"
    )
    viewer = corpus.staff()
    rows += reads.article_page_and_api(raw, viewer)
    rows += saves.in_process(raw)
    rows += reads.source_profiles_rows(raw, viewer)
    server, port = load.start_gunicorn(env, Path(tempfile.gettempdir()) / "bench-gunicorn.log")
    try:
        rows += saves.concurrent(port)
        rows += browser_rows(port)
    finally:
        server.terminate()
        server.wait(timeout=10)
    # The import copies a PostgreSQL database, which nothing may be connected to.
    raw.close()
    connections.close_all()
    with tempfile.TemporaryDirectory() as folder:
        rows += files.export(url, env, manage, Path(folder), total)
        rows += files.import_native(url, env, manage, Path(folder))
    rows += label_studio_sized_import(url, env, manage)
    rows += polnear_run(url, env, manage)
    show(rows)


def polnear_run(url, env, manage):
    """PolNeAR's training split in a database of its own beside the benchmark's."""
    from bench import polnear

    if not polnear.DATA.exists():
        return [Row("PolNeAR run", "not measured: ../shared/corpora/polnear is missing")]
    database = sibling(url, "polnear")
    migrated(database, env, manage)
    return polnear.rows(database, env, manage)


def label_studio_sized_import(url, env, manage):
    """The import on a corpus of the size Label Studio's was measured on (2,000 articles,
    100k spans), generated in a database of its own beside the benchmark's, then dropped."""
    from bench import files

    small = sibling(url, "label_studio_size")
    small_env = {**env, "DATABASE_URL": small}
    build(argparse.Namespace(database_url=small, **files.LABEL_STUDIO_CORPUS), small_env, manage)
    with tempfile.TemporaryDirectory() as folder:
        files.export_native(small_env, manage, Path(folder))
        rows = files.import_against_label_studio(small, small_env, manage, Path(folder))
    if is_sqlite(small):
        recreate(small)  # its files deleted
    else:
        files.drop_copy(small)
    return rows


def sibling(url, suffix):
    """Another database beside ``url``'s: a file in the same folder, or one on the same server."""
    if is_sqlite(url):
        path = Path(sqlite_path(url))
        return f"sqlite:///{path.with_name(f'{path.stem}-{suffix}{path.suffix}')}"
    return with_database(url, f"{database_name(url)}_{suffix}")


if __name__ == "__main__":
    main()
