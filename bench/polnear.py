"""PolNeAR at scale (issue 18): its training split imported into a database of its own,
then its seven outlets read as staff reads them.

Run as a script it is the reading half, in its own process (its own Django settings,
its own database): ``polnear.py`` prints the timings as JSON.
"""

import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.raw import analysed  # noqa: E402
from bench.report import Row, at_most, ms  # noqa: E402
from bench.timing import child, durations_of, p95  # noqa: E402

DATA = ROOT.parent / "shared/corpora/polnear/data"
COMPARTMENTS = ("annotator-training", "train")
CALLS = 30


def rows(url, env, manage):
    """Import PolNeAR into the empty, migrated database at ``url`` and time the import and
    the reads (after ``analysed(url)``). The database stays for a look (the next run builds
    it again)."""
    import subprocess

    polnear_env = {**env, "DATABASE_URL": url}
    seconds, memory = child([*manage, "import_polnear", str(DATA), *COMPARTMENTS], polnear_env)
    analysed(url)
    reads = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())],
        env=polnear_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(reads.stdout.splitlines()[-1])
    spans, articles = found["spans"], found["articles"]
    longest = found["longest"]
    return [
        Row(
            f"PolNeAR import, {articles:,} articles, {spans:,} spans (s; spans/s; peak MB)",
            f"{seconds:.1f}; {spans / seconds:,.0f}; {memory:.0f}",
        ),
        Row(
            f"PolNeAR sources page, {found['sources']} outlets, median (ms)",
            ms(found["sources_page"]["median"]),
        ),
        at_most("  p95 (ms)", found["sources_page"]["p95"], 1500),
        at_most(
            "PolNeAR one outlet's profile with intervals, p95 (ms)",
            found["profile"]["p95"],
            100,
        ),
        Row(
            f"PolNeAR longest article ({longest['words']:,} words, {longest['spans']} spans, "
            f"reviewers: {longest['reviewers']}), every reviewer's view, median (ms)",
            ms(longest["median"]),
        ),
        at_most("  p95 (ms)", longest["p95"], 50),
    ]


def timed(client, url):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    call()  # warm
    durations = durations_of(call, CALLS)
    return {"median": statistics.median(durations), "p95": p95(durations)}


def read_pages():
    """The reading half: as staff, the sources page, one outlet's summary API and the
    longest article's page with every reviewer's spans."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from rest_framework.test import APIClient

    import project.wsgi  # noqa: F401  (loaded as a server worker loads it)
    from annotator.models import Annotation, Article, Source

    staff, _ = get_user_model().objects.get_or_create(
        username="polnear-bench-staff", defaults={"is_staff": True}
    )
    page, api = Client(), APIClient()
    page.force_login(staff)
    api.force_authenticate(staff)
    source = Source.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    longest = Article.objects.order_by("-word_count", "pk").first()
    spans = Annotation.objects.filter(article=longest)
    result = {
        "articles": Article.objects.count(),
        "spans": Annotation.objects.count(),
        "sources": Source.objects.count(),
        "sources_page": timed(page, "/sources/"),
        "profile": timed(api, f"/api/sources/{source.pk}/summary/"),
        "longest": {
            "words": longest.word_count,
            "spans": spans.count(),
            "reviewers": spans.values("reviewer").distinct().count(),
            **timed(page, f"/articles/{longest.pk}/?view=all"),
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    read_pages()
