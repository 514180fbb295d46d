"""Imports name every bad record and field, never a traceback; links keep to the link rule."""

import json
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotator import importing
from annotator.exporting import SCHEMA_NAME, VOCAB_PREFIX
from annotator.models import Annotation, Article, Source, Speaker

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(alice, bob):
    return make_article()


def span(article, quote, label="claim", **record):
    start = article.body.index(quote)
    return {
        "reviewer": "alice",
        "label": label,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        **record,
    }


def native(article, *spans):
    return {
        "schema": SCHEMA_NAME,
        "articles": [{"body_sha256": article.body_sha256, "annotations": list(spans)}],
    }


def refused(tmp_path, capsys, document, *expected):
    """Import ``document``: refused, naming every line of ``expected``, and nothing written."""
    path = tmp_path / "import.json"
    path.write_bytes(document if isinstance(document, bytes) else json.dumps(document).encode())
    users, speakers = get_user_model().objects.count(), Speaker.objects.count()
    annotations = set(Annotation.objects.values_list("pk", "updated", "attribution_id"))
    with pytest.raises(CommandError) as raised:
        call_command("import_annotations", str(path), quiet=True)
    said = capsys.readouterr().err + str(raised.value)
    for line in expected:
        assert line in said
    assert set(Annotation.objects.values_list("pk", "updated", "attribution_id")) == annotations
    assert (get_user_model().objects.count(), Speaker.objects.count()) == (users, speakers)
    return said


def imported(tmp_path, document):
    path = tmp_path / "import.json"
    path.write_text(json.dumps(document))
    call_command("import_annotations", str(path), quiet=True)


@pytest.mark.parametrize(
    ("record", "line"),
    [
        ({"label": ["claim"]}, "annotation 1: its label must be text, not a list"),
        ({"start": "0"}, "annotation 1: its start must be a whole number or null, not text"),
        (
            {"start": True},
            "annotation 1: its start must be a whole number or null, not true or false",
        ),
        ({"end": 1.5}, "annotation 1: its end must be a whole number or null, not a number with a"),
        (
            {"end": 2**64},
            "annotation 1: its end must be a whole number or null, not a number with a",
        ),
        ({"fields": "check_worthy"}, "annotation 1: its fields must be an object or null, not"),
        ({"fields": {"hedged": "no"}}, "annotation 1: its fields.hedged must be true or false"),
        (
            {"fields": {"opinion_type": ["x"]}},
            "annotation 1: its fields.opinion_type must be text or null",
        ),
        (
            {"fields": {"speaker": "Lavrov"}},
            "annotation 1: its fields.speaker must be an object or null, not",
        ),
        (
            {"fields": {"speaker": {"name": 7}}},
            "annotation 1: its fields.speaker.name must be text, not a",
        ),
        ({"links": "5"}, "annotation 1: its links must be an object or null, not text"),
        (
            {"links": {"attribution": [5]}},
            "annotation 1: its links.attribution must be a whole number or",
        ),
        ({"note": {"text": "x"}}, "annotation 1: its note must be text, not an object"),
        ({"reviewer": None}, "annotation 1: its reviewer must be text, not null"),
        ({"created": "2025-02-30T10:00:00Z"}, "annotation 1: its created is not a date and time"),
        ({"created": "0001-01-01T00:00:00+05:00"}, "annotation 1: its created is not a date"),
        ({"created": "9999-12-31T23:00:00-05:00"}, "annotation 1: its created is not a date"),
        ({"created": "2025-05-28T25:00:00Z"}, "annotation 1: its created is not a date and time"),
        ({"note": "a\x00b"}, "annotation 1: note: Null characters are not allowed."),
        ({"note": "x" * 2001}, "annotation 1: note: Ensure this value has at most 2000"),
        ({"reviewer": "al ice!"}, "annotation 1: reviewer: Enter a valid username."),
        ({"reviewer": "a" * 151}, "annotation 1: reviewer: Ensure this value has at most 150"),
        ({"reviewer": "al\x00ice"}, "annotation 1: reviewer: Null characters are not allowed."),
        (
            {"reviewer": "ａｌｉｃｅ"},
            "annotation 1: reviewer: usernames are stored in Unicode form NFKC, 'alice'",
        ),
    ],
)
def test_a_field_of_the_wrong_shape_or_past_a_limit_is_named(
    article, tmp_path, capsys, record, line
):
    bad = span(article, "the bridge will open in May", **record)
    good = span(article, "a crucial link", label="opinion")
    said = refused(tmp_path, capsys, native(article, bad, good), f"article 1, {line}")
    assert "1 of 2 annotation(s)" in said
    assert "Traceback" not in said


def test_a_speaker_past_the_model_limits_is_named(article, tmp_path, capsys):
    speakers = [{"name": "x" * 201}, {"name": "Min\x00istry"}, {"affiliation": "media"}]
    attributions = [
        span(article, "Officials said", label="attribution", fields={"speaker": speaker})
        for speaker in speakers
    ]
    for number, attribution in enumerate(attributions):
        attribution["reviewer"] = ["alice", "bob", "carol"][number]
    refused(
        tmp_path,
        capsys,
        native(article, *attributions),
        "annotation 1: speaker: Ensure this value has at most 200 characters",
        "annotation 2: speaker: Null characters are not allowed.",
        "annotation 3: its speaker is not a record with a name",
    )


@pytest.mark.parametrize(
    ("document", "line"),
    [
        (["not an article"], "article 1: it must be an object, not text"),
        ([{"body_sha256": 7, "annotations": []}], "article 1: its body_sha256 must be text"),
        ([{"body_sha256": "0" * 64, "annotations": {}}], "article 1: its annotations must be"),
        ([{"body_sha256": "0" * 64, "annotations": [[1]]}], "annotation 1: it must be an object"),
        ([{"body_sha256": "\x00" * 64, "annotations": [{}]}], "names no article body hash"),
        ([{"body_sha256": "A" * 64, "annotations": [{}]}], "names no article body hash"),
    ],
)
def test_an_article_record_of_the_wrong_shape_is_named(article, tmp_path, capsys, document, line):
    refused(tmp_path, capsys, {"schema": SCHEMA_NAME, "articles": document}, line)


def w3c(article, **changes):
    start = article.body.index("a crucial link")
    annotation = {
        "id": f"{VOCAB_PREFIX}annotation:1",
        "type": "Annotation",
        "creator": {"nickname": "alice"},
        "body": [{"purpose": "classifying", "value": "opinion"}],
        "target": {
            "source": f"urn:sha256:{article.body_sha256}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "a crucial link"},
                {"type": "TextPositionSelector", "start": start, "end": start + 14},
            ],
        },
    }
    return {**annotation, **changes}


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"creator": "alice"},
            "annotation 1: its creator must be an object or a list or null, not text",
        ),
        ({"creator": ["alice"]}, "annotation 1: its creator[1] must be an object, not text"),
        (
            {"creator": [{"id": 3}]},
            "annotation 1: its creator[1].id must be text, not a whole number",
        ),
        ({"body": ["opinion"]}, "annotation 1: its body[1] must be an object, not text"),
        ({"body": {"value": ["opinion"]}}, "annotation 1: its body[1].value must be text"),
        ({"target": "urn:sha256:00"}, "annotation 1: its target must be an object or null"),
        ({"target": {"selector": ["x"]}}, "its target.selector[1] must be an object, not text"),
        ({"target": {"source": 5}}, "annotation 1: its target.source must be text"),
        ({"nra:links": []}, "annotation 1: its nra:links must be an object or null, not a list"),
        ({"nra:fields": {"speaker": 5}}, "its nra:fields.speaker must be an object or null"),
    ],
)
def test_a_w3c_field_of_the_wrong_shape_is_named(article, tmp_path, capsys, changes, line):
    refused(tmp_path, capsys, [w3c(article, **changes)], line)


def test_a_w3c_tag_for_a_yes_or_no_field_is_refused(article, tmp_path, capsys):
    attribution = w3c(
        article,
        body=[
            {"purpose": "classifying", "value": "attribution"},
            {"purpose": "tagging", "value": "counter_voice:yes"},
        ],
    )
    refused(tmp_path, capsys, [attribution], "counter_voice: “yes” value must be either True")


def test_w3c_pages_of_the_wrong_shape_are_refused_in_one_sentence(article, tmp_path, capsys):
    collection = {"type": "AnnotationCollection", "first": {"items": "none"}}
    refused(tmp_path, capsys, collection, "a W3C page: its items must be a list or null, not text")


def test_deep_nesting_is_a_named_error(article, tmp_path, capsys):
    # Lists inside lists as deep as JSON parsers go, and deeper.
    refused(tmp_path, capsys, b"[" * 900 + b"]" * 900, "annotation 1: it must be an object")
    refused(tmp_path, capsys, b"[" * 5000 + b"]" * 5000, "line 1 is not JSON (depth limit")
    deep_note = span(article, "a crucial link", label="opinion", note=[[[[[["x"]]]]]])
    refused(tmp_path, capsys, native(article, deep_note), "its note must be text, not a list")


def test_json_lines_name_the_line_that_is_no_record(article, tmp_path, capsys):
    record = json.dumps(native(article, span(article, "a crucial link", label="opinion")))
    content = f"{json.dumps({'schema': SCHEMA_NAME})}\n\n{record}\n[1]\n".encode()
    refused(tmp_path, capsys, content, "(line 4 is no record of a native export)")
    refused(tmp_path, capsys, f"{record}\n\n{{oops\n".encode(), "line 3 is not JSON")


def test_reading_stops_after_a_thousand_malformed_records(article, tmp_path, capsys):
    document = native(article, *([{"label": 1}] * 1001))
    refused(
        tmp_path,
        capsys,
        document,
        "more than 1000 annotations are malformed, the first article 1, annotation 1: its label",
    )


def peak_memory_refusing(call, path):
    """Run ``call`` on ``path`` in a fresh process: (the error it refused with, peak kilobytes).

    The peak is the process's own (VmHWM): getrusage's ru_maxrss carries over the
    parent's peak across exec, which in a long test run is the test runner's.
    """
    script = (
        "import re, sys, django; django.setup()\n"
        "from django.core.management import CommandError, call_command\n"
        "from annotator import importing\n"
        "path = sys.argv[1]\n"
        "try:\n"
        f"    {call}\n"
        "except (CommandError, importing.ImportFileError) as error:\n"
        "    print(error, file=sys.stderr)\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status)[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "project.settings.test", "PATH": ""},
    )
    return done.stderr, int(done.stdout)


@pytest.mark.parametrize(
    "line",
    [b'{"a":1}\n', b'{"schema":"newsroom-annotator/export","annotations":[1]}\n'],
    ids=["objects", "bad spans"],
)
def test_refusing_50_mb_of_tiny_lines_stays_under_300_mb(tmp_path, line):
    path = tmp_path / "tiny.jsonl"
    path.write_bytes(line * (50 * 2**20 // len(line)))
    error, kilobytes = peak_memory_refusing("importing.parse(open(path, 'rb').read())", path)
    assert "line 1" in error or "annotation 1" in error
    assert kilobytes < 300 * 1024


# ---------------------------------------------------------------- the link rule


@pytest.fixture
def attributions(article, alice, bob):
    return {
        "alice": make_annotation(article, alice, "attribution", "Officials said"),
        "bob": make_annotation(article, bob, "attribution", "It is"),
        "alice's claim": make_annotation(article, alice, "claim", "a crucial link"),
    }


def test_a_link_to_a_stored_attribution_of_the_same_reviewer_is_kept(
    attributions, article, tmp_path
):
    stored = attributions["alice"]
    claim = span(article, "the bridge will open in May", links={"attribution": stored.pk})
    imported(tmp_path, native(article, claim))
    assert Annotation.objects.get(quote="the bridge will open in May").attribution == stored


def test_links_to_stored_attributions_are_looked_up_in_batches(
    attributions, article, alice, tmp_path, monkeypatch
):
    monkeypatch.setattr(importing, "LOOKUP_BATCH", 1)
    second = make_annotation(article, alice, "attribution", "It is")
    claims = [
        span(
            article, "the bridge will open in May", links={"attribution": attributions["alice"].pk}
        ),
        span(article, "crucial", label="opinion", links={"attribution": second.pk}),
    ]
    imported(tmp_path, native(article, *claims))
    assert (
        Annotation.objects.get(quote="the bridge will open in May").attribution
        == (attributions["alice"])
    )
    assert Annotation.objects.get(quote="crucial").attribution == second


def test_a_w3c_link_to_a_stored_attribution_is_kept(attributions, article, tmp_path):
    stored = attributions["alice"]
    link = {"attribution": f"{VOCAB_PREFIX}annotation:{stored.pk}"}
    opinion = w3c(article, **{"id": "elsewhere:1", "nra:links": link})
    imported(tmp_path, [opinion])
    assert Annotation.objects.get(label="opinion").attribution == stored


@pytest.mark.parametrize(
    ("target", "line"),
    [
        ("bob", "attribution: The linked attribution belongs to another reviewer or layer."),
        ("alice's claim", "attribution: A link must point to an attribution."),
    ],
)
def test_a_link_to_a_stored_span_breaking_the_rule_is_refused(
    attributions, article, tmp_path, capsys, target, line
):
    claim = span(
        article, "the bridge will open in May", links={"attribution": attributions[target].pk}
    )
    refused(tmp_path, capsys, native(article, claim), f"article 1, annotation 1: {line}")


def test_a_link_to_a_stored_attribution_of_another_article_is_refused(
    attributions, article, alice, tmp_path, capsys
):
    other = make_article(body="Elsewhere the ministry said the dam holds.")
    elsewhere = make_annotation(other, alice, "attribution", "the ministry said")
    claim = span(article, "the bridge will open in May", links={"attribution": elsewhere.pk})
    refused(tmp_path, capsys, native(article, claim), "belongs to another article.")


def test_links_inside_the_file_keep_to_the_rule(article, tmp_path, capsys):
    said = span(article, "Officials said", label="attribution", id="a", reviewer="bob")
    also = span(article, "It is", label="attribution", id="b")
    document = native(
        article,
        said,
        also,
        span(article, "the bridge will open in May", id="c", links={"attribution": "a"}),
        span(article, "a crucial link", label="opinion", id="d", links={"attribution": "c"}),
        span(
            article,
            "It is",
            label="attribution",
            id="e",
            reviewer="bob",
            links={"attribution": "a"},
        ),
        span(article, "crucial", label="opinion", id="f", links={"attribution": "nowhere"}),
        span(article, "link", label="opinion", id="b"),
    )
    refused(
        tmp_path,
        capsys,
        document,
        "annotation 2: its id b is also the id of another annotation in the file",
        "annotation 3: attribution: The linked attribution belongs to another reviewer or layer.",
        "annotation 4: attribution: A link must point to an attribution.",
        "annotation 5: attribution: an attribution links to nothing.",
        "annotation 6: attribution: it links to nowhere, neither in the file nor stored.",
        "annotation 7: its id b is also the id",
    )


@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_an_export_of_claims_alone_re_imports_with_its_links(
    attributions, article, alice, tmp_path, fmt
):
    stored = attributions["alice"]
    claim = make_annotation(article, alice, "claim", "the bridge will open in May")
    claim.attribution = stored
    claim.save()
    path = tmp_path / f"claims.{fmt}"
    call_command("export_annotations", format=fmt, label="claim", output=str(path), quiet=True)
    Annotation.objects.filter(label="claim").delete()
    call_command("import_annotations", str(path), quiet=True)
    restored = Annotation.objects.get(quote="the bridge will open in May")
    assert restored.attribution == stored
    assert Annotation.objects.get(quote="a crucial link").attribution is None


# ---------------------------------------------------------------- articles


def articles_refused(tmp_path, capsys, content, *expected, name="articles.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    with pytest.raises(CommandError) as raised:
        call_command("import_articles", str(path), quiet=True)
    said = capsys.readouterr().err + str(raised.value)
    for line in expected:
        assert line in said
    assert not Article.objects.exists()
    assert not Source.objects.exists()
    return said


BODY = "The minister said the road opened on Monday in town."


@pytest.mark.parametrize(
    ("record", "line"),
    [
        ({"body": ""}, "record 2: it has no body text"),
        ({"body": "  "}, "record 2: it has no body text"),
        ({"body": ["text"]}, "record 2: its body must be text, not a list"),
        ({"title": {"en": "x"}}, "record 2: its title must be text, not an object"),
        ({"published": "last week"}, "record 2: published: “last week” value has an invalid"),
        ({"published": "2025-02-30"}, "record 2: published: “2025-02-30” value has the correct"),
        ({"published": 20250528}, "record 2: its published must be text or null, not a whole"),
        ({"source": 7}, "record 2: its source must be text or an object or null, not a whole"),
        ({"source": {"domain": "x.example"}}, "record 2: its source must be a name or an object"),
        ({"source": {"name": "X", "identified": "no"}}, "record 2: its source.identified must be"),
        ({"source": {"name": "X", "identified": 0}}, "record 2: its source.identified must be"),
        ({"source": "x" * 201}, "record 2: source.name: Ensure this value has at most 200"),
        ({"source": {"name": "X", "domain": "d\x00"}}, "record 2: source.domain: Null characters"),
        ({"title": "t" * 501}, "record 2: title: Ensure this value has at most 500 characters"),
        ({"author": "a" * 201}, "record 2: author: Ensure this value has at most 200"),
        ({"seed_file": "f" * 256}, "record 2: seed_file: Ensure this value has at most 255"),
        ({"title": "A\x00B"}, "record 2: title: Null characters are not allowed."),
        ({"body": "Text\x00here."}, "record 2: body: Null characters are not allowed."),
    ],
)
def test_a_bad_article_record_is_named_and_nothing_is_written(db, tmp_path, capsys, record, line):
    good = {"body": BODY}
    said = articles_refused(
        tmp_path, capsys, [good, {"body": "Another text.", **record}], f"articles.json {line}"
    )
    assert "Nothing was imported: 1 record(s) are invalid" in said


def test_every_bad_article_record_is_named(db, tmp_path, capsys):
    lines = [{"body": BODY}, {"title": 5}, "text", {"body": BODY, "published": "2025-13-01"}]
    content = "\n".join(json.dumps(line) for line in lines).encode() + b"\n\n"
    articles_refused(
        tmp_path,
        capsys,
        content,
        "articles.jsonl line 2: its title must be text, not a whole number",
        "articles.jsonl line 3: it must be an object, not text",
        "articles.jsonl line 4: published:",
        "Nothing was imported: 3 record(s) are invalid",
        name="articles.jsonl",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"body": "lone \\ud800 surrogate"}', "line 1: no low surrogate"),
        (b"[" * 5000 + b"]" * 5000, "line 1: depth limit exceeded"),
        (b"[" * 900 + b"]" * 900, "record 1: it must be an object, not a list"),
        (b'{"body": "fine"}\n{"body": \n', "line 2:"),
    ],
)
def test_unreadable_article_files_are_named_in_one_sentence(db, tmp_path, capsys, content, message):
    said = articles_refused(tmp_path, capsys, content, message)
    assert "Traceback" not in said


def test_a_page_text_with_nul_characters_is_refused(db, tmp_path, capsys):
    page = f"A headline\n\n{BODY} With a \x00 inside.\n".encode()
    articles_refused(
        tmp_path, capsys, page, "one.txt: body: Null characters are not allowed.", name="one.txt"
    )


def test_reading_articles_stops_after_a_thousand_bad_records(db, tmp_path, capsys):
    said = articles_refused(tmp_path, capsys, [{"title": "x"}] * 1500)
    assert "record 1000: it has no body text" in said
    assert "record 1001:" not in said
    assert "Nothing was imported: at least 1000 record(s) are invalid" in said


def test_refusing_50_mb_of_tiny_article_lines_stays_under_300_mb(tmp_path):
    path = tmp_path / "tiny.jsonl"
    path.write_bytes(b'{"a":1}\n' * (50 * 2**20 // 8))
    error, kilobytes = peak_memory_refusing("call_command('import_articles', path)", path)
    assert "at least 1000 record(s) are invalid" in error
    assert kilobytes < 300 * 1024
