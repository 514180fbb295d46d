"""The committed seed fixture: metadata only as each text shows it, clean bodies."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from annotator import text
from annotator.models import Article, Source

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
FURNITURE = ("View more articles", "Suggested Articles", "Sidebar", "Comments", "@mil.gov.kg")


@pytest.fixture
def seeds(db):
    call_command("loaddata", "seed_articles", verbosity=0)
    return {article.seed_file[:3]: article for article in Article.objects.select_related("source")}


def test_five_seed_articles_are_loaded(seeds):
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]


def test_titles_are_only_those_the_texts_show(seeds):
    assert seeds["000"].title == (
        "Russia Warns of Rising Security Threats in Central Asia During CSTO Talks in Bishkek"
    )
    assert seeds["001"].title == ""
    assert seeds["002"].title == (
        "The main security threat to Central Asia comes from Afghanistan — Russian FM"
    )
    assert seeds["003"].title == "Meetings of the CSTO will be held in Bishkek"
    assert seeds["004"].title == ""


def test_authors_are_only_those_the_texts_show(seeds):
    assert seeds["000"].author == "Anton Chipegin"
    assert seeds["001"].author == ""
    assert seeds["002"].author == "Sergey Kwan"
    assert seeds["003"].author == "Times Tengri"
    assert seeds["004"].author == ""


def test_dates_are_kept_as_shown_and_partial_dates_stay_unparsed(seeds):
    assert seeds["000"].date_shown == "28 May 2025"
    assert seeds["000"].published.isoformat() == "2025-05-28"
    assert seeds["003"].date_shown == "Nov 25"
    assert seeds["003"].published is None
    for key in ("001", "002", "004"):
        assert seeds[key].date_shown == ""
        assert seeds[key].published is None


def test_only_the_outlet_a_text_names_is_identified(seeds):
    assert seeds["002"].source.name == "The Times of Central Asia"
    assert seeds["002"].source.identified
    assert seeds["002"].dateline == "BISHKEK (TCA)"
    for key in ("000", "001", "003", "004"):
        assert not seeds[key].source.identified
    assert Source.objects.filter(identified=True).count() == 1


def test_bodies_start_and_end_at_the_article_text(seeds):
    assert seeds["000"].body.startswith("Kyrgyz Defense Minister Ruslan Mukambetov met")
    assert seeds["000"].body.endswith("a development Moscow sees as a strategic challenge.")
    assert seeds["001"].body.startswith("Russian Defence Minister Andrey Belousov has issued")
    assert seeds["001"].body.endswith("the threats emanating from Afghanistan.")
    assert seeds["002"].body.startswith("Russian Foreign Minister Sergey Lavrov believes")
    assert seeds["002"].body.endswith("the Russian foreign minister said.")
    assert seeds["003"].body.startswith("Against the backdrop of a continuously evolving")
    assert seeds["003"].body.endswith("the security landscape of Eurasia and beyond.")
    assert seeds["004"].body.startswith("Russian Foreign Minister Sergei Lavrov emphasized")
    assert seeds["004"].body.endswith("from spilling over into the wider region.")


def test_bodies_hold_no_page_furniture_bylines_or_bios(seeds):
    for article in seeds.values():
        for furniture in FURNITURE:
            assert furniture not in article.body
        assert "has worked for The Times of Central Asia" not in article.body
        assert "was born and grew up in Bishkek" not in article.body
        assert "min read" not in article.body
        if article.title:
            assert not article.body.startswith(article.title)


def test_bodies_are_normalised_and_hashed(seeds):
    for article in seeds.values():
        assert article.body == text.normalise_text(article.body)
        assert "\r" not in article.body
        assert article.body_sha256 == text.sha256_hex(article.body)
        assert article.word_count == len(article.body.split())


def test_fixture_matches_a_fresh_import_of_the_seed_texts(db):
    fixture = json.loads((ROOT / "fixtures" / "seed_articles.json").read_text())
    expected = {
        row["fields"]["seed_file"]: row["fields"]
        for row in fixture
        if row["model"] == "annotator.article"
    }
    call_command("import_articles", str(SEEDS), verbosity=0)
    for article in Article.objects.select_related("source"):
        fields = expected[article.seed_file]
        assert article.body == fields["body"]
        assert article.title == fields["title"]
        assert article.author == fields["author"]
        assert article.date_shown == fields["date_shown"]
        assert article.body_sha256 == fields["body_sha256"]
    assert Article.objects.count() == len(expected) == 5
