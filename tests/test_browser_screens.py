"""Every page at a phone's width and a laptop's, for a reviewer and for staff: nothing wider
than the screen, and axe-core finding no serious or critical accessibility problem.

Screenshots of each page at 400 and 1366 px land in test-artifacts/screens/.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from annotator.models import Article, ArticleReview, Assignment

from .conftest import PASSWORD, close_settled, make_annotation
from .test_browser import ARTIFACTS, drag_select, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ARTIFACTS / "screens"
PHONE, LAPTOP = 400, 1366
# The article with quotation marks of its own, annotated by two reviewers.
QUOTED = "“ISIS’ attempts to gain a foothold in northern Afghanistan"


@pytest.fixture
def newsroom(alice, bob, carol):
    """The seed articles; alice and bob annotated one of them and disagree."""
    call_command("loaddata", "seed_articles", verbosity=0)
    carol.set_password(PASSWORD)
    carol.save()
    article = Article.objects.get(body__contains=QUOTED)
    for reviewer in (alice, bob):
        said = make_annotation(article, reviewer, "attribution", "Lavrov said in an interview")
        make_annotation(article, reviewer, "claim", QUOTED, attribution=said)
        make_annotation(article, reviewer, "opinion", "very dangerous")
        ArticleReview.objects.create(
            article=article, reviewer=reviewer, done=True, done_at=timezone.now()
        )
    make_annotation(article, alice, "claim", "the main security threat in Central Asia")
    make_annotation(
        article, bob, "opinion", "particularly worrisome", suggested_by="newsroom-rules/0.3.1"
    )
    for reviewer in (alice, bob):
        Assignment.objects.create(article=article, reviewer=reviewer, suggestions="off")
    return article


def pages_of(article, staff):
    """Each page a persona can reach (a reviewer's staff pages answer 403), by name."""
    source = article.source_id
    pages = {
        "articles": "/articles/",
        "article": f"/articles/{article.pk}/" + ("?view=all" if staff else ""),
        "sources": "/sources/",
        "sources-without-suggestions": "/sources/?suggestions=exclude",
        "source": f"/sources/{source}/",
        "source-without-suggestions": f"/sources/{source}/?suggestions=exclude",
        "evidence": f"/sources/{source}/evidence/sourcing_rate/",
        "guidelines": "/guidelines/",
        "metrics-help": "/guidelines/figures/",
        "agreement": "/agreement/",
        "queue": "/queue/",
        "adjudicate": f"/articles/{article.pk}/adjudicate/",
    }
    return pages


def new_page(browser, width, scheme="light"):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def serious_axe_violations(page):
    """axe-core's serious and critical findings on the page as shown: rule → where."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return Object.fromEntries(result.violations
            .filter((violation) => ['serious', 'critical'].includes(violation.impact))
            .map((violation) => [violation.id,
                                 violation.nodes.map((node) => node.target.join(' '))]));
        }"""
    )


def overflow(page):
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def check_pages(browser, live_server, user, pages, persona, scheme="light", widths=(PHONE, LAPTOP)):
    problems = {}
    for width in widths:
        page = new_page(browser, width, scheme)
        if user is not None:
            log_in(page, live_server, user)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            SCREENS.mkdir(parents=True, exist_ok=True)
            shot = f"{persona}-{name}-{width}" + ("-dark" if scheme == "dark" else "")
            page.screenshot(path=str(SCREENS / f"{shot}.png"), full_page=True)
            found = {}
            if width == PHONE and overflow(page) > 0:
                found["wider than the screen"] = f"{overflow(page)} px"
            found.update(serious_axe_violations(page))
            if found:
                problems[f"{name} at {width} px"] = found
        assert page.errors == [], f"JavaScript errors: {page.errors}"
        close_settled(page.context)
    return problems


def described(problems):
    """One line per page and rule: how many elements, the first few of them."""
    return "\n".join(
        f"{where}: {rule} ×{len(targets)} {targets[:4]}"
        if isinstance(targets, list)
        else f"{where}: {rule} {targets}"
        for where, found in problems.items()
        for rule, targets in found.items()
    )


def test_a_reviewer_sees_every_page_fit_the_screen_without_serious_axe_findings(
    browser, live_server, alice, newsroom
):
    problems = check_pages(browser, live_server, alice, pages_of(newsroom, False), "reviewer")
    assert not problems, described(problems)


def test_staff_see_every_page_fit_the_screen_without_serious_axe_findings(
    browser, live_server, carol, newsroom
):
    problems = check_pages(browser, live_server, carol, pages_of(newsroom, True), "staff")
    assert not problems, described(problems)


def test_the_login_page_fits_the_screen_without_serious_axe_findings(browser, live_server, db):
    problems = check_pages(browser, live_server, None, {"login": "/accounts/login/"}, "anonymous")
    assert not problems, described(problems)


def test_every_staff_page_reads_well_in_the_dark_theme(browser, live_server, carol, newsroom):
    pages = pages_of(newsroom, True)
    problems = check_pages(browser, live_server, carol, pages, "staff", "dark", widths=(LAPTOP,))
    assert not problems, described(problems)


def test_at_a_phones_width_the_menu_folds_behind_a_button(browser, live_server, alice, db):
    page = new_page(browser, PHONE)
    log_in(page, live_server, alice)
    sources = page.get_by_role("link", name="Sources")
    assert not sources.is_visible()
    page.get_by_role("button", name="Menu").click()
    sources.wait_for(state="visible")
    page.screenshot(path=str(SCREENS / "reviewer-menu-open-400.png"))
    sources.click()
    page.wait_for_url(f"{live_server.url}/sources/")
    close_settled(page.context)


def test_the_first_tab_stop_skips_to_the_content(browser, live_server, alice, db):
    page = new_page(browser, LAPTOP)
    log_in(page, live_server, alice)
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.bounding_box()["width"] <= 1  # clipped away until focused
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    assert skip.bounding_box()["width"] > 50
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    close_settled(page.context)


def test_the_theme_follows_the_system_until_the_reader_picks_one(browser, live_server, alice, db):
    page = new_page(browser, LAPTOP, scheme="dark")
    log_in(page, live_server, alice)

    def theme():
        return page.evaluate("() => document.documentElement.dataset.bsTheme")

    toggle = page.locator("[data-theme-toggle]")
    assert theme() == "dark" and toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert theme() == "light" and toggle.get_attribute("aria-pressed") == "false"
    page.reload()
    assert theme() == "light"  # remembered over the system's dark
    page.emulate_media(color_scheme="light")
    toggle.click()
    page.goto(f"{live_server.url}/sources/")
    assert theme() == "dark"  # remembered over the system's light
    close_settled(page.context)


def test_the_side_list_shows_a_quotes_own_marks_once(browser, live_server, alice, newsroom):
    for scripted in (True, False):
        context = browser.new_context(java_script_enabled=scripted)
        page = context.new_page()
        log_in(page, live_server, alice)
        page.goto(f"{live_server.url}/articles/{newsroom.pk}/")
        quote = page.locator(".annotation-item q", has_text="ISIS").first
        marks = quote.evaluate(
            """(q) => [getComputedStyle(q, '::before').content,
                       getComputedStyle(q, '::after').content]"""
        )
        assert marks == ["no-open-quote", "close-quote"], f"with script: {scripted}"
        assert quote.text_content().startswith("“ISIS’")
        close_settled(context)


def test_an_error_from_the_server_is_shown_in_plain_words(browser, live_server, alice, newsroom):
    page = new_page(browser, LAPTOP)
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/articles/{newsroom.pk}/")
    drag_select(page, "very dangerous")  # alice marked it an opinion already
    page.keyboard.press("o")
    error = page.locator("[data-error]")
    error.wait_for(state="visible")
    assert error.text_content() == "You already marked this exact span with this label."
    close_settled(page.context)


def test_the_article_page_with_suggestions_fits_without_serious_axe_findings(
    browser, live_server, alice, newsroom
):
    """The engine's suggestions drawn and listed, one of them chosen (j) and one in the
    editor (e), at both widths, on a seed article dealt to nobody (the newsroom's is an
    agreement article: its page says suggestions are off)."""
    article = Article.objects.exclude(pk=newsroom.pk).order_by("pk").first()
    make_annotation(article, alice, "claim", article.body.split(".")[0])
    problems = {}
    for width in (PHONE, LAPTOP):
        page = new_page(browser, width)
        log_in(page, live_server, alice)
        page.goto(f"{live_server.url}/articles/{article.pk}/")
        page.get_by_role("switch", name="Suggestions").check()
        page.wait_for_selector("[data-suggestion-list] .suggestion-item")
        page.locator("[data-article-body]").focus()
        for key, shot in (("j", "chosen"), ("e", "editing")):
            page.keyboard.press(key)
            page.wait_for_selector(".suggestion-item.is-current")
            page.screenshot(
                path=str(SCREENS / f"reviewer-suggestions-{shot}-{width}.png"), full_page=True
            )
            found = serious_axe_violations(page)
            if width == PHONE and overflow(page) > 0:
                found["wider than the screen"] = f"{overflow(page)} px"
            if found:
                problems[f"suggestions {shot} at {width} px"] = found
        assert page.errors == [], f"JavaScript errors: {page.errors}"
        close_settled(page.context)
    assert not problems, described(problems)


def test_a_saved_pages_revisions_fit_the_screen(browser, live_server, alice, tmp_path):
    """The article page's list of earlier versions, each naming its saved pages."""
    from .test_import_html import FIRST, LAST, OPPONENTS, news_page, saved
    from .test_import_html import QUOTED as SAID

    call_command("import_articles", str(saved(tmp_path, news_page(FIRST, SAID, OPPONENTS, LAST))))
    article = Article.objects.get()
    make_annotation(article, alice, "claim", LAST)
    edited = OPPONENTS.replace("raise rents for the fishing businesses", "help local firms")
    for number, paragraphs in enumerate([(FIRST, SAID, edited, LAST), (FIRST, edited, LAST)]):
        later = saved(tmp_path, news_page(*paragraphs), f"later{number}.html")
        call_command("import_articles", str(later), "--quiet")
    pages = {"article-revisions": article.get_absolute_url()}
    assert check_pages(browser, live_server, alice, pages, "reviewer") == {}
