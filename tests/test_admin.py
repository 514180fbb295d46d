"""Django admin: every model's pages load, and annotated bodies are locked."""

import pytest

from annotator.models import Annotation

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-test-only"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/annotator/source/",
        "/admin/annotator/article/",
        "/admin/annotator/speaker/",
        "/admin/annotator/annotation/",
        "/admin/annotator/articlereview/",
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/annotator/annotation/?label__exact=claim",
        "/admin/annotator/annotation/?q=bridge",
    ],
)
def test_admin_pages_load(admin_client, alice, url):
    make_annotation(make_article(), alice, "claim", "the bridge will open in May")
    assert admin_client.get(url).status_code == 200


def test_article_list_shows_annotation_counts(admin_client, alice):
    article = make_article()
    make_annotation(article, alice, "claim", "the bridge will open in May")
    make_annotation(article, alice, "opinion", "crucial")
    page = admin_client.get("/admin/annotator/article/").content.decode()
    assert '<td class="field-annotation_count">2</td>' in page


def test_body_is_read_only_once_annotated(admin_client, alice):
    article = make_article()
    form_before = admin_client.get(
        f"/admin/annotator/article/{article.pk}/change/"
    ).content.decode()
    assert 'name="body"' in form_before
    make_annotation(article, alice, "claim", "crucial")
    form_after = admin_client.get(f"/admin/annotator/article/{article.pk}/change/").content.decode()
    assert 'name="body"' not in form_after


def test_admin_edits_fields_of_a_span_but_not_its_offsets(admin_client, alice):
    annotation = make_annotation(make_article(), alice, "claim", "the bridge will open in May")
    response = admin_client.post(
        f"/admin/annotator/annotation/{annotation.pk}/change/",
        {
            "note": "checked by the desk",
            "check_worthy": "true",
            "hedged": "unknown",
            "counter_voice": "unknown",
            "start": 0,
        },
    )
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.note == "checked by the desk"
    assert annotation.check_worthy is True
    assert annotation.start == 15


def test_admin_cannot_add_spans_by_hand(admin_client):
    assert admin_client.get("/admin/annotator/annotation/add/").status_code == 403
    assert not Annotation.objects.exists()
