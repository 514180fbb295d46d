"""Summary and list views run a constant number of queries however many articles exist;
a save asks only what it must."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import adjudication
from annotator.models import ArticleReview
from annotator.profiles.reading import source_profiles

from .conftest import api_client, logged_in, make_annotation, make_article, make_source

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
