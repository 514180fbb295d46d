"""Inputs that once answered 500: each now a 400 or 404 with its reason, JSON under /api/."""

import json

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import given
from hypothesis import strategies as st

from annotator.converters import DATABASE_ID_MAX
from annotator.models import Adjudication, Annotation, Speaker
from annotator.pagination import MAX_PAGE_SIZE
from annotator.parsers import MAX_JSON_DEPTH, depth

from .conftest import make_annotation, make_source

pytestmark = pytest.mark.django_db

BEYOND_64_BITS = 2**63  # one past the largest id a BigAutoField holds


def csrf_client(user):
    """A browser-like client that must send the CSRF token, as ``user``, holding the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/guidelines/")  # a page with a form sets the CSRF cookie
    client.token = client.cookies["csrftoken"].value
    return client


def post_form(client, url, data=()):
    return client.post(url, {**dict(data), "csrfmiddlewaretoken": client.token})


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=client.token)


def nested_list(levels):
    """``levels`` lists, one inside the other, around a string."""
    value = "x"
    for _ in range(levels):
        value = [value]
    return value


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/annotations/{huge}/"),
        ("patch", "/api/annotations/{huge}/"),
        ("delete", "/api/annotations/{huge}/"),
        ("get", "/api/articles/{huge}/"),
        ("get", "/api/articles/{huge}/annotations/"),
        ("post", "/api/articles/{huge}/annotations/"),
        ("get", "/api/sources/{huge}/summary/"),
        ("get", "/api/no-such-route/"),
    ],
)
def test_api_ids_beyond_64_bits_are_a_json_404(alice, method, path):
    client = csrf_client(alice)
    response = client.generic(
        method.upper(),
        path.format(huge=BEYOND_64_BITS),
        "{}",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.token,
    )
    assert assert_json_error(response, 404) == {"detail": "Not found."}


@pytest.mark.parametrize(
    "path",
    [
        "/articles/{huge}/annotations/add/",
        "/articles/{huge}/annotations/delete/",
        "/articles/{huge}/review/",
        "/articles/{huge}/done/",
        "/articles/{huge}/adjudicate/",
    ],
)
def test_page_posts_with_ids_beyond_64_bits_are_a_404(alice, carol, path):
    for user in (alice, carol):
        response = post_form(csrf_client(user), path.format(huge=BEYOND_64_BITS))
        assert response.status_code == 404
        assert "There is nothing at this address" in response.content.decode()


@pytest.mark.parametrize("number", [BEYOND_64_BITS, -BEYOND_64_BITS - 1])
def test_a_staff_form_choosing_an_id_beyond_64_bits_names_the_field(carol, number):
    client = csrf_client(carol)
    dealt = post_form(client, "/queue/", {"reviewers": number, "double_share": 0, "seed": 1})
    assert dealt.status_code == 200
    [error] = dealt.context["form"].errors["reviewers"]
    assert error.startswith("Select a valid choice.")
    filtered = client.get("/agreement/", {"source": number})
    assert filtered.status_code == 400
    assert "source: No source has this id." in filtered.content.decode()


@pytest.mark.parametrize("path", ["/articles/{huge}/", "/articles/{huge}/adjudicate/"])
def test_pages_with_ids_beyond_64_bits_are_a_404(carol, path):
    client = csrf_client(carol)
    assert client.get(path.format(huge=BEYOND_64_BITS)).status_code == 404


@given(st.integers(min_value=0, max_value=2**80))
def test_an_id_route_matches_exactly_the_ids_the_database_holds(number):
    path = f"/api/annotations/{number}/"
    if number <= DATABASE_ID_MAX:
        assert resolve(path).kwargs == {"pk": number}
    else:
        with pytest.raises(Resolver404):
            resolve(path)


@given(st.integers(min_value=0, max_value=50))
def test_depth_counts_nested_lists_and_objects(levels):
    assert depth(nested_list(levels)) == levels
    assert depth({"a": nested_list(levels), "b": 1}) == levels + 1


def test_the_largest_id_still_reaches_the_view(alice):
    response = csrf_client(alice).get(f"/api/annotations/{BEYOND_64_BITS - 1}/")
    assert assert_json_error(response, 404) == {"detail": "No annotation has this id."}


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        (f"limit={BEYOND_64_BITS}", "limit", f"less than or equal to {MAX_PAGE_SIZE}"),
        (f"limit={MAX_PAGE_SIZE + 1}", "limit", f"less than or equal to {MAX_PAGE_SIZE}"),
        ("limit=0", "limit", "greater than or equal to 1"),
        ("limit=abc", "limit", "A valid integer is required"),
        ("offset=-1", "offset", "greater than or equal to 0"),
        (f"offset={BEYOND_64_BITS}", "offset", "less than or equal to"),
    ],
)
def test_bad_limit_or_offset_is_a_400_naming_it(alice, article, query, field, reason):
    make_annotation(article, alice, "claim", "the bridge")
    for path in ("/api/articles/", f"/api/articles/{article.pk}/annotations/", "/api/sources/"):
        errors = assert_json_error(csrf_client(alice).get(f"{path}?{query}"), 400)
        assert list(errors) == [field]
        assert reason in errors[field][0]


def test_the_largest_page_is_served(alice, article):
    response = csrf_client(alice).get(f"/api/articles/?limit={MAX_PAGE_SIZE}&offset=0")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [article.pk]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's recursion limit
        json.dumps({"label": "claim", "note": nested_list(MAX_JSON_DEPTH)}),  # one level too deep
    ],
)
def test_deeply_nested_json_is_a_400(alice, article, body):
    response = post_json(csrf_client(alice), f"/api/articles/{article.pk}/annotations/", body)
    errors = assert_json_error(response, 400)
    assert errors == {"detail": f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."}
    assert not Annotation.objects.exists()


def test_nesting_at_the_limit_reaches_the_serializer(alice):
    body = json.dumps({"name": "Sergei Lavrov", "aliases": nested_list(MAX_JSON_DEPTH - 1)})
    response = post_json(csrf_client(alice), "/api/speakers/", body)
    assert assert_json_error(response, 400).keys() == {"aliases"}
    assert not Speaker.objects.exists()


def test_a_body_over_the_upload_limit_is_a_json_400(alice, article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"label": "claim", "start": 0, "end": 9, "note": "x" * 2000})
    response = post_json(csrf_client(alice), f"/api/articles/{article.pk}/annotations/", body)
    errors = assert_json_error(response, 400)
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in errors["detail"]
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"source={BEYOND_64_BITS}", "source"),
        (f"article={BEYOND_64_BITS}", "article"),
        ("since=9999-12-31T23:59:59-12:00", "since"),
    ],
)
def test_export_filters_are_refused_before_the_first_byte(alice, article, query, field):
    make_annotation(article, alice, "claim", "the bridge")
    response = csrf_client(alice).get(f"/api/export/?{query}")
    assert not response.streaming
    assert list(assert_json_error(response, 400)) == [field]


@pytest.mark.parametrize(
    ("value", "reason"),
    [("%00", "Null characters are not allowed."), ("x" * 151, "no more than 150 characters")],
)
def test_a_span_list_refuses_a_reviewer_filter_no_username_can_be(carol, article, value, reason):
    response = csrf_client(carol).get(f"/api/articles/{article.pk}/annotations/?reviewer={value}")
    [message] = assert_json_error(response, 400)["reviewer"]
    assert reason in message


def test_a_span_list_filters_by_reviewer_for_staff(alice, bob, carol, article):
    make_annotation(article, alice, "claim", "the bridge")
    make_annotation(article, bob, "opinion", "crucial")
    response = csrf_client(carol).get(f"/api/articles/{article.pk}/annotations/?reviewer=bob")
    assert [span["reviewer"] for span in response.json()["results"]] == ["bob"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "No source has this id."),
        (str(BEYOND_64_BITS), "No source has this id."),
        ("999", "No source has this id."),
        ("%00", "Null characters are not allowed."),
    ],
)
def test_agreement_refuses_a_source_that_is_not_one(carol, value, reason):
    make_source()
    response = csrf_client(carol).get(f"/agreement/?source={value}")
    assert response.status_code == 400
    assert f"source: {reason}" in response.content.decode()


def test_agreement_filters_by_a_real_source(carol):
    shown, hidden = make_source("Shown"), make_source("Hidden")
    page = csrf_client(carol).get(f"/agreement/?source={shown.pk}").content.decode()
    assert shown.name in page
    assert hidden.name not in page


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"action": "accept", "span": "abc"}, "span: Enter a whole number."),
        ({"action": "accept", "span": str(BEYOND_64_BITS)}, "span: Ensure this value is less"),
        ({"action": "reject"}, "span: Say which span to accept or reject."),
        ({"action": "promote", "span": "1"}, "action: Select a valid choice."),
        ({}, "action: This field is required."),
    ],
)
def test_adjudication_refuses_bad_decisions(alice, carol, article, data, reason):
    make_annotation(article, alice, "claim", "the bridge")
    response = post_form(csrf_client(carol), f"/articles/{article.pk}/adjudicate/", data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Adjudication.objects.exists()
    assert not Annotation.objects.adjudicated().exists()


def test_adjudication_still_accepts_a_span(alice, carol, article):
    span = make_annotation(article, alice, "claim", "the bridge")
    response = post_form(
        csrf_client(carol),
        f"/articles/{article.pk}/adjudicate/",
        {"action": "accept", "span": span.pk},
    )
    assert response.status_code == 302
    assert Annotation.objects.adjudicated().get().adjudicated_from == span


def test_a_crash_under_the_api_still_answers_json(alice, monkeypatch):
    """The last resort (handler500): no route should get here, but if one does, JSON."""

    def crash(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr("annotator.api.SourceList.get_queryset", crash)
    client = csrf_client(alice)
    client.raise_request_exception = False
    assert assert_json_error(client.get("/api/sources/"), 500) == {"detail": "Server error."}


def test_a_page_refusing_a_body_over_the_upload_limit_says_why(alice, article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = csrf_client(alice)
    form = {"label": "claim", "quote": "the bridge", "occurrence": 1, "note": "x" * 2000}
    response = post_form(client, f"/articles/{article.pk}/annotations/add/", form)
    assert response.status_code == 400
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in response.content.decode()
    assert not Annotation.objects.exists()
