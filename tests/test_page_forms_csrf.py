"""The article page's forms carry the reader's own CSRF token, whoever rendered the page first."""

import re

import pytest
from django.test import Client

from annotator.models import Annotation, ArticleReview

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def strict_client(user):
    """A client that checks CSRF as a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def form_html(page, action):
    """The HTML of the page's form posting to ``action``."""
    start = page.index(f'action="{action}"')
    return page[start : page.index("</form>", start)]


def form_token(page, action):
    """The one CSRF token of the form posting to ``action``."""
    tokens = TOKEN.findall(form_html(page, action))
    assert len(tokens) == 1, f"the form to {action} carries {len(tokens)} CSRF tokens"
    return tokens[0]


def test_two_reviewers_post_both_forms_with_their_own_tokens(alice, bob, article):
    url = article.get_absolute_url()
    review_url, add_url = f"{url}review/", f"{url}annotations/add/"
    clients = {user: strict_client(user) for user in (alice, bob)}
    pages = {user: client.get(url).content.decode() for user, client in clients.items()}

    for user, client in clients.items():
        page = pages[user]
        review = client.post(
            review_url,
            {"csrfmiddlewaretoken": form_token(page, review_url), "genre": "news"},
        )
        assert review.status_code == 302, f"{user}'s page review was refused"
        added = client.post(
            add_url,
            {
                "csrfmiddlewaretoken": form_token(page, add_url),
                "label": "claim",
                "quote": "the bridge will open in May",
                "occurrence": 1,
                "note": "",
            },
        )
        assert added.status_code == 302, f"{user}'s quote form was refused"

    assert set(ArticleReview.objects.values_list("reviewer__username", "genre")) == {
        ("alice", "news"),
        ("bob", "news"),
    }
    assert sorted(Annotation.objects.values_list("reviewer__username", flat=True)) == [
        "alice",
        "bob",
    ]


def test_no_token_of_one_reviewer_appears_in_anothers_page(alice, bob, article):
    url = article.get_absolute_url()
    alice_page = strict_client(alice).get(url).content.decode()
    bob_client = strict_client(bob)
    bob_page = bob_client.get(url).content.decode()

    assert set(TOKEN.findall(alice_page)).isdisjoint(TOKEN.findall(bob_page))
    # A token from alice's page is worthless with bob's cookie.
    stolen = form_token(alice_page, f"{url}review/")
    refused = bob_client.post(f"{url}review/", {"csrfmiddlewaretoken": stolen, "genre": "news"})
    assert refused.status_code == 403
    assert not ArticleReview.objects.exists()


def test_a_refused_form_shows_its_errors_with_the_readers_token(alice, bob, article):
    """A bound form (400 with errors) and a fresh one both carry the reader's own token."""
    url = article.get_absolute_url()
    strict_client(alice).get(url)
    client = strict_client(bob)
    page = client.get(url).content.decode()
    refused = client.post(
        f"{url}annotations/add/",
        {
            "csrfmiddlewaretoken": form_token(page, f"{url}annotations/add/"),
            "label": "claim",
            "quote": "not in the article",
            "occurrence": 1,
        },
    )
    assert refused.status_code == 400
    again = refused.content.decode()
    assert "This passage does not appear in the article." in again
    retried = client.post(
        f"{url}review/",
        {"csrfmiddlewaretoken": form_token(again, f"{url}review/"), "genre": "opinion"},
    )
    assert retried.status_code == 302
    assert ArticleReview.objects.get(reviewer=bob).genre == "opinion"
