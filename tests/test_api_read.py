"""Articles, sources, summaries and the OpenAPI schema over the API."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.models import ArticleReview

from .conftest import make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db


def test_article_list_shows_own_count_and_done_state_without_bodies(api_as, alice, bob, article):
    make_annotation(article, alice, "claim", "the bridge will open in May")
    make_annotation(article, bob, "opinion", "crucial")
    ArticleReview.objects.create(article=article, reviewer=alice).set_done(True)
    [row] = api_as(alice).get("/api/articles/").json()["results"]
    assert row["own_count"] == 1
    assert row["own_done"] is True
    assert row["source"]["name"] == "The Daily Test"
    assert "body" not in row


def test_article_detail_includes_the_body(api_as, alice, article):
    body = api_as(alice).get(f"/api/articles/{article.pk}/").json()
    assert body["body"] == article.body
    assert body["body_sha256"] == article.body_sha256


def test_unknown_article_is_404(api_as, alice):
    assert api_as(alice).get("/api/articles/12345/").status_code == 404


def test_sources_are_listed_with_identified_flag(api_as, alice):
    make_source("Known outlet")
    make_source("Unidentified outlet", identified=False)
    names = {
        row["name"]: row["identified"]
        for row in api_as(alice).get("/api/sources/").json()["results"]
    }
    assert names == {"Known outlet": True, "Unidentified outlet": False}


def test_source_summary_for_staff_counts_every_reviewer(api_as, alice, bob, carol):
    source = make_source()
    article = make_article(body="one two three four five six seven eight nine ten", source=source)
    make_annotation(article, alice, "claim", "one two")
    make_annotation(article, alice, "attribution", "three", speaker_type="named_person")
    make_annotation(article, bob, "claim", "four five")
    summary = api_as(carol).get(f"/api/sources/{source.pk}/summary/").json()
    assert summary["source"]["name"] == source.name
    assert summary["articles"] == 1
    assert summary["reviewers"] == 2
    # label counts are per-article means over reviewers, summed over articles
    assert summary["label_counts"] == {"claim": 1.0, "opinion": 0.0, "attribution": 0.5}
    # alice 2 spans / 10 words, bob 1 / 10 -> mean of 200 and 100 per 1000 words
    assert summary["spans_per_1000_words"]["value"] == pytest.approx(150.0)
    assert summary["metrics"]["sourcing_rate"]["value"] == pytest.approx(0.0)
    assert summary["metrics"]["sourcing_rate"]["articles"] == 1
    assert summary["metrics"]["sourcing_rate"]["interval_95"] is None
    assert summary["greyed_out"] is True
    assert summary["per_article"][0]["reviewers"] == 2
    assert summary["double_annotated_articles"] == 1


def test_source_summary_for_a_reviewer_counts_only_their_own_spans(api_as, alice, bob):
    source = make_source()
    article = make_article(body="one two three four five six seven eight nine ten", source=source)
    make_annotation(article, alice, "claim", "one two")
    make_annotation(article, bob, "claim", "four five")
    summary = api_as(alice).get(f"/api/sources/{source.pk}/summary/").json()
    assert summary["reviewers"] == 1
    assert summary["label_counts"]["claim"] == 1
    assert "your own annotations only" in " ".join(summary["warnings"])


def test_unknown_source_summary_is_404(api_as, alice):
    assert api_as(alice).get("/api/sources/999/summary/").status_code == 404


def test_openapi_schema_describes_the_annotation_routes(api_as, alice):
    response = api_as(alice).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/articles/{id}/annotations/" in schema["paths"]
    assert "/api/annotations/{id}/" in schema["paths"]
    assert "/api/export/" in schema["paths"]


def test_scripts_authenticate_with_a_token(alice, article):
    token = Token.objects.create(user=alice)
    client = APIClient()
    response = client.get("/api/articles/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    bad = client.get("/api/articles/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bad.status_code == 401


def test_session_writes_need_a_csrf_token(alice, article):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        f"/api/articles/{article.pk}/annotations/",
        {"label": "claim", "start": 0, "end": 9},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_reviewer_adds_a_speaker(api_as, alice):
    response = api_as(alice).post(
        "/api/speakers/",
        {"name": "Sergei Lavrov", "aliases": ["Sergey Lavrov"], "affiliation": "government_named"},
        format="json",
    )
    assert response.status_code == 201
    listed = api_as(alice).get("/api/speakers/").json()["results"]
    assert [row["aliases"] for row in listed] == [["Sergey Lavrov"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "affiliation": "aliens"}, "affiliation"),
        ({"name": "X", "aliases": "not a list"}, "aliases"),
    ],
)
def test_bad_speaker_is_a_400(api_as, alice, payload, field):
    response = api_as(alice).post("/api/speakers/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_duplicate_speaker_name_is_a_400(api_as, alice):
    api_as(alice).post("/api/speakers/", {"name": "Sergei Lavrov"}, format="json")
    response = api_as(alice).post("/api/speakers/", {"name": "Sergei Lavrov"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_span_lists_read_from_rows_match_the_serializer_field_for_field(api_as, alice, bob, carol):
    """The API list builds spans from values() rows; it must not drift from the serializer."""
    from annotator.models import Annotation, Speaker
    from annotator.serializers import AnnotationSerializer

    article = make_article(body="Officials said 🌍 the dam is crucial, é. Critics disagreed.")
    speaker = Speaker.objects.create(name="Officials", affiliation="government_named")
    attribution = make_annotation(
        article,
        alice,
        "attribution",
        "Officials said",
        speaker=speaker,
        speaker_type="named_organisation",
        counter_voice=False,
        note="<b>bold</b> note",
    )
    make_annotation(article, alice, "claim", "the dam is crucial", attribution=attribution)
    make_annotation(article, alice, "opinion", "Critics disagreed", opinion_type="evaluative")
    orphan = make_annotation(article, bob, "claim", "crucial, é", check_worthy=True)
    Annotation.objects.filter(pk=orphan.pk).update(orphaned=True)

    def serialized(spans):
        return [dict(row) for row in AnnotationSerializer(spans.in_text_order(), many=True).data]

    everyone = serialized(Annotation.objects.filter(article=article))
    listed = api_as(carol).get(f"/api/articles/{article.pk}/annotations/").json()
    assert listed["count"] == 4
    assert listed["results"] == everyone
    by_orphan = {span["id"]: span for span in listed["results"]}[orphan.pk]
    assert by_orphan["start"] is None and by_orphan["reviewer"] == "bob"
    assert by_orphan["created"].endswith("Z")
    own = api_as(alice).get(f"/api/articles/{article.pk}/annotations/").json()
    assert own["results"] == serialized(Annotation.objects.filter(article=article, reviewer=alice))
    paged = api_as(carol).get(f"/api/articles/{article.pk}/annotations/?limit=1&offset=1").json()
    assert paged["results"] == [everyone[1]]
