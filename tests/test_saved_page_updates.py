"""A changed copy of a saved page: which of its metadata it updates."""

import pytest
from django.core.management import call_command

from annotator.models import Article

from .test_import_html import (
    BYLINE_TIME,
    FIRST,
    LAST,
    QUOTED,
    news_page,
    saved,
    with_byline,
)

CANONICAL_ONLY = '<link rel="canonical" href="https://coastalherald.example/news/harbour-plan">'


@pytest.mark.django_db
def test_a_changed_copy_updates_only_the_metadata_it_shows(tmp_path, capsys):
    first = with_byline(news_page(FIRST, QUOTED), BYLINE_TIME)
    call_command("import_articles", str(saved(tmp_path, first)))
    # The later copy shows a new headline, and no outlet, author or date at all.
    later = news_page(FIRST, LAST, head=CANONICAL_ONLY).replace(" | The Coastal Herald", "")
    later = with_byline(later.replace("Council approves", "Council backs"), "")
    call_command("import_articles", str(saved(tmp_path, later, "later.html")))
    assert "Updated later.html" in capsys.readouterr().out
    article = Article.objects.get()
    assert article.title == "Council backs new harbour plan"
    assert (article.author, str(article.published), article.date_shown) == (
        "Maria Lindqvist",
        "2024-03-14",
        "Thu 14 Mar 2024",
    )
    assert article.canonical_url == "https://coastalherald.example/news/harbour-plan"
    assert article.source.name == "The Coastal Herald"
    assert article.body == f"{FIRST}\n{LAST}"
