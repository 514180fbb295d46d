"""Each user's API writes are throttled (per minute and per hour); reads never are."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from annotator.models import Annotation, Speaker

from .conftest import make_annotation

pytestmark = pytest.mark.django_db


def rates(burst="1000/min", sustained="1000/hour"):
    """The API's settings with these write rates."""
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"writes_burst": burst, "writes_sustained": sustained},
        }
    )


def add_speaker(client, name):
    return client.post("/api/speakers/", {"name": name}, format="json")


def assert_throttled(response, at_least_seconds):
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "throttled" in response.json()["detail"]
    assert at_least_seconds <= int(response["Retry-After"])


def test_writes_beyond_the_rate_get_a_429_with_retry_after(api_as, alice):
    client = api_as(alice)
    with rates(burst="3/min"):
        assert [add_speaker(client, f"S{n}").status_code for n in range(3)] == [201] * 3
        refused = add_speaker(client, "One too many")
    assert_throttled(refused, 50)
    assert int(refused["Retry-After"]) <= 60
    assert sorted(Speaker.objects.values_list("name", flat=True)) == ["S0", "S1", "S2"]


def test_the_hourly_rate_stops_a_long_run_of_writes(api_as, alice):
    client = api_as(alice)
    with rates(sustained="2/hour"):
        assert [add_speaker(client, f"S{n}").status_code for n in range(2)] == [201, 201]
        refused = add_speaker(client, "Third")
    assert_throttled(refused, 3500)
    assert Speaker.objects.count() == 2


def test_reads_are_never_throttled(api_as, alice, article):
    client = api_as(alice)
    with rates(burst="1/min"):
        assert add_speaker(client, "S0").status_code == 201
        for url in ("/api/speakers/", f"/api/articles/{article.pk}/annotations/", "/api/sources/"):
            assert [client.get(url).status_code for _ in range(5)] == [200] * 5
        assert_throttled(add_speaker(client, "S1"), 1)


def test_each_user_has_their_own_count(api_as, alice, bob):
    with rates(burst="1/min"):
        assert add_speaker(api_as(alice), "Alice's").status_code == 201
        assert_throttled(add_speaker(api_as(alice), "Alice's second"), 1)
        assert add_speaker(api_as(bob), "Bob's").status_code == 201


def test_patch_and_delete_count_as_writes(api_as, alice, article):
    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    client = api_as(alice)
    with rates(burst="2/min"):
        url = f"/api/annotations/{span.pk}/"
        assert client.patch(url, {"note": "first"}, format="json").status_code == 200
        assert client.patch(url, {"note": "second"}, format="json").status_code == 200
        assert_throttled(client.delete(url), 1)
    span.refresh_from_db()
    assert span.note == "second"


def test_a_page_session_is_throttled_like_a_token(alice, article):
    """The article page's script writes with the session and the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(article.get_absolute_url())
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    url = f"/api/articles/{article.pk}/annotations/"
    payload = {"label": "claim", "start": 0, "end": 9}
    with rates(burst="1/min"):
        created = client.post(url, payload, content_type="application/json", headers=headers)
        assert created.status_code == 201
        again = {"label": "opinion", "start": 0, "end": 9}
        refused = client.post(url, again, content_type="application/json", headers=headers)
    assert_throttled(refused, 1)
    assert list(Annotation.objects.values_list("label", flat=True)) == ["claim"]
