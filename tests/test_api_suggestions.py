"""GET /api/articles/<id>/suggestions/: the engine's suggested spans for the caller.

The engine itself is tested with its own module; here, who may ask, what the answer
holds (code points, the caller's own spans left out, the engine named), the
anchoring-bias guard, that asking stores nothing, that a text is parsed once for
every reader, and the rate limit.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from annotator.models import Annotation, Assignment
from annotator.suggestions import engine

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db

# Said twice, with a scientist (4 code points, 7 UTF-16 units), a grin (1 and 2) and a
# q with a combining dot (no precomposed form, so it stays 2 code points) before them.
BODY = (
    "Officials 👩🏽‍🔬 said 😀 the dam q\u0307uota rose by 40 percent in 2024.\n"
    "The minister warned that the border will close on Monday, according to a spokesman. "
    "Critics call the plan reckless and say it should be scrapped."
)


def url(article):
    return f"/api/articles/{article.pk}/suggestions/"


@pytest.fixture
def article(db):
    return make_article(body=BODY)


@pytest.fixture
def expected(article):
    """What the engine suggests for the body, as the API should list it."""
    found = engine.suggest(article.body)
    assert found, "the engine suggests nothing for the test body: the tests would prove nothing"
    return found


def every_row_count():
    """How many rows each of the app's models holds, history models included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("annotator").get_models()
    }


def places(answer):
    return [(s["label"], s["start"], s["end"]) for s in answer["suggestions"]]


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_a_reviewer_and_staff_get_every_suggestion_with_its_engine(
    request, api_as, article, expected, persona
):
    response = api_as(request.getfixturevalue(persona)).get(url(article))
    assert response.status_code == 200
    answer = response.json()
    assert answer["engine"] == engine.identity()
    assert answer["suggestions"] == [
        {**each.as_dict(), "attribution_span": None} for each in expected
    ]
    assert {s["engine"] for s in answer["suggestions"]} == {engine.identity()}


def test_offsets_are_code_points_after_emoji_and_combining_marks(api_as, alice, article, expected):
    answer = api_as(alice).get(url(article)).json()
    after_marks = article.body.index("q\u0307uota") + len("q\u0307uota")
    assert any(s["start"] >= after_marks for s in answer["suggestions"])
    for suggestion in answer["suggestions"]:
        # Python indexes str by code point: the stored body's own slice is the quote.
        assert article.body[suggestion["start"] : suggestion["end"]] == suggestion["quote"]
        assert suggestion["end"] <= len(article.body)


def test_an_anonymous_caller_is_told_to_authenticate(article):
    response = APIClient().get(url(article))
    assert response.status_code == 401
    assert "suggestions" not in response.json()


def test_an_account_outside_reviewers_and_staff_is_refused(api_as, dave, article):
    response = api_as(dave).get(url(article))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only members of the Reviewers group or staff can use the API."
    }


def test_a_missing_article_is_a_404_as_for_its_spans(api_as, alice):
    response = api_as(alice).get("/api/articles/987654/suggestions/")
    assert response.status_code == 404
    assert response.json() == api_as(alice).get("/api/articles/987654/annotations/").json()


def test_asking_stores_nothing(api_as, alice, carol, article, expected):
    make_annotation(article, alice, "claim", "the border will close on Monday")
    before = every_row_count()
    for user in (alice, carol):
        assert api_as(user).get(url(article)).status_code == 200
    assert every_row_count() == before


def test_a_suggestion_where_the_callers_span_stands_is_left_out(api_as, alice, article, expected):
    first = expected[0]
    make_annotation(article, alice, first.label, first.quote, **first.fields)
    answer = api_as(alice).get(url(article)).json()
    assert (first.label, first.start, first.end) not in places(answer)
    assert len(answer["suggestions"]) == len(expected) - 1


def test_a_span_with_another_label_there_leaves_the_suggestion_in(api_as, alice, article, expected):
    first = expected[0]
    other = next(label for label in ("claim", "opinion") if label != first.label)
    make_annotation(article, alice, other, first.quote)
    assert (first.label, first.start, first.end) in places(api_as(alice).get(url(article)).json())


def test_another_reviewers_spans_change_nothing_for_the_caller(
    api_as, alice, bob, article, expected
):
    alone = api_as(alice).get(url(article)).json()
    for each in expected:
        if each.label == "attribution":
            make_annotation(article, bob, each.label, each.quote)
    assert api_as(alice).get(url(article)).json() == alone
    # bob's own answer leaves out what he marked, and names his spans, never alice's.
    bobs = api_as(bob).get(url(article)).json()
    bobs_ids = set(Annotation.objects.filter(reviewer=bob).values_list("pk", flat=True))
    linked = {s["attribution_span"] for s in bobs["suggestions"]} - {None}
    assert linked <= bobs_ids


def test_a_claim_whose_suggested_attribution_the_caller_marked_names_that_span(
    api_as, alice, article, expected
):
    by_key = {each.key: each for each in expected}
    linked = [each for each in expected if each.attribution in by_key]
    assert linked, "the engine links no claim or opinion to an attribution in the test body"
    target = by_key[linked[0].attribution]
    span = make_annotation(article, alice, "attribution", target.quote, occurrence=1)
    assert (span.start, span.end) == (target.start, target.end)
    listed = {s["key"]: s for s in api_as(alice).get(url(article)).json()["suggestions"]}
    assert target.key not in listed
    assert listed[linked[0].key]["attribution_span"] == span.pk


def test_suggestions_off_for_the_assignment_are_refused_with_the_reason(
    api_as, alice, article, expected
):
    Assignment.objects.create(article=article, reviewer=alice, suggestions="off")
    response = api_as(alice).get(url(article))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Suggestions are off for this assignment (agreement article)."
    }


def test_an_article_dealt_to_two_reviewers_is_refused_to_a_third(
    api_as, alice, bob, carol, article, expected
):
    for reviewer in (alice, bob):
        Assignment.objects.create(article=article, reviewer=reviewer)
    assert api_as(carol).get(url(article)).status_code == 403
    # Their own assignments' recorded condition decides for them.
    assert api_as(alice).get(url(article)).status_code == 200


def test_a_session_reads_without_the_csrf_token_but_cannot_write(alice, article, expected):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(url(article)).status_code == 200
    refused = browser.post(url(article), {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get(f"/articles/{article.pk}/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    not_allowed = browser.post(url(article), {}, HTTP_X_CSRFTOKEN=token)
    assert not_allowed.status_code == 405


def test_the_schema_documents_the_answer(api_as, alice):
    schema = api_as(alice).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operation = schema.json()["paths"]["/api/articles/{id}/suggestions/"]["get"]
    assert set(operation["responses"]) == {"200", "401", "403", "404", "429"}
    listed = {each["url"] for each in api_as(alice).get("/api/").json()["endpoints"]}
    assert "http://testserver/api/articles/{id}/suggestions/" in listed


def test_a_text_is_parsed_once_for_every_reader_until_it_changes(
    api_as, alice, carol, article, expected, monkeypatch
):
    parsed = []

    def counting(body):
        parsed.append(body)
        return expected

    monkeypatch.setattr(engine, "suggest", counting)
    answers = [api_as(user).get(url(article)).json() for user in (alice, carol, alice)]
    assert parsed == [BODY]
    assert answers[0] == answers[1] == answers[2]
    article.replace_body(BODY.replace("Monday", "Tuesday"))
    api_as(alice).get(url(article))
    assert parsed == [BODY, article.body]


def test_asking_beyond_the_rate_gets_a_429_with_retry_after(api_as, alice, bob, article, expected):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "suggestions": "2/min"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        answers = [api_as(alice).get(url(article)) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 429]
        assert 1 <= int(answers[2]["Retry-After"]) <= 60
        assert api_as(bob).get(url(article)).status_code == 200  # counted per user
