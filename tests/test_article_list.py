"""The article list: search, filters, order, pages, and staff's view of progress."""

import datetime
import re

import pytest

from annotator.models import ArticleReview, Assignment
from annotator.views import ARTICLES_PER_PAGE

from .conftest import logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db


def titles(response):
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index("data-article-table") :]
    return re.findall(r'<a href="/articles/\d+/">([^<]*)</a>', table)


@pytest.fixture
def shelf(alice, bob):
    """Four articles of two outlets, alice's state differing on each."""
    daily, weekly = make_source("The Daily Test"), make_source("Weekly Herald")
    bridge = make_article(
        title="Bridge opens",
        author="Ana Ruiz",
        body="Officials said the bridge will open in May.",
        source=daily,
        published=datetime.date(2026, 5, 1),
    )
    dam = make_article(
        title="Dam report",
        body="The dam is crucial for the région, engineers say. " * 40,
        source=weekly,
        published=datetime.date(2026, 3, 1),
    )
    budget = make_article(title="Budget vote", body="The budget passed.", source=daily)
    school = make_article(
        title="School year",
        body="Schools open in September.",
        source=weekly,
        published=datetime.date(2026, 9, 1),
    )
    make_annotation(dam, alice, "claim", "crucial")  # in progress
    make_annotation(budget, alice, "claim", "passed")
    ArticleReview.objects.create(article=budget, reviewer=alice).set_done(True)
    make_annotation(school, bob, "claim", "September")  # bob's, not alice's
    Assignment.objects.create(article=school, reviewer=alice)
    Assignment.objects.create(article=dam, reviewer=alice)
    Assignment.objects.create(article=dam, reviewer=bob)
    ArticleReview.objects.create(article=dam, reviewer=bob).set_done(True)
    return {"bridge": bridge, "dam": dam, "budget": budget, "school": school}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=bridge", ["Bridge opens"]),
        ("q=RUIZ", ["Bridge opens"]),  # the author, any case
        ("q=herald", ["Dam report", "School year"]),  # the source's name
        ("q=région", ["Dam report"]),  # words of the text, accents kept
        ("q=RÉGION", ["Dam report"]),  # any case in any script (SQLite's LIKE folds ASCII)
        ("q=Région+ENGINEERS", ["Dam report"]),
        ("q=open+may", ["Bridge opens"]),  # every word must be found
        ("q=open+nowhere", []),
        ("state=not_started", ["Bridge opens", "School year"]),
        ("state=in_progress", ["Dam report"]),
        ("state=done", ["Budget vote"]),
        ("queue=on", ["Dam report", "School year"]),
        ("published_from=2026-04-01", ["Bridge opens", "School year"]),
        ("published_from=2026-04-01&published_to=2026-06-30", ["Bridge opens"]),
        ("sort=newest", ["School year", "Bridge opens", "Dam report", "Budget vote"]),
        ("sort=oldest", ["Dam report", "Bridge opens", "School year", "Budget vote"]),
        ("sort=longest&q=the", ["Dam report", "Bridge opens", "Budget vote"]),
        ("sort=fewest&state=not_started", ["Bridge opens", "School year"]),
    ],
)
def test_reviewers_find_articles_by_search_filters_and_order(alice, shelf, query, expected):
    listed = titles(logged_in(alice).get(f"/articles/?sort=title&{query}"))
    assert listed == expected


def test_a_source_filter_and_the_default_order_put_the_queue_first(alice, shelf):
    listed = titles(logged_in(alice).get("/articles/"))
    assert listed[:2] == ["Dam report", "School year"]  # in alice's queue
    weekly = shelf["dam"].source
    assert titles(logged_in(alice).get(f"/articles/?source={weekly.pk}&sort=title")) == [
        "Dam report",
        "School year",
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("published_from=yesterday", "published_from"),
        ("published_from=2026-05-01&published_to=2026-04-01", "published_to"),
        ("state=finished", "state"),
        ("sort=random", "sort"),
        ("source=999999", "source"),
        ("page=0", "page"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_field(alice, shelf, query, field):
    response = logged_in(alice).get(f"/articles/?{query}")
    assert response.status_code == 400
    assert f"{field}:" in response.content.decode()


def test_articles_come_fifty_a_page_with_links_keeping_the_query(alice):
    source = make_source()
    for number in range(ARTICLES_PER_PAGE + 3):
        make_article(title=f"Story {number:03}", body=f"Story number {number} of many.")
    first = logged_in(alice).get("/articles/?q=story&sort=title")
    assert len(titles(first)) == ARTICLES_PER_PAGE
    html = first.content.decode()
    assert f"Articles 1–{ARTICLES_PER_PAGE} of {ARTICLES_PER_PAGE + 3} matching" in html
    assert 'href="?q=story&amp;sort=title&amp;page=2" rel="next"' in html
    second = logged_in(alice).get("/articles/?q=story&sort=title&page=2")
    assert titles(second) == [
        f"Story {n:03}" for n in range(ARTICLES_PER_PAGE, ARTICLES_PER_PAGE + 3)
    ]
    assert titles(logged_in(alice).get("/articles/?q=story&sort=title&page=7")) == titles(second)
    assert source.articles.count() == ARTICLES_PER_PAGE + 3


def test_staff_see_how_many_of_the_reviewers_dealt_an_article_are_done(alice, carol, shelf):
    html = logged_in(carol).get("/articles/?sort=title").content.decode()
    cells = re.findall(r"data-assigned-progress>(.*?)</td>", html)
    # Bridge and Budget were dealt to nobody; Dam to alice and bob (bob done); School to alice.
    assert [re.sub(r"<[^>]+>", "", cell) for cell in cells] == [
        "not dealt",
        "not dealt",
        "1 of 2",
        "0 of 1",
    ]
    assert "data-assigned-progress" not in logged_in(alice).get("/articles/").content.decode()


def test_an_untitled_article_is_listed_by_its_first_words(alice):
    article = make_article(
        title="",
        seed_file="001_a9b12d0b3fdb988c.txt",
        body="Kyrgyz Defense Minister Ruslan Mukambetov met with Russian Defense Minister "
        "Andrei Belousov in Bishkek on Tuesday to discuss security.",
    )
    listed = titles(logged_in(alice).get("/articles/"))
    assert listed == [
        "Kyrgyz Defense Minister Ruslan Mukambetov met with Russian Defense Minister "
        "Andrei Belousov…"
    ]
    page = logged_in(alice).get(article.get_absolute_url()).content.decode()
    assert "001_a9b12d0b3fdb988c" not in page
