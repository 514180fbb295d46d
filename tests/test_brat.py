"""brat standoff in and out: round trip, the mapping, bad lines named, fragments, offsets."""

import json
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotator import brat
from annotator.models import Annotation, Article, ArticleReview, Source, Speaker

from .conftest import make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotated(alice, bob):
    article = make_article(
        body="😀 Officials said the bridge will open in May.\n\nIt is a crucial link.",
        seed_file="bridge.txt",
    )
    said = {"speaker": Speaker.objects.create(name="City officials"), "counter_voice": False}
    said = make_annotation(article, alice, "attribution", "Officials said", **said)
    claim = {"attribution": said, "check_worthy": True, "note": "two\nlines"}
    make_annotation(article, alice, "claim", "the bridge will open in May", **claim)
    make_annotation(article, bob, "claim", "the bridge will open in May", hedged=True)
    make_annotation(article, bob, "opinion", "crucial", opinion_type="evaluative", layer="raw")
    other = make_article(body="Nothing to see in this short text here.", source=make_source("B"))
    make_annotation(other, bob, "claim", "Nothing to see")
    return article


def export(directory, **filters):
    call_command("export_annotations", format="brat", output=str(directory), quiet=True, **filters)
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def import_brat(path, **options):
    call_command("import_annotations", str(path), format="brat", quiet=True, **options)


def empty_the_database():
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    Speaker.objects.all().delete()
    Source.objects.all().delete()
    get_user_model().objects.all().delete()


def test_export_writes_a_text_and_its_annotations_per_article(annotated, tmp_path):
    files = export(tmp_path / "out")
    # An article without a seed file is named by its id (ids differ run to run on PostgreSQL).
    other = Article.objects.exclude(pk=annotated.pk).get().pk
    assert sorted(files) == [
        f"article-{other}.ann",
        f"article-{other}.txt",
        "bridge.ann",
        "bridge.txt",
    ]
    assert files["bridge.txt"].decode() == annotated.body
    lines = files["bridge.ann"].decode().splitlines()
    assert lines[0] == "T1\tattribution 2 16\tOfficials said"  # code points: 😀 is one
    assert "T2\tclaim 17 44\tthe bridge will open in May" in lines
    assert "N1\tReference T1 speaker:City_officials\tCity officials" in lines
    assert "R1\tattribution Arg1:T2 Arg2:T1" in lines  # alice's claim comes before bob's
    assert "#1\tAnnotatorNotes T2\ttwo lines" in lines
    assert "A2\tcounter_voice T1 false" in lines


def test_round_trip_through_an_empty_database_gives_the_same_files(annotated, tmp_path):
    first = export(tmp_path / "first")
    empty_the_database()
    import_brat(tmp_path / "first", source="Imported")
    assert Annotation.objects.count() == 5
    assert set(Source.objects.values_list("name", flat=True)) == {"Imported"}
    again = export(tmp_path / "again")
    assert again == first
    import_brat(tmp_path / "again")  # importing twice changes nothing
    assert export(tmp_path / "third") == first
    assert not get_user_model().objects.get(username="alice").has_usable_password()


def test_an_unknown_text_needs_a_source(tmp_path):
    brat_pair(tmp_path, "Some text.", "T1\tclaim 0 4\tSome\n", stored=False)
    with pytest.raises(CommandError):
        import_brat(tmp_path, reviewer="alice")
    assert not Article.objects.exists()


def brat_pair(directory, body, ann, stored=True):
    """A stored article of ``body`` (unless not ``stored``) and its a.txt and a.ann files."""
    if stored:
        make_article(body=body)
    (directory / "a.txt").write_text(body)
    (directory / "a.ann").write_text(ann)


def write_mapping(tmp_path, mapping):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(mapping))
    return path


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"text": {"Claim": "clam"}}, "text: Claim: 'clam' is not one of claim, opinion"),
        ({"attributes": {"Who": "speakr"}}, "attributes: Who: 'speakr' is not a field"),
        ({"relations": {"Says": "speaker"}}, "relations: Says: 'speaker' is not attribution"),
        ({"events": {"Attr": {"linked": {}}}}, "events: Attr: attribution: must be a list"),
        ({"events": {"Attr": {"attribution": ["Cue"], "linked": {"C": "x"}}}}, "linked: must map"),
        ({"labels": {}}, "labels: is not a part of a mapping"),
        ({"ignored": "Cue"}, "ignored: must be a list of brat types"),
    ],
)
def test_mapping_errors_are_named(tmp_path, mapping, named):
    with pytest.raises(brat.MappingError) as error:
        brat.load_mapping(write_mapping(tmp_path, mapping))
    assert any(named in problem for problem in error.value.problems), error.value.problems


def test_a_mapping_that_is_no_json_is_named_in_the_command(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "a.txt").write_text("Some text.")
    with pytest.raises(CommandError, match="bad.json: is not JSON"):
        import_brat(tmp_path / "a.txt", mapping=str(tmp_path / "bad.json"))


def test_every_bad_line_is_named_with_its_file_and_number(tmp_path, capsys, alice):
    body = "Officials said the bridge will open in May."
    brat_pair(
        tmp_path,
        body,
        "T1\tattribution 0 14\tOfficials said\n"
        "T2\tclaim 15 42\tthe bridge will open in May\n"
        "T3\tclaim 15 99\tthe bridge\n"
        "T4\tclaim 15 25\tnot this\n"
        "T5\tRumour 0 9\tOfficials\n"
        "R1\tattribution Arg1:T1 Arg2:T2\n"
        "A1\tspeaker_type T1 loud\n"
        "A2\tcolour T2 red\n"
        "something else\n"
        "T1\tclaim 0 9\tOfficials\n",
    )
    with pytest.raises(CommandError, match="Nothing was imported: 8 of 10 "):
        import_brat(tmp_path, reviewer="alice")
    problems = capsys.readouterr().err.splitlines()
    assert problems == [
        "a.ann, line 3: its offsets 15 99 are not ranges within the 43 characters",
        "a.ann, line 4: its text 'not this' is not the text at 15 25 'the bridge'",
        "a.ann, line 5: its type 'Rumour' is not in the mapping",
        "a.ann, line 6: its Arg2 T2 is not an attribution",
        "a.ann, line 7: speaker_type: 'loud' is not one of "
        "named_organisation, named_person, none, unnamed_identified, vague",
        "a.ann, line 8: its attribute 'colour' is not in the mapping",
        "a.ann, line 9: it is not a brat annotation (T, E, R, A, N or # line)",
        "a.ann, line 10: T1 is the id of an annotation further up",
    ]
    assert not Annotation.objects.exists()


def test_a_discontinuous_span_becomes_one_span_per_fragment(tmp_path, alice):
    body = "“The bridge,” she said, “will open in May.”"
    first, second = body.index("“The"), body.index("“will")
    brat_pair(
        tmp_path,
        body,
        f"T1\tclaim {first} 13;{second} {len(body)}\t“The bridge,” “will open in May.”\n"
        "T2\tattribution 14 22\tshe said\n"
        "R1\tattribution Arg1:T1 Arg2:T2\n",
    )
    import_brat(tmp_path, reviewer="alice")
    claims = Annotation.objects.filter(label="claim").order_by("start")
    assert [claim.quote for claim in claims] == ["“The bridge,”", "“will open in May.”"]
    assert {claim.attribution.quote for claim in claims} == {"she said"}


def test_offsets_count_code_points_of_the_text_as_written(tmp_path, alice):
    written = "Cafe\u0301 😀 owner said\r\nprices rise."  # a combining accent, CRLF
    (tmp_path / "a.txt").write_bytes(written.encode())
    said = written.index("owner said")
    rise = written.index("prices rise")
    (tmp_path / "a.ann").write_text(
        f"T1\tattribution {said} {said + 10}\towner said\n"
        f"T2\tclaim {rise} {rise + 11}\tprices rise\n"
        f"T3\topinion 0 5\tCafe\u0301\n"
    )
    import_brat(tmp_path, reviewer="alice", source="Local")
    article = Article.objects.get()
    assert article.body == unicodedata.normalize("NFC", written.replace("\r\n", "\n"))
    assert sorted(Annotation.objects.values_list("quote", flat=True)) == [
        "Café",
        "owner said",
        "prices rise",
    ]


def test_text_over_several_lines_is_read_as_brat_writes_it(tmp_path, alice):
    body = "He said:\n\n“Yes.”"
    brat_pair(tmp_path, body, "T1\tclaim 3 16\tsaid:\n\n“Yes.”\nT2\tclaim 0 2\tHe\n")
    import_brat(tmp_path, reviewer="alice")
    assert sorted(Annotation.objects.values_list("quote", flat=True)) == ["He", "said:\n\n“Yes.”"]


EVENTS = {
    "ignored": ["Source", "Cue", "Content", "Attribution"],
    "events": {
        "Attribution": {
            "attribution": ["Attribution", "Source", "Cue"],
            "speaker": "Source",
            "linked": {"Content": "claim"},
            "quote_type": "from_content",
        }
    },
}


def test_events_make_an_attribution_and_its_linked_claims(tmp_path, alice):
    body = "Officials said the bridge will open. “It will,” they added."
    brat_pair(
        tmp_path,
        body,
        "T1\tSource 0 9\tOfficials\n"
        "T2\tCue 10 14\tsaid\n"
        "T3\tContent 15 35\tthe bridge will open\n"
        "T4\tAttribution 10 14\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tSource 48 52\tthey\n"
        "T6\tCue 53 58\tadded\n"
        "T7\tContent 37 47\t“It will,”\n"
        "E2\tAttribution:T6 Content:T7 Source:T5\n"
        "T8\tSource 0 9\tOfficials\n",
    )
    import_brat(tmp_path, reviewer="alice", mapping=str(write_mapping(tmp_path, EVENTS)))
    said = Annotation.objects.get(label="attribution", quote="Officials said")
    added = Annotation.objects.get(label="attribution", start=48)
    assert (said.speaker.name, said.quote_type) == ("Officials", "indirect")
    assert (added.quote, added.quote_type) == ("they added", "direct")
    assert Annotation.objects.get(quote="the bridge will open").attribution == said
    assert Annotation.objects.get(label="claim", start=37).attribution == added
    assert not ArticleReview.objects.exists()
