"""Reviewers in real headless Chromium (Debian's), driven by Playwright."""

import os
from pathlib import Path

import pytest

from annotator.models import Annotation, Speaker

from .conftest import (
    PASSWORD,
    SCRIPT,
    close_settled,
    make_annotation,
    make_article,
    make_hostile_article,
)

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# the tests themselves are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
EMOJI_BODY = (
    "Officials 👩🏽‍🔬 said 😀 the dam q\u0307uota rose.\n\n"
    "The minister warned that the border will close on Monday. Critics call it reckless."
)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/articles/")


def drag_select(page, passage):
    """Press the mouse at the passage's first letter and release it at its last."""
    box = page.evaluate(
        """(passage) => {
          const walker = document.createTreeWalker(
            document.querySelector('[data-article-body]'), NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const at = node.textContent.indexOf(passage);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, at + passage.length - 1); range.setEnd(node, at + passage.length);
            const last = range.getBoundingClientRect();
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
          }
          return null;
        }""",
        passage,
    )
    assert box, f"{passage!r} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def highlighted_text(page, label):
    return page.locator(f"[data-article-body] .hl-{label}").all_text_contents()


def wait_for_annotations(count):
    # The API write happens in the live server thread; poll the shared database. While the
    # server writes, SQLite's shared in-memory test database refuses to read the table
    # ("database table is locked"): that is a moment to wait, like a count not reached yet.
    import time

    from django.db import OperationalError

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if Annotation.objects.count() == count:
                return
        except OperationalError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"expected {count} annotation(s), found {Annotation.objects.count()}")


def test_drag_select_and_key_label_survive_a_reload(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    drag_select(page, "the border will close on Monday")
    page.keyboard.press("c")
    page.wait_for_selector("[data-article-body] .hl-claim")
    assert "".join(highlighted_text(page, "claim")) == "the border will close on Monday"
    wait_for_annotations(1)
    annotation = Annotation.objects.get()
    assert article.body[annotation.start : annotation.end] == "the border will close on Monday"
    assert annotation.reviewer == alice and annotation.label == "claim"
    screenshot(page, "labelled-claim")

    page.reload()
    page.wait_for_selector("[data-article-body] .hl-claim")
    assert "".join(highlighted_text(page, "claim")) == "the border will close on Monday"
    assert page.locator("[data-annotation-list] .annotation-item").count() == 1


def test_passage_after_emoji_and_combining_marks_gets_code_point_offsets(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    drag_select(page, "uota rose")
    page.keyboard.press("o")
    page.wait_for_selector("[data-article-body] .hl-opinion")
    wait_for_annotations(1)
    annotation = Annotation.objects.get()
    # Snapped to the whole word, the combining dot staying with its q.
    assert annotation.quote == "q\u0307uota rose"
    expected_start = article.body.index("q\u0307uota")
    assert (annotation.start, annotation.end) == (expected_start, expected_start + 11)
    # The scientist emoji is 4 code points (7 UTF-16 units), the grin 1 (2 units).
    assert expected_start == 30
    assert "".join(highlighted_text(page, "opinion")) == "q\u0307uota rose"


def test_keyboard_selection_with_shift_arrows(page, live_server, alice):
    article = make_article(body="Critics call the plan reckless and costly.")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.focus("[data-article-body]")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("a")
    page.wait_for_selector("[data-article-body] .hl-attribution")
    wait_for_annotations(1)
    assert Annotation.objects.get().quote == "Critics"


def test_edit_fields_and_delete(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    make_annotation(article, alice, "attribution", "The minister warned")
    claim = make_annotation(article, alice, "claim", "the border will close on Monday")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")

    item = page.locator(f'[data-annotation-id="{claim.pk}"]')
    item.get_by_role("button", name="Edit").click()
    editor = page.locator(f'[data-editor="{claim.pk}"]')
    editor.locator("select[name=check_worthy]").select_option("true")
    editor.locator("select[name=attribution]").select_option(label="The minister warned")
    editor.locator("textarea[name=note]").fill("Date is checkable")
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector(f'[data-editor="{claim.pk}"]', state="detached")
    fields = page.locator(f'[data-annotation-id="{claim.pk}"] .fields').text_content()
    assert fields == "check-worthy · linked to “The minister warned”"
    claim.refresh_from_db()
    assert claim.check_worthy is True
    assert claim.attribution.quote == "The minister warned"
    assert claim.note == "Date is checkable"
    screenshot(page, "edited-claim")

    page.locator(f'[data-annotation-id="{claim.pk}"]').get_by_role("button", name="Delete").click()
    page.wait_for_selector(f'[data-annotation-id="{claim.pk}"]', state="detached")
    wait_for_annotations(1)
    assert highlighted_text(page, "claim") == []


def test_relabelling_an_attribution_unlinks_its_claim_on_the_page(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    said = make_annotation(article, alice, "attribution", "The minister warned")
    claim = make_annotation(
        article, alice, "claim", "the border will close on Monday", attribution=said
    )
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    claim_fields = page.locator(f'[data-annotation-id="{claim.pk}"] .fields')
    assert claim_fields.text_content() == "linked to “The minister warned”"

    page.locator(f'[data-annotation-id="{said.pk}"]').get_by_role("button", name="Edit").click()
    editor = page.locator(f'[data-editor="{said.pk}"]')
    editor.locator("select[name=label]").select_option("opinion")
    editor.get_by_role("button", name="Save").click()
    page.wait_for_selector(f'[data-editor="{said.pk}"]', state="detached")
    assert claim_fields.text_content() == "own voice (unlinked)"
    assert page.locator("[data-status]").text_content() == (
        "1 linked claim(s)/opinion(s) were unlinked."
    )
    claim.refresh_from_db()
    assert claim.attribution is None


def test_stored_fields_and_speakers_are_shown_as_stored(page, live_server, alice):
    """The page sends spans and speakers as columns, booleans as the database keeps them."""
    article = make_article(body=EMOJI_BODY)
    said = make_annotation(article, alice, "attribution", "The minister warned", counter_voice=True)
    said.speaker = Speaker.objects.create(name="The minister", aliases=["Minister"])
    said.save()
    claim = make_annotation(
        article, alice, "claim", "the border will close", check_worthy=True, hedged=False
    )
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    fields = page.locator(f'[data-annotation-id="{claim.pk}"] .fields')
    assert fields.text_content() == "check-worthy · not hedged · own voice (unlinked)"
    speaker = page.locator(f'[data-annotation-id="{said.pk}"] .fields').text_content()
    assert speaker == "speaker: The minister · counter-voice"
    page.locator(f'[data-annotation-id="{claim.pk}"]').get_by_role("button", name="Edit").click()
    editor = page.locator(f'[data-editor="{claim.pk}"]')
    assert editor.locator("select[name=check_worthy]").input_value() == "true"
    assert editor.locator("select[name=hedged]").input_value() == "false"


def test_without_javascript_spans_are_listed_and_deleted(browser, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    keep = make_annotation(article, alice, "claim", "the border will close on Monday")
    gone = make_annotation(article, alice, "opinion", "reckless")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    items = page.locator(".annotation-item")
    assert items.count() == 2
    items.filter(has_text="reckless").get_by_role("button", name="Delete").click()
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/")
    assert page.locator(".alert").first.inner_text() == "Annotation deleted."
    assert page.locator(".annotation-item").count() == 1
    assert list(Annotation.objects.values_list("pk", flat=True)) == [keep.pk]
    assert not Annotation.objects.filter(pk=gone.pk).exists()
    context.close()


def test_the_script_lists_every_span_where_the_page_lists_a_hundred(browser, live_server, alice):
    from annotator.views import LISTED_PER_PAGE

    words = [f"w{n}" for n in range(LISTED_PER_PAGE + 3)]
    article = make_article(body=" ".join(words) + ".")
    for word in words:
        make_annotation(article, alice, "claim", word)
    url = f"{live_server.url}/articles/{article.pk}/"
    for scripted, listed in ((False, LISTED_PER_PAGE), (True, len(words))):
        context = browser.new_context(java_script_enabled=scripted)
        page = context.new_page()
        log_in(page, live_server, alice)
        page.goto(url)
        if scripted:
            page.wait_for_selector("[data-annotation-list] .annotation-item[data-annotation-id]")
        assert page.locator("[data-annotation-list] .annotation-item").count() == listed
        assert page.locator("[data-list-pages]").is_visible() is not scripted
        close_settled(context)


def test_clicking_a_list_item_scrolls_to_its_highlight(page, live_server, alice):
    body = "\n\n".join(f"Paragraph {n} says little of note here." for n in range(60))
    article = make_article(body=body + "\n\nFinally the ministry confirmed the deal.")
    make_annotation(article, alice, "claim", "the ministry confirmed the deal")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    highlight = page.locator("[data-article-body] .hl-claim")
    assert not highlight.is_visible() or highlight.bounding_box()["y"] > 900
    page.locator("[data-annotation-list] .annotation-item").first.click()
    page.wait_for_function(
        "() => { const r = document.querySelector('.hl-claim').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def test_overlapping_and_nested_spans_render_without_losing_text(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    make_annotation(article, alice, "attribution", "The minister warned that")
    make_annotation(article, alice, "claim", "warned that the border will close")
    make_annotation(article, alice, "opinion", "reckless")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_selector("[data-article-body] .hl-opinion")
    overlap = page.locator("[data-article-body] .hl-attribution .hl-claim").all_text_contents()
    assert "".join(overlap) == "warned that"
    paragraph_text = page.locator("[data-article-body] p").nth(1).text_content()
    assert paragraph_text == EMOJI_BODY.split("\n\n")[1]
    screenshot(page, "overlaps")


def test_another_reviewer_cannot_see_or_touch_it(page, live_server, alice, bob):
    article = make_article(body=EMOJI_BODY)
    claim = make_annotation(article, alice, "claim", "the border will close on Monday")
    log_in(page, live_server, bob)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert page.locator("[data-article-body] .hl").count() == 0
    assert page.locator("[data-annotation-list] .annotation-item").count() == 0
    status = page.evaluate(
        """async (id) => {
          const token = document.querySelector('[name=csrfmiddlewaretoken]').value;
          const response = await fetch(`/api/annotations/${id}/`, {
            method: 'DELETE', headers: {'X-CSRFToken': token}, credentials: 'same-origin'});
          return response.status;
        }""",
        claim.pk,
    )
    assert status == 404  # as for an id that does not exist
    assert Annotation.objects.filter(pk=claim.pk).exists()


def test_attribution_speaker_is_found_by_alias_or_created_by_name(page, live_server, alice):
    from annotator.models import Speaker

    belousov = Speaker.objects.create(
        name="Andrei Belousov", aliases=["Andrey Belousov"], affiliation="government_named"
    )
    article = make_article(body="Andrey Belousov said it. Some experts argue otherwise.")
    by_alias = make_annotation(article, alice, "attribution", "Andrey Belousov said")
    new_voice = make_annotation(article, alice, "attribution", "Some experts argue")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")

    for annotation, name in ((by_alias, "andrey belousov"), (new_voice, "Unnamed experts")):
        page.locator(f'[data-annotation-id="{annotation.pk}"]').get_by_role(
            "button", name="Edit"
        ).click()
        editor = page.locator(f'[data-editor="{annotation.pk}"]')
        editor.locator("input[name=speaker_name]").fill(name)
        editor.locator("select[name=speaker_type]").select_option("named_person")
        editor.get_by_role("button", name="Save").click()
        page.wait_for_selector(f'[data-editor="{annotation.pk}"]', state="detached")

    by_alias.refresh_from_db()
    new_voice.refresh_from_db()
    assert by_alias.speaker == belousov
    assert new_voice.speaker.name == "Unnamed experts"
    assert Speaker.objects.count() == 2


def test_claim_in_the_sentence_of_an_attribution_gets_the_link_proposed(page, live_server, alice):
    article = make_article(body=EMOJI_BODY)
    said = make_annotation(article, alice, "attribution", "The minister warned that")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    drag_select(page, "the border will close on Monday")
    page.keyboard.press("c")
    page.wait_for_selector("[data-status]:not([hidden])")
    assert "The minister warned that" in page.locator("[data-status]").text_content()
    wait_for_annotations(2)
    assert Annotation.objects.get(label="claim").attribution == said
    # the next sentence is outside the attribution's reach: no proposal
    drag_select(page, "reckless")
    page.keyboard.press("o")
    page.wait_for_selector("[data-article-body] .hl-opinion")
    wait_for_annotations(3)
    assert Annotation.objects.get(label="opinion").attribution is None


def test_staff_adjudicate_a_disagreement_and_the_profile_changes(
    page, live_server, alice, bob, carol
):
    carol.set_password(PASSWORD)
    carol.save()
    article = make_article(body=EMOJI_BODY)
    said = make_annotation(article, alice, "attribution", "The minister warned that")
    make_annotation(article, alice, "claim", "the border will close on Monday", attribution=said)
    bobs_claim = make_annotation(article, bob, "claim", "the border will close")
    log_in(page, live_server, carol)

    def sourcing_rate():
        page.goto(f"{live_server.url}/sources/{article.source_id}/")
        return (
            page.locator(".chart-row", has_text="Sourcing rate")
            .first.locator(".chart-value")
            .text_content()
        )

    # alice linked her claim (1.0), bob did not (0.0): the mean is 50%
    assert sourcing_rate() == "50%"
    page.goto(f"{live_server.url}/articles/{article.pk}/adjudicate/")
    assert "disagreement" in page.locator("[data-disagreements]").text_content()
    screenshot(page, "adjudication")
    page.locator(f'[data-span="{said.pk}"]').get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    claim_row = page.locator(f'[data-span="{bobs_claim.pk}"]')
    claim_row.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert page.locator("[data-adjudicated]").count() == 2
    assert "in progress" in page.locator("[data-layer-state]").text_content()
    assert page.locator("[data-disagreements]").text_content().startswith("0 ")

    # the layer is in progress: the profile keeps the reviewers' mean
    assert sourcing_rate() == "50%"
    page.goto(f"{live_server.url}/articles/{article.pk}/adjudicate/")
    page.get_by_role("button", name="Mark the adjudicated layer complete").click()
    page.wait_for_load_state()
    assert "Marked complete by carol" in page.locator("[data-layer-state]").text_content()

    # bob's unlinked claim is now the article's only claim: sourcing drops to 0%
    assert sourcing_rate() == "0%"
    screenshot(page, "profile-after-adjudication")

    # "edit its fields" opens the article page on the adjudicated layer
    page.goto(f"{live_server.url}/articles/{article.pk}/adjudicate/")
    page.locator("[data-edit-layer]").click()
    page.wait_for_load_state()
    assert page.url.endswith("?view=adjudicated")
    assert page.locator("h2", has_text="Adjudicated layer").count() == 1


def test_hostile_text_never_runs_in_the_browser(page, live_server, alice):
    article = make_hostile_article(alice)
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_selector("[data-article-body] .hl-opinion")
    page.hover("[data-article-body] .hl-opinion")
    for item in page.locator("[data-annotation-list] .annotation-item").all():
        item.hover()
        item.click()
    page.locator('[data-annotation-list] button:has-text("Edit")').first.click()
    assert page.evaluate("() => window.__xss") is None
    assert SCRIPT in page.locator("[data-article-body]").text_content()
    page.goto(f"{live_server.url}/articles/")
    assert page.evaluate("() => window.__xss") is None
