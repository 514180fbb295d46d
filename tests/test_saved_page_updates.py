"""A changed copy of a saved page: who imported it, which of its metadata it updates, and
each distinct page kept once beside the article's history."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Article, PageSnapshot, Source

from .conftest import logged_in, make_annotation
from .test_import_html import (
    BYLINE_TIME,
    FIRST,
    LAST,
    OPPONENTS,
    QUOTED,
    news_page,
    saved,
    with_byline,
)

CANONICAL_ONLY = '<link rel="canonical" href="https://coastalherald.example/news/harbour-plan">'


def sha256(html):
    return hashlib.sha256(html.encode()).hexdigest()


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
    assert Source.objects.count() == 1  # no outlet shown: none made up for it


@pytest.mark.django_db
def test_a_new_headline_over_the_same_text_is_listed_as_a_revision(alice, tmp_path, capsys):
    first = news_page(FIRST, QUOTED)
    call_command("import_articles", str(saved(tmp_path, first)))
    article = Article.objects.get()
    span = make_annotation(article, alice, "claim", "harbour")
    retitled = first.replace("Council approves", "Council forces through")
    call_command("import_articles", str(saved(tmp_path, retitled, "later.html")))
    assert (
        f"Updated later.html (article {article.pk}): the same text, a new title; page kept."
        in capsys.readouterr().out
    )
    article.refresh_from_db()
    assert article.title == "Council forces through new harbour plan"
    assert article.page_snapshot.sha256 == sha256(retitled)
    span.refresh_from_db()
    assert (span.start, span.orphaned) == (article.body.index("harbour"), False)
    (revision,) = article.revisions()
    assert revision.changes == []
    assert revision.details == [
        ("title", "Council approves new harbour plan", "Council forces through new harbour plan")
    ]
    shown = logged_in(alice).get(article.get_absolute_url()).content.decode()
    assert "the same text</div>" in shown
    assert (
        "Title: <del>Council approves new harbour plan</del> → "
        "<ins>Council forces through new harbour plan</ins>" in shown
    )
    # The same page once more changes nothing.
    call_command("import_articles", str(saved(tmp_path, retitled, "again.html")))
    assert "Unchanged again.html" in capsys.readouterr().out
    assert article.history.count() == 2


@pytest.mark.django_db
def test_each_distinct_page_is_kept_once_and_named_by_the_revisions(alice, tmp_path):
    pages = [news_page(FIRST, QUOTED, OPPONENTS), news_page(FIRST, OPPONENTS)]
    for number, html in enumerate([*pages, pages[0]]):  # the first page comes back
        call_command("import_articles", str(saved(tmp_path, html, f"copy{number}.html")))
    article = Article.objects.get()
    kept = PageSnapshot.objects.filter(article=article).order_by("imported", "pk")
    assert [(page.sha256, page.html) for page in kept] == [(sha256(h), h) for h in pages]
    assert article.history.count() == 3
    assert "snapshot_html" not in {field.name for field in article.history.model._meta.fields}
    newest, oldest = article.revisions()
    assert (newest.page_before.sha256, newest.page_after.sha256) == tuple(map(sha256, pages[::-1]))
    assert (oldest.page_before.sha256, oldest.page_after.sha256) == tuple(map(sha256, pages))
    shown = logged_in(alice).get(article.get_absolute_url()).content.decode()
    first, second = (f'<code title="{sha256(h)}, imported ' for h in pages)
    assert shown.count(first) == 2 and shown.count(second) == 2
    assert f"{sha256(pages[1])[:12]}</code> → {first}" in shown
    assert shown.count("data-revision-pages") == 2


@pytest.mark.django_db
def test_a_body_changed_by_hand_names_its_page_unchanged(alice, tmp_path, capsys):
    html = news_page(FIRST, QUOTED)
    call_command("import_articles", str(saved(tmp_path, html)))
    article = Article.objects.get()
    (tmp_path / "edited.txt").write_text(f"{FIRST}\n{LAST}", encoding="utf-8")
    call_command("change_body", str(article.pk), str(tmp_path / "edited.txt"))
    (revision,) = article.revisions()
    assert revision.page_before == revision.page_after == article.page_snapshot
    shown = logged_in(alice).get(article.get_absolute_url()).content.decode()
    assert f'imported {article.page_snapshot.imported:%-d %b %Y, %H:%M}">' in shown
    assert f"{sha256(html)[:12]}</code>, unchanged" in shown
