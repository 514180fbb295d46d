"""A changed copy of a saved page: who imported it and which of its metadata it updates."""

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Article

from .conftest import make_annotation
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
def test_the_history_rows_name_the_user_who_imports(alice, carol, tmp_path):
    call_command("import_articles", str(saved(tmp_path, news_page(FIRST, QUOTED))), user="carol")
    article = Article.objects.get()
    span = make_annotation(article, alice, "claim", QUOTED)
    changed = saved(tmp_path, news_page(QUOTED, LAST), "later.html")
    call_command("import_articles", str(changed), "--quiet", user="carol")
    versions = article.history.order_by("history_date", "history_id")
    assert [version.history_user for version in versions] == [carol, carol]
    assert span.history.order_by("-history_date", "-history_id")[0].history_user == carol
    assert [revision.user for revision in article.revisions()] == [carol]


@pytest.mark.django_db
def test_an_unknown_user_is_refused_before_anything_is_imported(tmp_path):
    path = saved(tmp_path, news_page(FIRST, QUOTED))
    with pytest.raises(CommandError, match=r"^There is no user named 'nobody': nothing was"):
        call_command("import_articles", str(path), user="nobody")
    assert not Article.objects.exists()


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
