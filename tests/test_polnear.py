"""PolNeAR imported through brat: counts equal the files', idempotent, outlets, and the
paper's token-wise alpha replicated with our own agreement code."""

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotator import polnear
from annotator.models import Annotation, Article, ArticleReview, Source
from annotator.profiles.agreement import nominal_alpha

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "polnear" / "data"
PAPER_ALPHA = 0.754
TOKEN = re.compile(r"\w+|[^\w\s]")
NONE, CONTENT, CUE, SOURCE = range(4)


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


def token_values(article, spans) -> list:
    """One reviewer's value for each token of the body: source, cue, content or none.

    Claims are content. An attribution covers its source and cue: its speaker's words at
    its start or end are the source, the rest the cue. A token takes the highest value
    of its characters (source over cue over content).
    """
    marked = numpy.zeros(len(article.body), dtype=int)
    for span in spans:
        if span.label == "claim":
            marked[span.start : span.end] = numpy.maximum(marked[span.start : span.end], CONTENT)
            continue
        marked[span.start : span.end] = numpy.maximum(marked[span.start : span.end], CUE)
        name = span.speaker.name.casefold() if span.speaker else ""
        quote = span.quote.casefold()
        if name and quote.startswith(name):
            marked[span.start : span.start + len(name)] = SOURCE
        elif name and quote.endswith(name):
            marked[span.end - len(name) : span.end] = SOURCE
    return [int(marked[m.start() : m.end()].max()) for m in TOKEN.finditer(article.body)]


def test_token_alpha_of_the_multiply_annotated_articles_replicates_the_paper():
    """PolNeAR reports alpha 0.754 over the tokens of its articles annotated by all six."""
    files = (DATA / "train" / "attributions").glob("*.ann")
    coders = defaultdict(set)
    for path in files:
        article, annotator = path.stem.rsplit("_", 1)
        coders[article].add(annotator)
    shared = sorted(article for article, who in coders.items() if len(who) > 1)
    assert len(shared) == 16
    import_polnear("train", articles=shared)
    units = []
    for article in Article.objects.all():
        by_reviewer = defaultdict(list)
        for span in article.annotations.select_related("reviewer", "speaker"):
            by_reviewer[span.reviewer.username].append(span)
        reviewers = article.reviews.filter(done=True).values_list("reviewer__username", flat=True)
        coded = [token_values(article, by_reviewer[name]) for name in reviewers]
        units += zip(*coded, strict=True)
    alpha = nominal_alpha(units)
    assert alpha == pytest.approx(PAPER_ALPHA, abs=0.03), alpha  # 0.763 over 18,928 tokens
