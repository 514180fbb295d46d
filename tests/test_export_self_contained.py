"""A 1.4 export holds all the figures rest on: it imports into an empty database, and
``recompute_profiles`` computes from it alone what the API showed."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotator import exporting, importing
from annotator.models import (
    Adjudication,
    Annotation,
    Article,
    ArticleReview,
    Source,
    Speaker,
)

from .conftest import make_annotation, make_article, make_source, make_user

pytestmark = pytest.mark.django_db


def export(tmp_path, fmt="native", name="export"):
    path = tmp_path / f"{name}.{fmt}"
    call_command("export_annotations", format=fmt, output=str(path), quiet=True)
    return path


def empty_database():
    """Every row the figures could rest on gone, as in a fresh database."""
    Adjudication.objects.all().delete()
    Annotation.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()
    Speaker.objects.all().delete()
    get_user_model().objects.all().delete()


def verdicts():
    """The stored reviews and adjudications, as the file names them."""
    reviews = sorted(
        ArticleReview.objects.values_list(
            "article__body_sha256", "reviewer__username", *exporting.REVIEW_FIELDS
        )
    )
    adjudications = sorted(
        Adjudication.objects.values_list(
            "article__body_sha256",
            "adjudicator__username",
            "created",
            "completed_at",
            "completed_by__username",
        )
    )
    return reviews, adjudications


def without_ids(document):
    """An export's articles, ids and export time aside (a new database renumbers them)."""
    articles = []
    for article in document["articles"]:
        record = {**article, "id": None, "source": {**article["source"], "id": None}}
        record["annotations"] = [
            {
                **span,
                "id": None,
                "updated": None,  # the time of the import
                "links": {"attribution": bool(span["links"]["attribution"])},
            }
            for span in article["annotations"]
        ]
        for span in record["annotations"]:
            if span["fields"]["speaker"]:
                span["fields"]["speaker"] = {**span["fields"]["speaker"], "id": None}
        articles.append(record)
    return articles


@pytest.fixture
def scenario(alice, bob, carol, django_user_model):
    """The seed articles, four reviewers (one done with no spans), page reviews, and
    adjudications: one complete, one in progress."""
    call_command("load_seed_articles", stdout=io.StringIO())
    erin = make_user(django_user_model, "erin")
    # Made last, named first: pooled kappa orients each pair of coders by name, which the
    # export keeps (a new database numbers users in another order).
    aaron = make_user(django_user_model, "aaron")
    speaker_types = {
        alice: ["vague", "vague", "vague"],
        bob: ["named_person", "vague", "named_organisation"],
        aaron: ["named_organisation", "named_person", "named_person"],
    }
    first, second, third, *_ = Article.objects.order_by("seed_file", "pk")
    for index, article in enumerate((first, second, third)):
        words = article.body.split()
        for reviewer in (alice, bob, aaron):
            said = make_annotation(
                article,
                reviewer,
                "attribution",
                words[3],
                speaker_type=speaker_types[reviewer][index],
            )
            make_annotation(article, reviewer, "claim", words[8], attribution=said)
            review = ArticleReview.objects.create(
                article=article, reviewer=reviewer, genre="news", byline_shown=True
            )
            review.set_done(True)
        ArticleReview.objects.create(article=article, reviewer=erin, date_shown=False).set_done(
            True
        )
    make_annotation(first, carol, "claim", first.body.split()[8], layer="adjudicated")
    Adjudication.objects.create(article=first, adjudicator=carol).mark_complete(carol)
    Adjudication.objects.create(article=second, adjudicator=carol)
    return first


def staff_summaries(api_as, carol):
    client = api_as(carol)
    return [
        client.get(f"/api/sources/{pk}/summary/").json()
        for pk in Source.objects.order_by("pk").values_list("pk", flat=True)
    ]


def recomputed(path, capsys):
    capsys.readouterr()
    call_command("recompute_profiles", str(path))
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("fmt", ["native", "jsonl"])
def test_recomputed_figures_equal_the_apis_on_the_seed_scenario(
    scenario, carol, api_as, tmp_path, capsys, fmt
):
    expected = staff_summaries(api_as, carol)
    assert any(summary["adjudicated_articles"] for summary in expected)
    path = export(tmp_path, fmt)
    empty_database()
    assert recomputed(path, capsys) == expected
    assert not Article.objects.exists() and not Source.objects.exists()  # rolled back


def test_recomputed_figures_equal_the_apis_on_a_generated_corpus(carol, api_as, tmp_path, capsys):
    call_command(
        "generate_corpus",
        sources=2,
        articles=30,
        annotations=900,
        reviewers=3,
        body_chars=1200,
        quiet=True,
    )
    reviewer = get_user_model().objects.exclude(pk=carol.pk).first()
    for article in Article.objects.all()[:20]:
        ArticleReview.objects.update_or_create(
            article=article, reviewer=reviewer, defaults={"genre": "analysis", "bio_shown": True}
        )[0].set_done(True)
    expected = staff_summaries(api_as, carol)
    assert any(
        figure["interval"] and figure["interval"]["method"] == "bootstrap_95"
        for summary in expected
        for figure in summary["metrics"].values()
    )
    path = export(tmp_path)
    empty_database()
    assert recomputed(path, capsys) == expected


def test_recompute_refuses_a_database_with_articles(scenario, tmp_path):
    path = export(tmp_path)
    with pytest.raises(CommandError, match="runs only in an empty database"):
        call_command("recompute_profiles", str(path))


def test_recompute_names_what_a_file_without_bodies_lacks(scenario, tmp_path, capsys):
    path = export(tmp_path, "w3c")
    empty_database()
    with pytest.raises(CommandError, match="export of version 1.4 or later is needed"):
        call_command("recompute_profiles", str(path))
    assert "no stored article has the body hash" in capsys.readouterr().err


def test_import_into_an_empty_database_recreates_articles_and_verdicts(scenario, tmp_path):
    before = verdicts()
    bodies = sorted(Article.objects.values_list("body_sha256", "seed_file", "title"))
    path = export(tmp_path)
    empty_database()
    call_command("import_annotations", str(path), quiet=True)
    assert sorted(Article.objects.values_list("body_sha256", "seed_file", "title")) == bodies
    assert verdicts() == before
    assert not get_user_model().objects.get(username="erin").has_usable_password()
    again = export(tmp_path, name="again")
    assert without_ids(json.loads(again.read_bytes())) == without_ids(json.loads(path.read_bytes()))
    stamps = dict(Annotation.objects.values_list("pk", "updated"))
    call_command("import_annotations", str(path), quiet=True)
    assert verdicts() == before
    assert dict(Annotation.objects.values_list("pk", "updated")) == stamps
    assert Article.objects.count() == len(json.loads(path.read_bytes())["articles"])


def test_a_13_file_still_imports_against_stored_articles(scenario, tmp_path):
    document = json.loads(export(tmp_path).read_bytes())
    document["schema_version"] = "1.3"
    del document["metrics"]
    for article in document["articles"]:
        for name in ("body", "reviews", "adjudication"):
            del article[name]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document))
    count = Annotation.objects.count()
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), quiet=True)
    assert Annotation.objects.count() == count


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda a: a.update(body=a["body"] + " Added."), "body's SHA-256 is not its body_sha256"),
        (lambda a: a["reviews"][0].update(genre="gossip"), "review 1: genre: Value 'gossip'"),
        (lambda a: a["reviews"][0].update(done_at=None), "review 1: a done review needs"),
        (lambda a: a["reviews"][0].update(done="yes"), "reviews[1].done must be true or false"),
        (
            lambda a: a["adjudication"].update(completed_by=None),
            "adjudication: a complete adjudication has completed_at and completed_by",
        ),
    ],
    ids=["body hash", "genre", "done time", "done type", "completion"],
)
def test_bad_article_records_are_named_and_nothing_is_written(
    scenario, tmp_path, capsys, change, said
):
    document = json.loads(export(tmp_path).read_bytes())
    [record] = [a for a in document["articles"] if a["adjudication"] and a["reviews"]][:1]
    change(record)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    empty_database()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(path), quiet=True)
    assert said in capsys.readouterr().err
    assert not Article.objects.exists() and not ArticleReview.objects.exists()


def test_a_stored_source_is_used_and_a_new_one_is_created_as_the_file_says(tmp_path, alice):
    article = make_article(body="Only this article.", source=make_source("Known", False))
    ArticleReview.objects.create(article=article, reviewer=alice)
    other = make_article(
        body="And another.", source=Source.objects.create(name="New", domain="n.example")
    )
    ArticleReview.objects.create(article=other, reviewer=alice)
    path = export(tmp_path)
    Article.objects.filter(pk=other.pk).delete()
    Source.objects.filter(name="New").delete()
    summary = importing.run(importing.read(path.open("rb"))[1])
    assert not summary.problems and summary.counts["articles created"] == 1
    assert Source.objects.get(name="New").domain == "n.example"
    assert Source.objects.filter(name="Known").count() == 1
