"""Undo: a reviewer's deleted span comes back with its id, fields and history."""

import pytest
from rest_framework.test import APIClient

from annotator.models import Annotation, Article, Speaker

from .conftest import api_client, make_annotation

pytestmark = pytest.mark.django_db


def restore(user, pk):
    return api_client(user).post(f"/api/annotations/{pk}/restore/")


def deleted_by(user, span):
    assert api_client(user).delete(f"/api/annotations/{span.pk}/").status_code in (200, 204)
    return span.pk


def test_a_deleted_span_comes_back_with_its_id_fields_and_history(alice, article):
    speaker = Speaker.objects.create(name="Officials")
    said = make_annotation(
        article,
        alice,
        "attribution",
        "Officials said",
        speaker=speaker,
        speaker_type="named_organisation",
        note="first",
    )
    before = api_client(alice).get(f"/api/annotations/{said.pk}/").json()
    deleted_by(alice, said)
    answer = restore(alice, said.pk)
    assert answer.status_code == 201
    after = answer.json()
    assert after == {**before, "created": after["created"], "updated": after["updated"]}
    history = Annotation.history.filter(id=said.pk).order_by("history_date", "history_id")
    assert [row.history_type for row in history] == ["+", "-", "+"]
    assert history.last().history_user == alice
    assert restore(alice, said.pk).status_code == 404  # it is back: nothing to undo


def test_only_the_one_who_deleted_a_span_may_bring_it_back(alice, bob, carol, article):
    claim = make_annotation(article, alice, "claim", "crucial")
    deleted_by(alice, claim)
    assert restore(bob, claim.pk).status_code == 404  # as if it never existed
    assert restore(carol, claim.pk).status_code == 404  # staff did not delete it
    assert APIClient().post(f"/api/annotations/{claim.pk}/restore/").status_code == 401
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    existing = make_annotation(article, alice, "claim", "bridge")
    assert restore(alice, existing.pk).status_code == 404
    assert restore(alice, 999_999).status_code == 404


def test_a_span_marked_again_meanwhile_is_not_doubled(alice, article):
    claim = make_annotation(article, alice, "claim", "crucial")
    deleted_by(alice, claim)
    again = make_annotation(article, alice, "claim", "crucial")
    answer = restore(alice, claim.pk)
    assert answer.status_code == 400
    assert "already marked this exact span" in str(answer.json())
    assert list(Annotation.objects.values_list("pk", flat=True)) == [again.pk]


def test_a_link_to_an_attribution_deleted_since_is_left_empty(alice, article):
    said = make_annotation(article, alice, "attribution", "Officials said")
    claim = make_annotation(
        article, alice, "claim", "the bridge will open in May", attribution=said
    )
    deleted_by(alice, claim)
    deleted_by(alice, said)
    answer = restore(alice, claim.pk)
    assert answer.status_code == 201 and answer.json()["attribution"] is None


def test_a_span_whose_text_changed_is_refused_with_the_reason(alice, article):
    claim = make_annotation(article, alice, "claim", "crucial")
    deleted_by(alice, claim)
    Article.objects.filter(pk=article.pk).update(body=article.body.replace("crucial", "vital"))
    answer = restore(alice, claim.pk)
    assert answer.status_code == 400
    assert "quote" in answer.json()
    assert not Annotation.objects.filter(pk=claim.pk).exists()


def test_undo_by_session_needs_the_csrf_token(alice, article):
    from django.test import Client

    claim = make_annotation(article, alice, "claim", "crucial")
    deleted_by(alice, claim)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post(f"/api/annotations/{claim.pk}/restore/").status_code == 403
    assert not Annotation.objects.filter(pk=claim.pk).exists()


def test_undo_runs_a_fixed_number_of_queries(alice, article, django_assert_num_queries):
    spans = [make_annotation(article, alice, "claim", word) for word in ("bridge", "crucial")]
    for span in spans:
        deleted_by(alice, span)
    client = api_client(alice)
    # The user's group; the span's last history row; its article; the checks of full_clean
    # (reviewer and links exist, the same span stored?); the span and its history row, in
    # savepoints; the unit's figures recomputed (article locked, spans, units and figures by
    # hand replaced, agreement forgotten).
    for span in spans:
        with django_assert_num_queries(19):
            assert client.post(f"/api/annotations/{span.pk}/restore/").status_code == 201
