"""Reading: the article page, the spans API and the source profiles, each beside the same
facts read with plain SQL (after django.setup())."""

import html
import statistics

import orjson
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from annotator import span_schema
from annotator.models import Annotation, Article, Source
from annotator.views import LISTED_PER_PAGE
from bench import corpus
from bench.report import Row, at_most, ms, ratio
from bench.timing import QueryCounter, durations_of, median_of, p95, paired

# The page's script data: each span's fields under the names the script reads.
PAGE_SPANS = (
    "SELECT n.id, u.username AS reviewer, n.label, n.start, n.end, n.quote, n.note, "
    + ", ".join(f"n.{field.column} AS {field.name}" for field in span_schema.LABEL_FIELDS)
    + " FROM annotator_annotation n JOIN auth_user u ON u.id = n.reviewer_id "
    "WHERE n.article_id=%s AND n.layer='raw' AND NOT n.orphaned "
    "ORDER BY n.start, n.end DESC, n.id"
)
# The aliases as stored JSON text, passed through as the page passes them.
PAGE_SPEAKERS = (
    "SELECT id, name, CAST(aliases AS TEXT) AS aliases, affiliation, affiliation_detail "
    "FROM annotator_speaker"
)
API_SPANS = (
    "SELECT n.*, u.username FROM annotator_annotation n "
    "JOIN auth_user u ON u.id = n.reviewer_id WHERE n.article_id=%s "
    "ORDER BY n.start, n.end DESC, n.id LIMIT 1000"
)
# The best single statement for the facts a profile counts: spans grouped by every field
# the figures use.
GROUPED_SPANS = (
    "SELECT a.source_id, n.article_id, n.reviewer_id, n.layer, n.label, "
    "n.attribution_id IS NOT NULL, n.check_worthy, n.speaker_type, n.cue_stance, n.quote_type, "
    "n.speaker_id, n.counter_voice, COUNT(*) FROM annotator_annotation n "
    "JOIN annotator_article a ON a.id = n.article_id {where} "
    "GROUP BY 1,2,3,4,5,6,7,8,9,10,11,12"
)


def names(cursor):
    return [column[0] for column in cursor.description]


def fetch(client, url):
    """GET a page the viewer may see; anything but 200 would time the wrong thing."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def queries_of(call):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        call()
    return counter.count


def article_page_and_api(raw, viewer):
    """The first article, holding 500 spans, as staff sees it: its page and its spans API."""
    article = Article.objects.order_by("pk").first()
    corpus.hold_spans(article, viewer, seed=5)
    spans = Annotation.objects.filter(article=article).count()
    page = Client()
    page.force_login(viewer)
    api = APIClient()
    api.force_authenticate(viewer)
    page_url = f"/articles/{article.pk}/?view=all"
    api_url = f"/api/articles/{article.pk}/annotations/?limit=1000"

    def raw_page():
        """The same page content by hand: body paragraphs, the span list's first page, the
        script's JSON."""
        session = page.cookies["sessionid"].value
        raw.execute("SELECT * FROM django_session WHERE session_key=%s", (session,)).fetchone()
        raw.execute("SELECT * FROM auth_user WHERE id=%s", (viewer.pk,)).fetchone()
        raw.execute(
            "SELECT * FROM annotator_articlereview WHERE article_id=%s AND reviewer_id=%s",
            (article.pk, viewer.pk),
        ).fetchone()
        body = raw.execute(
            "SELECT body FROM annotator_article WHERE id=%s", (article.pk,)
        ).fetchone()[0]
        span_cursor = raw.execute(PAGE_SPANS, (article.pk,))
        rows = span_cursor.fetchall()
        speaker_cursor = raw.execute(PAGE_SPEAKERS)
        speakers = [
            (pk, name, orjson.Fragment(aliases), *rest)
            for pk, name, aliases, *rest in speaker_cursor
        ]
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body.split("\n") if line)
        items = "".join(
            f'<li class="label-{label}"><span>{label}</span> <span>{html.escape(reviewer)}</span> '
            f"{start}–{end} <q>{html.escape(quote[:160])}</q>{html.escape(note)}</li>"
            for _id, reviewer, label, start, end, quote, note, *_ in rows[:LISTED_PER_PAGE]
        )
        payload = orjson.dumps(
            {
                "body": body,
                "annotations": {"fields": names(span_cursor), "rows": rows},
                "speakers": {"fields": names(speaker_cursor), "rows": speakers},
            }
        )
        return paragraphs + items + payload.decode().replace("<", "\\u003C")

    def raw_api():
        """The spans API by hand: every column of the spans as JSON."""
        cursor = raw.execute(API_SPANS, (article.pk,))
        fields = names(cursor)
        return orjson.dumps([dict(zip(fields, row, strict=True)) for row in cursor])

    return [
        *against_raw(f"article page, {spans} spans, HTML", page, page_url, raw_page),
        *against_raw(f"spans API, {spans} spans", api, api_url, raw_api),
    ]


def against_raw(name, client, url, baseline, product=None):
    """A GET timed beside its raw baseline: medians, the product's p95 against the 50 ms
    budget, and the queries it sends. ``product`` times something else than the plain GET
    (the same request, in other conditions)."""
    call = product or (lambda: fetch(client, url))
    queries = queries_of(call)
    product_times, raw_times = paired(call, baseline, rounds=6)
    median, raw_median = statistics.median(product_times), statistics.median(raw_times)
    return [
        Row(f"{name}, median (ms)", ms(median), ms(raw_median), ratio(median, raw_median)),
        at_most("  p95 (ms)", p95(product_times), 50, p95(raw_times)),
        Row("  queries", str(queries)),
    ]


def source_profiles_rows(raw, viewer):
    """The sources page (every source's profile) and one source's profile with its
    intervals (the API's summary, what its page shows)."""
    source = Source.objects.order_by("pk").first()
    sources = Source.objects.count()
    client = Client()
    client.force_login(viewer)
    every = median_of(lambda: fetch(client, "/sources/"), 3)
    one = median_of(lambda: fetch(client, f"/api/sources/{source.pk}/summary/"), 15)
    raw_every = median_of(lambda: raw.execute(GROUPED_SPANS.format(where="")).fetchall(), 3)
    one_sql = GROUPED_SPANS.format(where="WHERE a.source_id=%s")
    raw_one = median_of(lambda: raw.execute(one_sql, (source.pk,)).fetchall(), 5)
    return [
        at_most("one source's profile, with intervals (ms)", one, 100, raw_one),
        at_most(f"sources page, all {sources} profiles (ms)", every, 1500, raw_every),
    ]


def suggestions_rows(calls=10):
    """The suggestions API on the benchmark's 5,000-word article, for the reviewer holding
    its 500 spans (each suggestion is checked against them): the first call, which loads
    the engine's pipeline in this process, then ``calls`` more once it is loaded, each
    parsing the text afresh (the cache emptied before it), then ``calls`` answered from
    the cache, as for the text's next reader."""
    username, pk = corpus.browser_article()
    client = APIClient()
    client.force_authenticate(corpus.reviewer(username))
    url = f"/api/articles/{pk}/suggestions/"
    first = median_of(lambda: fetch(client, url))

    def parsed_afresh():
        cache.clear()
        fetch(client, url)

    times = durations_of(parsed_afresh, calls)
    kept = durations_of(lambda: fetch(client, url), calls)
    found = len(fetch(client, url).json()["suggestions"])
    words = Article.objects.get(pk=pk).word_count
    return [
        Row(f"suggestions API, {words:,}-word article: first call, engine loading (ms)", ms(first)),
        at_most(f"  loaded, text parsed, median of {calls} (ms)", statistics.median(times), 2000),
        at_most("  loaded, text parsed, slowest (ms)", max(times), 2000),
        Row(f"  text's next reader (cached), median of {calls} (ms)", ms(statistics.median(kept))),
        Row("  suggestions listed", str(found)),
    ]
