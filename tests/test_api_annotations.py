"""GET|POST /api/articles/<id>/annotations/ and GET|PATCH|DELETE /api/annotations/<id>/."""

import pytest

from annotator.models import Annotation

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db


def post_span(client, article, **payload):
    return client.post(f"/api/articles/{article.pk}/annotations/", payload, format="json")


def test_reviewer_creates_a_span_and_the_server_fills_quote_and_context(api_as, alice, article):
    response = post_span(api_as(alice), article, label="claim", start=15, end=42)
    assert response.status_code == 201
    body = response.json()
    assert body["quote"] == "the bridge will open in May"
    assert body["prefix"] == "Officials said "
    assert body["suffix"] == ". It is a crucial link."
    assert body["reviewer"] == "alice"
    assert body["article"] == article.pk
    assert Annotation.objects.get().quote == "the bridge will open in May"


def test_matching_quote_is_accepted(api_as, alice, article):
    response = post_span(
        api_as(alice), article, label="claim", start=15, end=42, quote="the bridge will open in May"
    )
    assert response.status_code == 201


def test_offsets_count_code_points_after_emoji_and_combining_marks(api_as, alice):
    body = "👩🏽‍🔬 Cafe\u0301 owners said prices rose."
    article = make_article(body=body)
    quote = "prices rose"
    start = article.body.index(quote)
    response = post_span(api_as(alice), article, label="claim", start=start, end=start + len(quote))
    assert response.status_code == 201
    assert response.json()["quote"] == quote
    # NFC folded e + combining acute into one code point before any offset existed
    assert "Café" in article.body


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"label": "claim", "start": 500, "end": 510}, "start", "past the body"),
        ({"label": "claim", "start": 0, "end": 500}, "end", "past the body"),
        ({"label": "claim", "start": 9, "end": 9}, "end", "after the start"),
        ({"label": "claim", "start": -1, "end": 5}, "start", "greater than or equal to 0"),
        ({"label": "claim", "start": 0, "end": 9, "quote": "Officers"}, "quote", "does not match"),
        ({"label": "fact", "start": 0, "end": 9}, "label", "not a valid choice"),
        (
            {"label": "claim", "start": 0, "end": 9, "speaker_type": "vague"},
            "speaker_type",
            "not a field of a claim",
        ),
        (
            {"label": "opinion", "start": 0, "end": 9, "check_worthy": True},
            "check_worthy",
            "not a field of a opinion",
        ),
        ({"label": "claim", "start": 0, "end": 9, "colour": "red"}, "colour", "Unknown"),
        ({"label": "claim", "end": 9}, "start", "required"),
        ({"label": "claim", "start": "zero", "end": 9}, "start", "valid integer"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, alice, article, payload, field, reason):
    response = post_span(api_as(alice), article, **payload)
    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert not Annotation.objects.exists()


def test_link_across_articles_is_a_400(api_as, alice, article):
    other = make_article(body="Elsewhere, the ministry said nothing at all today.")
    link = make_annotation(other, alice, "attribution", "the ministry said")
    response = post_span(
        api_as(alice), article, label="claim", start=15, end=42, attribution=link.pk
    )
    assert response.status_code == 400
    assert "another article" in response.json()["attribution"][0]


def test_link_to_unknown_annotation_is_a_400(api_as, alice, article):
    response = post_span(api_as(alice), article, label="claim", start=15, end=42, attribution=999)
    assert response.status_code == 400
    assert "attribution" in response.json()


def test_duplicate_span_is_a_400(api_as, alice, article):
    post_span(api_as(alice), article, label="claim", start=15, end=42)
    response = post_span(api_as(alice), article, label="claim", start=15, end=42)
    assert response.status_code == 400
    assert "already marked" in str(response.json())
    assert Annotation.objects.count() == 1


def test_malformed_json_is_a_400(api_as, alice, article):
    response = api_as(alice).post(
        f"/api/articles/{article.pk}/annotations/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_json_list_instead_of_object_is_a_400(api_as, alice, article):
    response = api_as(alice).post(f"/api/articles/{article.pk}/annotations/", [1, 2], format="json")
    assert response.status_code == 400


def test_unknown_article_is_a_404(api_as, alice):
    assert api_as(alice).get("/api/articles/999/annotations/").status_code == 404
    assert (
        post_span(
            api_as(alice), type("A", (), {"pk": 999}), label="claim", start=0, end=1
        ).status_code
        == 404
    )


def test_unknown_annotation_is_a_404(api_as, alice):
    assert api_as(alice).get("/api/annotations/999/").status_code == 404
    assert api_as(alice).delete("/api/annotations/999/").status_code == 404


def test_anonymous_requests_are_refused(api_as, article):
    assert api_as(None).get(f"/api/articles/{article.pk}/annotations/").status_code == 401
    assert post_span(api_as(None), article, label="claim", start=0, end=9).status_code == 401
    assert api_as(None).get("/api/articles/").status_code == 401


def test_user_outside_reviewers_group_is_refused(api_as, dave, article):
    assert api_as(dave).get("/api/articles/").status_code == 403
    assert post_span(api_as(dave), article, label="claim", start=0, end=9).status_code == 403


def test_reviewer_lists_only_their_own_spans(api_as, alice, bob, article):
    make_annotation(article, alice, "claim", "the bridge will open in May")
    make_annotation(article, bob, "opinion", "crucial")
    rows = api_as(alice).get(f"/api/articles/{article.pk}/annotations/").json()["results"]
    assert [row["reviewer"] for row in rows] == ["alice"]


def test_staff_list_everyones_spans_and_can_filter_by_reviewer(api_as, alice, bob, carol, article):
    make_annotation(article, alice, "claim", "the bridge will open in May")
    make_annotation(article, bob, "opinion", "crucial")
    url = f"/api/articles/{article.pk}/annotations/"
    assert len(api_as(carol).get(url).json()["results"]) == 2
    only_bob = api_as(carol).get(url, {"reviewer": "bob"}).json()["results"]
    assert [row["reviewer"] for row in only_bob] == ["bob"]


def test_reviewer_cannot_read_change_or_delete_anothers_span(api_as, alice, bob, article):
    span = make_annotation(article, bob, "claim", "the bridge will open in May")
    client = api_as(alice)
    assert client.get(f"/api/annotations/{span.pk}/").status_code == 404
    assert (
        client.patch(f"/api/annotations/{span.pk}/", {"note": "x"}, format="json").status_code
        == 404
    )
    assert client.delete(f"/api/annotations/{span.pk}/").status_code == 404
    span.refresh_from_db()
    assert span.note == ""


def test_staff_can_read_but_not_change_a_reviewers_span(api_as, alice, carol, article):
    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    assert api_as(carol).get(f"/api/annotations/{span.pk}/").status_code == 200
    assert api_as(carol).delete(f"/api/annotations/{span.pk}/").status_code == 403
    assert Annotation.objects.filter(pk=span.pk).exists()


def test_patch_updates_fields_and_note(api_as, alice, article):
    attribution = make_annotation(article, alice, "attribution", "Officials said")
    claim = make_annotation(article, alice, "claim", "the bridge will open in May")
    response = api_as(alice).patch(
        f"/api/annotations/{claim.pk}/",
        {"check_worthy": True, "hedged": False, "attribution": attribution.pk, "note": "dated"},
        format="json",
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.check_worthy, claim.hedged, claim.attribution_id, claim.note) == (
        True,
        False,
        attribution.pk,
        "dated",
    )


def test_patch_with_bad_field_changes_nothing(api_as, alice, article):
    claim = make_annotation(article, alice, "claim", "the bridge will open in May", note="kept")
    response = api_as(alice).patch(
        f"/api/annotations/{claim.pk}/", {"note": "lost", "cue_stance": "endorsing"}, format="json"
    )
    assert response.status_code == 400
    assert "cue_stance" in response.json()
    claim.refresh_from_db()
    assert claim.note == "kept"


def test_changing_label_clears_the_old_labels_fields(api_as, alice, article):
    claim = make_annotation(article, alice, "claim", "crucial", check_worthy=True)
    response = api_as(alice).patch(
        f"/api/annotations/{claim.pk}/",
        {"label": "opinion", "opinion_type": "evaluative"},
        format="json",
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.label, claim.check_worthy, claim.opinion_type) == ("opinion", None, "evaluative")


def test_patch_moving_the_span_re_anchors_quote_and_context(api_as, alice, article):
    claim = make_annotation(article, alice, "claim", "the bridge")
    response = api_as(alice).patch(f"/api/annotations/{claim.pk}/", {"end": 42}, format="json")
    assert response.status_code == 200
    assert response.json()["quote"] == "the bridge will open in May"


def test_oversized_note_is_a_400(api_as, alice, article):
    response = post_span(api_as(alice), article, label="claim", start=15, end=42, note="x" * 2001)
    assert response.status_code == 400
    assert "note" in response.json()


def test_delete_removes_the_span(api_as, alice, article):
    claim = make_annotation(article, alice, "claim", "the bridge will open in May")
    assert api_as(alice).delete(f"/api/annotations/{claim.pk}/").status_code == 204
    assert not Annotation.objects.exists()
