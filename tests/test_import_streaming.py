"""import_annotations reads a file a record at a time and writes it batch by batch.

Whatever the batches, an import does what one batch of the whole file does:
every problem named, links resolved across batches, nothing written when
anything is wrong; and its memory does not grow with the file.
"""

import io
import json
import tracemalloc

import orjson
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from annotator import exporting, importing
from annotator.exporting import SCHEMA_NAME
from annotator.models import Annotation

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db
BODY = "Officials said the bridge will open in May. It is a crucial link. Officials said so."


@pytest.fixture
def one_span_a_batch(monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SPANS", 1)


def span(article, quote, key, label="claim", **record):
    start = article.body.index(quote)
    return {
        "id": key,
        "reviewer": "alice",
        "label": label,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        **record,
    }


def native_lines(*articles):
    """A native export laid out as this tool writes it: a header line, an article a line."""
    header = json.dumps({"schema": SCHEMA_NAME, "articles": []})[: -len("[]}")]
    lines = [header + "["]
    for index, (article, spans) in enumerate(articles):
        record = {"body_sha256": article.body_sha256, "annotations": spans}
        lines.append(("," if index else "") + json.dumps(record))
    return ("\n".join([*lines, "]}"]) + "\n").encode()


def run_import(tmp_path, content):
    path = tmp_path / "import.json"
    path.write_bytes(content)
    call_command("import_annotations", str(path), quiet=True)


def refused(tmp_path, capsys, content):
    path = tmp_path / "import.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        call_command("import_annotations", str(path), quiet=True)
    return capsys.readouterr().err + str(raised.value)


def test_the_exports_layout_is_read_an_article_at_a_time(alice, tmp_path):
    first, second = make_article(body=BODY), make_article(body=BODY + " Again.")
    content = native_lines(
        (first, [span(first, "Officials said", 1, "attribution")]),
        (second, [span(second, "a crucial link", 2, "opinion")]),
    )
    for leading in (b"", b"\n \n"):  # blank lines before the header are no JSON Lines
        fmt, spans = importing.read(io.BytesIO(leading + content))
        assert fmt == "native"
        assert [s.where for s in spans] == ["article 1, annotation 1", "article 2, annotation 1"]
    run_import(tmp_path, content)
    assert sorted(Annotation.objects.values_list("article_id", "label")) == [
        (first.pk, "attribution"),
        (second.pk, "opinion"),
    ]


@pytest.mark.parametrize(
    ("ending", "said"),
    [
        (b"]}\n", None),
        (b']\n,"more":1}\n', None),
        (b"]", "line 4 is not JSON"),
        (b"", "the file ends before its list of articles does"),
        (b"]}}\n", "line 4 is not JSON (unexpected content"),
    ],
)
def test_the_end_of_a_native_export_is_checked(alice, tmp_path, capsys, ending, said):
    article = make_article(body=BODY)
    content = native_lines((article, [span(article, "Officials said", 1, "attribution")]))
    content = content.removesuffix(b"]}\n").replace(b"\n", b"\n\n", 1) + ending
    if said is None:
        run_import(tmp_path, content)
        assert Annotation.objects.count() == 1
    else:
        assert said in refused(tmp_path, capsys, content)
        assert not Annotation.objects.exists()


def test_an_article_over_several_lines_is_read(alice, tmp_path):
    article = make_article(body=BODY)
    record = {"body_sha256": article.body_sha256, "annotations": [span(article, "It is", 1)]}
    header = native_lines()[: -len("]}\n")]
    content = header + b"\n" + json.dumps(record, indent=2).encode() + b"\n]}\n"
    run_import(tmp_path, content)
    assert Annotation.objects.get().quote == "It is"


def test_a_broken_article_line_is_named_at_once(alice, tmp_path, capsys):
    article = make_article(body=BODY)
    good = native_lines((article, [span(article, "It is", 1)]))
    lines = good.split(b"\n")
    content = b"\n".join([lines[0], b'{"body_sha256": oops}', *lines[1:]])
    assert "line 2 is not JSON" in refused(tmp_path, capsys, content)
    broken = b"\n".join([lines[0], b'{"body_sha256": "\xff"}', *lines[1:]])
    said = refused(tmp_path, capsys, broken)
    byte = broken.index(b"\xff")
    assert f"the file is not UTF-8 text (byte {byte})" in said


def test_links_reach_across_batches_both_ways(alice, tmp_path, one_span_a_batch):
    first, second = make_article(body=BODY), make_article(body=BODY + " Again.")
    content = native_lines(
        (first, [span(first, "It is", "claim", links={"attribution": "said"})]),
        (second, [span(second, "a crucial link", "opinion", "opinion")]),
        (first, [span(first, "Officials said", "said", "attribution")]),
        (second, [span(second, "It is", "second claim")]),
        (first, [span(first, "crucial", "other", "opinion", links={"attribution": "said"})]),
    )
    run_import(tmp_path, content)
    said = Annotation.objects.get(label="attribution")
    assert set(Annotation.objects.filter(attribution=said).values_list("quote", flat=True)) == {
        "It is",
        "crucial",
    }
    # The history row of a span whose link waited holds the link too.
    claim = Annotation.objects.get(quote="It is", article=first)
    assert claim.history.get().attribution_id == said.pk


def test_problems_across_batches_are_all_named(alice, tmp_path, capsys, one_span_a_batch):
    first, second = make_article(body=BODY), make_article(body=BODY + " Again.")
    content = native_lines(
        (first, [span(first, "Officials said", "said", "attribution")]),
        (second, [span(second, "It is", "said", "opinion")]),
        (second, [span(second, "crucial", "c", links={"attribution": "later"})]),
        (first, [span(first, "Officials said", "again", "attribution")]),
        (second, [span(second, "a crucial link", "d", links={"attribution": "nowhere"})]),
        (first, [span(first, "It is", "later", "attribution")]),
    )
    said = refused(tmp_path, capsys, content)
    for line in (
        "article 1, annotation 1: its id said is also the id of another annotation",
        "article 2, annotation 1: its id said is also the id of another annotation",
        "article 3, annotation 1: attribution: The linked attribution belongs to another article",
        "article 4, annotation 1: the file holds this span twice",
        "article 5, annotation 1: attribution: it links to nowhere, neither in the file nor",
        "5 of 6 annotation(s)",
    ):
        assert line in said
    assert not Annotation.objects.exists()


def test_a_link_to_an_orphan_further_on_is_cleared(alice, tmp_path, capsys, one_span_a_batch):
    article, other = make_article(body=BODY), make_article(body=BODY + " Again.")
    orphan = {**span(article, "It is", "gone", "attribution"), "start": None, "end": None}
    content = native_lines(
        (article, [span(article, "crucial", "c", "opinion", links={"attribution": "gone"})]),
        (other, [span(other, "It is", "o")]),
        (article, [{**orphan, "orphaned": True, "quote": "no longer there"}]),
    )
    path = tmp_path / "import.json"
    path.write_bytes(content)
    call_command("import_annotations", str(path))
    assert Annotation.objects.get(quote="crucial").attribution is None
    said = capsys.readouterr().err
    assert "1 orphaned (their quote is not in the body) skipped: article 3, annotation 1" in said
    assert "1 linked to a skipped orphan were imported unlinked: article 1, annotation 1" in said


def test_a_dry_run_in_batches_writes_nothing_and_counts_all(alice, tmp_path, capsys):
    article = make_article(body=BODY)
    stored = make_annotation(article, alice, "attribution", "Officials said")
    content = native_lines(
        (article, [span(article, "Officials said", stored.pk, "attribution")]),
        (article, [span(article, "It is", 2, links={"attribution": stored.pk})]),
    )
    path = tmp_path / "import.json"
    path.write_bytes(content)
    call_command("import_annotations", str(path), dry_run=True)
    assert "1 would be created, 0 updated, 1 unchanged" in capsys.readouterr().err
    assert list(Annotation.objects.all()) == [stored]


# ---------------------------------------------------------------- memory


def test_memory_stays_flat_however_many_articles_a_file_holds(alice, tmp_path, monkeypatch):
    """A native export of 20 articles and one of 80, each imported in batches of 200 spans:
    the larger one's peak of Python memory grows by less than half the extra file size
    (held whole, a file took over ten times its size)."""
    monkeypatch.setattr(importing, "BATCH_SPANS", 200)
    articles = [make_article(body=f"{BODY} Number {number}.") for number in range(80)]

    def spans_of(article):
        return [span(article, article.body[at : at + 9], f"{article.pk}:{at}") for at in range(50)]

    peaks, sizes = [], []
    for count in (20, 80):
        content = native_lines(*((article, spans_of(article)) for article in articles[:count]))
        with connection.cursor() as cursor:  # no signals and history: only the spans go
            cursor.execute(f"DELETE FROM {Annotation._meta.db_table}")
        tracemalloc.start()
        try:
            run_import(tmp_path, content)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        sizes.append(len(content))
        assert Annotation.objects.count() == 50 * count
    assert peaks[1] - peaks[0] < (sizes[1] - sizes[0]) / 2, (peaks, sizes)


class LinesOnly(io.BytesIO):
    """A file that can only be read a line at a time: reading it whole fails the test."""

    def read(self, *args):
        raise AssertionError("the file was read whole")


@pytest.mark.parametrize("fmt", ["native", "w3c"])
def test_exports_are_read_a_line_at_a_time_as_they_read_whole(alice, tmp_path, fmt, monkeypatch):
    monkeypatch.setattr(exporting, "W3C_PAGE_SIZE", 2)  # pages that end inside an article
    for number in range(3):
        article = make_article(body=f"{BODY} Number {number}.")
        said = make_annotation(article, alice, "attribution", "Officials said")
        make_annotation(article, alice, "claim", "the bridge will open in May", attribution=said)
        make_annotation(article, alice, "opinion", "crucial", opinion_type="evaluative")
    path = tmp_path / f"export.{fmt}"
    call_command("export_annotations", format=fmt, output=str(path), quiet=True)
    content = path.read_bytes()
    read_fmt, spans = importing.read(LinesOnly(content))
    whole_fmt, whole = importing._document(orjson.loads(content))
    assert read_fmt == whole_fmt == fmt
    whole = list(whole)
    assert list(spans) == whole
    assert len(whole) == (12 if fmt == "native" else 9)  # native: each article's record too


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda c: c.replace(b"]}}}", b"]}}"), "does not close the W3C collection"),
        (lambda c: c.rsplit(b"\n", 2)[0] + b"\n", "the file ends before its W3C collection does"),
        (lambda c: c.replace(b'"type":"AnnotationPage","items":[\n{', b"oops[\n{", 1), "line 1"),
    ],
    ids=["unclosed", "cut short", "broken header"],
)
def test_a_broken_w3c_export_is_named(alice, tmp_path, capsys, monkeypatch, change, said):
    monkeypatch.setattr(exporting, "W3C_PAGE_SIZE", 1)
    article = make_article(body=BODY)
    make_annotation(article, alice, "attribution", "Officials said")
    make_annotation(article, alice, "opinion", "crucial", opinion_type="evaluative")
    path = tmp_path / "export.w3c"
    call_command("export_annotations", format="w3c", output=str(path), quiet=True)
    assert said in refused(tmp_path, capsys, change(path.read_bytes()))
