"""A span's provenance: marked by hand, or an engine's suggestion the reviewer accepted.

``suggested_by`` is given when a span is created and never changed afterwards; it is read
back wherever the span is, its history records it, and a reviewer sees it only on their
own spans.
"""

import pytest

from annotator.models import Annotation, Assignment, Suggestions

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db

ENGINE = "newsroom-rules/0.3.1"


def post_span(client, article, **payload):
    return client.post(f"/api/articles/{article.pk}/annotations/", payload, format="json")


def test_a_span_marked_by_hand_has_no_engine(api_as, alice, article):
    response = post_span(api_as(alice), article, label="claim", start=15, end=42)
    assert response.status_code == 201
    assert response.json()["suggested_by"] == ""
    assert Annotation.objects.get().suggested_by == ""


def test_an_accepted_suggestion_names_its_engine_everywhere_it_is_read(api_as, alice, article):
    client = api_as(alice)
    created = post_span(client, article, label="claim", start=15, end=42, suggested_by=ENGINE)
    assert created.status_code == 201
    assert created.json()["suggested_by"] == ENGINE
    span = Annotation.objects.get()
    assert span.suggested_by == ENGINE
    assert span.history.get().suggested_by == ENGINE
    assert client.get(f"/api/annotations/{span.pk}/").json()["suggested_by"] == ENGINE
    [listed] = client.get(f"/api/articles/{article.pk}/annotations/").json()["results"]
    assert listed["suggested_by"] == ENGINE


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("newsroom-rules", "name/version"),
        ("a/b/c", "name/version"),
        ("rules /1.0", "name/version"),
        ("r/" + "1" * 99, "no more than 100 characters"),
        (None, "may not be null"),
        (3, "name/version"),
    ],
)
def test_a_bad_engine_is_a_400_naming_the_field(api_as, alice, article, given, reason):
    response = post_span(
        api_as(alice), article, label="claim", start=15, end=42, suggested_by=given
    )
    assert response.status_code == 400
    assert reason in " ".join(response.json()["suggested_by"])
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(("stored", "sent"), [("", ENGINE), (ENGINE, ""), (ENGINE, "other/2")])
def test_changing_the_engine_of_a_stored_span_is_refused(api_as, alice, article, stored, sent):
    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    Annotation.objects.filter(pk=span.pk).update(suggested_by=stored)
    payload = {"label": "claim", "start": span.start, "end": span.end, "suggested_by": sent}
    response = api_as(alice).patch(f"/api/annotations/{span.pk}/", payload, format="json")
    assert response.status_code == 400
    assert "set when the span is created" in " ".join(response.json()["suggested_by"])
    assert Annotation.objects.get().suggested_by == stored


def test_a_change_may_repeat_the_stored_engine(api_as, alice, article):
    client = api_as(alice)
    created = post_span(client, article, label="claim", start=15, end=42, suggested_by=ENGINE)
    pk = created.json()["id"]
    response = client.patch(
        f"/api/annotations/{pk}/", {"note": "edited", "suggested_by": ENGINE}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["suggested_by"] == ENGINE
    assert Annotation.objects.get().note == "edited"


def test_a_reviewer_never_sees_another_reviewers_provenance(api_as, alice, bob, article):
    post_span(api_as(alice), article, label="claim", start=15, end=42, suggested_by=ENGINE)
    client = api_as(bob)
    assert client.get(f"/api/articles/{article.pk}/annotations/").json()["results"] == []
    pk = Annotation.objects.get().pk
    assert client.get(f"/api/annotations/{pk}/").status_code == 404
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert ENGINE not in page


def test_the_article_page_hands_its_own_spans_provenance_to_the_script(
    api_as, alice, article, client
):
    post_span(api_as(alice), article, label="claim", start=15, end=42, suggested_by=ENGINE)
    client.force_login(alice)
    assert ENGINE in client.get(f"/articles/{article.pk}/").content.decode()


def test_the_database_refuses_an_engine_without_a_version(alice, article):
    from django.db import IntegrityError, transaction

    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=span.pk).update(suggested_by="no-version")


# ---- The suggestions condition of an assignment ----------------------------------------


def test_an_assignment_decides_by_its_recorded_condition(alice, bob, article):
    Assignment.objects.create(article=article, reviewer=alice, suggestions=Suggestions.OFF)
    Assignment.objects.create(article=article, reviewer=bob, suggestions=Suggestions.ON)
    assert not Assignment.objects.suggestions_allowed(alice, article)
    assert Assignment.objects.suggestions_allowed(bob, article)


def test_without_an_assignment_suggestions_are_allowed_unless_two_were_dealt_the_article(
    alice, bob, carol, dave, article
):
    other = make_article(body="The council said the road will close.")
    assert Assignment.objects.suggestions_allowed(carol, article)
    Assignment.objects.create(article=article, reviewer=alice)
    assert Assignment.objects.suggestions_allowed(carol, article)
    Assignment.objects.create(article=article, reviewer=bob)
    assert not Assignment.objects.suggestions_allowed(carol, article)
    assert not Assignment.objects.suggestions_allowed(dave, article)
    assert Assignment.objects.suggestions_allowed(carol, other)


def test_suggestions_allowed_takes_one_query(alice, bob, article, django_assert_num_queries):
    Assignment.objects.create(article=article, reviewer=alice)
    with django_assert_num_queries(1):
        Assignment.objects.suggestions_allowed(bob, article)
