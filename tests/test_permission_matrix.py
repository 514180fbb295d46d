"""Every page and API route, as every kind of user: the expected status in each cell.

Personas: anonymous, alice and bob (reviewers), carol (staff, no model
permissions), root (superuser), ivy (inactive reviewer), dave (logged in but
outside the Reviewers group). The annotation in the routes is bob's.
"""

import pytest

from annotator.models import Annotation

from .conftest import api_client, filled, logged_in, make_annotation, make_article, make_user

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "alice", "bob", "carol", "root", "ivy", "dave")

# Short names for the expected cells: L = redirect to the login page.
L, A = "login", "admin-login"
PAGE = {"anonymous": L, "alice": 200, "bob": 200, "carol": 200, "root": 200, "ivy": L, "dave": 403}
POST_PAGE = {**PAGE, "alice": 302, "bob": 302, "carol": 302, "root": 302}
STAFF_PAGE = {**PAGE, "alice": 403, "bob": 403}
API = {
    "anonymous": 401,
    "alice": 200,
    "bob": 200,
    "carol": 200,
    "root": 200,
    "ivy": 401,  # an inactive user's session no longer authenticates
    "dave": 403,
}
BOBS = {**API, "alice": 404}  # a span alice may not see answers as a missing one
ADMIN_INDEX = {"anonymous": A, "alice": A, "bob": A, "carol": 200, "root": 200, "ivy": A, "dave": A}
ADMIN_MODEL = {**ADMIN_INDEX, "anonymous": L, "ivy": L, "carol": 403}

ROUTES = [
    ("get", "/articles/", None, PAGE),
    ("get", "/articles/{article}/", None, PAGE),
    ("get", "/articles/{article}/?view=all", None, PAGE),
    (
        "post",
        "/articles/{article}/annotations/add/",
        {"label": "claim", "quote": "the bridge", "occurrence": 1},
        POST_PAGE,
    ),
    ("post", "/articles/{article}/done/", {"done": "1"}, POST_PAGE),
    ("post", "/articles/{article}/review/", {"genre": "news"}, POST_PAGE),
    ("get", "/articles/{article}/adjudicate/", None, STAFF_PAGE),
    (
        "post",
        "/articles/{article}/annotations/delete/",
        {"annotation": "{bobs}"},
        {**POST_PAGE, "alice": 404, "carol": 403, "root": 403},
    ),
    ("get", "/sources/", None, PAGE),
    ("get", "/sources/{source}/", None, PAGE),
    ("get", "/sources/{source}/evidence/sourcing_rate/", None, PAGE),
    ("get", "/sources/table.csv", None, PAGE),
    ("get", "/agreement/", None, STAFF_PAGE),
    ("get", "/queue/", None, STAFF_PAGE),
    ("get", "/guidelines/", None, {**PAGE, "dave": 200}),
    ("get", "/guidelines/figures/", None, {**PAGE, "dave": 200}),
    ("get", "/admin/", None, ADMIN_INDEX),
    ("get", "/admin/annotator/annotation/", None, ADMIN_MODEL),
    ("get", "/admin/auth/user/", None, ADMIN_MODEL),
    ("get", "/api/articles/", None, API),
    ("get", "/api/articles/{article}/", None, API),
    ("get", "/api/articles/{article}/annotations/", None, API),
    (
        "post",
        "/api/articles/{article}/annotations/",
        {"label": "opinion", "start": 0, "end": 9},
        {**API, **dict.fromkeys(("alice", "bob", "carol", "root"), 201)},
    ),
    ("get", "/api/articles/{article}/suggestions/", None, API),
    ("get", "/api/annotations/{bobs}/", None, BOBS),
    ("patch", "/api/annotations/{bobs}/", {"note": "x"}, {**BOBS, "carol": 403, "root": 403}),
    ("delete", "/api/annotations/{bobs}/", None, {**BOBS, "bob": 204, "carol": 403, "root": 403}),
    ("get", "/api/sources/", None, API),
    ("get", "/api/sources/{source}/summary/", None, API),
    ("get", "/api/speakers/", None, API),
    ("get", "/api/export/", None, API),
    ("get", "/api/schema/", None, API),
]


@pytest.fixture
def world(django_user_model, alice, bob):
    article = make_article()
    bobs = make_annotation(
        article, bob, "claim", "the bridge will open in May", note="bob-secret-note"
    )
    users = {
        "alice": alice,
        "bob": bob,
        "carol": make_user(django_user_model, "carol", reviewer=False, is_staff=True),
        "root": django_user_model.objects.create_superuser("root", password="x-test-only"),
        "ivy": make_user(django_user_model, "ivy", is_active=False),
        "dave": make_user(django_user_model, "dave", reviewer=False),
    }
    return {"article": article.pk, "source": article.source_id, "bobs": bobs.pk}, users


def client_for(persona, users, url):
    user = users.get(persona)
    if url.startswith("/api/"):
        client = api_client(None)
        if user is not None:
            client.force_login(user)
        return client
    return logged_in(user) if user is not None else logged_in_anonymous()


def logged_in_anonymous():
    from django.test import Client

    return Client()


def status_of(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return A
        if location.startswith("/accounts/login/"):
            return L
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES]
)
def test_permission_cell(world, persona, method, url, data, expected):
    ids, users = world
    path = url.format(**ids)
    client = client_for(persona, users, path)
    kwargs = {"data": filled(data, ids)} if data is not None else {}
    if path.startswith("/api/") and method != "get":
        kwargs["format"] = "json"
    response = getattr(client, method)(path, **kwargs)
    assert status_of(response) == expected[persona]


@pytest.mark.parametrize("persona", ["alice", "carol", "root"])
def test_nobody_but_bob_changes_bobs_annotation(world, persona):
    ids, users = world
    client = api_client(None)
    client.force_login(users[persona])
    client.patch(f"/api/annotations/{ids['bobs']}/", {"note": "taken over"}, format="json")
    client.delete(f"/api/annotations/{ids['bobs']}/")
    assert Annotation.objects.get(pk=ids["bobs"]).note == "bob-secret-note"


def test_alice_never_sees_bobs_spans_while_blind(world):
    ids, users = world
    client = logged_in(users["alice"])
    for path in (
        f"/articles/{ids['article']}/",
        f"/articles/{ids['article']}/?view=all",
        f"/sources/{ids['source']}/evidence/sourcing_rate/",
    ):
        page = client.get(path).content.decode()
        assert "bob-secret-note" not in page and '"reviewer": "bob"' not in page
    api = api_client(None)
    api.force_login(users["alice"])
    assert api.get(f"/api/articles/{ids['article']}/annotations/").json()["count"] == 0
    assert b"bob-secret-note" not in b"".join(api.get("/api/export/").streaming_content)
