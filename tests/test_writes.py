"""Pages and the API write spans through the model: its signals, history and link rule."""

from contextlib import contextmanager

import pytest
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.test import APIClient

from annotator.models import Annotation, UnitFigures
from annotator.serializers import AnnotationSerializer

from .conftest import api_client, logged_in, make_annotation, make_article
from .test_tallies import assert_current

pytestmark = pytest.mark.django_db

BODY = "Officials said the dam is crucial. Critics warned it would flood the valley."


@contextmanager
def span_signals():
    """Every (signal name, span id) that post_save and post_delete send inside the block."""
    received = []

    def saved(sender, instance, created, **kwargs):
        received.append(("created" if created else "saved", instance.pk))

    def deleted(sender, instance, **kwargs):
        received.append(("deleted", instance.pk))

    post_save.connect(saved, sender=Annotation, dispatch_uid="test-writes-saved")
    post_delete.connect(deleted, sender=Annotation, dispatch_uid="test-writes-deleted")
    try:
        yield received
    finally:
        post_save.disconnect(dispatch_uid="test-writes-saved", sender=Annotation)
        post_delete.disconnect(dispatch_uid="test-writes-deleted", sender=Annotation)


def history(pk):
    """(type, who) of each of the span's history rows, oldest first."""
    return list(
        Annotation.history.filter(id=pk)
        .order_by("history_id")
        .values_list("history_type", "history_user__username")
    )


def labels_counted(reviewer):
    """The reviewer's stored label counts ({} once they have no span)."""
    unit = UnitFigures.objects.filter(reviewer=reviewer).first()
    return unit.figures["labels"] if unit else {}


def test_api_writes_send_signals_record_history_and_keep_figures(alice):
    article = make_article(body=BODY)
    client = api_client(alice)
    before = timezone.now()
    with span_signals() as received:
        created = client.post(
            f"/api/articles/{article.pk}/annotations/",
            {"label": "claim", "start": 15, "end": 33},
            format="json",
        )
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        assert labels_counted(alice)["claim"] == 1
        changed = client.patch(f"/api/annotations/{pk}/", {"label": "opinion"}, format="json")
        assert changed.status_code == 200, changed.json()
        assert labels_counted(alice)["opinion"] == 1
        assert labels_counted(alice).get("claim", 0) == 0
        assert client.delete(f"/api/annotations/{pk}/").status_code == 204
    assert received == [("created", pk), ("saved", pk), ("deleted", pk)]
    assert history(pk) == [("+", "alice"), ("~", "alice"), ("-", "alice")]
    moments = Annotation.history.filter(id=pk).values_list("history_date", flat=True)
    assert all(before <= moment <= timezone.now() for moment in moments)
    assert not Annotation.objects.filter(pk=pk).exists()
    assert labels_counted(alice).get("opinion", 0) == 0
    assert_current()


def test_page_writes_send_signals_record_history_and_keep_figures(alice):
    article = make_article(body=BODY)
    client = logged_in(alice)
    with span_signals() as received:
        added = client.post(
            f"/articles/{article.pk}/annotations/add/",
            {"label": "claim", "quote": "the dam is crucial", "occurrence": 1},
        )
        assert added.status_code == 302
        span = Annotation.objects.get()
        assert labels_counted(alice)["claim"] == 1
        assert (
            client.post(
                f"/articles/{span.article_id}/annotations/delete/", {"annotation": span.pk}
            ).status_code
            == 302
        )
    assert received == [("created", span.pk), ("deleted", span.pk)]
    assert history(span.pk) == [("+", "alice"), ("-", "alice")]
    assert labels_counted(alice).get("claim", 0) == 0
    assert_current()


def test_relabelling_an_attribution_unlinks_its_claims_with_history(alice):
    article = make_article(body=BODY)
    attribution = make_annotation(article, alice, "attribution", "Officials said")
    claim = make_annotation(article, alice, "claim", "the dam is crucial", attribution=attribution)
    with span_signals() as received:
        response = api_client(alice).patch(
            f"/api/annotations/{attribution.pk}/", {"label": "claim"}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["unlinked"] == [claim.pk]
    claim.refresh_from_db()
    assert claim.attribution_id is None
    assert received == [("saved", attribution.pk), ("saved", claim.pk)]
    assert history(claim.pk)[-1] == ("~", "alice")
    assert_current()


@pytest.mark.parametrize("by", ["api", "page"])
def test_deleting_an_attribution_unlinks_its_spans_and_recounts_the_unit(alice, carol, by):
    article = make_article(body=BODY)
    attribution = make_annotation(article, alice, "attribution", "Officials said")
    claim = make_annotation(article, alice, "claim", "the dam is crucial", attribution=attribution)
    copy = make_annotation(article, carol, "attribution", "Officials said")
    Annotation.objects.filter(pk=copy.pk).update(adjudicated_from=attribution)
    assert labels_counted(alice)["attribution"] == 1

    if by == "api":
        response = api_client(alice).delete(f"/api/annotations/{attribution.pk}/")
        assert response.status_code == 200 and response.json()["unlinked"] == [claim.pk]
    else:
        response = logged_in(alice).post(
            f"/articles/{attribution.article_id}/annotations/delete/",
            {"annotation": attribution.pk},
            follow=True,
        )
        assert "1 linked claim(s)/opinion(s) were unlinked." in response.content.decode()
    claim.refresh_from_db()
    copy.refresh_from_db()
    assert claim.attribution_id is None and copy.adjudicated_from_id is None
    assert history(claim.pk)[-1] == ("~", "alice")
    assert history(attribution.pk)[-1] == ("-", "alice")
    assert labels_counted(alice).get("attribution", 0) == 0
    assert_current()


def test_the_same_span_twice_is_a_400_and_leaves_nothing_behind(alice):
    article = make_article(body=BODY)
    first = make_annotation(article, alice, "claim", "the dam is crucial")
    units = list(UnitFigures.objects.values_list("figures", flat=True))
    twin = Annotation(
        article=article, reviewer=alice, label="claim", start=first.start, end=first.end
    )
    twin.anchor()
    serializer = AnnotationSerializer(
        data={"label": "claim", "start": 0, "end": 9},
        context={"request": type("Request", (), {"user": alice})(), "article": article},
    )
    assert serializer.is_valid(), serializer.errors
    serializer._candidate = twin  # past the checks, as if stored meanwhile
    with pytest.raises(ValidationError) as refused:
        serializer.save()
    assert refused.value.detail == {
        "non_field_errors": ["This span conflicts with one already stored."]
    }
    assert Annotation.objects.count() == 1
    assert Annotation.history.count() == 1
    assert list(UnitFigures.objects.values_list("figures", flat=True)) == units


def test_a_change_to_a_span_deleted_meanwhile_is_a_404_not_a_new_span(alice):
    article = make_article(body=BODY)
    span = make_annotation(article, alice, "claim", "the dam is crucial")
    request = type("Request", (), {"user": alice})()
    serializer = AnnotationSerializer(
        span, data={"note": "late"}, partial=True, context={"request": request}
    )
    assert serializer.is_valid(), serializer.errors
    Annotation.objects.filter(pk=span.pk).delete()
    with span_signals() as received, pytest.raises(NotFound):
        serializer.save()
    assert received == []
    assert not Annotation.objects.exists()
    assert not Annotation.history.filter(id=span.pk, history_type="~").exists()


def test_a_delete_of_a_span_deleted_meanwhile_is_a_404(alice):
    article = make_article(body=BODY)
    span = make_annotation(article, alice, "claim", "the dam is crucial")
    pk = span.pk
    Annotation.objects.filter(pk=pk).delete()
    with pytest.raises(Annotation.DoesNotExist):
        span.delete_by(alice)
    assert [kind for kind, _who in history(pk)] == ["+", "-"]  # the bulk delete's own
    assert_current()


def test_token_requests_answer_as_drf_does(alice, article):
    token = Token.objects.create(user=alice)
    client = APIClient()
    mine = client.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert mine.status_code == 200
    posted = client.post(
        f"/api/articles/{article.pk}/annotations/",
        {"label": "claim", "start": 0, "end": 9},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert posted.status_code == 201 and posted.json()["reviewer"] == "alice"
    assert Annotation.history.get(id=posted.json()["id"]).history_user == alice
    unknown = client.get("/api/articles/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert unknown.status_code == 401 and unknown.json()["detail"] == "Invalid token."
    # Saving a deactivation revokes the token (tests/test_operations.py); a bulk
    # update does not, and then the token is refused as DRF refuses it.
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    inactive = client.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert inactive.status_code == 401
    assert inactive.json()["detail"] == "User inactive or deleted."
