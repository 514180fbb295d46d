"""Server-rendered pages: login, the article list and page, the no-JS form, done state."""

import re
from html import unescape

import pytest

from annotator.models import Annotation, ArticleReview

from .conftest import PASSWORD, logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/articles/", "/articles/1/", "/sources/", "/sources/1/", "/guidelines/"]
)
def test_every_page_but_login_requires_it(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_and_logout(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/articles/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/articles/").status_code == 302


def test_wrong_password_is_refused(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert client.get("/articles/").status_code == 302


def test_user_outside_reviewers_group_gets_403(dave, article):
    assert logged_in(dave).get("/articles/").status_code == 403
    assert logged_in(dave).get(f"/articles/{article.pk}/").status_code == 403


def test_article_list_shows_source_title_date_and_own_progress(alice, bob, article):
    make_annotation(article, alice, "claim", "the bridge will open in May")
    make_annotation(article, bob, "opinion", "crucial")
    make_annotation(article, bob, "claim", "Officials said")
    page = logged_in(alice).get("/articles/").content.decode()
    assert "The Daily Test" in page
    assert "A test article" in page
    assert "data-own-count>1<" in page
    assert "in progress" in page


def test_article_page_renders_body_paragraphs_with_offsets(alice):
    article = make_article(body="First 😀 line.\n\nSecond line.")
    page = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert '<p data-offset="0">First 😀 line.</p>' in page
    assert '<p data-offset="15">Second line.</p>' in page


def test_reviewer_sees_only_own_annotations_on_the_page(alice, bob, article):
    make_annotation(article, alice, "claim", "the bridge will open in May")
    make_annotation(article, bob, "opinion", "crucial", note="bob's secret note")
    page = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert "bob&#x27;s secret note" not in page and "secret note" not in page


def test_staff_can_show_every_reviewers_annotations(alice, bob, carol, article):
    make_annotation(article, bob, "opinion", "crucial", note="bob's note")
    own_only = logged_in(carol).get(f"/articles/{article.pk}/").content.decode()
    assert "bob&#x27;s note" not in own_only
    everyone = logged_in(carol).get(f"/articles/{article.pk}/?view=all").content.decode()
    assert "bob&#x27;s note" in everyone


def test_add_by_quote_without_javascript(alice, article):
    response = logged_in(alice).post(
        f"/articles/{article.pk}/annotations/add/",
        {"label": "claim", "quote": "the bridge will open in May", "occurrence": 1, "note": ""},
    )
    assert response.status_code == 302
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.reviewer) == (15, 42, alice)


def test_add_by_quote_picks_the_chosen_occurrence(alice):
    article = make_article(body="It rained. It rained again.")
    logged_in(alice).post(
        f"/articles/{article.pk}/annotations/add/",
        {"label": "claim", "quote": "It rained", "occurrence": 2},
    )
    assert Annotation.objects.get().start == 11


def test_add_by_quote_reports_a_missing_passage(alice, article):
    response = logged_in(alice).post(
        f"/articles/{article.pk}/annotations/add/",
        {"label": "claim", "quote": "not in the article", "occurrence": 1},
    )
    assert response.status_code == 400
    assert "does not appear in the article" in response.content.decode()
    assert not Annotation.objects.exists()


def test_add_by_quote_reports_a_missing_occurrence(alice, article):
    response = logged_in(alice).post(
        f"/articles/{article.pk}/annotations/add/",
        {"label": "claim", "quote": "crucial", "occurrence": 3},
    )
    assert response.status_code == 400
    assert "appears 1 time(s), not 3" in response.content.decode()


def test_delete_without_javascript(alice, article):
    annotation = make_annotation(article, alice, "claim", "crucial")
    page = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    # The button submits the page's one delete form (which carries the CSRF token) to its URL.
    assert f'form="delete-annotation" name="annotation" value="{annotation.pk}"' in page
    assert re.search(
        rf'<form method="post" action="/articles/{article.pk}/annotations/delete/" '
        r'id="delete-annotation" hidden><input type="hidden" name="csrfmiddlewaretoken"',
        page,
    )
    response = logged_in(alice).post(
        f"/articles/{article.pk}/annotations/delete/", {"annotation": annotation.pk}
    )
    assert response.status_code == 302
    assert not Annotation.objects.exists()


def test_reviewer_cannot_delete_anothers_annotation_by_form(alice, bob, article):
    annotation = make_annotation(article, bob, "claim", "crucial")
    url = f"/articles/{article.pk}/annotations/delete/"
    assert logged_in(alice).post(url, {"annotation": annotation.pk}).status_code == 404
    assert Annotation.objects.exists()


def test_deleting_a_span_through_another_articles_form_is_a_404(alice, article):
    annotation = make_annotation(article, alice, "claim", "crucial")
    other = make_article(title="Other", body="Another body.")
    url = f"/articles/{other.pk}/annotations/delete/"
    assert logged_in(alice).post(url, {"annotation": annotation.pk}).status_code == 404
    assert Annotation.objects.exists()


@pytest.mark.parametrize(
    ("posted", "reason"),
    [
        ({}, "annotation: This field is required."),
        ({"annotation": "x"}, "annotation: Enter a whole number."),
        ({"annotation": str(2**63)}, "annotation: Ensure this value is less than or equal to"),
    ],
)
def test_a_delete_form_without_a_usable_span_id_is_a_400_naming_it(alice, article, posted, reason):
    response = logged_in(alice).post(f"/articles/{article.pk}/annotations/delete/", posted)
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_mark_done_and_reopen(alice, article):
    client = logged_in(alice)
    client.post(f"/articles/{article.pk}/done/", {"done": "1"})
    review = ArticleReview.objects.get(article=article, reviewer=alice)
    assert review.done and review.done_at is not None
    client.post(f"/articles/{article.pk}/done/", {"done": "0"})
    review.refresh_from_db()
    assert not review.done and review.done_at is None


def test_guidelines_explain_every_label(alice):
    page = logged_in(alice).get("/guidelines/").content.decode()
    for phrase in (
        "Claim",
        "Opinion",
        "Attribution",
        "Speaker type",
        "Cue stance",
        "Linked attribution",
    ):
        assert phrase in page


def test_guidelines_name_their_version_and_list_the_article_pages_keys(alice, article):
    from annotator.study import GUIDELINES_VERSION

    page = logged_in(alice).get("/guidelines/").content.decode()
    assert f"data-guidelines-version>version {GUIDELINES_VERSION}<" in page
    keys = page[page.index('<table class="table table-sm mb-0" data-keys>') :]
    keys = keys[: keys.index("</table>")]
    # The article page's own dialog (?) lists the same keys.
    assert keys in logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    for key in ("<kbd>n</kbd>", "<kbd>?</kbd>", "<kbd>Home</kbd>", "<kbd>z</kbd>"):
        assert key in keys


def test_sources_page_keeps_unidentified_outlets_apart(alice, article):
    unknown = make_source("Unidentified outlet", identified=False)
    make_article(body="An article whose outlet is unknown, officials said.", source=unknown)
    page = logged_in(alice).get("/sources/").content.decode()
    assert "The Daily Test" in page
    assert "Articles whose outlet the text does not show" in page


def test_source_page_lists_its_articles(alice, article):
    page = logged_in(alice).get(f"/sources/{article.source_id}/").content.decode()
    assert "A test article" in page


@pytest.mark.parametrize("value", ["everyone", "ALL", "all'", "0"])
def test_an_unknown_view_of_an_article_is_a_400_naming_it(alice, carol, article, value):
    for user in (alice, carol):
        response = logged_in(user).get(article.get_absolute_url(), {"view": value})
        assert response.status_code == 400
        shown = unescape(response.content.decode())
        assert f"view: {value} is not one of mine, all, adjudicated." in shown


def test_a_reviewer_asking_for_every_reviewers_view_is_shown_their_own(alice, bob, article):
    make_annotation(article, bob, "claim", "crucial")
    html = logged_in(alice).get(article.get_absolute_url(), {"view": "all"}).content.decode()
    assert "Your annotations" in html and "Every reviewer's annotations" not in html
    assert "No annotations yet." in html
