"""The article page's parts: paragraphs, the no-JavaScript span list and the script's data."""

import json
import re

import pytest
from django.test import override_settings

from annotator.models import Annotation

from .conftest import api_client, logged_in, make_annotation, make_article

pytestmark = pytest.mark.django_db


def page_data(html):
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_each_part_is_written_once_where_the_template_puts_it(alice, article):
    make_annotation(article, alice, "claim", "crucial", note="check <this> & that")
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert html.count('<script id="page-data"') == 1
    assert html.count('data-offset="0"') == 1
    body = html.index("data-article-body")
    items = html.index("data-annotation-list")
    assert body < html.index('<p data-offset="0">') < items
    assert items < html.index('class="annotation-item label-claim"') < html.index("page-data")
    assert '<div class="small">check &lt;this&gt; &amp; that</div>' in html


def paragraph_offsets(html):
    return [int(offset) for offset in re.findall(r'<p data-offset="([^"]*)">', html)]


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_paragraph_offsets_are_plain_numbers_whatever_the_locale_writes(alice):
    body = "x" * 1500 + "\nThe second paragraph starts past a thousand."
    article = make_article(body=body)
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert paragraph_offsets(html) == [0, 1501]


def test_a_changed_text_is_never_shown_from_before(alice, bob):
    article = make_article(body="The first version of the text.")
    logged_in(alice).get(f"/articles/{article.pk}/")  # its paragraphs now in the cache
    article.replace_body("A new opening line.\nThe second version of the text.")
    html = logged_in(bob).get(f"/articles/{article.pk}/").content.decode()
    assert "The first version" not in html.split("data-revisions")[0]
    assert '<p data-offset="20">The second version of the text.</p>' in html
    assert paragraph_offsets(html) == [0, 20]


def test_stored_text_cannot_close_the_script_data(alice):
    fake = "</script><script>window.__xss = 3</script><!--"
    article = make_article(body=f"Officials said {fake} the dam is crucial.")
    make_annotation(article, alice, "claim", fake, note=fake)
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert fake not in html
    assert "&lt;/script&gt;&lt;script&gt;window.__xss = 3&lt;/script&gt;&lt;!--" in html
    assert html.count('<script id="page-data"') == 1
    data = page_data(html)
    assert data["body"] == article.body
    assert data["annotations"][0]["note"] == fake


def test_script_data_holds_spans_as_the_api_names_them_with_orphans_apart(
    alice, bob, carol, article
):
    mine = make_annotation(article, alice, "claim", "crucial", check_worthy=True, hedged=False)
    make_annotation(article, bob, "opinion", "crucial")
    orphan = make_annotation(article, alice, "claim", "bridge")
    Annotation.objects.filter(pk=orphan.pk).update(orphaned=True)
    data = page_data(logged_in(alice).get(f"/articles/{article.pk}/").content.decode())
    rows = data["annotations"]
    assert [row["id"] for row in rows] == [
        mine.pk
    ]  # bob's are not alice's; the orphan is listed apart
    api = api_client(alice).get(f"/api/annotations/{mine.pk}/").json()
    assert rows[0] == {name: api[name] for name in rows[0]}  # the API's names and values
    assert rows[0]["reviewer"] == "alice" and rows[0]["quote"] == "crucial"
    assert rows[0]["check_worthy"] is True and rows[0]["hedged"] is False
    assert rows[0]["counter_voice"] is None
    staff_data = page_data(
        logged_in(carol).get(f"/articles/{article.pk}/?view=all").content.decode()
    )
    assert len(staff_data["annotations"]) == 2
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    assert "1 annotation(s) could not be placed" in html
    assert "Claim by alice: <q>bridge</q>" in html


def test_script_data_holds_the_speakers_of_the_spans_shown(alice, bob, article):
    from annotator.models import Speaker

    shown, other = Speaker.objects.create(name="Ann Minister"), Speaker.objects.create(name="X")
    make_annotation(article, alice, "attribution", "Officials said", speaker=shown)
    make_annotation(article, bob, "attribution", "Officials said", speaker=other)
    data = page_data(logged_in(alice).get(f"/articles/{article.pk}/").content.decode())
    listed = api_client(alice).get("/api/speakers/", {"q": "Ann Minister"}).json()["results"]
    assert data["speakers"] == listed and listed[0]["id"] == shown.pk
    assert data["urls"] == {
        "annotations": f"/api/articles/{article.pk}/annotations/",
        "annotation": "/api/annotations/0/",
        "speakers": "/api/speakers/",
    }


def test_links_follow_the_script_prefix(alice, article):
    from django.urls import set_script_prefix

    make_annotation(article, alice, "claim", "crucial")
    client = logged_in(alice)
    client.get(f"/articles/{article.pk}/")  # under "/" first: nothing kept from it
    set_script_prefix("/newsroom/")
    try:
        html = client.get(f"/articles/{article.pk}/").content.decode()
    finally:
        set_script_prefix("/")
    assert 'href="/newsroom/guidelines/"' in html
    assert f'action="/newsroom/articles/{article.pk}/done/"' in html
    assert f'action="/newsroom/articles/{article.pk}/annotations/delete/"' in html
    assert page_data(html)["urls"]["speakers"] == "/newsroom/api/speakers/"


def test_every_link_on_the_article_page_resolves(alice, article):
    from django.urls import resolve

    make_annotation(article, alice, "claim", "crucial")
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    targets = set(re.findall(r'(?:href|action|formaction)="(/[^"]*)"', html))
    assert {f"/articles/{article.pk}/done/", "/guidelines/", "/accounts/logout/"} <= targets
    for target in targets - {t for t in targets if t.startswith("/static/")}:
        resolve(target.split("?")[0])  # raises Resolver404 for a broken link


def test_article_and_review_show_as_stored(alice, bob, article):
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


def test_the_span_list_shortens_only_quotes_longer_than_it_keeps(alice):
    exact, longer = "a" * 160, "b" * 161
    article = make_article(body=f"Officials said {exact} and {longer} today.")
    make_annotation(article, alice, "claim", exact)
    make_annotation(article, alice, "opinion", longer)
    html = logged_in(alice).get(f"/articles/{article.pk}/").content.decode()
    listed = html[html.index("data-annotation-list") : html.index('id="delete-annotation"')]
    assert f"<q>{exact}</q>" in listed
    assert f"<q>{'b' * 159}…</q>" in listed and longer not in listed


def span_list(html):
    return html[html.index("data-annotation-list") : html.index('id="delete-annotation"')]


def test_the_span_list_follows_every_change_to_what_it_shows(alice, bob, carol, article):
    claim = make_annotation(article, alice, "claim", "crucial", note="first note")
    url = f"/articles/{article.pk}/?view=all"
    assert "first note" in span_list(logged_in(carol).get(url).content.decode())
    claim.note = "second note"
    claim.save_by(alice)
    make_annotation(article, bob, "opinion", "bridge")
    bob.username = "robert"
    bob.save()
    listed = span_list(logged_in(carol).get(url).content.decode())
    assert "second note" in listed and "first note" not in listed
    assert "robert" in listed and ">bob<" not in listed
    claim.delete_by(alice)
    assert "second note" not in span_list(logged_in(carol).get(url).content.decode())


def test_each_viewer_of_a_span_list_gets_delete_buttons_for_their_own_spans_only(
    alice, carol, django_user_model, article
):
    from .conftest import make_user

    erin = make_user(django_user_model, "erin", reviewer=False, is_staff=True)
    own = make_annotation(article, carol, "claim", "crucial")
    url = f"/articles/{article.pk}/?view=all"
    button = f'name="annotation" value="{own.pk}"'
    assert button in span_list(logged_in(carol).get(url).content.decode())
    assert button not in span_list(logged_in(erin).get(url).content.decode())
    assert button in span_list(logged_in(carol).get(url).content.decode())


def test_without_javascript_the_span_list_comes_a_hundred_at_a_time(alice, carol):
    from annotator.views import LISTED_PER_PAGE

    words = [f"w{n}" for n in range(LISTED_PER_PAGE + 5)]
    article = make_article(body=" ".join(words) + ".")
    for word in words:
        make_annotation(article, alice, "claim", f"{word} " if word != words[-1] else word)
    url = f"/articles/{article.pk}/?view=all"
    first = logged_in(carol).get(url).content.decode()
    assert span_list(first).count('class="annotation-item') == LISTED_PER_PAGE
    assert f"Annotations 1–{LISTED_PER_PAGE} of {len(words)}" in first
    assert 'href="?view=all&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    assert len(page_data(first)["annotations"]) == len(words)  # the script still gets all
    second = logged_in(carol).get(f"{url}&page=2").content.decode()
    assert span_list(second).count('class="annotation-item') == 5
    assert "<q>w104</q>" in span_list(second) and "<q>w0 </q>" not in span_list(second)
    assert 'href="?view=all&amp;page=1" rel="prev"' in second
    past_the_end = logged_in(carol).get(f"{url}&page=9").content.decode()
    assert span_list(past_the_end) == span_list(second)
    refused = logged_in(carol).get(f"{url}&page=two")
    assert refused.status_code == 400 and "page" in refused.content.decode()
    few = make_article(body="Officials said the dam is crucial.")
    make_annotation(few, alice, "claim", "crucial")
    assert "data-list-pages" not in logged_in(alice).get(f"/articles/{few.pk}/").content.decode()


def test_a_passage_keeps_its_own_quotation_marks_and_gets_none_doubled():
    from annotator.templatetags.quotes import quote_classes, quoted

    assert quote_classes("“ISIS’ attempts”") == "opens-quoted closes-quoted"
    assert quote_classes("“ISIS’ attempts") == "opens-quoted"
    assert quote_classes("said ISIS’") == ""  # a closing single mark is as often an apostrophe
    assert quoted("plain <b>") == "<q>plain &lt;b&gt;</q>"


@pytest.mark.parametrize("path", ["/queue/", "/agreement/", "/study.zip"])
def test_a_reviewer_on_a_staff_page_is_told_it_is_for_staff(alice, path):
    response = logged_in(alice).get(path)
    assert response.status_code == 403
    text = response.content.decode()
    assert "This page is for staff" in text
    assert 'href="/articles/">Back to the article list</a>' in text


def test_favicon_ico_leads_to_the_svg_icon_without_logging_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/annotator/favicon.svg"
    login_page = client.get("/accounts/login/").content
    assert login_page.count(b'href="/static/annotator/favicon.svg"') == 1
