"""The JSON export: command, API download and admin action write one document."""

import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from .conftest import make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent.parent / "annotator/schemas/export-1.1.schema.json"
    ).read_text()
)


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


def export_via_command(tmp_path, **filters):
    path = tmp_path / "export.json"
    call_command("export_annotations", output=str(path), **filters)
    return json.loads(path.read_text())


def without_time(document):
    return {key: value for key, value in document.items() if key != "exported_at"}


def test_command_output_validates_against_the_committed_schema(annotated, tmp_path):
    document = export_via_command(tmp_path)
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["offset_unit"] == "codepoint"
    assert len(document["articles"]) == 2


def test_offsets_in_the_export_index_the_body_as_code_points(annotated, tmp_path):
    document = export_via_command(tmp_path, article=annotated.pk)
    [record] = document["articles"]
    assert record["body_sha256"] == annotated.body_sha256
    for span in record["annotations"]:
        assert annotated.body[span["start"] : span["end"]] == span["quote"]


def test_links_and_fields_are_exported(annotated, tmp_path):
    [record] = export_via_command(tmp_path, article=annotated.pk)["articles"]
    by_label = {span["label"]: span for span in record["annotations"]}
    assert by_label["claim"]["links"]["attribution"] == by_label["attribution"]["id"]
    assert by_label["claim"]["fields"]["check_worthy"] is True
    assert by_label["attribution"]["fields"]["speaker_type"] == "unnamed_identified"
    assert by_label["opinion"]["note"] == "loaded"


def test_filters_narrow_the_export(annotated, tmp_path):
    only_bob = export_via_command(tmp_path, reviewer="bob")
    assert {s["reviewer"] for a in only_bob["articles"] for s in a["annotations"]} == {"bob"}
    claims = export_via_command(tmp_path, label="claim")
    assert {s["label"] for a in claims["articles"] for s in a["annotations"]} == {"claim"}
    by_source = export_via_command(tmp_path, source=annotated.source_id)
    assert [a["id"] for a in by_source["articles"]] == [annotated.pk]


def test_unknown_reviewer_filter_is_a_plain_error(annotated):
    with pytest.raises(CommandError, match="no reviewer called 'zed'"):
        call_command("export_annotations", reviewer="zed")


def test_api_download_equals_the_command_output(annotated, carol, api_as, tmp_path):
    from_command = export_via_command(tmp_path, label="claim")
    response = api_as(carol).get("/api/export/", {"label": "claim"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert without_time(json.loads(response.content)) == without_time(from_command)


def test_reviewers_export_only_their_own_spans(annotated, alice, api_as):
    document = json.loads(api_as(alice).get("/api/export/").content)
    jsonschema.validate(document, SCHEMA)
    assert {s["reviewer"] for a in document["articles"] for s in a["annotations"]} == {"alice"}


def test_bad_export_filter_is_a_400(alice, api_as):
    response = api_as(alice).get("/api/export/", {"label": "fact"})
    assert response.status_code == 400
    assert "label" in response.json()


def test_admin_action_exports_the_selected_spans(annotated, django_user_model, client):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    client.force_login(admin)
    from annotator.models import Annotation

    chosen = list(Annotation.objects.filter(label="claim").values_list("pk", flat=True))
    response = client.post(
        "/admin/annotator/annotation/",
        {"action": "export_selected", "_selected_action": chosen},
    )
    assert response.status_code == 200
    document = json.loads(response.content)
    jsonschema.validate(document, SCHEMA)
    assert sorted(s["id"] for a in document["articles"] for s in a["annotations"]) == sorted(chosen)
