"""import_annotations: every format back in, idempotent, re-anchored, all-or-nothing."""

import gc
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotator import importing
from annotator.models import Annotation, Article, Speaker

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db
ENGINE = "newsroom-rules/0.3.1"  # the opinion was an engine's suggestion bob accepted
BODY = "😀 Officials said the bridge will open in May. It is a crucial link. Officials said so."


@pytest.fixture
def annotated(alice, bob):
    article = make_article(body=BODY)
    lavrov = Speaker.objects.create(
        name="Officials of the ministry", affiliation="government_named"
    )
    said = make_annotation(
        article,
        alice,
        "attribution",
        "Officials said",
        speaker=lavrov,
        speaker_type="unnamed_identified",
        cue_stance="neutral",
        counter_voice=False,
    )
    make_annotation(
        article,
        alice,
        "claim",
        "the bridge will open in May",
        attribution=said,
        check_worthy=True,
        hedged=False,
        note="dated",
    )
    make_annotation(
        article, bob, "opinion", "crucial", opinion_type="evaluative", suggested_by=ENGINE
    )
    return article


def export(tmp_path, fmt, name="out"):
    path = tmp_path / f"{name}.{fmt}"
    call_command("export_annotations", format=fmt, output=str(path), quiet=True)
    return path


def snapshot():
    """Everything an annotation means, without database ids or edit times."""
    rows = []
    for a in Annotation.objects.select_related("article", "reviewer", "speaker", "attribution"):
        link = a.attribution
        rows.append(
            (
                a.article.body_sha256,
                a.reviewer.username,
                a.layer,
                a.label,
                a.start,
                a.end,
                a.quote,
                a.prefix,
                a.suffix,
                a.note,
                a.created.isoformat(),
                a.speaker.name if a.speaker else None,
                a.speaker_type,
                a.cue_stance,
                a.quote_type,
                a.counter_voice,
                a.check_worthy,
                a.hedged,
                a.opinion_type,
                (link.label, link.start, link.end) if link else None,
                a.suggested_by,
            )
        )
    return sorted(rows, key=repr)


def empty_but_the_articles():
    Annotation.objects.all().delete()
    Speaker.objects.all().delete()
    get_user_model().objects.exclude(is_staff=True).delete()


@pytest.mark.parametrize("batch", [importing.BATCH_SPANS, 1], ids=["batches", "a span a batch"])
@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_round_trip_through_an_empty_database(annotated, tmp_path, fmt, batch, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SPANS", batch)
    before = snapshot()
    path = export(tmp_path, fmt)
    empty_but_the_articles()
    assert not Annotation.objects.exists()
    call_command("import_annotations", str(path), quiet=True)
    assert snapshot() == before
    assert Annotation.objects.get(label="opinion").suggested_by == ENGINE
    again = export(tmp_path, fmt, name="again")
    assert exported_spans(again) == exported_spans(path)
    # Every new span has its "created" history row, with the values stored.
    for annotation in Annotation.objects.all():
        [record] = annotation.history.all()
        assert record.history_type == "+"
        assert (record.label, record.start, record.end, record.quote, record.attribution_id) == (
            annotation.label,
            annotation.start,
            annotation.end,
            annotation.quote,
            annotation.attribution_id,
        )
        assert record.created == annotation.created


def exported_spans(path):
    """What an export file says of each span, ids and edit times aside."""
    _fmt, spans = importing.parse(path.read_bytes())
    return sorted(
        repr(
            (
                s.body_sha256,
                s.reviewer,
                s.layer,
                s.label,
                s.start,
                s.end,
                s.quote,
                s.prefix,
                s.suffix,
                s.note,
                s.created,
                sorted(s.fields.items()),
                (s.speaker or {}).get("name"),
                s.link is not None,
                s.suggested_by,
            )
        )
        for s in spans
    )


@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_importing_the_same_file_twice_changes_nothing(annotated, tmp_path, fmt):
    path = export(tmp_path, fmt)
    stamps = dict(Annotation.objects.values_list("pk", "updated"))
    call_command("import_annotations", str(path), quiet=True)
    call_command("import_annotations", str(path), quiet=True)
    assert dict(Annotation.objects.values_list("pk", "updated")) == stamps


def test_dry_run_reports_and_writes_nothing(annotated, tmp_path, capsys):
    path = export(tmp_path, "native")
    empty_but_the_articles()
    call_command("import_annotations", str(path), dry_run=True)
    assert not Annotation.objects.exists()
    assert "3 would be created" in capsys.readouterr().err


def test_moved_offsets_are_re_anchored_by_quote_and_context(annotated, tmp_path, capsys):
    path = export(tmp_path, "native")
    document = json.loads(path.read_text())
    for span in document["articles"][0]["annotations"]:
        span["start"] += 3
        span["end"] += 3
    path.write_text(json.dumps(document))
    empty_but_the_articles()
    call_command("import_annotations", str(path))
    assert "3 re-anchored" in capsys.readouterr().err
    claim = Annotation.objects.get(label="claim")
    assert claim.quote == "the bridge will open in May"
    # "Officials said" stands twice; the recorded context picks the first
    assert Annotation.objects.get(label="attribution").start == BODY.index("Officials said")


def test_every_bad_record_is_named_and_nothing_is_written(annotated, tmp_path, capsys):
    path = export(tmp_path, "native")
    document = json.loads(path.read_text())
    spans = document["articles"][0]["annotations"]
    spans[0]["quote"] = "words that are nowhere in the article"
    spans[1]["label"] = "fact"
    spans[2]["fields"]["speaker_type"] = "vague"  # an opinion cannot have one
    path.write_text(json.dumps(document))
    empty_but_the_articles()
    with pytest.raises(CommandError, match="3 of 3 annotation"):
        call_command("import_annotations", str(path))
    errors = capsys.readouterr().err
    assert "article 1, annotation 1: the quote 'words that are nowhere" in errors
    assert "article 1, annotation 2: its label 'fact'" in errors
    assert "article 1, annotation 3: speaker_type" in errors
    assert not Annotation.objects.exists()


def test_unknown_article_hash_is_refused(annotated, tmp_path, capsys):
    path = export(tmp_path, "jsonl")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[0]["body_sha256"] = "0" * 64
    path.write_text("\n".join(json.dumps(line) for line in lines))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(path))
    assert "no stored article has the body hash 000000000000" in capsys.readouterr().err


def test_reviewers_and_speakers_are_mapped_by_name(annotated, alice, tmp_path):
    path = export(tmp_path, "native")
    Annotation.objects.all().delete()
    speaker = Speaker.objects.get()
    speaker.name, speaker.aliases = "The ministry", ["Officials of the ministry"]
    speaker.save()
    call_command("import_annotations", str(path), quiet=True)
    attribution = Annotation.objects.get(label="attribution")
    assert attribution.reviewer == alice
    assert attribution.speaker == speaker
    assert Speaker.objects.count() == 1


def test_missing_reviewers_become_accounts_without_passwords(annotated, tmp_path):
    path = export(tmp_path, "native")
    empty_but_the_articles()
    call_command("import_annotations", str(path), quiet=True)
    bob = get_user_model().objects.get(username="bob")
    assert not bob.has_usable_password()
    assert bob.groups.filter(name="Reviewers").exists()


def test_foreign_w3c_annotation_without_our_extensions(annotated, alice, tmp_path):
    foreign = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/anno/1",
        "type": "Annotation",
        "creator": {"type": "Person", "name": "alice"},
        "body": [
            {"type": "TextualBody", "purpose": "classifying", "value": "opinion"},
            {"type": "TextualBody", "purpose": "tagging", "value": "opinion_type:evaluative"},
        ],
        "target": {
            "source": f"urn:sha256:{annotated.body_sha256}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "a crucial link"},
                {"type": "TextPositionSelector", "start": 0, "end": 14},
            ],
        },
    }
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(foreign))
    call_command("import_annotations", str(path), quiet=True)
    imported = Annotation.objects.get(label="opinion", reviewer=alice)
    assert imported.quote == "a crucial link" and imported.opinion_type == "evaluative"


@pytest.mark.parametrize("fmt", ["native", "jsonl"])
def test_a_byte_order_mark_and_line_separators_in_notes_are_read(annotated, alice, tmp_path, fmt):
    # U+2028 and U+2029 are legal inside JSON strings: a JSON Lines file breaks at
    # newlines only. Editors on Windows may add a byte order mark.
    Annotation.objects.filter(note="dated").update(note="first\u2028second\u2029third\x85")
    second = make_article(body="A second report, with its own span.")
    make_annotation(second, alice, "claim", "its own span", note="last\u2028line")
    before = snapshot()
    path = export(tmp_path, fmt)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    empty_but_the_articles()
    call_command("import_annotations", str(path), quiet=True)
    assert snapshot() == before


def test_the_collector_is_running_again_after_an_import(annotated, tmp_path):
    path = export(tmp_path, "native")
    call_command("import_annotations", str(path), quiet=True)
    assert gc.isenabled()
    path.write_bytes(b"\xff not text")
    with pytest.raises(CommandError):
        call_command("import_annotations", str(path), quiet=True)
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"{not json\n", "line 1 is not JSON"),
        (b'{"hello": "world"}', "neither a native export"),
    ],
)
def test_unreadable_files_are_refused_in_one_sentence(tmp_path, db, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_annotations", str(path))


def test_missing_file_is_refused(db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_annotations", "/nonexistent/export.json")


def test_import_articles_takes_json_lines_with_metadata(db, tmp_path, capsys):
    path = tmp_path / "articles.jsonl"
    records = [
        {
            "title": "Port reopens",
            "author": "A. Writer",
            "published": "2025-03-01",
            "source": {"name": "Harbour Daily", "domain": "harbour.example"},
            "body": "Cafe\u0301 owners said the port reopened.\r\nTrade resumed.",
        },
        {"title": "No outlet shown", "body": "A text with no outlet at all, it said."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records))
    call_command("import_articles", str(path))
    call_command("import_articles", str(path))
    assert Article.objects.count() == 2
    port = Article.objects.get(title="Port reopens")
    assert port.body == "Caf\u00e9 owners said the port reopened.\nTrade resumed."
    assert port.published == datetime(2025, 3, 1, tzinfo=UTC).date()
    assert (port.source.name, port.source.domain) == ("Harbour Daily", "harbour.example")
    assert not Article.objects.get(title="No outlet shown").source.identified
    assert "skipped 2 already present" in capsys.readouterr().out
