"""Summary and list views run a constant number of queries however many articles exist;
a save asks only what it must."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import adjudication
from annotator.models import ArticleReview
from annotator.profiles.reading import source_profiles

from .conftest import api_client, filled, logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db


def populate(first, count, reviewers, adjudicator):
    """Articles annotated by every reviewer, with page reviews; every other one adjudicated."""
    for index in range(first, first + count):
        source = make_source(f"Outlet {index % 3}")
        article = make_article(
            body=f"Article {index}: officials said the dam is crucial.", source=source
        )
        for reviewer in reviewers:
            make_annotation(article, reviewer, "claim", "the dam")
            span = make_annotation(
                article, reviewer, "attribution", "officials said", speaker_type="vague"
            )
            ArticleReview.objects.create(
                article=article, reviewer=reviewer, genre="news", byline_shown=True
            )
        if index % 2:
            adjudication.accept(span, adjudicator)


def count_queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "call",
    [
        lambda user: source_profiles(user, intervals=True),
        lambda user: logged_in(user).get("/sources/"),
        lambda user: logged_in(user).get("/sources/1/"),
        lambda user: logged_in(user).get("/articles/"),
        lambda user: api_client(user).get("/api/sources/1/summary/"),
        lambda user: logged_in(user).get("/agreement/"),
        lambda user: logged_in(user).get("/sources/table.csv"),
        lambda user: logged_in(user).get("/sources/1/evidence/sourcing_rate/"),
        lambda user: logged_in(user).get("/articles/1/adjudicate/"),
        lambda user: api_client(user).get("/api/export/"),
        lambda user: api_client(user).get("/api/articles/"),
    ],
    ids=[
        "profiles",
        "sources-page",
        "source-page",
        "articles-page",
        "summary-api",
        "agreement-page",
        "sources-csv",
        "evidence-page",
        "adjudication-page",
        "export",
        "articles-api",
    ],
)
def test_query_count_does_not_grow_with_articles(alice, bob, carol, call):
    # A connection probes once what its database supports (SQLite: JSON), on the first
    # query that needs it: not a query of the view's, whichever test runs first.
    assert connection.features.supports_json_field
    populate(0, 3, [alice, bob], carol)
    few = count_queries(lambda: call(carol))
    populate(3, 12, [alice, bob], carol)
    many = count_queries(lambda: call(carol))
    assert few == many


def test_profiles_read_stored_figures_in_six_queries(alice, bob, carol, django_assert_num_queries):
    populate(0, 5, [alice, bob], carol)
    source_profiles(carol)  # the first reader computes the agreement the writes forgot
    # sources, articles (with what their rows show), unit figures, reviews, adjudications,
    # agreement
    with django_assert_num_queries(6):
        source_profiles(carol, intervals=True)


def test_a_save_asks_no_query_to_prove_its_article_and_reviewer_exist(alice):
    article = make_article()
    with CaptureQueriesContext(connection) as queries:
        response = api_client(alice).post(
            f"/api/articles/{article.pk}/annotations/",
            {"label": "claim", "start": 0, "end": 9},
            format="json",
        )
    assert response.status_code == 201
    proofs = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT 1 AS "a" FROM "annotator_article"')
        or query["sql"].startswith('SELECT 1 AS "a" FROM "auth_user"')
    ]
    assert proofs == []


# Each view the article page and the span API serve, with the exact number of queries it
# runs: the same for an article with a few spans and with many (no query per row).
SENTENCE = "Officials said the dam is crucial for the valley. "


def spanned_article(count, reviewers, adjudicator):
    """An article with ``count`` sentences, each marked by every reviewer: attributions
    with a speaker of their own, claims linked to them, opinions; one span orphaned;
    every other sentence adjudicated."""
    from annotator.models import Annotation, Speaker

    article = make_article(body=SENTENCE * count)
    for index in range(count):
        start = index * len(SENTENCE)
        speaker = Speaker.objects.create(name=f"Speaker {index}")
        for reviewer in reviewers:
            attribution = make_annotation(
                article, reviewer, "attribution", "Officials said", index + 1, speaker=speaker
            )
            make_annotation(
                article,
                reviewer,
                "claim",
                "the dam is crucial",
                index + 1,
                attribution=attribution,
            )
            make_annotation(article, reviewer, "opinion", "crucial", index + 1, note=f"n{start}")
            if index % 2:
                adjudication.accept(attribution, adjudicator)
    orphan = make_annotation(article, reviewers[0], "opinion", "valley")
    Annotation.objects.filter(pk=orphan.pk).update(orphaned=True)
    return article


def first_span(article, reviewer):
    return article.annotations.filter(reviewer=reviewer, label="claim").order_by("pk").first()


READS = {
    # name: (who reads, how, the path, queries). A page reads the session and its user;
    # a reviewer's request asks whether they are in the Reviewers group (staff need not).
    # The article page: article with source, spans (values), review, speakers shown, the
    # article's versions with their users (its revisions); for the reader's own spans, the
    # article's assignments (whether suggestions are allowed).
    # The span list: the article exists, a count for the page, spans with reviewers.
    "article-page": ("alice", "page", "/articles/{article}/", 9),
    "article-page-all": ("carol", "page", "/articles/{article}/?view=all", 7),
    "article-page-adjudicated": ("carol", "page", "/articles/{article}/?view=adjudicated", 7),
    # The article list: its count and its page of articles (each with the reader's progress
    # in subqueries), the sources for the filter, the reader's queue progress.
    "article-list-page": ("alice", "page", "/articles/", 7),
    "article-list-page-staff": ("carol", "page", "/articles/?q=the&sort=title&page=1", 6),
    "span-list-api": ("alice", "api", "/api/articles/{article}/annotations/", 4),
    "span-list-api-staff": ("carol", "api", "/api/articles/{article}/annotations/", 3),
    "span-detail-api": ("alice", "api", "/api/annotations/{span}/", 2),
    "speaker-list-api": ("alice", "api", "/api/speakers/", 3),
    "speaker-search-api": ("alice", "api", "/api/speakers/?q=speaker", 3),
    "article-list-api": ("alice", "api", "/api/articles/", 3),
    "article-detail-api": ("alice", "api", "/api/articles/{article}/", 2),
}


@pytest.mark.parametrize("count", [2, 10])
@pytest.mark.parametrize("name", list(READS))
def test_each_read_runs_a_fixed_number_of_queries(
    alice, bob, carol, django_assert_num_queries, name, count
):
    article = spanned_article(count, [alice, bob], carol)
    username, kind, path, queries = READS[name]
    reader = {"alice": alice, "carol": carol}[username]
    client = logged_in(reader) if kind == "page" else api_client(reader)
    url = path.format(article=article.pk, span=first_span(article, alice).pk)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 10])
def test_the_queue_page_runs_a_fixed_number_of_queries(
    alice, bob, carol, django_assert_num_queries, count
):
    from annotator.models import Assignment

    for index in range(count):
        article = make_article(body=f"Article {index}: {SENTENCE}")
        for reviewer in (alice, bob):
            Assignment.objects.create(article=article, reviewer=reviewer, assigned_by=carol)
    # Session and user; the dealing form's reviewers and sources; progress per reviewer; the
    # reviewers to list by; a count, then a page of assignments with articles and people.
    client = logged_in(carol)
    with django_assert_num_queries(8):
        response = client.get("/queue/")
    assert response.content.decode().count('badge text-bg-secondary">not done') == 2 * count


CLAIM = {"label": "claim", "start": 0, "end": 9}
QUOTE = {"label": "claim", "quote": "Officials", "occurrence": 1}
WRITES = {
    # name: (how, method, path, data, status, queries). Each reads the span and what it is
    # checked against, saves or deletes it with its history row, looks for the links it
    # may break, and recomputes its unit's figures, with and without accepted suggestions
    # (tallies' receiver).
    "span-create-api": ("api", "post", "/api/articles/{article}/annotations/", CLAIM, 201, 15),
    "span-change-api": ("api", "patch", "/api/annotations/{span}/", {"note": "x"}, 200, 19),
    "span-delete-api": ("api", "delete", "/api/annotations/{span}/", None, 204, 17),
    "span-create-page": ("page", "post", "/articles/{article}/annotations/add/", QUOTE, 302, 17),
    "span-delete-page": (
        "page",
        "post",
        "/articles/{article}/annotations/delete/",
        {"annotation": "{span}"},
        302,
        19,
    ),
}


@pytest.mark.parametrize("count", [2, 10])
@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_runs_a_fixed_number_of_queries(
    alice, bob, carol, django_assert_num_queries, name, count
):
    article = spanned_article(count, [alice, bob], carol)
    kind, method, path, data, status, queries = WRITES[name]
    client = logged_in(alice) if kind == "page" else api_client(alice)
    ids = {"article": article.pk, "span": first_span(article, alice).pk}
    url = path.format(**ids)
    if data is not None:
        data = filled(data, ids)
    extra = {"format": "json"} if kind == "api" else {}
    with django_assert_num_queries(queries):
        response = getattr(client, method)(url, data, **extra)
    assert response.status_code == status
