"""A bounded fuzz of the pages: every route of the app's URLconf, with drawn ids and parameters.

Paths come from the URL patterns themselves (each converter filled with a
drawn value: real ids, huge numbers, text), queries and form bodies from the
parameters the views read; a reviewer and staff send them with CSRF enforced.
No answer may be a 5xx.
"""

import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.models import Annotation, ArticleReview, Label
from annotator.profiles import presentation

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db

EXAMPLES = 150
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def app_routes():
    """Every page route of the app as its pattern text, e.g. ``articles/<id:pk>/``."""
    [app] = [
        resolver
        for resolver in get_resolver().url_patterns
        if getattr(resolver, "namespace", None) == "annotator"
    ]
    return [str(pattern.pattern) for pattern in app.url_patterns if isinstance(pattern, URLPattern)]


numbers = st.one_of(
    st.integers(min_value=-3, max_value=20),
    st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=0, max_value=10**40),
)
values = st.one_of(numbers.map(str), st.text(max_size=30), st.sampled_from(["", "0", "-1", "1e9"]))
# What the views read from the query and the form bodies, with their own values as well.
QUERY_KEYS = ["view", "source", "page", "format"]
FORM_KEYS = [
    "action",
    "span",
    "label",
    "quote",
    "occurrence",
    "note",
    "done",
    "genre",
    "byline_shown",
    "date_shown",
    "headline_fidelity",
    "reviewers",
    "double_share",
    "seed",
    "source",
    "only_unassigned",
]
OWN_VALUES = ["mine", "all", "adjudicated", "accept", "reject", "start", "discard", "csv", "json"]
field_values = st.one_of(
    values, st.sampled_from([*OWN_VALUES, *Label.values, *presentation.METRICS_BY_KEY])
)


def fill(route, segment):
    return CONVERTER.sub(lambda match: quote(segment(match["converter"]), safe=""), route)


@st.composite
def requests(draw, routes, stored_ids):
    """``(method, path with its query, form)``; ids drawn from the stored ones as well."""
    ids = st.one_of(st.sampled_from(stored_ids), numbers).map(str)
    anything = st.one_of(ids, field_values)
    route = draw(st.sampled_from(routes))
    path = "/" + fill(route, lambda converter: draw(anything if converter == "str" else ids))
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), anything, max_size=3))
    form = draw(st.dictionaries(st.sampled_from(FORM_KEYS), anything, max_size=5))
    method = draw(st.sampled_from(["get", "post"]))
    return method, f"{path}?{urlencode(query)}" if query else path, form


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/guidelines/")
    client.token = client.cookies["csrftoken"].value
    return client


@pytest.fixture
def scene(alice, bob):
    article = make_article()
    make_annotation(article, alice, "attribution", "Officials said")
    make_annotation(article, bob, "attribution", "Officials said")
    make_annotation(article, bob, "claim", "the bridge")
    ArticleReview.objects.create(article=article, reviewer=alice).set_done(True)
    return sorted(
        {
            article.pk,
            article.source_id,
            alice.pk,
            bob.pk,
            *Annotation.objects.values_list("pk", flat=True),
        }
    )


def test_routes_come_from_the_urlconf():
    routes = app_routes()
    assert "articles/<id:pk>/adjudicate/" in routes
    assert "sources/<id:pk>/evidence/<str:metric>/" in routes
    assert "/" + fill("articles/<id:pk>/", lambda converter: "7") == "/articles/7/"


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_no_page_answers_a_server_error(scene, request, persona):
    client = csrf_client(request.getfixturevalue(persona))
    client.raise_request_exception = False

    @given(requests(app_routes(), scene))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def answers(drawn):
        method, path, form = drawn
        if method == "post":
            response = client.post(path, {**form, "csrfmiddlewaretoken": client.token})
        else:
            response = client.get(path)
        assert response.status_code < 500, (method, path, form)

    answers()
