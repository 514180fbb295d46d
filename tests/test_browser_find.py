"""Finding work in Chromium: the article list's search, filters and pages."""

import os

import pytest

from annotator.models import Assignment
from annotator.views import ARTICLES_PER_PAGE

from .conftest import make_annotation, make_article, make_source
from .test_browser import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def listed_titles(page):
    return page.locator("[data-article-table] tbody td:nth-child(2) > a").all_inner_texts()


def test_a_reviewer_searches_filters_and_pages_the_article_list(page, live_server, alice):
    herald = make_source("Weekly Herald")
    for number in range(ARTICLES_PER_PAGE + 2):
        make_article(title=f"Report {number:03}", body=f"Report number {number} on the port.")
    dam = make_article(title="Dam opens", body="The dam opened in the région today.", source=herald)
    make_annotation(dam, alice, "claim", "opened")
    Assignment.objects.create(article=dam, reviewer=alice)

    log_in(page, live_server, alice)
    assert len(listed_titles(page)) == ARTICLES_PER_PAGE
    assert listed_titles(page)[0] == "Dam opens"  # the queue comes first
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2")
    assert len(listed_titles(page)) == 3  # 53 articles, 50 a page

    page.get_by_label("Search").fill("RÉGION")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**q=R%C3%89GION**")
    assert listed_titles(page) == ["Dam opens"]
    assert "matching" in page.locator("[data-article-count]").inner_text()

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Source").select_option(label="Weekly Herald")
    page.get_by_label("Your state").select_option(label="In progress")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**state=in_progress**")
    assert listed_titles(page) == ["Dam opens"]
    page.get_by_label("Your state").select_option(label="Not started")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**state=not_started**")
    assert listed_titles(page) == []
    assert page.locator("[data-article-count]").inner_text() == "No article matches."
