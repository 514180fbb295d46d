"""Benchmark the product against the raw database, in the same run, on the same data.

    .venv/bin/python bench/run.py --annotations 1000000 --articles 20000 --sources 200

Builds (or with --reuse, reuses) a SQLite corpus with generate_corpus, then
prints each figure for the product, for a raw baseline (plain sqlite3 and
orjson) and their ratio. Nothing here is asserted: it measures.
"""

import argparse
import filecmp
import html
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import browser, load  # noqa: E402


def timed(call, repeat=1):
    """Median seconds of ``repeat`` calls, and the last result."""
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def paired(product, raw, rounds, block=10):
    """Median seconds of ``product`` and of ``raw``: ``rounds`` blocks of ``block`` calls each,
    the two sides' blocks in turn.

    Blocks in turn keep a noisy machine's slow spells from landing on one side
    of the ratio; calls within a block run back to back, so each side is timed
    warm, as a server serving the same page again would run it (calling them
    one by one let the product's work evict the raw side's cache and flattered
    the ratio by a third).
    """
    times = ([], [])
    for _ in range(rounds):
        for call, durations in zip((product, raw), times, strict=True):
            for _ in range(block):
                started = time.perf_counter()
                call()
                durations.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


# A small wrapper starts the command, so the peak it reports is the command's own,
# not the pages a fork of this (large) benchmark process happened to share.
MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def child(command, env):
    """Run a command; return (seconds, peak resident MB) of that process alone."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(result.stdout.split()[-1]) / 1024


class QueryCounter:
    """Counts the SQL statements a block sends (a Django execute wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def report(rows):
    width = max(len(row[0]) for row in rows)
    print(f"\n{'figure'.ljust(width)}  {'product':>14}  {'raw':>14}  {'ratio':>7}")
    for name, product, raw, ratio in rows:
        print(f"{name.ljust(width)}  {product:>14}  {raw:>14}  {ratio:>7}")


EXPORT_TIME = re.compile(rb'"(?:exported_at|nra:exportedAt)":"([^"]+)"')
SPEAKER_COLUMNS = ("id", "name", "aliases", "affiliation", "affiliation_detail")
RAW_FIELDS = ("speaker_type", "cue_stance", "quote_type", "opinion_type")
BROWSER_PASSWORD = "bench-only-password"  # noqa: S105  (a throwaway benchmark account)
BROWSER_SEED_FILE = "bench-browser-5048-words"


def token_for(username):
    """A reviewer account with an API token (created on first use)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from annotator.models import REVIEWERS_GROUP

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=REVIEWERS_GROUP)[0])
    return Token.objects.get_or_create(user=user)[0].key


def browser_article():
    """(username, article id): a reviewer with 500 spans on a 5,000-word article."""
    from django.contrib.auth import get_user_model

    from annotator import synthetic, text
    from annotator.models import Annotation, Article, Source
    from annotator.profiles import storage as tallies

    token_for("bench-browser")
    user = get_user_model().objects.get(username="bench-browser")
    user.set_password(BROWSER_PASSWORD)
    user.save()
    article = Article.objects.filter(seed_file=BROWSER_SEED_FILE).first()
    if article is None:
        rng = random.Random(21)
        body = text.normalise_text(synthetic.body(rng, 5000, 32_000))
        article = Article.objects.create(
            source=Source.objects.order_by("pk").first(),
            title="Five thousand words",
            seed_file=BROWSER_SEED_FILE,
            body=body,
        )
        spans = [
            Annotation(
                article=article,
                reviewer=user,
                label=label,
                start=start,
                end=end,
                quote=body[start:end],
                prefix=text.context(body, start, end)[0],
                suffix=text.context(body, start, end)[1],
            )
            for label, start, end in synthetic.spans(rng, body, 500)
        ]
        Annotation.objects.bulk_create(spans)
        tallies.refresh([article.pk])
    keep_first(article, 500)  # earlier runs labelled more
    return user.username, article.pk


def keep_first(article, count):
    """Delete an article's spans beyond its first ``count`` (by id)."""
    from annotator.models import Annotation

    extra = Annotation.objects.filter(article=article).order_by("pk")[count:]
    Annotation.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--annotations", type=int, default=1000000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument(
        "--db", default=str(Path(tempfile.gettempdir()) / "annotator-bench.sqlite3")
    )
    parser.add_argument("--reuse", action="store_true", help="Keep an existing database.")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{args.db}",
        "DJANGO_SETTINGS_MODULE": "project.settings.test",
    }
    os.environ.update(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    rows = []
    if not (args.reuse and Path(args.db).exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        seconds, _ = child(
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
        rows.append(("generate_corpus (s)", f"{seconds:.1f}", "", ""))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from annotator import synthetic, text
    from annotator.models import Annotation, Article, Source
    from annotator.profiles.reading import source_profiles

    raw = sqlite3.connect(args.db)
    total = raw.execute("SELECT COUNT(*) FROM annotator_annotation").fetchone()[0]
    print(
        f"Corpus: {total:,} annotations, {Article.objects.count():,} articles, "
        f"{Source.objects.count()} sources in {args.db}"
    )
    staff = get_user_model().objects.filter(
        is_staff=True
    ).first() or get_user_model().objects.create_user("bench-staff", is_staff=True)

    # 1. Article page with 500 annotations.
    article = Article.objects.order_by("pk").first()
    reviewer = Annotation.objects.filter(article=article).first().reviewer
    existing = Annotation.objects.filter(article=article).count()
    if existing < 500:
        rng = random.Random(5)
        taken = set(
            Annotation.objects.filter(article=article, reviewer=staff).values_list(
                "label", "start", "end"
            )
        )
        extra = [s for s in synthetic.spans(rng, article.body, 900) if s not in taken][
            : 500 - existing
        ]
        Annotation.objects.bulk_create(
            [
                Annotation(
                    article=article,
                    reviewer=staff,
                    label=label,
                    start=start,
                    end=end,
                    quote=article.body[start:end],
                    prefix=text.context(article.body, start, end)[0],
                    suffix=text.context(article.body, start, end)[1],
                )
                for label, start, end in extra
            ]
        )
    keep_first(article, 500)
    count = Annotation.objects.filter(article=article).count()
    page = Client()
    page.force_login(staff)
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        page.get(f"/articles/{article.pk}/?view=all")
    api = APIClient()
    api.force_authenticate(staff)
    api_queries = QueryCounter()
    with connection.execute_wrapper(api_queries):
        api.get(f"/api/articles/{article.pk}/annotations/?limit=1000")

    def raw_page():
        """The same page content by hand: body paragraphs, span list, the script's JSON."""
        session = page.cookies["sessionid"].value
        raw.execute("SELECT * FROM django_session WHERE session_key=?", (session,)).fetchone()
        raw.execute("SELECT * FROM auth_user WHERE id=?", (staff.pk,)).fetchone()
        raw.execute(
            "SELECT * FROM annotator_articlereview WHERE article_id=? AND reviewer_id=?",
            (article.pk, staff.pk),
        ).fetchone()
        body = raw.execute(
            "SELECT body FROM annotator_article WHERE id=?", (article.pk,)
        ).fetchone()[0]
        columns = (
            "id",
            "reviewer",
            "label",
            "start",
            "end",
            "quote",
            "note",
            "speaker",
            "speaker_type",
            "cue_stance",
            "quote_type",
            "counter_voice",
            "check_worthy",
            "hedged",
            "opinion_type",
            "attribution",
        )
        spans = raw.execute(
            "SELECT n.id, u.username, n.label, n.start, n.end, n.quote, n.note, "
            "n.speaker_id, n.speaker_type, n.cue_stance, n.quote_type, n.counter_voice, "
            "n.check_worthy, n.hedged, n.opinion_type, n.attribution_id "
            "FROM annotator_annotation n JOIN auth_user u ON u.id = n.reviewer_id "
            "WHERE n.article_id=? AND n.layer='raw' AND NOT n.orphaned "
            "ORDER BY n.start, n.end DESC, n.id",
            (article.pk,),
        ).fetchall()
        speakers = [
            (pk, name, orjson.Fragment(aliases), *rest)
            for pk, name, aliases, *rest in raw.execute(
                f"SELECT {', '.join(SPEAKER_COLUMNS)} FROM annotator_speaker"
            )
        ]
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body.split("\n") if line)
        items = "".join(
            f'<li class="label-{label}"><span>{label}</span> <span>{html.escape(reviewer)}</span> '
            f"{start}–{end} <q>{html.escape(quote[:160])}</q>{html.escape(note)}</li>"
            for _id, reviewer, label, start, end, quote, note, *_ in spans
        )
        # The page's script data as the page writes it: field names once, rows of values.
        payload = orjson.dumps(
            {
                "body": body,
                "annotations": {"fields": columns, "rows": spans},
                "speakers": {"fields": SPEAKER_COLUMNS, "rows": speakers},
            }
        )
        return paragraphs + items + payload.decode().replace("<", "\\u003C")

    def raw_api():
        """The spans API by hand: every column of the reviewer's spans as JSON."""
        cursor = raw.execute(
            "SELECT n.*, u.username FROM annotator_annotation n "
            "JOIN auth_user u ON u.id = n.reviewer_id WHERE n.article_id=? "
            "ORDER BY n.start, n.end DESC, n.id LIMIT 1000",
            (article.pk,),
        )
        names = [column[0] for column in cursor.description]
        return orjson.dumps([dict(zip(names, row, strict=True)) for row in cursor])

    html_seconds, raw_seconds = paired(
        lambda: page.get(f"/articles/{article.pk}/?view=all"), raw_page, 6
    )
    api_seconds, raw_api_seconds = paired(
        lambda: api.get(f"/api/articles/{article.pk}/annotations/?limit=1000"), raw_api, 6
    )
    rows.append(
        (
            f"article page, {count} spans, HTML (ms)",
            f"{1000 * html_seconds:.1f}",
            f"{1000 * raw_seconds:.1f}",
            f"{html_seconds / raw_seconds:.1f}x",
        )
    )
    rows.append(("  queries", str(queries.count), "6", ""))
    rows.append(
        (
            f"article spans API, {count} spans (ms)",
            f"{1000 * api_seconds:.1f}",
            f"{1000 * raw_api_seconds:.1f}",
            f"{api_seconds / raw_api_seconds:.1f}x",
        )
    )
    rows.append(("  queries", str(api_queries.count), "1", ""))

    # 2. Saving an annotation, in process (on another article, which keeps its 500 spans).
    article = Article.objects.order_by("pk")[2]
    writer = APIClient()
    writer.force_authenticate(reviewer)
    rng = random.Random(9)
    latencies, saved = [], []
    for _ in range(200):
        start = rng.randrange(0, len(article.body) - 60)
        payload = {
            "label": rng.choice(["claim", "opinion"]),
            "start": start,
            "end": start + rng.randint(5, 50),
        }
        began = time.perf_counter()
        response = writer.post(f"/api/articles/{article.pk}/annotations/", payload, format="json")
        latencies.append(time.perf_counter() - began)
        if response.status_code == 201:
            saved.append(response.json()["id"])
    latencies.sort()
    # Taken out again, so the next run's same 200 spans are saved, not refused as duplicates.
    Annotation.objects.filter(pk__in=saved).delete()

    def raw_insert():
        raw.execute(
            "INSERT INTO annotator_annotation (article_id, reviewer_id, layer, label, "
            'start, "end", '
            "quote, prefix, suffix, note, created, updated, speaker_type, cue_stance, quote_type, "
            "opinion_type, orphaned) VALUES (?, ?, 'raw', 'claim', ?, ?, 'x', '', '', '', "
            "datetime('now'), datetime('now'), '', '', '', '', 0)",
            (article.pk, reviewer.pk, rng.randrange(0, 10**6), 10**6 + 1),
        )
        raw.commit()

    raw_save, _ = timed(raw_insert, 200)
    rows.append(
        (
            "save p50 in process (ms)",
            f"{1000 * latencies[len(latencies) // 2]:.1f}",
            f"{1000 * raw_save:.2f}",
            "",
        )
    )
    rows.append(
        ("save p95 in process (ms)", f"{1000 * latencies[int(0.95 * len(latencies))]:.1f}", "", "")
    )
    rows.append(("  saved (201) of 200", str(len(saved)), "", ""))
    raw.execute('DELETE FROM annotator_annotation WHERE start >= 0 AND "end" = ?', (10**6 + 1,))
    raw.commit()

    # 3. Summaries.
    all_seconds, _ = timed(lambda: source_profiles(staff, with_articles=False), 3)
    source = Source.objects.order_by("pk").first()
    one_seconds, _ = timed(lambda: source_profiles(staff, [source], intervals=True), 15)
    one_plain, _ = timed(lambda: source_profiles(staff, [source]), 15)
    grouped_sql = (
        "SELECT a.source_id, n.article_id, n.reviewer_id, n.layer, n.label, "
        "n.attribution_id IS NOT NULL, n.check_worthy, n.speaker_type, n.cue_stance, n.quote_type, "
        "n.speaker_id, n.counter_voice, COUNT(*) FROM annotator_annotation n "
        "JOIN annotator_article a ON a.id = n.article_id {where} "
        "GROUP BY 1,2,3,4,5,6,7,8,9,10,11,12"
    )
    raw_all, _ = timed(lambda: raw.execute(grouped_sql.format(where="")).fetchall(), 3)
    raw_one, _ = timed(
        lambda: raw.execute(
            grouped_sql.format(where="WHERE a.source_id=?"), (source.pk,)
        ).fetchall(),
        5,
    )
    rows.append(
        (
            "all-sources summary (ms)",
            f"{1000 * all_seconds:.0f}",
            f"{1000 * raw_all:.0f}",
            f"{all_seconds / raw_all:.1f}x",
        )
    )
    rows.append(
        (
            "one source's profile with intervals (ms)",
            f"{1000 * one_seconds:.1f}",
            f"{1000 * raw_one:.1f}",
            f"{one_seconds / raw_one:.1f}x",
        )
    )
    rows.append(
        (
            "one source's profile, no intervals (ms)",
            f"{1000 * one_plain:.1f}",
            f"{1000 * raw_one:.1f}",
            f"{one_plain / raw_one:.1f}x",
        )
    )

    # 2b. Saving under 8 concurrent clients: gunicorn on loopback, one token each.
    server, port = load.start_gunicorn(env, Path(tempfile.gettempdir()) / "bench-gunicorn.log")
    try:
        tokens = [token_for(f"bench-writer{n}") for n in range(8)]
        target = Article.objects.order_by("pk")[1]
        phases = (("as fast as answered", 0.0, 6), ("each pausing 0-0.5 s", 0.25, 12))
        for title, pause, seconds in phases:
            # What earlier writers left would turn the same seeded posts into duplicates.
            Annotation.objects.filter(
                article=target, reviewer__username__startswith="bench-writer"
            ).delete()
            _writers, concurrent = load.run_writers(
                port, tokens, target.pk, len(target.body), seconds, pause
            )
            rows.append(
                (
                    f"save, 8 writers via gunicorn, {title} (req/s)",
                    f"{concurrent['per_second']:.0f}",
                    "",
                    "",
                )
            )
            rows.append(
                (
                    "  p50 / p95 (ms)",
                    f"{concurrent['p50_ms']:.0f} / {concurrent['p95_ms']:.0f}",
                    "",
                    "",
                )
            )
            rows.append(
                (
                    "  refused (4xx), errors (5xx, database locked)",
                    f"{concurrent['refused']}, {concurrent['server_errors']}, "
                    f"{concurrent['locked']}",
                    "",
                    "",
                )
            )

        # 6. The browser: a 5,000-word article with 500 spans, opened and labelled.
        reader, long_article = browser_article()
        seen = browser.measure(
            f"http://127.0.0.1:{port}", reader, BROWSER_PASSWORD, long_article, labels=60
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    words = Article.objects.get(pk=long_article).word_count
    browser_rows = [
        (
            f"browser: open {words:,}-word article, {seen['spans']} spans, interactive (ms)",
            f"{seen['open_ms']:.0f}",
        ),
        ("  DOMContentLoaded (ms)", f"{seen['dom_ready_ms']:.0f}"),
        ("browser: selection to toolbar, p50 (ms)", f"{seen['toolbar_p50_ms']:.0f}"),
        ("browser: key to new span drawn, p50 (ms)", f"{seen['label_p50_ms']:.0f}"),
        ("browser: key to new span drawn, p95 (ms)", f"{seen['label_p95_ms']:.0f}"),
    ]

    # 4. Export, native and W3C, in child processes (memory of that process alone). The raw
    # baseline writes the same document by hand (bench/raw_export.py), checked byte for byte;
    # a flat dump of the span columns is shown too, as the floor.
    flat_dump = (
        "import orjson, sqlite3, sys\n"
        f"db = sqlite3.connect({args.db!r})\n"
        "out = open(sys.argv[1], 'wb')\n"
        "cols = ('id','article','reviewer','layer','label','start','end','quote','prefix','suffix',"
        "'note','created','updated','speaker_type','cue_stance','quote_type','check_worthy',"
        "'hedged','opinion_type','attribution')\n"
        "for row in db.execute('SELECT n.id, a.body_sha256, u.username, n.layer, n.label, n.start, "
        'n."end", n.quote, n.prefix, n.suffix, n.note, n.created, n.updated, n.speaker_type, '
        "n.cue_stance, n.quote_type, n.check_worthy, n.hedged, n.opinion_type, n.attribution_id "
        "FROM annotator_annotation n JOIN annotator_article a ON a.id = n.article_id "
        "JOIN auth_user u ON u.id = n.reviewer_id ORDER BY n.article_id, n.start'):\n"
        "    out.write(orjson.dumps(dict(zip(cols, row))) + b'\\n')\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        flat_seconds, flat_memory = child(
            [sys.executable, "-c", flat_dump, f"{folder}/flat.jsonl"], env
        )
        for fmt in ("native", "w3c"):
            product_file, raw_file = f"{folder}/export.{fmt}", f"{folder}/raw.{fmt}"
            product = [
                *manage,
                "export_annotations",
                "--quiet",
                f"--format={fmt}",
                f"--output={product_file}",
            ]
            # Each side twice, in turn, the faster run of each kept, with what earlier
            # steps wrote flushed to disk first: one run each, after a new corpus, put the
            # product's export in the disk's busiest minute.
            seconds = raw_seconds = float("inf")
            memory = raw_memory = 0
            for _ in range(2):
                os.sync()
                taken, peak = child(product, env)
                seconds, memory = min(seconds, taken), max(memory, peak)
                with open(product_file, "rb") as head:
                    stamp = EXPORT_TIME.search(head.read(2000)).group(1).decode()
                os.sync()
                taken, peak = child(
                    [sys.executable, str(ROOT / "bench/raw_export.py"), args.db, raw_file]
                    + [fmt, stamp],
                    env,
                )
                raw_seconds, raw_memory = min(raw_seconds, taken), max(raw_memory, peak)
            same = filecmp.cmp(product_file, raw_file, shallow=False)
            size = Path(product_file).stat().st_size
            Path(raw_file).unlink()
            rows.append(
                (
                    f"export {fmt} (rows/s)",
                    f"{total / seconds:,.0f}",
                    f"{total / raw_seconds:,.0f}",
                    f"{raw_seconds / seconds:.2f}",
                )
            )
            rows.append((f"  raw wrote the same {size:,} bytes", "", "yes" if same else "NO", ""))
            rows.append(("  peak memory (MB)", f"{memory:.0f}", f"{raw_memory:.0f}", ""))
            rows.append(
                (
                    "  against a flat dump of the span columns",
                    "",
                    f"{total / flat_seconds:,.0f}",
                    f"{flat_seconds / seconds:.2f}",
                )
            )
        Path(f"{folder}/flat.jsonl").unlink()

        # 5. Import of the native export into a copy without annotations.
        copy = f"{folder}/import.sqlite3"
        subprocess.run(["sqlite3", args.db, f".backup {copy}"], check=False)
        if not Path(copy).exists():
            source_db = sqlite3.connect(args.db)
            target = sqlite3.connect(copy)
            source_db.backup(target)
            target.close()
        emptied = sqlite3.connect(copy)
        for table in ("annotation", "historicalannotation", "unitfigures", "articleagreement"):
            emptied.execute(f"DELETE FROM annotator_{table}")
        emptied.commit()
        copy_env = {**env, "DATABASE_URL": f"sqlite:///{copy}"}
        exported = f"{folder}/export.native"
        import_seconds, _ = child([*manage, "import_annotations", "--quiet", exported], copy_env)
        imported = emptied.execute("SELECT COUNT(*) FROM annotator_annotation").fetchone()[0]
        for table in ("annotation", "historicalannotation", "unitfigures", "articleagreement"):
            emptied.execute(f"DELETE FROM annotator_{table}")
        emptied.commit()

        # The raw baseline imports the same file: orjson, then one executemany.
        began = time.perf_counter()
        document = orjson.loads(Path(exported).read_bytes())
        article_ids = dict(emptied.execute("SELECT body_sha256, id FROM annotator_article"))
        user_ids = dict(emptied.execute("SELECT username, id FROM auth_user"))
        tuples = [
            (article_ids[record["body_sha256"]], user_ids[span["reviewer"]], span["layer"])
            + (span["label"], span["start"], span["end"], span["quote"], span["prefix"])
            + (span["suffix"], span["note"], span["created"], span["updated"])
            + tuple(span["fields"][name] for name in RAW_FIELDS)
            + (False,)
            for record in document["articles"]
            for span in record["annotations"]
        ]
        emptied.executemany(
            "INSERT INTO annotator_annotation (article_id, reviewer_id, layer, label, "
            'start, "end", quote, prefix, suffix, note, created, updated, speaker_type, '
            "cue_stance, quote_type, opinion_type, orphaned) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            tuples,
        )
        emptied.commit()
        raw_import = time.perf_counter() - began
        rows.append(
            (
                f"import native, {imported:,} spans (rows/s)",
                f"{imported / import_seconds:,.0f}",
                f"{len(tuples) / raw_import:,.0f}",
                f"{(imported / import_seconds) / (len(tuples) / raw_import):.3f}",
            )
        )

    rows.extend((name, value, "", "") for name, value in browser_rows)
    report(rows)


if __name__ == "__main__":
    main()
