"""Single span writes in plain SQL store what the ORM and django-simple-history store."""

import pytest
from django.db import IntegrityError
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.test import APIClient

from annotator import fastsql, writes
from annotator.models import Annotation, UnitFigures
from annotator.serializers import AnnotationSerializer

from .conftest import api_client, make_annotation, make_article
from .test_tallies import assert_current

pytestmark = pytest.mark.django_db

BODY = "Officials said the dam is crucial. Critics warned it would flood the valley."
# What differs between two stores of the same span: ids and the moments of writing.
MOMENTS = {"id", "created", "updated", "history_id", "history_date"}


def stored(pk):
    """The span's row and its history rows (oldest first), ids and times left out."""
    row = Annotation.objects.filter(pk=pk).values().first()
    history = Annotation.history.filter(id=pk).order_by("history_id").values()
    strip = lambda values: {k: v for k, v in values.items() if k not in MOMENTS}  # noqa: E731
    return (strip(row) if row else None), [strip(h) for h in history]


def twin(article, reviewer, **fields):
    """An unsaved, checked claim over "the dam is crucial"."""
    start = article.body.index("the dam is crucial")
    span = Annotation(
        article=article, reviewer=reviewer, label="claim", start=start, end=start + 18, **fields
    )
    span.anchor_and_check()
    return span


def orm_save(span, user):
    span._history_user = user
    span.save()
    return span


def test_create_change_and_delete_store_what_the_orm_stores(alice):
    ours, theirs = make_article(body=BODY), make_article(body=BODY + " Twice.")
    mine = twin(ours, alice, hedged=True, note="✍🏽 first")
    writes.save(mine, alice)
    orm = orm_save(twin(theirs, alice, hedged=True, note="✍🏽 first"), alice)
    for span in (mine, orm):
        span.note = "checked"
    writes.save(mine, alice)
    orm_save(orm, alice)
    (mine_row, mine_history), (orm_row, orm_history) = stored(mine.pk), stored(orm.pk)
    mine_row.pop("article_id"), orm_row.pop("article_id")
    for rows in (mine_history, orm_history):
        for row in rows:
            row.pop("article_id")
    assert mine_row == orm_row and mine_row["note"] == "checked"
    assert mine_history == orm_history
    assert [h["history_type"] for h in mine_history] == ["+", "~"]
    assert {h["history_user_id"] for h in mine_history} == {alice.pk}

    writes.delete(mine, alice)
    orm._history_user, orm_pk = alice, orm.pk
    orm.delete()
    (mine_row, mine_history), (orm_row, orm_history) = stored(mine.pk), stored(orm_pk)
    assert mine_row is None and orm_row is None
    assert [h["history_type"] for h in mine_history] == ["+", "~", "-"]
    assert mine_history[-1] | {"article_id": 0} == orm_history[-1] | {"article_id": 0}
    assert_current()


def test_times_are_stored_as_the_orm_stores_them(alice):
    article = make_article(body=BODY)
    span = twin(article, alice)
    writes.save(span, alice)
    again = Annotation.objects.get(pk=span.pk)
    assert (again.created, again.updated) == (span.created, span.updated)
    assert again.updated.tzinfo is not None
    history = Annotation.history.get(id=span.pk)
    assert history.history_date == span.updated


def test_deleting_an_attribution_unlinks_its_spans_and_recounts_the_unit(alice, carol):
    article = make_article(body=BODY)
    attribution = make_annotation(article, alice, "attribution", "Officials said")
    claim = make_annotation(article, alice, "claim", "the dam is crucial", attribution=attribution)
    copy = make_annotation(article, carol, "attribution", "Officials said")
    Annotation.objects.filter(pk=copy.pk).update(adjudicated_from=attribution)
    assert UnitFigures.objects.get(reviewer=alice).figures["labels"]["attribution"] == 1

    writes.delete(attribution, alice)
    claim.refresh_from_db()
    copy.refresh_from_db()
    assert claim.attribution_id is None and copy.adjudicated_from_id is None
    assert not Annotation.objects.filter(pk=attribution.pk).exists()
    assert UnitFigures.objects.get(reviewer=alice).figures["labels"].get("attribution", 0) == 0
    assert_current()


def test_a_refused_write_leaves_nothing_behind(alice):
    article = make_article(body=BODY)
    first = twin(article, alice)
    writes.save(first, alice)
    units = list(UnitFigures.objects.values_list("figures", flat=True))
    with pytest.raises(IntegrityError):  # the same span again, past the checks
        writes.save(_unchecked_copy(first), alice)
    assert Annotation.objects.count() == 1
    assert Annotation.history.count() == 1
    assert list(UnitFigures.objects.values_list("figures", flat=True)) == units

    Annotation.objects.filter(pk=first.pk).delete()  # gone before the change lands
    first.note = "too late"
    with pytest.raises(Annotation.DoesNotExist):
        writes.save(first, alice)
    assert not Annotation.history.filter(id=first.pk, history_type="~").exists()
    assert not Annotation.objects.exists()


def _unchecked_copy(span):
    return Annotation(
        article=span.article,
        reviewer=span.reviewer,
        label=span.label,
        start=span.start,
        end=span.end,
        quote=span.quote,
    )


def test_a_change_to_a_span_deleted_meanwhile_is_a_404(alice):
    article = make_article(body=BODY)
    span = make_annotation(article, alice, "claim", "the dam is crucial")
    request = type("Request", (), {"user": alice})()
    serializer = AnnotationSerializer(
        span, data={"note": "late"}, partial=True, context={"request": request}
    )
    assert serializer.is_valid(), serializer.errors
    Annotation.objects.filter(pk=span.pk).delete()
    with pytest.raises(NotFound):
        serializer.save()


def test_serializers_bind_their_own_copies_of_fields_built_once(alice):
    article = make_article(body=BODY)
    span = make_annotation(article, alice, "claim", "the dam is crucial", note="one")
    first, second = AnnotationSerializer(span), AnnotationSerializer(span)
    for name in ("label", "note", "attribution"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert first.data["note"] == second.data["note"] == "one"
    client = api_client(alice)
    for note in ("two", "three"):  # the same built fields serve request after request
        response = client.patch(f"/api/annotations/{span.pk}/", {"note": note}, format="json")
        assert response.status_code == 200 and response.json()["note"] == note
    refused = client.patch(f"/api/annotations/{span.pk}/", {"label": "nope"}, format="json")
    assert refused.status_code == 400 and "label" in refused.json()


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


def test_prepared_queries_take_strings_and_small_integers(alice, bob):
    article = make_article(body=BODY)
    make_annotation(article, alice, "claim", "the dam is crucial")
    make_annotation(article, bob, "opinion", "crucial")
    prepared = fastsql.Prepared(
        lambda label, start: (
            Annotation.objects.filter(label=label, start__gte=start)
            .order_by()
            .values_list("reviewer__username", "created")
        )
    )
    for label, start in (("claim", 0), ("opinion", 20), ("opinion", 40), ("attribution", 0)):
        expected = list(
            Annotation.objects.filter(label=label, start__gte=start)
            .order_by()
            .values_list("reviewer__username", flat=True)
        )
        assert [name for name, _ in prepared.rows(label=label, start=start)] == expected
    [(_, created)] = prepared.rows(label="claim", start=0)
    span = fastsql.instance(Annotation, ["id", "created"], (1, created))
    assert span.created == Annotation.objects.get(label="claim").created
