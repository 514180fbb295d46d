"""The study bundle: a valid Frictionless package whose files agree with the tool."""

import csv
import hashlib
import io
import json
import subprocess
import zipfile
from datetime import datetime

import krippendorff
import numpy
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from frictionless import validate

from annotator import exporting, span_schema, study
from annotator.models import (
    Adjudication,
    Annotation,
    Article,
    ArticleReview,
    Assignment,
    Source,
)

from .conftest import make_annotation, make_user

pytestmark = pytest.mark.django_db

FILES = {
    "datapackage.json",
    "checksums.sha256",
    "codebook.json",
    "codebook.md",
    "reliability.csv",
    "reliability.json",
    "source_figures.csv",
    "spans.csv",
    "codings.csv",
    "export.json",
    "annotations.w3c.jsonld",
}


@pytest.fixture
def scenario(alice, bob, carol, django_user_model):
    """The seed articles; on the first four, alice and bob mark spans that partly agree
    and erin marks each done with no spans; one article is adjudicated and complete."""
    call_command("load_seed_articles", stdout=io.StringIO())
    erin = make_user(django_user_model, "erin")
    articles = list(Article.objects.order_by("seed_file", "pk")[:4])
    for index, article in enumerate(articles):
        words = article.body.split()
        for reviewer, offset in ((alice, 0), (bob, index % 2)):
            said = make_annotation(
                article,
                reviewer,
                "attribution",
                " ".join(words[3 : 5 + offset]),
                speaker_type="vague" if offset else "named_person",
                cue_stance="neutral",
            )
            make_annotation(article, reviewer, "claim", words[8 + offset], attribution=said)
            if reviewer == alice or index == 0:
                make_annotation(article, reviewer, "opinion", " ".join(words[12:15]))
            ArticleReview.objects.create(article=article, reviewer=reviewer).set_done(True)
        ArticleReview.objects.create(article=article, reviewer=erin).set_done(True)
        Assignment.objects.create(article=article, reviewer=alice)
        Assignment.objects.create(article=article, reviewer=bob)
    make_annotation(articles[0], carol, "claim", articles[0].body.split()[8], layer="adjudicated")
    Adjudication.objects.create(article=articles[0], adjudicator=carol).mark_complete(carol)
    return articles


@pytest.fixture
def bundle(scenario, tmp_path):
    directory = tmp_path / "bundle"
    call_command("export_study", str(directory), stdout=io.StringIO())
    return directory


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(text):
    return float(text) if text != "" else None


def test_the_bundle_is_a_valid_frictionless_package_with_every_file(bundle):
    assert {path.name for path in bundle.iterdir()} == FILES
    report = validate(bundle / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((bundle / "datapackage.json").read_text())
    described = {resource["path"] for resource in descriptor["resources"]}
    assert described == FILES - {"datapackage.json", "checksums.sha256"}


def test_a_changed_file_fails_the_packages_integrity_check(bundle):
    with open(bundle / "spans.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    report = validate(bundle / "datapackage.json")
    assert not report.valid
    assert "hash-count" in {error.type for task in report.tasks for error in task.errors}


def test_the_checksums_verify_with_sha256sum(bundle):
    listed = (bundle / "checksums.sha256").read_text().splitlines()
    assert {line.split("  ", 1)[1] for line in listed} == FILES - {"checksums.sha256"}
    for line in listed:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest
    checked = subprocess.run(
        ["sha256sum", "-c", "checksums.sha256"], cwd=bundle, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def expanded_alpha(codings, label):
    """Krippendorff's alpha from codings.csv's rows of one label, each run expanded into its
    code points: one reliability matrix of every coder × every unit, absent coders missing."""
    runs = [row for row in codings if row["variable"] == label]
    coders = sorted({row["coder"] for row in runs})
    columns, position = {}, 0  # (article, unit_start) -> the run's first column
    for row in runs:
        key = (row["article"], int(row["unit_start"]))
        if key not in columns:
            columns[key] = position
            position += int(row["length"])
    matrix = numpy.full((len(coders), position), numpy.nan)
    for row in runs:
        start = columns[row["article"], int(row["unit_start"])]
        matrix[coders.index(row["coder"]), start : start + int(row["length"])] = int(row["value"])
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")


def test_alpha_from_the_codings_equals_the_reliability_report(bundle, scenario):
    codings = rows(bundle / "codings.csv")
    reliability = rows(bundle / "reliability.csv")
    corpus = {
        row["variable"]: row
        for row in reliability
        if row["scope"] == "corpus" and row["coefficient"] == "krippendorff_alpha_nominal"
    }
    assert {row["coder"] for row in codings} == {"alice", "bob", "erin"}
    assert {row["article"] for row in codings} == {str(article.pk) for article in scenario}
    for label in ("claim", "opinion", "attribution"):
        assert number(corpus[label]["value"]) == pytest.approx(expanded_alpha(codings, label))
        unit_count = (
            sum(int(row["length"]) for row in codings if row["variable"] == label) // 3
        )  # three coders on every double-annotated article
        assert int(corpus[label]["units"]) == unit_count


def test_source_figures_equal_the_staff_summary_cell_for_cell(bundle, carol, api_as):
    figures = rows(bundle / "source_figures.csv")
    client = api_as(carol)
    checked = 0
    for source in Source.objects.order_by("pk"):
        summary = client.get(f"/api/sources/{source.pk}/summary/").json()
        expected = {
            **summary["metrics"],
            **{f"share_{kind}": f for kind, f in summary["speaker_type_shares"].items()},
            "spans_per_1000_words": summary["spans_per_1000_words"],
        }
        mine = {row["figure"]: row for row in figures if row["source_id"] == str(source.pk)}
        assert mine.keys() == expected.keys()
        for key, figure in expected.items():
            row = mine[key]
            interval = figure["interval"] or {}
            reliable = figure["reliability"] or {}
            completion = figure.get("completion") or {}
            assert number(row["value"]) == figure["value"]
            assert row["display"] == figure["display"]
            assert number(row["interval_low"]) == interval.get("low")
            assert number(row["interval_high"]) == interval.get("high")
            assert (row["interval_method"] or None) == interval.get("method")
            assert int(row["articles"]) == figure["articles"]
            assert int(row["reviewers"]) == figure["reviewers"]
            assert number(row["completion_rate"]) == completion.get("rate")
            assert row["greyed_out"] == ("true" if figure["greyed_out"] else "false")
            assert row["cautions"] == " ".join(figure["cautions"])
            assert (row["reliability_label"] or None) == reliable.get("label")
            assert number(row["reliability_alpha"]) == reliable.get("alpha")
            assert (row["reliability_page"] or None) == reliable.get("url")
            checked += 1
        alphas = {
            row["variable"]: row
            for row in rows(bundle / "reliability.csv")
            if row["source_id"] == str(source.pk)
            and row["coefficient"] == "krippendorff_alpha_nominal"
        }
        for label, alpha in summary["agreement"]["alpha"].items():
            assert number(alphas[label]["value"]) == alpha["value"]
            assert int(alphas[label]["articles"]) == alpha["articles"]
    assert checked


def test_spans_csv_has_one_row_per_span_with_every_schema_field(bundle):
    spans = rows(bundle / "spans.csv")
    assert len(spans) == Annotation.objects.count()
    assert {row["layer"] for row in spans} == {"raw", "adjudicated"}
    columns = spans[0].keys()
    assert set(span_schema.PLACE) <= columns
    assert set(span_schema.NAMES) <= columns
    linked = {row["attribution"] for row in spans if row["attribution"]}
    assert linked <= {row["id"] for row in spans if row["label"] == "attribution"}


def test_the_codebook_names_every_span_field_and_its_values(bundle):
    book = json.loads((bundle / "codebook.json").read_text())
    assert [field["name"] for field in book["fields"]] == list(span_schema.NAMES)
    assert book["guidelines_version"] == study.GUIDELINES_VERSION
    assert book["metric_definitions_version"] == exporting.METRIC_DEFINITIONS_VERSION
    assert book["offsets"]["unit"] == "codepoint"
    speaker_type = next(f for f in book["fields"] if f["name"] == "speaker_type")
    assert {"value": "vague", "meaning": "Vague"} in speaker_type["values"]
    text = (bundle / "codebook.md").read_text()
    assert all(f"`{name}`" in text for name in span_schema.NAMES)


def test_the_exports_are_the_export_commands_bytes(bundle):
    created = datetime.fromisoformat(
        json.loads((bundle / "datapackage.json").read_text())["created"]
    )
    for fmt, name in (("native", "export.json"), ("w3c", "annotations.w3c.jsonld")):
        expected = b"".join(exporting.stream(fmt, Annotation.objects.all(), {}, created))
        assert (bundle / name).read_bytes() == expected


def test_the_reliability_report_says_how_the_sample_was_drawn(bundle, scenario):
    report = json.loads((bundle / "reliability.json").read_text())
    corpus = report["scopes"][-1]
    assert corpus["scope"] == "corpus"
    assert corpus["sample"] == {
        "articles_dealt_twice": len(scenario),
        "articles_coded": len(scenario),
        "articles_double_coded": len(scenario),
    }
    assert "seed" in report["sample_drawn"]


def test_the_command_refuses_a_directory_holding_files(tmp_path):
    (tmp_path / "left.txt").write_text("x")
    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("export_study", str(tmp_path))
    assert [path.name for path in tmp_path.iterdir()] == ["left.txt"]


def test_one_sources_bundle_holds_its_spans_only(scenario, tmp_path):
    source = scenario[0].source
    call_command("export_study", str(tmp_path / "one"), source=source.pk, stdout=io.StringIO())
    spans = rows(tmp_path / "one" / "spans.csv")
    assert len(spans) == Annotation.objects.filter(article__source=source).count()
    figures = rows(tmp_path / "one" / "source_figures.csv")
    assert {row["source_id"] for row in figures} == {str(source.pk)}
    assert validate(tmp_path / "one" / "datapackage.json").valid


def test_the_download_is_for_staff_only(scenario, alice, client):
    response = client.get("/study.zip")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(alice)
    assert client.get("/study.zip").status_code == 403


def test_staff_download_a_zip_of_the_same_files(bundle, carol, client):
    client.force_login(carol)
    response = client.get("/study.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="study.zip"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        assert set(zipped.namelist()) == FILES
        for name in ("codebook.json", "spans.csv", "codings.csv", "source_figures.csv"):
            assert zipped.read(name) == (bundle / name).read_bytes()
        listed = zipped.read("checksums.sha256").decode().splitlines()
        for line in listed:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(zipped.read(name)).hexdigest() == digest


def test_the_agreement_page_links_to_the_download(carol, client):
    client.force_login(carol)
    assert b'href="/study.zip"' in client.get("/agreement/").content


def test_bootstrap_intervals_match_the_staff_summary_on_a_generated_corpus(carol, api_as, tmp_path):
    call_command(
        "generate_corpus",
        sources=1,
        articles=12,
        annotations=400,
        reviewers=3,
        body_chars=1200,
        quiet=True,
    )
    reviewers = list(get_user_model().objects.exclude(pk=carol.pk).order_by("pk")[:2])
    for article in Article.objects.all():  # every article coded by two or more
        for reviewer in reviewers:
            ArticleReview.objects.get_or_create(article=article, reviewer=reviewer)[0].set_done(
                True
            )
    call_command("export_study", str(tmp_path / "bundle"), stdout=io.StringIO())
    reliability = rows(tmp_path / "bundle" / "reliability.csv")
    client = api_as(carol)
    intervals = 0
    for source in Source.objects.order_by("pk"):
        alphas = client.get(f"/api/sources/{source.pk}/summary/").json()["agreement"]["alpha"]
        for label, alpha in alphas.items():
            [row] = [
                row
                for row in reliability
                if row["source_id"] == str(source.pk)
                and row["variable"] == label
                and row["coefficient"] == "krippendorff_alpha_nominal"
            ]
            interval = alpha["interval"] or [None, None]
            assert [number(row["interval_low"]), number(row["interval_high"])] == interval
            assert (row["interval_method"] or None) == alpha["interval_method"]
            intervals += alpha["interval"] is not None
    assert intervals
    corpus = [row for row in reliability if row["scope"] == "corpus" and row["interval_low"]]
    assert {row["interval_seed"] for row in corpus} == {
        str(study.maths.stable_seed("corpus", "agreement"))
    }
