"""The API docs and the span admin in real headless Chromium (Debian's), via Playwright."""

import os
from urllib.parse import urlsplit

import pytest

from .conftest import PASSWORD, make_annotation, make_article

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user, then):
    page.goto(f"{live_server.url}/accounts/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{then}")


def test_api_docs_render_from_local_static_files(page, live_server, alice):
    hosts = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    log_in(page, live_server, alice, "/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_text_contents()
    assert "/api/articles/{id}/annotations/" in paths
    assert page.get_by_role("heading", name="Authentication").is_visible()
    assert page.get_by_role("link", name="/api/schema/").is_visible()
    assert set(hosts) == {urlsplit(live_server.url).hostname}


def test_a_claims_admin_form_shows_no_attribution_fields(page, live_server, django_user_model):
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    claim = make_annotation(make_article(), root, "claim", "the bridge will open in May")
    log_in(page, live_server, root, f"/admin/annotator/annotation/{claim.pk}/change/")
    assert page.locator("#id_check_worthy").is_visible()
    assert page.get_by_role("heading", name="Claim fields").is_visible()
    for attribution_only in ("speaker", "speaker_type", "cue_stance", "quote_type"):
        assert page.locator(f"[name={attribution_only}]").count() == 0
    assert page.get_by_text("Speaker type").count() == 0
