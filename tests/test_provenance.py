"""A span's provenance: marked by hand, or an engine's suggestion the reviewer accepted.

``suggested_by`` is given when a span is created and never changed afterwards; it is read
back wherever the span is, its history records it, and a reviewer sees it only on their
own spans.
"""

import json
import subprocess
import sys

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation, Assignment, Suggestions

from .conftest import logged_in, make_annotation, make_article
from .test_export import W3C_CHECK, validate_jsonl_line, validate_native

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


# ---- Provenance in the exports ---------------------------------------------------------


@pytest.fixture
def suggested_and_not(alice, article):
    """One span marked by hand, one accepted from a suggestion."""
    make_annotation(article, alice, "attribution", "Officials said")
    make_annotation(article, alice, "claim", "the bridge will open in May", suggested_by=ENGINE)
    return article


def exported(tmp_path, fmt):
    path = tmp_path / f"export.{fmt}"
    call_command("export_annotations", format=fmt, output=str(path), quiet=True)
    return path


def test_native_and_json_lines_say_how_each_span_was_made(suggested_and_not, tmp_path):
    document = json.loads(exported(tmp_path, "native").read_bytes())
    validate_native(document)
    assert document["schema_version"] == "1.5"
    provenance = {
        span["label"]: span["provenance"] for span in document["articles"][0]["annotations"]
    }
    assert provenance == {
        "attribution": {"origin": "manual"},
        "claim": {"origin": "suggestion", "engine": "newsroom-rules", "version": "0.3.1"},
    }
    [line] = exported(tmp_path, "jsonl").read_text().splitlines()
    record = json.loads(line)
    validate_jsonl_line(record)
    assert [span["provenance"] for span in record["annotations"]] == list(provenance.values())


def test_the_schema_refuses_a_suggestion_without_its_engine(suggested_and_not, tmp_path):
    document = json.loads(exported(tmp_path, "native").read_bytes())
    document["articles"][0]["annotations"][1]["provenance"] = {"origin": "suggestion"}
    with pytest.raises(jsonschema.ValidationError):
        validate_native(document)


def test_w3c_names_the_engine_as_a_software_creator_beside_the_reviewer(
    suggested_and_not, tmp_path
):
    path = exported(tmp_path, "w3c")
    creators = {
        item["body"][0]["value"]: item["creator"]
        for item in json.loads(path.read_bytes())["first"]["items"]
    }
    person = {"id": "urn:newsroom-annotator:user:alice", "type": "Person", "nickname": "alice"}
    assert creators == {
        "attribution": person,
        "claim": [
            person,
            {
                "id": f"urn:newsroom-annotator:engine:{ENGINE}",
                "type": "Software",
                "name": ENGINE,
            },
        ],
    }
    checked = subprocess.run(
        [sys.executable, str(W3C_CHECK), str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_provenance_comes_back_on_import(suggested_and_not, tmp_path, fmt):
    path = exported(tmp_path, fmt)
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), quiet=True)
    assert dict(Annotation.objects.values_list("label", "suggested_by")) == {
        "attribution": "",
        "claim": ENGINE,
    }


def test_a_file_from_before_provenance_imports_its_spans_as_marked_by_hand(
    suggested_and_not, tmp_path
):
    document = json.loads(exported(tmp_path, "native").read_bytes())
    document["schema_version"] = "1.4"
    for span in document["articles"][0]["annotations"]:
        del span["provenance"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), quiet=True)
    assert set(Annotation.objects.values_list("suggested_by", flat=True)) == {""}


def test_another_tools_software_creator_is_no_suggestion_of_ours(suggested_and_not, tmp_path):
    collection = json.loads(exported(tmp_path, "w3c").read_bytes())
    for item in collection["first"]["items"]:
        if isinstance(item["creator"], list):
            item["creator"][1] = {"id": "https://tool.example/ml", "type": "Software", "name": "x"}
    path = tmp_path / "foreign.jsonld"
    path.write_text(json.dumps(collection))
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), quiet=True)
    stored = dict(Annotation.objects.values_list("label", "suggested_by"))
    assert stored == {"attribution": "", "claim": ""}
    assert set(Annotation.objects.values_list("reviewer__username", flat=True)) == {"alice"}


@pytest.mark.parametrize(
    ("provenance", "line"),
    [
        ({"origin": "engine"}, 'provenance.origin must be "manual" or "suggestion"'),
        ({"origin": "suggestion", "engine": "rules"}, "must name its engine and version"),
        ({"origin": "suggestion", "engine": "a/b", "version": "1"}, "provenance: Give the"),
        ({"origin": "suggestion", "engine": "r", "version": 1}, "provenance.version must be text"),
        ("manual", "its provenance must be an object or null"),
    ],
)
def test_a_bad_provenance_is_named_and_nothing_is_imported(
    suggested_and_not, tmp_path, capsys, provenance, line
):
    document = json.loads(exported(tmp_path, "native").read_bytes())
    document["articles"][0]["annotations"][1]["provenance"] = provenance
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    Annotation.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("import_annotations", str(path), quiet=True)
    assert line in capsys.readouterr().err
    assert not Annotation.objects.exists()


def test_the_study_bundles_spans_say_which_engine_was_accepted(suggested_and_not, tmp_path):
    from annotator import study

    rows = list(study.span_rows([suggested_and_not]))
    column = [c.name for c in study.SPAN_COLUMNS].index("suggested_by")
    assert sorted(row[column] for row in rows) == ["", ENGINE]


def test_an_adjudicated_copy_carries_the_provenance_of_the_span_accepted(
    suggested_and_not, alice, carol
):
    from annotator import adjudication

    by_hand, suggested = Annotation.objects.order_by("start")
    assert adjudication.accept(suggested, carol).suggested_by == ENGINE
    assert adjudication.accept(by_hand, carol).suggested_by == ""


# ---- Agreement with and without suggestions --------------------------------------------

SPLIT_BODY = "Officials said the bridge will open in May {}. It is a crucial link."


@pytest.fixture
def split(alice, bob, carol):
    """Four articles both alice and bob coded: dealt with suggestions on to both, off to
    both, on to alice and off to bob, and dealt to nobody (both on, by the rule). The
    coders agree exactly where suggestions were on, and not where they were off."""
    from annotator.profiles.reading import source_profiles

    conditions = {"on": ("on", "on"), "off": ("off", "off"), "mixed": ("on", "off")}
    articles = {}
    for index, name in enumerate([*conditions, "undealt"]):
        article = make_article(body=SPLIT_BODY.format(index))
        articles[name] = article
        for reviewer, suggestions in zip((alice, bob), conditions.get(name, ()), strict=False):
            Assignment.objects.create(article=article, reviewer=reviewer, suggestions=suggestions)
        make_annotation(article, alice, "claim", "the bridge will open", suggested_by=ENGINE)
        make_annotation(article, alice, "attribution", "Officials said")
        bob_claim = "the bridge will open" if name != "off" else "a crucial link"
        make_annotation(article, bob, "claim", bob_claim)
        make_annotation(article, bob, "attribution", "Officials said")
    source_profiles(carol)  # stores the agreement the writes forgot
    return articles


def agreement_page(carol):
    client = logged_in(carol)
    response = client.get("/agreement/")
    assert response.status_code == 200
    return response


def test_agreement_is_split_by_the_coders_suggestions_conditions(split, carol):
    from annotator.models import ArticleAgreement
    from annotator.profiles import agreement

    groups = {row["condition"]: row for row in agreement_page(carol).context["suggestions"]}
    stored = {
        pk: agreement.Tally.from_stored(figures)
        for pk, figures in ArticleAgreement.objects.values_list("article_id", "figures")
    }
    members = {"on": ["on", "undealt"], "off": ["off"], "mixed": ["mixed"]}
    for condition, names in members.items():
        tallies = [stored[split[name].pk] for name in sorted(names, key=lambda n: split[n].pk)]
        pooled = groups[condition]["pooled"]
        assert pooled["articles"] == len(names)
        assert pooled["alpha"] == agreement.pooled(tallies)["alpha"]
    assert groups["on"]["pooled"]["alpha"]["claim"]["value"] == 1.0
    assert groups["off"]["pooled"]["alpha"]["claim"]["value"] < 0.5


def test_the_agreement_page_names_each_group_and_each_reviewers_accepted_share(split, carol):
    page = agreement_page(carol).content.decode()
    for title in ("Every coder shown suggestions", "No coder shown suggestions"):
        assert title in page
    assert "not of the suggestions they were shown" in page
    alice_row = page.split('data-accepted-reviewer="alice">')[1].split("</tr>")[0]
    cells = [cell.split("<")[0] for cell in alice_row.split('"text-end">')[1:]]
    assert cells == ["8", "4", "50%"]
    bob_row = page.split('data-accepted-reviewer="bob">')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in bob_row.split('"text-end">')[1:]] == ["8", "0", "0%"]


def test_by_suggestions_groups_articles_by_every_coders_condition():
    from annotator.profiles.agreement import Tally, by_suggestions

    tallies = {pk: Tally(articles=1, coders=frozenset({1, 2})) for pk in (1, 2, 3)}
    shown = {1: {1: True, 2: True}, 2: {1: False, 2: False}, 3: {1: True, 2: False}}
    groups = by_suggestions(tallies, shown)
    assert {condition: len(group) for condition, group in groups.items()} == {
        "on": 1,
        "off": 1,
        "mixed": 1,
    }
    assert groups["mixed"] == [tallies[3]]
