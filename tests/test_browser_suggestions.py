"""Suggested spans on the article page in Chromium: drawn apart from spans, moved between
with j / k, accepted with y or Enter (stored as the reviewer's span naming the engine),
edited before accepting, rejected with x; the per-article toggle and the bias guard.

The engine answers a fixed set of suggestions for the page's body (its quality is the
engine's tests' concern); every assertion reads what the page shows or the stored rows.
"""

import os

import pytest

from annotator.models import Annotation, Assignment, Speaker
from annotator.suggestions import engine

from .conftest import make_annotation, make_article
from .test_browser import EMOJI_BODY, drag_select, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAM = "the dam q\u0307uota rose"  # after an emoji of 4 code points and one of 1
SAID = "The minister warned"
BORDER = "the border will close on Monday"
RECKLESS = "reckless"


def suggested(body):
    """The engine's answer for EMOJI_BODY, in code points as Python counts them."""
    place = {quote: body.index(quote) for quote in (DAM, SAID, BORDER, RECKLESS)}

    def one(label, quote, fields, **more):
        start = place[quote]
        key = f"{label}:{start}:{start + len(quote)}"
        return engine.Suggestion(
            key, label, start, start + len(quote), quote, fields, score=0.8, **more
        )

    said = one(
        "attribution",
        SAID,
        {"speaker_type": "unnamed_identified", "cue_stance": "neutral", "quote_type": "indirect"},
        speaker_name="The minister",
    )
    return [
        one("claim", DAM, {"check_worthy": True, "hedged": False}),
        said,
        one("claim", BORDER, {"check_worthy": True, "hedged": False}, attribution=said.key),
        one("opinion", RECKLESS, {"opinion_type": "evaluative"}),
    ]


@pytest.fixture
def fixed_engine(monkeypatch):
    # The live server runs in this process: it asks the engine patched here.
    monkeypatch.setattr(engine, "suggest", suggested)


@pytest.fixture
def article(db):
    return make_article(body=EMOJI_BODY)


def switch(page):
    return page.get_by_role("switch", name="Suggestions")


def open_page(page, live_server, user, article):
    """The article page with suggestions switched on (they are off until asked for)."""
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    switch(page).check()
    page.wait_for_selector("[data-suggestion-list] .suggestion-item")


def current_quote(page):
    return page.locator(".suggestion-item.is-current q").text_content()


def drawn(page):
    """Each suggestion mark's text in the body, in order."""
    return page.locator("[data-article-body] .sg").all_text_contents()


def shown_count(page):
    return page.locator("[data-suggestion-list] .suggestion-item").count()


def test_suggestions_are_drawn_apart_from_spans_and_counted_nowhere(
    page, live_server, alice, article, fixed_engine
):
    open_page(page, live_server, alice, article)
    assert "".join(drawn(page)) == DAM + SAID + BORDER + RECKLESS
    assert page.locator("[data-article-body] .hl").count() == 0
    assert page.locator("[data-annotation-list]").inner_text() == "No annotations yet."
    assert page.locator("[data-suggestions-count]").inner_text() == "4 shown"
    border = page.locator("[data-article-body] .sg").first
    style = border.evaluate("(e) => getComputedStyle(e).borderTopStyle")
    assert style == "dashed"
    assert Annotation.objects.count() == 0


def test_j_and_k_move_between_suggestions_and_announce_each(
    page, live_server, alice, article, fixed_engine
):
    open_page(page, live_server, alice, article)
    seen = []
    for key in ("j", "j", "j", "j", "j", "k"):
        page.keyboard.press(key)
        seen.append(current_quote(page))
    assert seen == [DAM, SAID, BORDER, RECKLESS, DAM, RECKLESS]
    focused = page.evaluate("document.activeElement.matches('.suggestion-item.is-current')")
    assert focused is True
    mark = page.locator("[data-article-body] .sg.is-current")
    assert mark.all_text_contents() == [RECKLESS]
    announced = page.locator("[data-suggestion-announcer]").inner_text()
    assert announced.startswith("Suggestion 4 of 4: opinion, “reckless”.")


def test_y_accepts_the_current_suggestion_as_the_reviewers_span(
    page, live_server, alice, article, fixed_engine
):
    open_page(page, live_server, alice, article)
    page.keyboard.press("j")
    page.keyboard.press("y")
    page.wait_for_selector("[data-article-body] .hl-claim")
    span = Annotation.objects.get()
    start = article.body.index(DAM)
    assert (span.label, span.start, span.end, span.quote) == ("claim", start, start + 19, DAM)
    assert start == 22  # code points: the scientist counts 4, the grin 1
    assert (span.reviewer, span.suggested_by) == (alice, engine.identity())
    assert (span.check_worthy, span.hedged) == (True, False)
    assert page.locator("[data-article-body] .hl-claim").all_text_contents() == [DAM]
    assert DAM not in drawn(page)
    assert shown_count(page) == 3
    assert current_quote(page) == SAID  # the next one is chosen
    item = page.locator(f'[data-annotation-id="{span.pk}"]').inner_text()
    assert f"suggested by {engine.identity()}, accepted" in item
    page.keyboard.press("Control+z")  # the new span undone, the suggestion is back
    page.wait_for_selector("[data-status]:has-text('Undone')")
    assert Annotation.objects.count() == 0
    assert DAM in drawn(page) and shown_count(page) == 4


def test_enter_accepts_and_a_claim_links_to_its_accepted_attribution(
    page, live_server, alice, article, fixed_engine
):
    open_page(page, live_server, alice, article)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-article-body] .hl-attribution")
    said = Annotation.objects.get()
    assert (said.label, said.quote, said.suggested_by) == ("attribution", SAID, engine.identity())
    assert said.speaker == Speaker.objects.get(name="The minister")
    assert (said.speaker_type, said.cue_stance, said.quote_type) == (
        "unnamed_identified",
        "neutral",
        "indirect",
    )
    assert current_quote(page) == BORDER
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-status]:has-text('as suggested')")
    claim = Annotation.objects.get(label="claim")
    assert (claim.quote, claim.attribution_id) == (BORDER, said.pk)


def test_x_rejects_for_this_page_view_and_stores_nothing(
    page, live_server, alice, article, fixed_engine
):
    open_page(page, live_server, alice, article)
    page.keyboard.press("k")
    assert current_quote(page) == RECKLESS
    page.keyboard.press("x")
    assert RECKLESS not in drawn(page)
    assert shown_count(page) == 3
    assert current_quote(page) == DAM  # the next in text order, from the start again
    announced = page.locator("[data-suggestion-announcer]").inner_text()
    assert announced.startswith("Rejected for this page view: “reckless”. Nothing is stored.")
    assert "Suggestion 1 of 3" in announced
    assert Annotation.objects.count() == 0
    page.reload()
    page.wait_for_selector("[data-suggestion-list] .suggestion-item")
    assert shown_count(page) == 4


def test_a_suggestion_edited_before_accepting_keeps_its_engine(
    page, live_server, alice, article, fixed_engine
):
    open_page(page, live_server, alice, article)
    page.keyboard.press("j")
    page.keyboard.press("e")
    editor = page.locator('[data-editor^="suggestion-"]')
    start = article.body.index(DAM)
    assert editor.locator("select[name=label]").input_value() == "claim"
    assert editor.locator("input[name=start]").input_value() == str(start)
    assert editor.locator("input[name=end]").input_value() == str(start + 19)
    assert editor.locator("select[name=check_worthy]").input_value() == "true"
    page.keyboard.press("y")  # typing in the editor: no key of the page fires
    editor.locator("input[name=end]").fill(str(start + 7))
    assert editor.locator("[data-draft-quote]").inner_text() == "the dam"
    editor.locator("select[name=check_worthy]").select_option("false")
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector("[data-article-body] .hl-claim")
    span = Annotation.objects.get()
    assert (span.start, span.end, span.quote) == (start, start + 7, "the dam")
    assert (span.check_worthy, span.suggested_by) == (False, engine.identity())
    assert DAM not in drawn(page)
    assert editor.count() == 0


def test_the_toggle_is_remembered_per_article(page, live_server, alice, article, fixed_engine):
    other = make_article(body=f"{EMOJI_BODY} Another day.", title="Another")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    open_page(page, live_server, alice, article)
    page.reload()  # switched on, and remembered
    page.wait_for_selector("[data-suggestion-list] .suggestion-item")
    assert switch(page).is_checked() and shown_count(page) == 4
    switch(page).uncheck()
    assert drawn(page) == [] and shown_count(page) == 0
    page.locator("[data-article-body]").focus()
    page.keyboard.press("j")
    page.keyboard.press("y")
    assert Annotation.objects.count() == 0
    page.reload()
    page.wait_for_selector("[data-suggestions]:not([hidden])")
    assert not switch(page).is_checked()
    assert drawn(page) == []
    asked.clear()
    page.goto(f"{live_server.url}/articles/{other.pk}/")  # off until asked for
    page.wait_for_load_state("networkidle")
    assert not switch(page).is_checked() and drawn(page) == []
    assert not [each for each in asked if "/suggestions/" in each]
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    switch(page).check()
    page.wait_for_selector("[data-suggestion-list] .suggestion-item")
    assert shown_count(page) == 4


def test_a_suggestion_where_the_reviewer_marked_a_span_is_not_drawn(
    page, live_server, alice, article, fixed_engine
):
    make_annotation(article, alice, "opinion", RECKLESS)
    open_page(page, live_server, alice, article)
    assert RECKLESS not in drawn(page)
    assert shown_count(page) == 3


def test_keys_do_nothing_while_typing_in_a_field(page, live_server, alice, article, fixed_engine):
    open_page(page, live_server, alice, article)
    page.locator("summary", has_text="Add by exact quote").click()
    field = page.locator("[data-quote-form] textarea[name=quote]")
    field.click()
    page.keyboard.type("jjyx")
    assert field.input_value() == "jjyx"
    assert page.locator(".suggestion-item.is-current").count() == 0
    assert Annotation.objects.count() == 0


def test_the_bias_guard_hides_suggestions_with_a_plain_sentence(
    page, live_server, alice, article, fixed_engine
):
    Assignment.objects.create(article=article, reviewer=alice, suggestions="off")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("networkidle")
    sentence = page.locator("[data-suggestions-off]").inner_text()
    assert sentence.startswith("Suggestions are off for this assignment (agreement article)")
    assert page.locator("[data-suggestions]").count() == 0
    assert drawn(page) == []
    assert not [each for each in asked if "/suggestions/" in each]
    page.keyboard.press("j")
    page.keyboard.press("y")
    assert Annotation.objects.count() == 0


def test_suggestions_arriving_leave_a_selection_being_made_alone(
    page, live_server, alice, article, fixed_engine
):
    held = []
    # The answer waits until let through.
    page.route("**/suggestions/", lambda route: held.append(route))
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    switch(page).check()
    while not held:
        page.wait_for_timeout(50)
    drag_select(page, BORDER)
    held[0].continue_()
    page.wait_for_selector("[data-suggestion-list] .suggestion-item")
    assert page.evaluate("window.getSelection().toString()") == BORDER
    assert drawn(page) == []  # the text waits for the selection
    page.keyboard.press("o")
    page.wait_for_selector("[data-article-body] .hl-opinion")
    span = Annotation.objects.get()
    assert (span.label, span.quote, span.suggested_by) == ("opinion", BORDER, "")
    # The selection done with, every mark is drawn; the claim suggested there stays one.
    page.wait_for_selector("[data-article-body] .sg >> text=reckless")
    assert "".join(drawn(page)) == DAM + SAID + BORDER + RECKLESS
