"""A reviewer's keys in Chromium: undo, the list of keys, moving between spans, Home/End,
and the editor's unsaved changes."""

import os

import pytest

from annotator.models import Annotation

from .conftest import make_annotation, make_article
from .test_browser import EMOJI_BODY, drag_select, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_article(page, live_server, user, article):
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_selector("[data-annotation-list] li")


def test_ctrl_z_takes_back_a_new_span(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    open_article(page, live_server, alice, article)
    drag_select(page, "the border will close on Monday")
    page.keyboard.press("c")
    page.wait_for_selector("[data-article-body] .hl-claim")  # drawn once the API stored it
    assert Annotation.objects.count() == 1
    page.keyboard.press("Control+z")
    # The page says so once the API answered: the database is read then, not polled while
    # the server writes (SQLite's shared in-memory test database locks a table meanwhile).
    page.wait_for_selector("[data-status]:has-text('Undone')")
    assert page.locator("[data-article-body] .hl-claim").count() == 0
    assert Annotation.objects.count() == 0
    page.keyboard.press("Control+z")
    assert page.locator("[data-status]").inner_text() == "Nothing to undo."
    assert Annotation.objects.count() == 0


def test_a_deleted_span_comes_back_by_undo_with_its_links(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    said = make_annotation(article, alice, "attribution", "The minister warned", note="kept")
    claim = make_annotation(
        article, alice, "claim", "the border will close on Monday", attribution=said
    )
    open_article(page, live_server, alice, article)
    page.locator(f'[data-annotation-id="{said.pk}"]').get_by_role("button", name="Delete").click()
    undo = page.locator("[data-status] [data-undo]")
    undo.wait_for()  # shown once the API answered
    assert page.locator("[data-status]").inner_text().startswith("Deleted.")
    assert not Annotation.objects.filter(pk=said.pk).exists()
    claim.refresh_from_db()
    assert claim.attribution is None
    undo.click()
    page.wait_for_selector("[data-status]:has-text('the span is back')")  # relinked by then
    assert Annotation.objects.filter(pk=claim.pk, attribution_id=said.pk).exists()
    restored = Annotation.objects.get(pk=said.pk)
    assert (restored.note, restored.quote) == ("kept", "The minister warned")
    history = Annotation.history.filter(id=said.pk).order_by("history_date")
    assert [row.history_type for row in history] == ["+", "-", "+"]
    fields = page.locator(f'[data-annotation-id="{claim.pk}"] .fields').text_content()
    assert "linked to “The minister warned”" in fields


def test_question_mark_lists_every_key_and_escape_closes_it(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    open_article(page, live_server, alice, article)
    page.keyboard.press("?")
    dialog = page.locator("[data-keys-dialog]")
    assert dialog.is_visible()
    listed = dialog.inner_text()
    for key in ("Home", "End", "Ctrl", "Esc", "?"):
        assert key in listed
    page.keyboard.press("n")  # keys do nothing behind the open list
    assert page.locator(".is-active").count() == 0
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_n_and_p_move_between_spans_in_text_order(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    later = make_annotation(article, alice, "opinion", "reckless")
    first = make_annotation(article, alice, "claim", "the dam")
    middle = make_annotation(article, alice, "attribution", "The minister warned")
    open_article(page, live_server, alice, article)

    def active():
        return page.locator("[data-annotation-list] .is-active").get_attribute("data-annotation-id")

    order = []
    for key in ("n", "n", "n", "n", "p"):
        page.keyboard.press(key)
        order.append(int(active()))
    assert order == [first.pk, middle.pk, later.pk, first.pk, later.pk]
    focused = page.evaluate("document.activeElement.dataset.annotationId")
    assert int(focused) == later.pk


def test_home_and_end_move_in_the_text(page, live_server, alice):
    article = make_article(body="Critics call the plan reckless and costly.")
    open_article(page, live_server, alice, article)
    page.focus("[data-article-body]")
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    assert page.evaluate("window.getSelection().toString()") == article.body
    page.keyboard.press("Control+Home")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("a")
    page.wait_for_selector("[data-article-body] .hl-attribution")
    assert Annotation.objects.get().quote == "Critics"


def test_saving_returns_focus_to_the_text_and_unsaved_changes_are_kept(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    claim = make_annotation(article, alice, "claim", "the border will close on Monday")
    open_article(page, live_server, alice, article)
    item = page.locator(f'[data-annotation-id="{claim.pk}"]')
    item.get_by_role("button", name="Edit").click()
    editor = page.locator(f'[data-editor="{claim.pk}"]')
    editor.locator("textarea[name=note]").fill("half written")
    page.keyboard.press("Escape")  # in the textarea: the editor stays
    editor.locator("textarea[name=note]").blur()
    page.keyboard.press("Escape")  # outside it: changes unsaved, so the editor stays
    assert editor.is_visible()
    assert "not saved" in page.locator("[data-status]").inner_text()
    # Leaving now asks first (the browser's own "Leave site?" for a cancelled beforeunload).
    prevented = page.evaluate(
        """() => { const e = new Event('beforeunload', {cancelable: true});
                   window.dispatchEvent(e); return e.defaultPrevented; }"""
    )
    assert prevented is True
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector(f'[data-editor="{claim.pk}"]', state="detached")
    assert page.evaluate("document.activeElement.matches('[data-article-body]')")
    claim.refresh_from_db()
    assert claim.note == "half written"
    after_save = page.evaluate(
        """() => { const e = new Event('beforeunload', {cancelable: true});
                   window.dispatchEvent(e); return e.defaultPrevented; }"""
    )
    assert after_save is False
