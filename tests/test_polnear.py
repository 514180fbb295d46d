"""PolNeAR imported through brat: counts equal the files', idempotent, outlets."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotator import polnear
from annotator.models import Annotation, Article, ArticleReview, Source

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "polnear" / "data"


def import_polnear(*compartments, articles=()):
    call_command("import_polnear", str(DATA), *compartments, articles=list(articles), quiet=True)


def expected_spans(ann: Path) -> int:
    """The spans an .ann file makes, counted from its lines alone: per relation one
    attribution over its source, cue and trigger, and a claim per content fragment; the
    same place marked twice is one span."""
    lines, fragments, places = ann.read_text(encoding="utf-8").splitlines(), {}, set()
    for line in lines:
        if match := re.match(r"(T\d+)\t\S+ ([\d ;]+)\t", line):
            fragments[match[1]] = [tuple(map(int, f.split())) for f in match[2].split(";")]
    for line in lines:
        if line.startswith("E"):
            roles = [argument.split(":") for argument in line.split("\t")[1].split()]
            covered = [
                f for role, t in roles if not role.startswith("Content") for f in fragments[t]
            ]
            places.add(("attribution", min(s for s, _ in covered), max(e for _, e in covered)))
            places |= {
                ("claim", *f)
                for role, t in roles
                if role.startswith("Content")
                for f in fragments[t]
            }
    return len(places)


def test_annotator_training_imports_every_article_annotator_and_relation():
    import_polnear("annotator-training")
    files = sorted((DATA / "annotator-training" / "attributions").glob("*.ann"))
    assert Article.objects.count() == 4
    assert ArticleReview.objects.filter(done=True).count() == len(files) == 24
    reviewers = get_user_model().objects.filter(username__startswith="polnear-")
    assert reviewers.count() == 6
    assert not any(reviewer.has_usable_password() for reviewer in reviewers)
    assert Annotation.objects.count() == sum(map(expected_spans, files))
    claims = Annotation.objects.filter(label="claim")
    assert not claims.filter(attribution=None).exists()  # every content linked
    direct = Annotation.objects.filter(label="attribution", quote_type="direct").first()
    assert direct.linked_spans.first().quote.startswith("“")


def test_importing_twice_changes_nothing():
    import_polnear("annotator-training")
    before = list(Annotation.objects.values_list().order_by("pk"))
    reviews = list(ArticleReview.objects.values_list().order_by("pk"))
    history = Annotation.history.count()
    import_polnear("annotator-training")
    assert list(Annotation.objects.values_list().order_by("pk")) == before
    assert list(ArticleReview.objects.values_list().order_by("pk")) == reviews
    assert Annotation.history.count() == history


def test_articles_stand_under_their_outlets_with_their_metadata():
    rows = {row["filename"]: row for row in polnear.metadata(DATA)}
    wanted = [
        next(name for name, row in rows.items() if row["publisher"] == publisher)
        for publisher in ("nyt", "huff-post", "wash-post")
    ] + ["breitbart_2016-03-11_activists-brick-up-entrance-to-m"]
    import_polnear("annotator-training", "train", articles=wanted)
    assert set(Source.objects.values_list("name", flat=True)) == {
        "Breitbart",
        "The New York Times",
        "HuffPost",
        "The Washington Post",
    }
    article = Article.objects.get(
        seed_file="breitbart_2016-03-11_activists-brick-up-entrance-to-m.txt"
    )
    assert (article.source.name, article.author, article.published) == (
        "Breitbart",
        "Chris Tomlinson",
        date(2016, 3, 11),
    )
    assert article.title.startswith("Activists Brick Up Entrance")
    for name in wanted:
        stored = Article.objects.get(seed_file=f"{name}.txt")
        assert stored.title == rows[name]["title"]
        assert stored.author == ("" if rows[name]["author"] == "None" else rows[name]["author"])
