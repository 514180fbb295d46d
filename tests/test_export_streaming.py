"""Exports stream: memory stays flat as the data grows, and the first bytes leave at once."""

import io
import tracemalloc

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator import exporting
from annotator.models import Annotation

pytestmark = pytest.mark.django_db


def peak_bytes_of_export(fmt):
    tracemalloc.start()
    tracemalloc.reset_peak()
    sink = io.BytesIO()
    written = 0
    for chunk in exporting.stream(fmt, Annotation.objects.all(), {}, timezone.now()):
        written += len(chunk)
        sink.seek(0)
        sink.truncate()
        sink.write(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, written


@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_memory_stays_flat_when_the_export_grows_tenfold(monkeypatch, fmt):
    monkeypatch.setattr(exporting, "ARTICLE_BATCH", 6)
    monkeypatch.setattr(exporting, "W3C_PAGE_SIZE", 200)
    call_command(
        "generate_corpus",
        sources=2,
        articles=6,
        annotations=600,
        reviewers=3,
        body_chars=2000,
        seed=1,
        quiet=True,
    )
    small_peak, small_size = peak_bytes_of_export(fmt)
    call_command(
        "generate_corpus",
        sources=2,
        articles=54,
        annotations=5400,
        reviewers=3,
        body_chars=2000,
        seed=2,
        quiet=True,
    )
    large_peak, large_size = peak_bytes_of_export(fmt)
    assert large_size > 9 * small_size
    # ten times the data, well under twice the memory; and far below the 100 MB cap
    assert large_peak < 2 * small_peak
    assert large_peak < 30 * 1024 * 1024


def test_download_is_streamed_and_starts_before_the_data_is_read(api_as, carol, monkeypatch):
    monkeypatch.setattr(exporting, "ARTICLE_BATCH", 1)
    call_command(
        "generate_corpus",
        sources=1,
        articles=5,
        annotations=100,
        reviewers=1,
        body_chars=1000,
        quiet=True,
    )
    response = api_as(carol).get("/api/export/")
    assert response.streaming
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first.startswith(b'{"schema":"newsroom-annotator/export"')
    assert len(queries) == 0
    rest = b"".join(chunks)
    assert rest.endswith(b"]}\n")
