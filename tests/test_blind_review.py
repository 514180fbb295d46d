"""Blind review has no side channels: a reviewer never learns of another reviewer's spans.

bob annotates; alice walks every API route (taken from the URLconf, so a new
route is walked too) in JSON, in the browsable API's HTML and with OPTIONS,
and nothing of bob's spans comes back. A span alice may not see answers
exactly as a span that does not exist.
"""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from annotator.api_urls import urlpatterns as API_ROUTES
from annotator.models import Annotation
from annotator.suggestions import engine

from .conftest import api_client, make_annotation, make_article

pytestmark = pytest.mark.django_db

BODY = (
    "Officials said the bridge will open in May. The council met on a rainy Tuesday "
    "evening downtown. Critics call it a crucial link."
)
# Ids no other number in an answer comes near, so finding one means a leak.
BOBS_ATTRIBUTION, BOBS_CLAIM = 987651, 987652
MISSING = 987659
BOBS_NOTE = "bob-secret-note"
ACCEPTS = ("application/json", "text/html")
# A suggestion's quote as JSON writes it, or as the browsable API shows that JSON.
SUGGESTED_QUOTE = r'(?:"|&quot;)quote(?:"|&quot;):\s*(?:"|&quot;){}(?:"|&quot;)'


def bobs_span(article, bob, pk, label, quote, **fields):
    start = article.body.index(quote)
    span = Annotation(
        pk=pk, article=article, reviewer=bob, label=label, start=start, end=start + len(quote)
    )
    for name, value in fields.items():
        setattr(span, name, value)
    span.anchor_and_check()
    span.save()
    return span


@pytest.fixture
def scene(alice, bob):
    article = make_article(body=BODY)
    attribution = bobs_span(article, bob, BOBS_ATTRIBUTION, "attribution", "Officials said")
    claim = bobs_span(
        article,
        bob,
        BOBS_CLAIM,
        "claim",
        "the bridge will open in May",
        attribution=attribution,
        note=BOBS_NOTE,
    )
    own = make_annotation(article, alice, "attribution", "Critics call")
    return {"article": article, "bobs": [attribution, claim], "alices": own}


def route_ids(scene):
    """The id each kind of route is walked with: bob's span for the span route."""
    article = scene["article"]
    return {"articles": article.pk, "sources": article.source_id, "annotations": BOBS_CLAIM}


def api_paths(scene):
    ids = route_ids(scene)
    for route in API_ROUTES:
        converters = route.pattern.converters
        kind = str(route.pattern).split("/")[0]
        kwargs = dict.fromkeys(converters, ids[kind]) if converters else {}
        yield reverse(route.name, kwargs=kwargs)


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def leaks(text, scene, path=""):
    """What of bob's spans an answer shows; the article body, the path asked and its parents
    (the browsable API's breadcrumbs repeat them) are no leak, nor the passages of the body
    the engine suggests (read from the body alone: test_api_suggestions holds a reviewer's
    suggestions the same whatever another reviewer marked)."""
    text = text.replace(scene["article"].body, "").replace(path, "")
    if path.endswith("/suggestions/"):
        for suggested in engine.suggest(scene["article"].body):
            for quote in {suggested.quote, html.escape(suggested.quote)}:
                text = re.sub(SUGGESTED_QUOTE.format(re.escape(quote)), "", text)
    parts = path.rstrip("/").split("/")
    for end in range(len(parts), 1, -1):
        text = text.replace("/".join(parts[:end]) + "/", "")
    found = [str(span.pk) for span in scene["bobs"] if str(span.pk) in text]
    found += [span.quote for span in scene["bobs"] if span.quote in text]
    return found + [BOBS_NOTE] * (BOBS_NOTE in text)


def walk(client, scene):
    """Every API route's GET and OPTIONS answers, in JSON and in the browsable API's HTML."""
    for path in api_paths(scene):
        for accept in ACCEPTS:
            for method in ("get", "options"):
                response = getattr(client, method)(path, HTTP_ACCEPT=accept)
                assert response.status_code < 500, (method, path, accept)
                yield f"{method} {path} {accept}", leaks(content(response), scene, path)


def test_every_api_route_hides_bobs_spans_from_alice(scene, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    walked = dict(walk(client, scene))
    assert walked == dict.fromkeys(walked, [])
    # The browsable form's link choices are alice's own spans, and only hers.
    form = client.get(f"/api/articles/{scene['article'].pk}/annotations/", HTTP_ACCEPT="text/html")
    assert str(scene["alices"]) in content(form)


def test_staff_walking_the_same_routes_see_bobs_spans(scene, carol):
    """The walk finds a leak when there is one: staff see every reviewer's spans."""
    client = api_client(None)
    client.force_login(carol)
    found = set()
    for _, leaked in walk(client, scene):
        found.update(leaked)
    assert {str(BOBS_CLAIM), str(BOBS_ATTRIBUTION), BOBS_NOTE} <= found


def test_alices_own_span_shows_no_other_span_in_its_forms(scene, alice):
    client = api_client(None)
    client.force_login(alice)
    path = f"/api/annotations/{scene['alices'].pk}/"
    for accept in ACCEPTS:
        for method in ("get", "options"):
            response = getattr(client, method)(path, HTTP_ACCEPT=accept)
            assert response.status_code == 200
            assert leaks(content(response), scene, path) == []


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_bobs_span_answers_alice_as_a_missing_one(scene, alice, method):
    client = api_client(alice)
    answers = []
    for pk in (BOBS_CLAIM, MISSING):
        response = getattr(client, method)(f"/api/annotations/{pk}/", {"note": "x"}, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
    assert Annotation.objects.get(pk=BOBS_CLAIM).note == BOBS_NOTE


def test_deleting_bobs_span_by_form_answers_as_a_missing_one(scene, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(f"/articles/{scene['article'].pk}/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    answers = [
        client.post(
            f"/articles/{scene['article'].pk}/annotations/delete/",
            {"csrfmiddlewaretoken": token, "annotation": pk},
        )
        for pk in (BOBS_CLAIM, MISSING)
    ]
    assert [answer.status_code for answer in answers] == [404, 404]
    assert without_token(answers[0]) == without_token(answers[1])
    assert Annotation.objects.filter(pk=BOBS_CLAIM).exists()


def without_token(response):
    """A page's HTML without its CSRF token (masked afresh on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def link_error(client, url, method, target):
    body = {"attribution": target}
    if method == "post":
        body.update({"label": "claim", "start": 44, "end": 51})
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 400
    return response.json(), str(target)


@pytest.mark.parametrize("target", [BOBS_ATTRIBUTION, BOBS_CLAIM])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_link_to_bobs_span_is_refused_as_a_link_to_a_missing_one(scene, alice, method, target):
    client = api_client(None)
    client.force_login(alice)
    if method == "post":
        url = f"/api/articles/{scene['article'].pk}/annotations/"
    else:
        url = f"/api/annotations/{make_annotation(scene['article'], alice, 'claim', 'May').pk}/"
    refused, missing = (
        link_error(client, url, method, target),
        link_error(client, url, method, MISSING),
    )
    assert list(refused[0]) == ["attribution"]
    assert str(refused[0]).replace(refused[1], "?") == str(missing[0]).replace(missing[1], "?")


def test_staff_still_read_bobs_span(scene, carol):
    response = api_client(carol).get(f"/api/annotations/{BOBS_CLAIM}/")
    assert response.status_code == 200 and response.json()["note"] == BOBS_NOTE
