"""Saved web pages through ``import_articles``: the article among the page's furniture, what
the page shows of its metadata, the snapshot, and a changed copy updating its article."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation, Article, PageSnapshot

from .conftest import logged_in, make_annotation

FIRST = (
    "The city council voted on Tuesday to approve a redevelopment plan for the old harbour, "
    "ending two years of debate over the future of the waterfront."
)
QUOTED = (
    '"This is the most important decision the council has made in a decade," said the '
    "mayor, Johan Berg, after the vote."
)
OPPONENTS = (
    "Opponents argued that the plan would raise rents for the fishing businesses that still "
    "operate from the quay, and several said they would appeal."
)
LAST = (
    "Construction is expected to begin next spring and to last about four years, according "
    "to the council's planning department."
)
FURNITURE = (
    "Home",
    "Sport",
    "Sign up for our newsletter",
    "Morning Briefing",
    "Subscribe",
    "Related stories",
    "Fishermen protest harbour rents",
    "All rights reserved",
    "Privacy policy",
)


def news_page(*paragraphs, head=None):
    """A saved news page: navigation, a newsletter box inside the article, related stories
    and a footer around ``paragraphs``."""
    if head is None:
        head = """
<meta property="og:site_name" content="The Coastal Herald">
<meta name="author" content="Maria Lindqvist">
<meta property="article:published_time" content="2024-03-14T09:30:00Z">
<link rel="canonical" href="https://coastalherald.example/news/harbour-plan">"""
    first, *rest = [f"<p>{paragraph}</p>" for paragraph in paragraphs] or [""]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Council approves new harbour plan | The Coastal Herald</title>{head}
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Council approves new harbour plan</h1>
<p class="byline">By Maria Lindqvist</p>
{first}
<aside class="newsletter"><h3>Sign up for our newsletter</h3>
<p>Get the Morning Briefing in your inbox every weekday.</p>
<form><input type="email" name="email"><button>Subscribe</button></form></aside>
{"".join(rest)}
</article>
<section class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Fishermen protest harbour rents</a></li>
<li><a href="/b">Mayor unveils budget</a></li></ul></section>
</main>
<footer><p>© 2024 The Coastal Herald. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def saved(tmp_path, html, name="harbour.html"):
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def imported(path, capsys):
    call_command("import_articles", str(path))
    return capsys.readouterr().out


@pytest.mark.django_db
def test_a_saved_page_gives_its_article_without_the_furniture(tmp_path, capsys):
    path = saved(tmp_path, news_page(FIRST, QUOTED, OPPONENTS, LAST))
    assert "Created harbour.html." in imported(path, capsys)
    article = Article.objects.get()
    assert article.body == "\n".join((FIRST, QUOTED, OPPONENTS, LAST))
    assert not [words for words in FURNITURE if words in article.body]
    assert article.title == "Council approves new harbour plan"
    assert article.author == "Maria Lindqvist"
    assert str(article.published) == "2024-03-14"
    assert (article.source.name, article.source.identified) == ("The Coastal Herald", True)
    assert article.canonical_url == "https://coastalherald.example/news/harbour-plan"
    assert article.date_shown == ""  # the date is in the markup only: the page prints none
    assert article.snapshot_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    page = article.page_snapshot
    assert (page.html, page.encoding) == (path.read_text(encoding="utf-8"), "utf-8")
    assert page.sha256 == article.snapshot_sha256


@pytest.mark.django_db
def test_what_the_page_does_not_show_stays_empty(tmp_path, capsys):
    """No site name, author or date in the page: no outlet from the address, no date from the
    footer's copyright year."""
    head = '<link rel="canonical" href="https://coastalherald.example/news/harbour-plan">'
    html = news_page(FIRST, QUOTED, head=head).replace(" | The Coastal Herald", "")
    html = html.replace('<p class="byline">By Maria Lindqvist</p>', "")
    imported(saved(tmp_path, html), capsys)
    article = Article.objects.get()
    assert (article.author, article.published, article.date_shown) == ("", None, "")
    assert not article.source.identified


@pytest.mark.django_db
def test_a_folder_of_pages_is_read(tmp_path, capsys):
    saved(tmp_path, news_page(FIRST, QUOTED), "one.htm")
    other = news_page(OPPONENTS, LAST).replace("harbour-plan", "harbour-rents")
    saved(tmp_path, other.replace("Council approves", "Fishermen fear"), "two.html")
    out = imported(tmp_path, capsys)
    assert "Created one.htm." in out and "Created two.html." in out
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_importing_the_same_page_again_changes_nothing(tmp_path, capsys):
    path = saved(tmp_path, news_page(FIRST, QUOTED, OPPONENTS, LAST))
    imported(path, capsys)
    article = Article.objects.get()
    out = imported(path, capsys)
    assert f"Unchanged harbour.html: article {article.pk} has this page." in out
    assert Article.objects.count() == 1 and article.history.count() == 1


@pytest.mark.django_db
def test_a_page_without_article_text_is_refused_by_name(tmp_path):
    path = saved(tmp_path, news_page(), "empty.html")
    with pytest.raises(CommandError, match=r"empty\.html holds no article text"):
        call_command("import_articles", str(path))
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_changed_copy_updates_its_article_and_re_anchors_its_spans(alice, tmp_path, capsys):
    imported(saved(tmp_path, news_page(FIRST, QUOTED, OPPONENTS, LAST)), capsys)
    article = Article.objects.get()
    kept = make_annotation(article, alice, "claim", LAST)
    lost = make_annotation(article, alice, "opinion", "raise rents for the fishing businesses")
    edited = OPPONENTS.replace("raise rents for the fishing businesses", "help local firms")
    changed = news_page(FIRST, edited, LAST)  # the quote is gone, its sentence edited
    out = imported(saved(tmp_path, changed, "harbour-later.html"), capsys)
    assert f"Updated harbour-later.html (article {article.pk}): 1 span(s) re-anchored, 1 " in out
    article.refresh_from_db()
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert Article.objects.count() == 1
    assert article.body == "\n".join((FIRST, edited, LAST))
    assert article.page_snapshot.html == changed
    assert (article.body[kept.start : kept.end], kept.orphaned) == (LAST, False)
    assert kept.start == len(FIRST) + len(edited) + 2
    assert lost.orphaned and Annotation.objects.count() == 2
    earlier = article.history.order_by("history_date")[0]
    assert OPPONENTS in earlier.body
    assert PageSnapshot.objects.get(article=article, sha256=earlier.snapshot_sha256).html != changed


@pytest.mark.django_db
def test_a_changed_copy_without_a_canonical_link_is_found_by_outlet_and_title(tmp_path, capsys):
    head = '<meta property="og:site_name" content="The Coastal Herald">'
    imported(saved(tmp_path, news_page(FIRST, QUOTED, head=head)), capsys)
    out = imported(saved(tmp_path, news_page(FIRST, LAST, head=head), "later.html"), capsys)
    assert "Updated later.html" in out
    assert Article.objects.get().body == f"{FIRST}\n{LAST}"


@pytest.mark.django_db
def test_the_article_page_lists_a_stealth_edit_with_its_changed_words(alice, tmp_path, capsys):
    imported(saved(tmp_path, news_page(FIRST, QUOTED, OPPONENTS, LAST)), capsys)
    article = Article.objects.get()
    page = logged_in(alice).get(article.get_absolute_url()).content.decode()
    assert "data-revisions" not in page  # one version: nothing to list
    edited = OPPONENTS.replace("raise rents for", "help")
    imported(saved(tmp_path, news_page(FIRST, QUOTED, edited, LAST), "later.html"), capsys)
    page = logged_in(alice).get(article.get_absolute_url()).content.decode()
    assert "Earlier versions of this article" in page
    assert "<del>raise rents for</del> → <ins>help</ins>" in page
    assert "3 words changed" in page


def with_byline(html, byline):
    return html.replace('<p class="byline">By Maria Lindqvist</p>', byline)


BYLINE_TIME = (
    '<p class="byline">By Maria Lindqvist · <time datetime="2024-03-14T09:30:00Z">'
    "Thu 14 Mar 2024 09.30 GMT</time></p>"
)


@pytest.mark.parametrize(
    ("byline", "first", "shown"),
    [
        (BYLINE_TIME, FIRST, "Thu 14 Mar 2024"),
        ('<div class="article-date">March 14, 2024</div>', FIRST, "March 14, 2024"),
        (
            "",
            FIRST.replace("on Tuesday", "on Thursday, 14 March 2024,"),
            "Thursday, 14 March 2024",
        ),
        # Not shown: hidden, or another day (an update) than the one published.
        ('<p class="byline"><time hidden>14 March 2024</time></p>', FIRST, ""),
        ('<p class="byline">Updated <time>15 March 2024</time></p>', FIRST, ""),
    ],
    ids=["time element", "date element", "in the text", "hidden", "another day"],
)
@pytest.mark.django_db
def test_date_shown_is_the_published_date_as_the_page_prints_it(
    tmp_path, capsys, byline, first, shown
):
    imported(saved(tmp_path, with_byline(news_page(first, QUOTED), byline)), capsys)
    article = Article.objects.get()
    assert (str(article.published), article.date_shown) == ("2024-03-14", shown)


ACCENTED = (
    "The café’s owner said the council’s “plan” would cost €2m – far too much for a "
    "harbour that still earns its keep."
)


def encoded_page(declaration, encoding):
    html = news_page(ACCENTED, QUOTED).replace('<meta charset="utf-8">', declaration)
    return html, html.encode(encoding)


@pytest.mark.parametrize(
    ("declaration", "encoding", "read_as"),
    [
        ('<meta charset="windows-1252">', "cp1252", "cp1252"),
        # Read as windows-1252, as browsers do: its curly quotes are not in ISO-8859-1.
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
            "cp1252",
            "cp1252",
        ),
        ("", "cp1252", "cp1252"),  # undeclared, and not UTF-8
        ('<meta charset="utf-8">', "utf-8-sig", "utf-8"),  # the mark stays in the text
        ("", "utf-16", "utf-16-le"),  # the byte order mark says which
    ],
    ids=["meta charset", "http-equiv latin-1", "undeclared", "utf-8 mark", "utf-16 mark"],
)
@pytest.mark.django_db
def test_a_page_is_read_in_the_encoding_it_declares(
    tmp_path, capsys, declaration, encoding, read_as
):
    html, data = encoded_page(declaration, encoding)
    path = tmp_path / "harbour.html"
    path.write_bytes(data)
    imported(path, capsys)
    article = Article.objects.get()
    assert article.body == f"{ACCENTED}\n{QUOTED}"
    assert article.title == "Council approves new harbour plan"
    page = article.page_snapshot
    assert (page.encoding, page.html.removeprefix("\ufeff")) == (read_as, html)
    assert page.html.encode(page.encoding) == data  # the file's bytes, given back
    assert page.sha256 == article.snapshot_sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("declaration", "why"),
    [
        ('<meta charset="utf-8">', r"it is not utf-8 text as its markup declares \(byte 0xe9 at"),
        ("", r"it declares no encoding and is neither UTF-8 nor windows-1252 text \(byte 0x81"),
    ],
    ids=["declared", "undeclared"],
)
@pytest.mark.django_db
def test_an_undecodable_page_is_refused_by_name(tmp_path, declaration, why):
    _html, data = encoded_page(declaration, "cp1252")
    path = tmp_path / "broken.html"
    path.write_bytes(data.replace(b"\x80", b"\x81") if not declaration else data)
    with pytest.raises(CommandError, match=rf"broken\.html cannot be read: {why}"):
        call_command("import_articles", str(path))
    assert not Article.objects.exists()
