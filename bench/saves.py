"""Saving spans: one client in process, then eight at once through gunicorn
(after django.setup())."""

import itertools
import random
import statistics
import time

from rest_framework.test import APIClient

from annotator import span_schema
from annotator.models import Annotation, Article
from bench import corpus, load
from bench.report import Row, ms
from bench.timing import median_of, p95

SAVES = 200
RAW_END = 10**6 + 1  # beyond every body: marks the raw baseline's rows for deletion
# A claim with every choice field unanswered ("", span_schema), the rest null.
UNANSWERED = ", ".join(["''"] * len(span_schema.CHOICE_NAMES))
RAW_INSERT = (
    'INSERT INTO annotator_annotation (article_id, reviewer_id, layer, label, start, "end", '
    "quote, prefix, suffix, note, created, updated, orphaned, "
    f"{', '.join(span_schema.CHOICE_NAMES)}) "
    "VALUES (%s, %s, 'raw', 'claim', %s, %s, 'x', '', '', '', "
    f"CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, FALSE, {UNANSWERED})"
)


def in_process(raw):
    """200 new spans POSTed through DRF on the third article, by a reviewer of the first,
    deleted again afterwards; the baseline is one INSERT and commit."""
    article = Article.objects.order_by("pk")[2]
    first = Article.objects.order_by("pk").first()
    author = Annotation.objects.filter(article=first).first().reviewer
    writer = APIClient()
    writer.force_authenticate(author)
    rng = random.Random(9)
    latencies, saved = [], []
    for _ in range(SAVES):
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
    # Taken out again, so the next run's same spans are saved, not refused as duplicates.
    Annotation.objects.filter(pk__in=saved).delete()

    starts = itertools.count()

    def raw_insert():
        raw.execute(RAW_INSERT, (article.pk, author.pk, next(starts), RAW_END))
        raw.commit()

    raw_save = median_of(raw_insert, SAVES)
    raw.execute('DELETE FROM annotator_annotation WHERE "end" = %s', (RAW_END,))
    raw.commit()
    return [
        Row("save in process, p50 (ms)", ms(statistics.median(latencies)), ms(raw_save)),
        Row("  p95 (ms)", ms(p95(latencies)), budget="<= 50 ms", met=p95(latencies) <= 0.050),
        Row(f"  saved (201) of {SAVES}", str(len(saved))),
    ]


def concurrent(port):
    """Eight token clients posting, patching and deleting on the second article through
    gunicorn: first as fast as answered, then each pausing as a person would."""
    tokens = [corpus.token_for(f"bench-writer{n}") for n in range(8)]
    target = Article.objects.order_by("pk")[1]
    rows = []
    for title, pause, seconds, budgeted in (
        ("as fast as answered", 0.0, 6, False),
        ("each pausing 0-0.5 s", 0.25, 12, True),
    ):
        # What earlier writers left would turn the same seeded posts into duplicates.
        Annotation.objects.filter(
            article=target, reviewer__username__startswith="bench-writer"
        ).delete()
        _writers, summary = load.run_writers(
            port, tokens, target.pk, len(target.body), seconds, pause
        )
        errors = summary["server_errors"]
        rows += [
            Row(f"save, 8 writers via gunicorn, {title} (req/s)", f"{summary['per_second']:.0f}"),
            Row(
                "  p50 / p95 (ms)",
                f"{summary['p50_ms']:.0f} / {summary['p95_ms']:.0f}",
                budget="p95 <= 100 ms" if budgeted else "",
                met=summary["p95_ms"] <= 100 if budgeted else None,
            ),
            Row(
                "  errors (5xx), of them database locked; refused (4xx)",
                f"{errors}, {summary['locked']}; {summary['refused']}",
                budget="0 errors" if budgeted else "",
                met=errors == summary["locked"] == 0 if budgeted else None,
            ),
        ]
    return rows
