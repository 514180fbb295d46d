"""Exports: three formats, the same bytes from the command and the API, schema, W3C, filters."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation

from .conftest import make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "annotator/schemas/export-1.5.schema.json").read_text())
W3C_CHECK = ROOT.parent / "shared" / "w3c-annotation-model" / "check.py"
FROZEN = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def validate_native(document):
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())


def validate_jsonl_line(record):
    line_schema = {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/jsonlLine"}
    jsonschema.validate(record, line_schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def annotated(alice, bob):
    article = make_article(
        body="😀 Officials said the bridge will open in May. It is a crucial link."
    )
    attribution = make_annotation(
        article, alice, "attribution", "Officials said", speaker_type="unnamed_identified"
    )
    make_annotation(
        article,
        alice,
        "claim",
        "the bridge will open in May",
        attribution=attribution,
        check_worthy=True,
    )
    make_annotation(article, bob, "opinion", "crucial", opinion_type="evaluative", note="loaded")
    other = make_article(
        body="Nothing to see in this short text here.", source=make_source("Other")
    )
    make_annotation(other, bob, "claim", "Nothing to see")
    return article


def export_via_command(tmp_path, fmt="native", **filters):
    path = tmp_path / f"export.{fmt}"
    with mock.patch(
        "annotator.management.commands.export_annotations.timezone.now", return_value=FROZEN
    ):
        call_command("export_annotations", format=fmt, output=str(path), quiet=True, **filters)
    return path.read_bytes()


def export_via_api(client, **params):
    with mock.patch("annotator.api.timezone.now", return_value=FROZEN):
        response = client.get("/api/export/", params)
        assert response.status_code == 200, response
        assert response.streaming
        return b"".join(response.streaming_content)


def test_native_export_validates_against_the_committed_schema(annotated, tmp_path):
    document = json.loads(export_via_command(tmp_path))
    validate_native(document)
    assert document["offset_unit"] == "codepoint"
    assert document["exported_at"] == FROZEN.isoformat()
    assert len(document["articles"]) == 2


def test_jsonl_has_one_self_describing_article_a_line(annotated, tmp_path):
    lines = export_via_command(tmp_path, "jsonl").decode().splitlines()
    assert len(lines) == 2
    for line in lines:
        record = json.loads(line)
        validate_jsonl_line(record)
        assert record["schema_version"] == "1.5" and record["body_sha256"]


def test_offsets_in_the_export_index_the_body_as_code_points(annotated, tmp_path):
    [record] = json.loads(export_via_command(tmp_path, article=annotated.pk))["articles"]
    assert record["body_sha256"] == annotated.body_sha256
    for span in record["annotations"]:
        assert annotated.body[span["start"] : span["end"]] == span["quote"]
        assert span["review_state"] == "in_progress" and span["layer"] == "raw"


def test_links_and_fields_are_exported(annotated, tmp_path):
    [record] = json.loads(export_via_command(tmp_path, article=annotated.pk))["articles"]
    by_label = {span["label"]: span for span in record["annotations"]}
    assert by_label["claim"]["links"]["attribution"] == by_label["attribution"]["id"]
    assert by_label["claim"]["fields"]["check_worthy"] is True
    assert by_label["attribution"]["fields"]["speaker_type"] == "unnamed_identified"
    assert by_label["opinion"]["note"] == "loaded"
    assert by_label["claim"]["fields"]["hedged"] is None
    assert by_label["attribution"]["fields"]["counter_voice"] is None


def test_times_are_written_as_iso_8601_in_utc(annotated, tmp_path):
    """Read from the cursor without Django's converters, times still match the stored ones."""
    from annotator.models import Annotation

    stored = Annotation.objects.get(label="opinion")
    stored.created = stored.created.replace(microsecond=0)  # no fraction: none written
    stored.save()
    [record] = json.loads(export_via_command(tmp_path, article=annotated.pk))["articles"]
    [span] = [span for span in record["annotations"] if span["label"] == "opinion"]
    assert span["created"] == stored.created.isoformat()
    assert span["updated"] == stored.updated.isoformat()
    assert span["created"].endswith("+00:00") and "." not in span["created"]


@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_api_download_has_the_same_bytes_as_the_command(annotated, carol, api_as, tmp_path, fmt):
    from_command = export_via_command(tmp_path, fmt, label="claim")
    from_api = export_via_api(api_as(carol), format=fmt, label="claim")
    assert from_api == from_command


def test_w3c_export_passes_the_w3c_must_checks(annotated, tmp_path):
    path = tmp_path / "export.w3c"
    path.write_bytes(export_via_command(tmp_path, "w3c"))
    result = subprocess.run(
        [sys.executable, str(W3C_CHECK), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "4 passed, 0 failed"


def test_w3c_annotations_carry_label_creator_and_both_selectors(annotated, tmp_path):
    collection = json.loads(export_via_command(tmp_path, "w3c", label="claim", reviewer="alice"))
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 1
    [annotation] = collection["first"]["items"]
    assert {"type": "TextualBody", "purpose": "classifying", "value": "claim"} in annotation["body"]
    assert annotation["creator"]["nickname"] == "alice"
    selectors = {s["type"]: s for s in annotation["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == "the bridge will open in May"
    assert selectors["TextPositionSelector"]["start"] == annotated.body.index("the bridge")
    assert annotation["target"]["source"] == f"urn:sha256:{annotated.body_sha256}"


def test_w3c_pages_chain_through_next(annotated, tmp_path, monkeypatch):
    monkeypatch.setattr("annotator.exporting.W3C_PAGE_SIZE", 2)
    collection = json.loads(export_via_command(tmp_path, "w3c"))
    pages, page = [], collection["first"]
    while page:
        pages.append(len(page["items"]))
        page = page.get("next")
    assert pages == [2, 2]


def test_filters_narrow_the_export(annotated, tmp_path):
    def spans(**filters):
        document = json.loads(export_via_command(tmp_path, **filters))
        return [s for a in document["articles"] for s in a["annotations"]]

    assert {s["reviewer"] for s in spans(reviewer="bob")} == {"bob"}
    assert {s["label"] for s in spans(label="claim")} == {"claim"}
    assert {s["layer"] for s in spans(layer="raw")} == {"raw"}
    assert spans(layer="adjudicated") == []
    assert len(spans(source=annotated.source_id)) == 3


def test_since_exports_only_what_changed_after_it(annotated, tmp_path):
    cutoff = datetime.now(UTC) + timedelta(seconds=1)
    changed = Annotation.objects.get(label="opinion")
    Annotation.objects.filter(pk=changed.pk).update(updated=cutoff + timedelta(minutes=5))
    document = json.loads(export_via_command(tmp_path, since=cutoff.isoformat()))
    assert [s["id"] for a in document["articles"] for s in a["annotations"]] == [changed.pk]
    assert document["filters"]["since"] == cutoff.isoformat()


def test_bad_since_and_unknown_reviewer_are_plain_errors(annotated):
    with pytest.raises(CommandError, match="not an ISO 8601 time"):
        call_command("export_annotations", since="yesterday")
    with pytest.raises(CommandError, match="no reviewer called 'zed'"):
        call_command("export_annotations", reviewer="zed")


def test_reviewers_export_only_their_own_spans(annotated, alice, api_as):
    document = json.loads(export_via_api(api_as(alice)))
    validate_native(document)
    assert {s["reviewer"] for a in document["articles"] for s in a["annotations"]} == {"alice"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"label": "fact"}, "label"), ({"format": "xml"}, "format"), ({"since": "soon"}, "since")],
)
def test_bad_export_parameter_is_a_400(alice, api_as, params, field):
    response = api_as(alice).get("/api/export/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_token_authenticated_script_pulls_the_export(annotated, alice, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=alice)
    response = client.get(
        "/api/export/", {"format": "jsonl"}, HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert all(json.loads(line)["schema"] == "newsroom-annotator/export" for line in lines)


def test_admin_action_exports_the_selected_spans(annotated, django_user_model, client):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    client.force_login(admin)
    chosen = list(Annotation.objects.filter(label="claim").values_list("pk", flat=True))
    response = client.post(
        "/admin/annotator/annotation/",
        {"action": "export_selected", "_selected_action": chosen},
    )
    assert response.status_code == 200
    document = json.loads(b"".join(response.streaming_content))
    validate_native(document)
    assert sorted(s["id"] for a in document["articles"] for s in a["annotations"]) == sorted(chosen)


@pytest.fixture
def reviewed(annotated, alice, bob, carol):
    """Page reviews (one on an article without spans), adjudications complete and not."""
    from annotator.models import Adjudication, ArticleReview

    review = ArticleReview.objects.create(
        article=annotated, reviewer=alice, genre="news", byline_shown=True, bio_shown=False
    )
    review.set_done(True)
    ArticleReview.objects.create(article=annotated, reviewer=bob)
    quiet = make_article(body="Nothing anyone marked.", source=make_source("Quiet"))
    ArticleReview.objects.create(article=quiet, reviewer=bob).set_done(True)
    Adjudication.objects.create(article=annotated, adjudicator=carol).mark_complete(carol)
    untouched = make_article(body="Nobody has opened this one.", source=make_source("Quiet"))
    return annotated, quiet, untouched


def articles_by_body(document):
    return {article["body"]: article for article in document["articles"]}


def test_native_export_carries_bodies_reviews_adjudications_and_metrics(reviewed, tmp_path):
    annotated, quiet, untouched = reviewed
    document = json.loads(export_via_command(tmp_path))
    validate_native(document)
    assert document["metrics"]["min_articles"] == 15
    assert document["metrics"]["bootstrap_resamples"] == 1000
    articles = articles_by_body(document)
    # Every article is exported, spans or not: a source's figures count them all.
    assert quiet.body in articles and untouched.body in articles
    assert articles[untouched.body]["reviews"] == []
    record = articles[annotated.body]
    assert [review["reviewer"] for review in record["reviews"]] == ["alice", "bob"]
    alice_review, bob_review = record["reviews"]
    assert alice_review["done"] and alice_review["done_at"]
    assert (alice_review["genre"], alice_review["byline_shown"], alice_review["bio_shown"]) == (
        "news",
        True,
        False,
    )
    assert not bob_review["done"] and bob_review["done_at"] is None
    assert record["adjudication"]["complete"] and record["adjudication"]["completed_by"] == "carol"
    assert {s["review_state"] for s in record["annotations"] if s["reviewer"] == "bob"} == {
        "in_progress"
    }
    quiet_record = articles[quiet.body]
    assert quiet_record["annotations"] == [] and quiet_record["adjudication"] is None
    assert quiet_record["reviews"][0] == {**quiet_record["reviews"][0], "reviewer": "bob"}
    assert quiet_record["reviews"][0]["done"]


def test_jsonl_lines_carry_the_same_article_records(reviewed, tmp_path):
    native = json.loads(export_via_command(tmp_path))
    lines = [json.loads(line) for line in export_via_command(tmp_path, "jsonl").splitlines()]
    for line in lines:
        validate_jsonl_line(line)
    header = {"schema", "schema_version", "offset_unit", "exported_at", "metrics"}
    assert [{k: v for k, v in line.items() if k not in header} for line in lines] == native[
        "articles"
    ]


def test_span_filters_export_only_the_articles_of_their_spans(reviewed, tmp_path):
    annotated, quiet, untouched = reviewed
    document = json.loads(export_via_command(tmp_path, reviewer="bob"))
    validate_native(document)
    assert set(articles_by_body(document)) == {
        annotated.body,
        "Nothing to see in this short text here.",
    }
    record = articles_by_body(document)[annotated.body]
    assert [review["reviewer"] for review in record["reviews"]] == ["bob"]
    assert record["adjudication"] is None  # no adjudicated span in the selection
    by_source = json.loads(export_via_command(tmp_path, source=quiet.source_id))
    assert [article["body"] for article in by_source["articles"]] == [quiet.body, untouched.body]


def test_a_reviewers_export_carries_no_one_elses_review(reviewed, alice, api_as):
    document = json.loads(export_via_api(api_as(alice)))
    validate_native(document)
    reviews = [review for article in document["articles"] for review in article["reviews"]]
    assert {review["reviewer"] for review in reviews} == {"alice"}
    assert all(article["adjudication"] is None for article in document["articles"])


def test_w3c_export_stays_span_centred(reviewed, tmp_path):
    annotated, quiet, _untouched = reviewed
    document = json.loads(export_via_command(tmp_path, "w3c"))
    assert document["total"] == Annotation.objects.count()
    assert quiet.body not in json.dumps(document)
