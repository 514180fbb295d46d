"""Login throttling, CSRF, escaping of user text, history and reversible deletes, body changes."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from annotator.models import Annotation, Article

from .conftest import (
    PASSWORD,
    api_client,
    logged_in,
    make_annotation,
    make_article,
    make_hostile_article,
)

pytestmark = pytest.mark.django_db


def test_login_is_locked_after_five_failures(alice):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    assert client.get("/articles/").status_code == 302


def test_a_successful_login_resets_the_count(alice):
    client = Client()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert (
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "path", ["/articles/{a}/annotations/add/", "/articles/{a}/done/", "/articles/{a}/review/"]
)
def test_state_changing_pages_need_a_csrf_token(alice, article, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(path.format(a=article.pk), {"label": "claim", "quote": "the bridge"})
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_tokens_do_not_open_pages(alice):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=alice)
    response = Client().get("/articles/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 302


@pytest.fixture
def hostile(alice, carol):
    return make_hostile_article(alice)


@pytest.mark.parametrize(
    "path",
    [
        "/articles/",
        "/articles/{a}/",
        "/articles/{a}/?view=all",
        "/articles/{a}/adjudicate/",
        "/sources/",
        "/sources/{s}/",
        "/sources/{s}/evidence/weasel_share/",
        "/sources/{s}/evidence/sourcing_rate/",
        "/agreement/",
        "/admin/annotator/annotation/",
        "/admin/annotator/speaker/",
        "/admin/annotator/article/",
    ],
)
def test_user_text_is_escaped_on_every_page(hostile, django_user_model, path):
    root = django_user_model.objects.create_superuser("root", password="x-test-only")
    page = logged_in(root).get(path.format(a=hostile.pk, s=hostile.source_id)).content.decode()
    assert "<script>window.__xss" not in page
    assert '" onmouseover="' not in page


def test_history_records_who_changed_what(alice, article):
    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    client = api_client(None)
    client.force_login(alice)
    client.patch(f"/api/annotations/{span.pk}/", {"note": "checked"}, format="json")
    latest = span.history.first()
    assert latest.history_user == alice
    assert latest.note == "checked"
    assert latest.prev_record.note == ""
    assert latest.history_type == "~"


def test_deleted_annotation_is_listed_and_restorable_by_staff(alice, article, django_user_model):
    span = make_annotation(article, alice, "claim", "the bridge will open in May", note="keep me")
    client = api_client(None)
    client.force_login(alice)
    client.delete(f"/api/annotations/{span.pk}/")
    assert not Annotation.objects.filter(pk=span.pk).exists()

    admin = logged_in(django_user_model.objects.create_superuser("root", password="x-test-only"))
    listing = admin.get("/admin/annotator/historicalannotation/").content.decode()
    assert "review and restore" in listing and "the bridge will open in May" in listing
    previous = Annotation.history.filter(id=span.pk).exclude(history_type="-").first()
    restore_url = f"/admin/annotator/annotation/{span.pk}/history/{previous.history_id}/"
    form = admin.get(restore_url)
    assert form.status_code == 200
    response = admin.post(
        restore_url,
        {
            "note": "keep me",
            "check_worthy": "unknown",
            "hedged": "unknown",
            "counter_voice": "unknown",
            "speaker_type": "",
            "cue_stance": "",
            "quote_type": "",
            "opinion_type": "",
            "_change_history": "1",
        },
    )
    assert response.status_code == 302
    restored = Annotation.objects.get(pk=span.pk)
    assert (restored.quote, restored.note, restored.reviewer) == (
        "the bridge will open in May",
        "keep me",
        alice,
    )


BODY = "Officials said the bridge will open in May. It is a crucial link."


def test_body_change_re_anchors_and_orphans_never_drops(alice, tmp_path, capsys):
    article = make_article(body=BODY)
    kept = make_annotation(article, alice, "opinion", "Officials")
    moved = make_annotation(article, alice, "claim", "the bridge will open in May")
    lost = make_annotation(article, alice, "attribution", "Officials said")
    new_body = tmp_path / "new.txt"
    new_body.write_text("Officials told us: the bridge will open in May. It is crucial.")
    call_command("change_body", str(article.pk), str(new_body))
    assert (
        "1 annotation(s) were kept in place, 1 re-anchored, 1 orphaned" in capsys.readouterr().out
    )
    article.refresh_from_db()
    moved.refresh_from_db()
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert article.body[moved.start : moved.end] == "the bridge will open in May"
    assert (kept.start, kept.end, kept.orphaned) == (0, 9, False)
    assert lost.orphaned and Annotation.objects.count() == 3


def test_orphans_are_shown_to_staff_and_exported_as_orphans(alice, carol, tmp_path):
    article = make_article(body=BODY)
    make_annotation(article, alice, "attribution", "Officials said")
    new_body = tmp_path / "new.txt"
    new_body.write_text("Nobody is quoted any more. The bridge opens.")
    call_command("change_body", str(article.pk), str(new_body))
    page = logged_in(carol).get(f"/articles/{article.pk}/?view=all").content.decode()
    assert "1 annotation(s) could not be placed" in page
    api = api_client(None)
    api.force_login(carol)
    exported = json.loads(b"".join(api.get("/api/export/").streaming_content))
    [span] = exported["articles"][0]["annotations"]
    assert (span["quote"], span["orphaned"], span["start"], span["end"]) == (
        "Officials said",
        True,
        None,
        None,
    )


def test_body_change_dry_run_changes_nothing(alice, tmp_path):
    article = make_article(body=BODY)
    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    new_body = tmp_path / "new.txt"
    new_body.write_text("Something else entirely.")
    call_command("change_body", str(article.pk), str(new_body), dry_run=True)
    article.refresh_from_db()
    span.refresh_from_db()
    assert article.body == BODY and not span.orphaned


def test_body_change_history_names_the_user_given(alice, carol, tmp_path):
    article = make_article(body=BODY)
    span = make_annotation(article, alice, "claim", "the bridge will open in May")
    new_body = tmp_path / "new.txt"
    new_body.write_text("Officials told us: the bridge will open in May.")
    call_command("change_body", str(article.pk), str(new_body), user="carol")
    assert article.history.first().history_user == carol
    assert span.history.first().history_user == carol
    assert article.revisions()[0].user == carol


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999", "x.txt"], "no article with id 999"),
        (["{a}", "/nonexistent.txt"], "Cannot read"),
        (["{a}", "/nonexistent.txt", "--user", "nobody"], "no user named 'nobody'"),
    ],
)
def test_body_change_refuses_bad_input(article, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("change_body", *[a.format(a=article.pk) for a in args])
    assert Article.objects.get(pk=article.pk).body == article.body
