"""The article page's forms and speaker search, as reviewers use them in Chromium."""

from pathlib import Path

import pytest

from annotator.models import Annotation, ArticleReview, Speaker

from .conftest import close_settled, make_annotation, make_article
from .test_browser import EMOJI_BODY, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/notes/shots")


def reviewer_page(browser, live_server, user, *, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    reader = context.new_page()
    log_in(reader, live_server, user)
    return context, reader


def test_two_reviewers_save_a_page_review_each(browser, live_server, alice, bob):
    article = make_article(body=EMOJI_BODY)
    for user, genre in ((alice, "news"), (bob, "opinion")):
        context, reader = reviewer_page(browser, live_server, user)
        reader.goto(f"{live_server.url}/articles/{article.pk}/")
        reader.locator("[data-review-form] summary").click()
        reader.select_option("#id_genre", genre)
        reader.get_by_role("button", name="Save page review").click()
        reader.wait_for_url(f"{live_server.url}/articles/{article.pk}/")
        assert reader.locator(".alert").first.inner_text() == "Saved your review of the page."
        close_settled(context)
    stored = ArticleReview.objects.values_list("reviewer__username", "genre")
    assert set(stored) == {("alice", "news"), ("bob", "opinion")}


def test_two_reviewers_add_by_quote_without_javascript(browser, live_server, alice, bob):
    article = make_article(body=EMOJI_BODY)
    for user in (alice, bob):
        context, reader = reviewer_page(browser, live_server, user, javascript=False)
        reader.goto(f"{live_server.url}/articles/{article.pk}/")
        reader.get_by_text("Add by exact quote").click()
        form = reader.locator("[data-quote-form]")
        form.locator("select[name=label]").select_option("opinion")
        form.locator("textarea[name=quote]").fill("reckless")
        form.get_by_role("button", name="Add annotation").click()
        reader.wait_for_url(f"{live_server.url}/articles/{article.pk}/")
        assert reader.locator(".alert").first.inner_text() == "Added opinion."
        assert reader.locator(".annotation-item").count() == 1
        close_settled(context)
    stored = Annotation.objects.values_list("reviewer__username", "quote")
    assert sorted(stored) == [("alice", "reckless"), ("bob", "reckless")]


def test_speaker_suggestions_come_from_the_api_as_the_reviewer_types(page, live_server, alice):
    belousov = Speaker.objects.create(name="Andrei Belousov", aliases=["Andrey Belousov"])
    Speaker.objects.bulk_create(Speaker(name=f"Unrelated {n}") for n in range(40))
    article = make_article(body="Andrey Belousov said it. Some experts argue otherwise.")
    said = make_annotation(article, alice, "attribution", "Andrey Belousov said")
    searches = []
    page.on(
        "request", lambda request: "/api/speakers/" in request.url and searches.append(request.url)
    )
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert "Unrelated" not in page.locator("#page-data").text_content()

    page.locator(f'[data-annotation-id="{said.pk}"]').get_by_role("button", name="Edit").click()
    editor = page.locator(f'[data-editor="{said.pk}"]')
    editor.locator("input[name=speaker_name]").press_sequentially("belou", delay=30)
    options = editor.locator("datalist option")
    options.first.wait_for(state="attached")
    assert [options.nth(n).get_attribute("value") for n in range(options.count())] == [
        "Andrei Belousov",
        "Andrey Belousov",
    ]
    # Searches wait for a pause in typing: fewer than one per key, the last for the whole word.
    assert 1 <= len(searches) < len("belou")
    assert "q=belou" in searches[-1]

    editor.locator("input[name=speaker_name]").fill("Andrei Belousov")
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector(f'[data-editor="{said.pk}"]', state="detached")
    said.refresh_from_db()
    assert said.speaker == belousov
    fields = page.locator(f'[data-annotation-id="{said.pk}"] .fields').text_content()
    assert fields == "speaker: Andrei Belousov"
    assert Speaker.objects.count() == 41


@pytest.mark.parametrize("width", [1366, 400])
def test_article_page_screenshots(browser, live_server, alice, width):
    """The page fits a desktop and a phone width with the speaker editor open (the
    screenshots are for a person to look at)."""
    Speaker.objects.create(name="The minister", aliases=["Minister"])
    article = make_article(body=EMOJI_BODY)
    said = make_annotation(article, alice, "attribution", "The minister warned")
    make_annotation(article, alice, "claim", "the border will close on Monday")
    context = browser.new_context(viewport={"width": width, "height": 900})
    reader = context.new_page()
    log_in(reader, live_server, alice)
    reader.goto(f"{live_server.url}/articles/{article.pk}/")
    reader.locator(f'[data-annotation-id="{said.pk}"]').get_by_role("button", name="Edit").click()
    reader.locator("input[name=speaker_name]").press_sequentially("minis")
    reader.locator("datalist option").first.wait_for(state="attached")
    reader.locator("[data-review-form] summary").click()
    # Nothing, the navigation bar included, makes the page wider than the screen.
    assert reader.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=str(SHOTS / f"article-{width}.png"), full_page=True)
    close_settled(context)
