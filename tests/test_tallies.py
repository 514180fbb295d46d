"""The precomputed figures stay equal to a recount from the spans after every kind of write."""

import orjson
import pytest
from django.core.management import call_command

from annotator import adjudication
from annotator.models import (
    Annotation,
    Article,
    ArticleAgreement,
    ArticleReview,
    Speaker,
    UnitFigures,
)
from annotator.profiles import maths, storage
from annotator.profiles.agreement import Tally
from annotator.profiles.reading import source_profiles

from .conftest import api_client, logged_in, make_annotation, make_article

pytestmark = pytest.mark.django_db

BODY = "Officials said the dam is crucial. Critics warned it would flood the valley."


def recount():
    articles = {
        pk: (source, words)
        for pk, source, words in Article.objects.values_list("pk", "source_id", "word_count")
    }
    return maths.tally(articles, storage.span_facts(Annotation.objects.placed()))


def as_rows(units):
    return sorted(
        (u.article_id, str(u.annotator), orjson.dumps(u.values, option=orjson.OPT_SORT_KEYS))
        + (orjson.dumps(u.label_counts, option=orjson.OPT_SORT_KEYS),)
        for u in units
    )


def assert_current():
    stored = as_rows(storage.decoded_units(storage.unit_rows(UnitFigures.objects.all())))
    assert stored == as_rows(recount())
    return stored


@pytest.fixture
def annotated(alice, bob):
    article = make_article(body=BODY)
    for reviewer in (alice, bob):
        make_annotation(article, reviewer, "claim", "the dam is crucial")
        make_annotation(article, reviewer, "attribution", "Officials said", speaker_type="vague")
    return article


def test_spans_written_through_the_api_keep_figures_current(annotated, alice):
    before = assert_current()
    client = api_client(alice)
    created = client.post(
        f"/api/articles/{annotated.pk}/annotations/",
        {"label": "opinion", "start": 35, "end": 42},
        format="json",
    ).json()
    after_create = assert_current()
    assert after_create != before
    client.patch(f"/api/annotations/{created['id']}/", {"label": "claim"}, format="json")
    assert assert_current() != after_create
    client.delete(f"/api/annotations/{created['id']}/")
    assert assert_current() == before


def test_no_javascript_add_and_delete_keep_figures_current(annotated, alice):
    client = logged_in(alice)
    client.post(
        f"/articles/{annotated.pk}/annotations/add/",
        {"label": "opinion", "quote": "flood the valley", "occurrence": 1},
    )
    assert Annotation.objects.filter(label="opinion").exists()
    assert_current()
    span = Annotation.objects.get(label="opinion")
    client.post(f"/articles/{span.article_id}/annotations/delete/", {"annotation": span.pk})
    assert not Annotation.objects.filter(label="opinion").exists()
    assert_current()


def test_a_new_body_recounts_words_and_leaves_orphans_out(annotated, tmp_path):
    new_body = tmp_path / "body.txt"
    new_body.write_text("Officials said nothing more, in many more words than before today.")
    call_command("change_body", str(annotated.pk), str(new_body))
    assert Annotation.objects.filter(orphaned=True).exists()
    rows = assert_current()
    assert all(b'"claim":0' in row[3] for row in rows)


def test_speaker_affiliation_change_and_merge_keep_figures_current(annotated, alice, bob):
    named = Speaker.objects.create(name="Officials", affiliation="unknown")
    other = Speaker.objects.create(name="Critics", affiliation="civil_society")
    for reviewer, speaker in ((alice, named), (bob, other)):
        make_annotation(
            annotated,
            reviewer,
            "attribution",
            "Critics warned",
            speaker=speaker,
            speaker_type="named_organisation",
        )
    make_annotation(
        annotated,
        alice,
        "attribution",
        "Officials said the dam",
        speaker=other,
        speaker_type="named_organisation",
    )
    before = assert_current()
    named.affiliation = "government_named"
    named.save()
    changed = assert_current()
    assert changed != before
    named.merge([other])
    assert assert_current() != changed


def test_adjudication_accept_reject_and_discard_keep_figures_current(annotated, alice, carol):
    span = Annotation.objects.filter(reviewer=alice, label="claim").get()
    copy = adjudication.accept(span, carol)
    assert UnitFigures.objects.filter(article=annotated, reviewer=None).exists()
    assert_current()
    adjudication.reject(copy, carol)
    assert_current()
    adjudication.accept(span, carol)
    adjudication.discard(annotated)
    assert not UnitFigures.objects.filter(reviewer=None).exists()
    assert_current()


def test_an_import_fills_units_and_agreement(annotated, tmp_path):
    path = tmp_path / "export.json"
    call_command("export_annotations", output=str(path), quiet=True)
    Annotation.objects.all().delete()
    assert not UnitFigures.objects.exists()
    call_command("import_annotations", str(path), quiet=True)
    assert len(assert_current()) == 2
    assert ArticleAgreement.objects.filter(article=annotated).exists()


def test_refresh_figures_rebuilds_what_a_database_lacks(annotated, capsys):
    stored = assert_current()
    UnitFigures.objects.all().delete()
    ArticleAgreement.objects.all().delete()
    call_command("refresh_figures")
    assert assert_current() == stored
    assert ArticleAgreement.objects.filter(article=annotated).exists()
    assert "Recomputed the figures of 1 article(s)." in capsys.readouterr().out


def test_an_import_by_one_reviewer_stores_units_and_no_agreement(alice, tmp_path):
    article = make_article(body=BODY)
    make_annotation(article, alice, "claim", "the dam is crucial")
    path = tmp_path / "export.json"
    call_command("export_annotations", output=str(path), quiet=True)
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), quiet=True)
    assert len(assert_current()) == 1
    assert not ArticleAgreement.objects.exists()


def test_a_generated_corpus_stores_the_figures_a_recount_gives():
    # Dense spans on short bodies: many overlaps, so agreement's matching, which
    # depends on the order spans are read in, is put to the test.
    call_command(
        "generate_corpus",
        sources=2,
        articles=30,
        annotations=1200,
        reviewers=3,
        body_chars=800,
        quiet=True,
    )
    assert len(assert_current()) > 30
    stored = dict(ArticleAgreement.objects.values_list("article_id", "figures"))
    assert len(stored) >= 2
    ArticleAgreement.objects.all().delete()
    units = storage.decoded_units(storage.unit_rows(UnitFigures.objects.all()))
    nothing_stored = storage.agreement_rows(ArticleAgreement.objects.all())
    recomputed = storage.agreement_for(storage.coders(units, []), nothing_stored)
    assert recomputed == stored
    without_pairs = storage.agreement_rows(ArticleAgreement.objects.all(), pairs=False)
    assert {pk: orjson.loads(text) for pk, text in without_pairs} == {
        pk: {key: value for key, value in figures.items() if key != "pairs"}
        for pk, figures in stored.items()
    }


def test_a_write_forgets_agreement_and_the_next_reader_restores_it(annotated, alice, carol):
    source_profiles(carol)
    stored = ArticleAgreement.objects.get(article=annotated).figures
    assert stored["coders"] == sorted({a.reviewer_id for a in Annotation.objects.all()})
    assert Tally.from_stored(stored).figures()["alpha"]["claim"]["value"] == pytest.approx(1.0)

    make_annotation(annotated, alice, "claim", "it would flood the valley")
    assert not ArticleAgreement.objects.filter(article=annotated).exists()

    [profile] = source_profiles(carol)
    fresh = ArticleAgreement.objects.get(article=annotated).figures
    assert fresh["alpha"]["claim"] != stored["alpha"]["claim"]
    assert profile.agreement["alpha"]["claim"]["value"] < 1.0


def test_a_reviewer_who_marked_done_without_spans_is_a_coder(annotated, carol, django_user_model):
    [before] = source_profiles(carol)
    assert before.agreement["alpha"]["claim"]["value"] == pytest.approx(1.0)
    assert ArticleAgreement.objects.filter(article=annotated).exists()
    dave = django_user_model.objects.create_user("dave")
    review = ArticleReview.objects.create(article=annotated, reviewer=dave)
    review.set_done(True)
    # marking done changed who coded the article: its stored agreement is forgotten
    assert not ArticleAgreement.objects.filter(article=annotated).exists()

    [after] = source_profiles(carol)
    stored = ArticleAgreement.objects.get(article=annotated).figures
    assert stored["coders"] == sorted([*before_coders(annotated), dave.pk])
    claim = after.agreement["alpha"]["claim"]
    assert (claim["coders"], claim["articles"]) == (3, 1)
    assert claim["value"] < 0.5  # dave coded every character 0: the largest disagreement
    assert after.agreement["f1_per_label"]["exact"]["claim"] == pytest.approx(2 / 4)

    review.set_done(False)
    assert not ArticleAgreement.objects.filter(article=annotated).exists()
    [undone] = source_profiles(carol)
    assert undone.agreement == before.agreement


def before_coders(article):
    return set(Annotation.objects.filter(article=article).values_list("reviewer_id", flat=True))


def test_a_span_write_rewrites_only_its_own_unit(annotated, alice, bob):
    others = UnitFigures.objects.get(article=annotated, reviewer=bob)
    make_annotation(annotated, alice, "opinion", "flood the valley")
    assert UnitFigures.objects.get(article=annotated, reviewer=bob).pk == others.pk
    mine = UnitFigures.objects.get(article=annotated, reviewer=alice)
    assert mine.figures["labels"]["opinion"] == 1
    assert_current()
