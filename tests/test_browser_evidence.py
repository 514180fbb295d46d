"""Following a figure's evidence link in Chromium: the spans it counts are marked."""

import os

import pytest

from annotator.models import Annotation

from .conftest import make_annotation, make_article
from .test_browser import drag_select, log_in, screenshot, wait_for_annotations

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BODY = (
    "Officials said the dam will open in May. Critics call it reckless.\n\n"
    "The minister warned that the border will close on Monday."
)


@pytest.fixture
def disputed(alice, bob):
    article = make_article(body=BODY)
    said = make_annotation(article, alice, "attribution", "Officials said", speaker_type="vague")
    make_annotation(article, alice, "claim", "the dam will open in May", attribution=said)
    make_annotation(article, alice, "opinion", "reckless")
    make_annotation(article, bob, "claim", "the border will close on Monday")
    make_annotation(article, bob, "claim", "the dam will open in May")
    return article


def follow_evidence_link(page, live_server, article, figure):
    page.goto(f"{live_server.url}/sources/{article.source_id}/evidence/{figure}/")
    page.click("[data-evidence-articles] a")
    page.wait_for_selector("[data-article-body] .hl.is-counted")


def marked_quotes(page):
    """The quotes of the spans marked in the text: each counted span's runs, joined."""
    return page.evaluate(
        """() => {
          const data = JSON.parse(document.getElementById('page-data').textContent);
          const counted = new Set(data.counted);
          const runs = [...document.querySelectorAll('[data-article-body] .hl.is-counted')];
          const quotes = {};
          for (const run of runs) {
            const ids = [...run.querySelectorAll('[data-ids]'), run]
              .flatMap((node) => (node.dataset.ids || '').split(' ').map(Number));
            for (const id of ids.filter((id) => counted.has(id))) {
              quotes[id] = (quotes[id] || '') + run.textContent;
            }
          }
          return quotes;
        }"""
    )


def test_staff_follow_an_evidence_link_to_every_reviewers_counted_spans(
    page, live_server, carol, disputed
):
    log_in(page, live_server, carol)
    follow_evidence_link(page, live_server, disputed, "sourcing_rate")
    assert "view=all&evidence=sourcing_rate" in page.url
    notice = page.locator("[data-evidence-notice]")
    assert "Showing 3 spans counted by Sourcing rate" in " ".join(notice.inner_text().split())
    claims = Annotation.objects.filter(article=disputed, label="claim")
    assert {int(pk): quote for pk, quote in marked_quotes(page).items()} == {
        claim.pk: claim.quote for claim in claims
    }
    # Two reviewers' identical claims begin at one place: one marker says so.
    markers = page.evaluate(
        """() => [...document.querySelectorAll('[data-article-body] [data-counted-start]')]
             .map((node) => getComputedStyle(node, '::before').content)"""
    )
    assert sorted(markers) == ['"◆"', '"◆×2"']
    items = page.locator("[data-annotation-list] .annotation-item.is-counted")
    assert items.count() == 3
    assert items.first.locator(".counted-badge").inner_text() == "◆ counted"
    assert page.locator("[data-annotation-list] .annotation-item:not(.is-counted)").count() == 2
    screenshot(page, "evidence-staff")
    notice.get_by_role("link", name="Show all spans unmarked").click()
    page.wait_for_selector("[data-article-body] .hl")
    assert page.locator(".is-counted").count() == 0


def test_a_reviewer_follows_an_evidence_link_to_their_own_spans_and_still_annotates(
    page, live_server, alice, disputed
):
    log_in(page, live_server, alice)
    follow_evidence_link(page, live_server, disputed, "sourcing_rate")
    assert "view=" not in page.url
    [claim] = Annotation.objects.filter(article=disputed, reviewer=alice, label="claim")
    assert marked_quotes(page) == {str(claim.pk): claim.quote}
    assert "bob" not in page.content()
    # The marker is drawn, not written into the text: a selection after it keeps its offsets.
    drag_select(page, "dam will")
    page.keyboard.press("o")
    wait_for_annotations(6)
    created = Annotation.objects.latest("pk")
    assert disputed.body[created.start : created.end] == "dam will"
