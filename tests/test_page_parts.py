"""The article page's spliced parts and the queries it compiles once."""

import json
import re

import pytest

from annotator import fastsql
from annotator.models import Annotation

from .conftest import logged_in, make_annotation, make_article

pytestmark = pytest.mark.django_db


def page_data(html):
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_each_part_is_written_once_where_the_template_puts_it(alice, article):
    make_annotation(article, alice, "claim", "crucial", note="check <this> & that")
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert "<!--part-" not in html
    assert html.count('<script id="page-data"') == 1
    assert html.count('data-offset="0"') == 1
    body = html.index("data-article-body")
    items = html.index("data-annotation-list")
    assert body < html.index('<p data-offset="0">') < items
    assert items < html.index('class="annotation-item label-claim"') < html.index("page-data")
    assert '<div class="small">check &lt;this&gt; &amp; that</div>' in html


def test_stored_text_cannot_pose_as_a_part_marker(alice):
    fake = "<!--part-0123456789abcdef-page_data-->"
    article = make_article(body=f"Officials said {fake} the dam is crucial.")
    make_annotation(article, alice, "claim", fake, note=fake)
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert fake not in html
    assert "&lt;!--part-0123456789abcdef-page_data--&gt;" in html
    assert html.count('<script id="page-data"') == 1
    assert page_data(html)["body"] == article.body


def test_script_data_comes_as_columns_with_orphans_apart(alice, bob, carol, article):
    mine = make_annotation(article, alice, "claim", "crucial", check_worthy=True, hedged=False)
    make_annotation(article, bob, "opinion", "crucial")
    orphan = make_annotation(article, alice, "claim", "bridge")
    Annotation.objects.filter(pk=orphan.pk).update(orphaned=True)
    data = page_data(logged_in(alice).get(f"/articles/{article.pk}/").content.decode())
    fields = data["annotations"]["fields"]
    rows = [dict(zip(fields, row, strict=True)) for row in data["annotations"]["rows"]]
    assert [row["id"] for row in rows] == [
        mine.pk
    ]  # bob's are not alice's; the orphan is listed apart
    assert rows[0]["reviewer"] == "alice" and rows[0]["quote"] == "crucial"
    assert rows[0]["check_worthy"] is True and rows[0]["hedged"] is False
    assert rows[0]["counter_voice"] is None
    staff_data = page_data(
        logged_in(carol).get(f"/articles/{article.pk}/?view=all").content.decode()
    )
    assert len(staff_data["annotations"]["rows"]) == 2
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert "1 annotation(s) could not be placed" in html
    assert "Claim by alice: <q>bridge</q>" in html


def test_a_prepared_query_gives_what_the_orm_gives_for_any_values(alice, bob, article):
    other = make_article(body="Officials said the dam is crucial and the dam holds.")
    for target in (article, other):
        make_annotation(target, alice, "claim", "crucial")
        make_annotation(target, bob, "opinion", "Officials")
    compiled = []

    def build(article, reviewer):
        compiled.append((article, reviewer))
        return Annotation.objects.filter(article_id=article, reviewer_id=reviewer).values_list(
            "id", "label", "quote"
        )

    prepared = fastsql.Prepared(build)
    for target in (article, other):
        for reviewer in (alice, bob):
            expected = list(
                Annotation.objects.filter(article=target, reviewer=reviewer).values_list(
                    "id", "label", "quote"
                )
            )
            assert expected
            assert prepared.rows(article=target.pk, reviewer=reviewer.pk) == expected
    assert len(compiled) == 1  # compiled once, with placeholders, not the values
    assert compiled[0][0] != compiled[0][1] and compiled[0][0] not in (article.pk, other.pk)


def test_links_reversed_once_match_reverse_under_any_script_prefix():
    from django.urls import reverse, set_script_prefix

    from annotator import links

    try:
        for prefix in ("/", "/newsroom/"):
            set_script_prefix(prefix)
            assert links.path("annotator:article-done", 42) == reverse(
                "annotator:article-done", args=[42]
            )
            assert links.path("api-annotation", 7) == reverse("api-annotation", args=[7])
            assert links.url("api-speaker-list") == reverse("api-speaker-list")
            navigation = links.navigation(None)["nav"]
            assert navigation == {key: reverse(name) for key, name in links.NAVIGATION.items()}
            assert navigation["guidelines"].startswith(prefix)
    finally:
        set_script_prefix("/")


def test_every_link_on_the_article_page_resolves(alice, article):
    from django.urls import resolve

    make_annotation(article, alice, "claim", "crucial")
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    targets = set(re.findall(r'(?:href|action|formaction)="(/[^"]*)"', html))
    assert {f"/articles/{article.pk}/done/", "/guidelines/", "/accounts/logout/"} <= targets
    for target in targets - {t for t in targets if t.startswith("/static/")}:
        resolve(target.split("?")[0])  # raises Resolver404 for a broken link


def test_article_and_review_read_by_prepared_queries_show_as_stored(alice, bob, article):
    from annotator.models import ArticleReview

    review = ArticleReview.objects.create(
        article=article, reviewer=alice, genre="news", byline_shown=True, note="Checked"
    )
    review.set_done(True)
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert "data-done-state" in html and "Reopen" in html
    assert '<option value="news" selected>' in html
    assert re.search(r"<textarea[^>]*>\s*Checked</textarea>", html)
    assert f'<h1 class="h3 mb-1">{article.title}</h1>' in html
    assert article.source.name in html
    other = logged_in(bob).get(f"/articles/{article.pk}/").content.decode()
    assert "Mark done" in other and 'value="news" selected' not in other
    assert logged_in(alice).get("/articles/999999/").status_code == 404
