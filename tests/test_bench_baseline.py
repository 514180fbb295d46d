"""The benchmark's raw export baseline writes exactly the product's bytes.

bench/run.py compares rows/s of the export with a hand-written one; the
comparison is fair only while both write the same document, so a change to
the export format must change the baseline too, or this fails.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPORT_TIME = re.compile(rb'"(?:exported_at|nra:exportedAt)":"([^"]+)"')
# Every kind of value the export writes: an orphan (no offsets), an accepted suggestion, a
# done review, a speaker with an affiliation, a note with characters outside the BMP, a page
# review on an article without spans, adjudications complete and in progress.
VARIETY = """
from annotator.models import Adjudication, Annotation, Article, ArticleReview, Source, Speaker
spans = Annotation.objects.order_by("pk")
Annotation.objects.filter(pk=spans[0].pk).update(orphaned=True)
Annotation.objects.filter(pk=spans[1].pk).update(note="Checked 😀 <b>&</b> \\"quoted\\"")
speaker = Speaker.objects.create(name="Ministry", affiliation="government_named")
Annotation.objects.filter(pk=spans[2].pk).update(speaker=speaker)
Annotation.objects.filter(pk=spans[4].pk).update(suggested_by="newsroom-rules/0.3.1")
review = ArticleReview.objects.create(article_id=spans[3].article_id, reviewer=spans[3].reviewer)
review.set_done(True)
quiet = Article.objects.create(source=Source.objects.first(), body="Nothing was marked here.")
ArticleReview.objects.create(
    article=quiet, reviewer=spans[0].reviewer, genre="news", byline_shown=True, bio_shown=False
).set_done(True)
Adjudication.objects.create(article_id=spans[3].article_id, adjudicator=spans[0].reviewer)
Adjudication.objects.create(
    article=quiet, adjudicator=spans[0].reviewer
).mark_complete(spans[1].reviewer)
"""


@pytest.mark.parametrize("fmt", ["native", "w3c"])
def test_raw_export_baseline_writes_the_products_bytes(tmp_path, fmt):
    database = tmp_path / "bench.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "project.settings.test",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*command):
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    run(*manage, "migrate", "-v0")
    run(
        *manage,
        "generate_corpus",
        "--quiet",
        "--sources=3",
        "--articles=12",
        "--annotations=600",
        "--reviewers=3",
        "--body-chars=1500",
    )
    run(*manage, "shell", "-v0", "-c", VARIETY)
    product, raw = tmp_path / f"product.{fmt}", tmp_path / f"raw.{fmt}"
    run(*manage, "export_annotations", "--quiet", f"--format={fmt}", f"--output={product}")
    stamp = EXPORT_TIME.search(product.read_bytes()).group(1).decode()
    run(sys.executable, str(ROOT / "bench/raw_export.py"), str(database), str(raw), fmt, stamp)
    written = product.read_bytes()
    assert "😀".encode() in written and b'"review_state":"done"' in written.replace(
        b"nra:reviewState", b"review_state"
    )
    suggested = {"native": b'"engine":"newsroom-rules"', "w3c": b"engine:newsroom-rules/0.3.1"}
    assert suggested[fmt] in written
    if fmt == "native":
        assert b"Nothing was marked here." in written and b'"complete":true' in written
    assert written == raw.read_bytes()
