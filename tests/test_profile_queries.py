"""Every page and endpoint that shows profiles runs a fixed number of queries.

The corpus has several sources, each with several articles annotated by two
reviewers (linked claims, attributions with speakers, page reviews), half of
them adjudicated: a query per source, article, span or speaker would show.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import adjudication
from annotator.models import ArticleReview, Source, Speaker
from annotator.profiles.reading import source_profiles

from .conftest import api_client, logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db

BODY = "Minister Ivanova said the dam is crucial. Critics warned it would flood the valley {}."


@pytest.fixture
def corpus(alice, bob, carol):
    """Three sources of four articles each; every reviewer's agreement already read."""
    speaker = Speaker.objects.create(name="Ivanova", affiliation="government_named")
    for index in range(12):
        article = make_article(body=BODY.format(index), source=make_source(f"Outlet {index % 3}"))
        for reviewer in (alice, bob):
            said = make_annotation(
                article,
                reviewer,
                "attribution",
                "Minister Ivanova said",
                speaker=speaker,
                speaker_type="named_person",
                cue_stance="neutral",
            )
            claim = make_annotation(
                article,
                reviewer,
                "claim",
                "the dam is crucial",
                check_worthy=True,
                attribution=said,
            )
            make_annotation(article, reviewer, "opinion", "it would flood the valley")
            ArticleReview.objects.create(
                article=article, reviewer=reviewer, genre="news", byline_shown=True
            )
        if index % 2:
            adjudication.accept(said, carol)
            adjudication.accept(claim, carol)
    source_profiles(carol)  # the first reader stores the agreement the writes forgot
    return Source.objects.get(name="Outlet 1")


def test_a_source_has_several_articles_and_spans(corpus):
    assert corpus.articles.count() == 4
    assert ArticleReview.objects.filter(article__source=corpus).count() == 8


# A page's request starts with its session and user (2 queries); a reviewer's
# also reads their groups (may they annotate?), and their profiles read no
# adjudications and no agreement.
PAGES = [
    # sources, articles, unit figures, reviews, adjudications, agreement
    ("carol", "/sources/", 2 + 6),
    ("carol", "/sources/table.csv", 2 + 6),
    ("carol", "/sources/table.json", 2 + 6),
    ("alice", "/sources/", 3 + 4),
    # the source, then its profile's five other reads
    ("carol", "/sources/{source}/", 2 + 1 + 5),
    ("alice", "/sources/{source}/", 3 + 1 + 3),
    # the source, the page's count and its spans with their articles, reviewers,
    # speakers and attributions (adjudicated articles' raw spans left out by a subquery),
    # then the articles they lie in with their counts (each linked to its marked spans)
    ("carol", "/sources/{source}/evidence/sourcing_rate/", 2 + 1 + 2 + 1),
    ("carol", "/sources/{source}/evidence/voice_diversity/", 2 + 1 + 2 + 1),
    ("alice", "/sources/{source}/evidence/sourcing_rate/", 3 + 1 + 2 + 1),
    # the source, its reviews with their articles and reviewers
    ("carol", "/sources/{source}/evidence/transparency/", 2 + 1 + 1),
    ("alice", "/sources/{source}/evidence/transparency/", 3 + 1 + 1),
    # Without accepted suggestions: one read more, the figures by hand of the units
    # holding one; the evidence's spans filtered in the same queries.
    ("carol", "/sources/?suggestions=exclude", 2 + 6 + 1),
    ("alice", "/sources/?suggestions=exclude", 3 + 4 + 1),
    ("carol", "/sources/{source}/?suggestions=exclude", 2 + 1 + 5 + 1),
    ("alice", "/sources/{source}/?suggestions=exclude", 3 + 1 + 3 + 1),
    ("carol", "/sources/{source}/evidence/sourcing_rate/?suggestions=exclude", 2 + 1 + 2 + 1),
    ("alice", "/sources/{source}/evidence/sourcing_rate/?suggestions=exclude", 3 + 1 + 2 + 1),
    # (the source,) sources' profiles' six reads, the assignments' suggestions conditions,
    # each reviewer's accepted suggestions, the reviewer pairs' names
    ("carol", "/agreement/", 2 + 6 + 2 + 1),
    ("carol", "/agreement/?source={source}", 2 + 1 + 6 + 2 + 1),
]


@pytest.mark.parametrize(("user", "url", "queries"), PAGES)
def test_profile_pages_run_a_fixed_number_of_queries(
    corpus, request, user, url, queries, django_assert_num_queries
):
    client = logged_in(request.getfixturevalue(user))
    with django_assert_num_queries(queries):
        response = client.get(url.format(source=corpus.pk))
    assert response.status_code == 200


# An API client is authenticated without a query: the source, then its profile
# (five reads for staff; a reviewer's groups, then articles, unit figures, reviews).
@pytest.mark.parametrize(
    ("user", "query", "queries"),
    [
        ("carol", "", 1 + 5),
        ("alice", "", 1 + 1 + 3),
        ("carol", "?suggestions=exclude", 1 + 5 + 1),
        ("alice", "?suggestions=exclude", 1 + 1 + 3 + 1),
    ],
)
def test_summary_api_runs_a_fixed_number_of_queries(
    corpus, request, user, query, queries, django_assert_num_queries
):
    client = api_client(request.getfixturevalue(user))
    with django_assert_num_queries(queries):
        response = client.get(f"/api/sources/{corpus.pk}/summary/{query}")
    assert response.status_code == 200
    assert response.json()["articles"] == 4


def test_profiles_of_all_sources_take_as_many_queries_as_one(corpus, carol):
    def count(sources):
        with CaptureQueriesContext(connection) as captured:
            source_profiles(carol, sources, intervals=True)
        return len(captured.captured_queries)

    assert count([corpus]) == count(list(Source.objects.all())) == 5


def test_a_coder_who_marked_done_without_spans_costs_no_query(
    corpus, carol, django_user_model, django_assert_num_queries
):
    dave = django_user_model.objects.create_user("dave")
    for article in corpus.articles.all():
        ArticleReview.objects.create(article=article, reviewer=dave).set_done(True)
    source_profiles(carol)  # the first reader stores the agreement marking done forgot
    with django_assert_num_queries(5):
        [profile] = source_profiles(carol, [corpus], intervals=True)
    assert (profile.agreement["coders"], profile.agreement["articles"]) == (3, 4)
