"""GET /api/ lists the API for a script's author; /api/docs/ shows the schema as a page.

The root reveals no data, so every account that may use the API gets the same
answer; anonymous callers get the API's 401, other accounts its 403.
"""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-test-only")


def token_client(user):
    return APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


def test_anonymous_caller_is_told_to_authenticate():
    response = APIClient().get("/api/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_an_account_outside_reviewers_and_staff_is_refused(dave):
    response = token_client(dave).get("/api/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only members of the Reviewers group or staff can use the API."
    }


def test_root_lists_each_endpoint_with_absolute_url_methods_and_description(alice):
    answer = token_client(alice).get("/api/").json()
    endpoints = {each["url"]: each for each in answer["endpoints"]}
    assert endpoints["http://testserver/api/annotations/{id}/"]["methods"] == [
        "GET",
        "PATCH",
        "DELETE",
    ]
    assert endpoints["http://testserver/api/speakers/"]["methods"] == ["GET", "POST"]
    assert endpoints["http://testserver/api/export/"]["description"] == (
        "The export as a streamed download: the caller's own spans, or everyone's for staff."
    )
    assert all(
        each["description"] and "\n" not in each["description"] for each in endpoints.values()
    )
    assert answer["schema"] == "http://testserver/api/schema/"
    assert answer["docs"] == "http://testserver/api/docs/"


def test_root_names_every_operation_of_the_schema_and_nothing_else(alice):
    client = token_client(alice)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    in_schema = {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if path != "/api/"
    }
    listed = {
        (each["url"].removeprefix("http://testserver"), method)
        for each in client.get("/api/").json()["endpoints"]
        for method in each["methods"]
    }
    assert listed == in_schema


def test_every_listed_url_without_an_id_answers(alice):
    client = token_client(alice)
    for endpoint in client.get("/api/").json()["endpoints"]:
        if "{id}" not in endpoint["url"]:
            assert client.get(endpoint["url"]).status_code == 200, endpoint["url"]


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "root"])
def test_every_persona_sees_the_same_root(request, alice, persona):
    user = request.getfixturevalue(persona)
    assert token_client(user).get("/api/").json() == token_client(alice).get("/api/").json()


def test_root_is_read_only(alice):
    response = token_client(alice).post("/api/", {}, format="json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_a_session_write_to_the_root_needs_the_csrf_token(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/api/", {})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_reads_the_root(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get("/api/", HTTP_ACCEPT="application/json").status_code == 200


def test_docs_send_an_anonymous_visitor_to_log_in():
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


def test_docs_refuse_an_account_outside_reviewers_and_staff(dave):
    assert logged_in(dave).get("/api/docs/").status_code == 403


@pytest.mark.parametrize("persona", ["alice", "carol", "root"])
def test_docs_load_swagger_ui_from_local_static_files(request, persona):
    page = logged_in(request.getfixturevalue(persona)).get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">'
        in html
    )
    assert 'url: "/api/schema/"' in html
    assert "//cdn" not in html and "https://" not in html


def test_docs_send_the_csrf_token_with_a_session_write(alice):
    html = logged_in(alice).get("/api/docs/").content.decode()
    assert 'request.headers["X-CSRFTOKEN"] = "' in html


def test_schema_describes_both_ways_to_authenticate_and_the_throttles(alice):
    schema = (
        token_client(alice)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    description = schema["info"]["description"]
    assert "Authorization: Token <key>" in description
    assert "drf_create_token" in description
    assert "X-CSRFToken" in description
    assert "240/min" in description and "3000/hour" in description
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_docs_answer_only_get(alice):
    browser = logged_in(alice)
    assert browser.options("/api/docs/").status_code == 405
    assert browser.post("/api/docs/").status_code == 405
