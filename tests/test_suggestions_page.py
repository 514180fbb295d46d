"""The article page's part in suggestions, without a browser: where the script may ask for
them, the bias guard's sentence instead, and an accepted suggestion's provenance in the
list a reader without JavaScript sees."""

import json
import re

import pytest

from annotator.models import Assignment

from .conftest import logged_in, make_annotation

pytestmark = pytest.mark.django_db

OFF = "Suggestions are off for this assignment (agreement article)"


def page_of(user, article, query=""):
    response = logged_in(user).get(f"/articles/{article.pk}/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    script = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html)
    return html, json.loads(script.group(1))


def test_a_reviewer_whose_suggestions_are_allowed_gets_the_panel_and_its_url(alice, article):
    html, data = page_of(alice, article)
    assert data["suggestions"] == {"url": f"/api/articles/{article.pk}/suggestions/"}
    assert "data-suggestions-toggle" in html
    assert OFF not in html


@pytest.mark.parametrize("condition", ["off", "dealt to two"])
def test_where_the_guard_says_no_a_sentence_says_so_and_no_url_is_given(
    alice, bob, carol, article, condition
):
    if condition == "off":
        Assignment.objects.create(article=article, reviewer=alice, suggestions="off")
        reader = alice
    else:
        for reviewer in (alice, bob):
            Assignment.objects.create(article=article, reviewer=reviewer)
        reader = carol
    html, data = page_of(reader, article)
    assert data["suggestions"] is None
    assert OFF in html
    assert "data-suggestions-toggle" not in html


@pytest.mark.parametrize("view", ["all", "adjudicated"])
def test_staff_reading_others_spans_are_offered_no_suggestions(carol, article, view):
    html, data = page_of(carol, article, f"?view={view}")
    assert data["suggestions"] is None
    assert OFF not in html and "data-suggestions-toggle" not in html


def test_the_list_without_javascript_names_an_accepted_suggestions_engine(alice, article):
    make_annotation(article, alice, "claim", "the bridge will open in May", suggested_by="x/2")
    make_annotation(article, alice, "opinion", "crucial")
    html, _ = page_of(alice, article)
    assert html.count("data-provenance") == 1
    assert "suggested by x/2, accepted" in html
