"""Django admin obeys span ownership on every path that writes a span.

sam is staff and a reviewer with every annotator permission in admin; root is a
superuser. Only a span's reviewer (or a superuser) changes, deletes, reverts or
restores a raw span; staff see other reviewers' raw spans read-only; the
adjudicated layer is editable by whoever is staff now.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from annotator.models import Annotation, Speaker

from .conftest import make_annotation, make_article, make_user

pytestmark = pytest.mark.django_db

CLAIM = "the bridge will open in May"
CHANGE_FIELDS = {"check_worthy": "true", "hedged": "unknown", "counter_voice": "unknown"}


def with_admin_permissions(user):
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="annotator"))
    return user


class CsrfClient(Client):
    """A browser-like client with CSRF enforced that sends the token it was given."""

    def __init__(self):
        super().__init__(enforce_csrf_checks=True)

    def post(self, path, data=None, **extra):
        token = self.cookies["csrftoken"].value
        return super().post(path, {**(data or {}), "csrfmiddlewaretoken": token}, **extra)


def admin_client(user):
    client = CsrfClient()
    client.force_login(user)
    client.get("/admin/")  # the admin's pages set the CSRF cookie
    return client


@pytest.fixture
def sam(django_user_model):
    return with_admin_permissions(make_user(django_user_model, "sam", is_staff=True))


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-test-only")


@pytest.fixture
def alices_claim(alice):
    return make_annotation(make_article(), alice, "claim", CLAIM, note="alice's note")


def change(client, span, note):
    return client.post(
        f"/admin/annotator/annotation/{span.pk}/change/", {"note": note, **CHANGE_FIELDS}
    )


def test_staff_reviewer_sees_another_reviewers_span_read_only(sam, alices_claim):
    client = admin_client(sam)
    form = client.get(f"/admin/annotator/annotation/{alices_claim.pk}/change/")
    assert form.status_code == 200
    page = form.content.decode()
    assert "alice&#x27;s note" in page
    assert 'name="note"' not in page and 'name="_save"' not in page
    assert change(client, alices_claim, "overwritten by sam").status_code == 403
    alices_claim.refresh_from_db()
    assert alices_claim.note == "alice's note"


def test_staff_reviewer_changes_their_own_span(sam):
    own = make_annotation(make_article(), sam, "claim", CLAIM)
    assert change(admin_client(sam), own, "mine").status_code == 302
    own.refresh_from_db()
    assert own.note == "mine"


def test_superuser_changes_another_reviewers_span_and_history_says_who(root, alices_claim):
    assert change(admin_client(root), alices_claim, "corrected by the desk").status_code == 302
    alices_claim.refresh_from_db()
    assert alices_claim.note == "corrected by the desk"
    latest = alices_claim.history.first()
    assert latest.history_user == root and latest.note == "corrected by the desk"


def test_staff_reviewer_cannot_delete_another_reviewers_span(sam, alices_claim):
    client = admin_client(sam)
    url = f"/admin/annotator/annotation/{alices_claim.pk}/delete/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Annotation.objects.filter(pk=alices_claim.pk).exists()


def test_bulk_delete_refuses_when_one_span_is_another_reviewers(sam, alices_claim):
    own = make_annotation(alices_claim.article, sam, "opinion", "crucial")
    response = admin_client(sam).post(
        "/admin/annotator/annotation/",
        {"action": "delete_selected", "_selected_action": [own.pk, alices_claim.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Annotation.objects.filter(pk__in=[own.pk, alices_claim.pk]).count() == 2


def test_bulk_delete_of_own_spans_works(sam, alices_claim):
    own = make_annotation(alices_claim.article, sam, "opinion", "crucial")
    response = admin_client(sam).post(
        "/admin/annotator/annotation/",
        {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Annotation.objects.values_list("pk", flat=True)) == [alices_claim.pk]


def revert_url(span, version):
    return f"/admin/annotator/annotation/{span.pk}/history/{version.history_id}/"


def test_staff_reviewer_cannot_revert_another_reviewers_span(sam, root, alices_claim):
    first = alices_claim.history.get()
    change(admin_client(root), alices_claim, "second version")
    client = admin_client(sam)
    assert "Revert" not in client.get(revert_url(alices_claim, first)).content.decode()
    posted = client.post(revert_url(alices_claim, first), {"note": "alice's note", **CHANGE_FIELDS})
    assert posted.status_code == 403
    alices_claim.refresh_from_db()
    assert alices_claim.note == "second version"


def test_superuser_reverts_another_reviewers_span(root, alices_claim):
    first = alices_claim.history.get()
    client = admin_client(root)
    change(client, alices_claim, "second version")
    posted = client.post(revert_url(alices_claim, first), {"note": "alice's note", **CHANGE_FIELDS})
    assert posted.status_code == 302
    alices_claim.refresh_from_db()
    assert alices_claim.note == "alice's note"


def test_restoring_a_deleted_span_is_for_its_reviewer_or_a_superuser(sam, root, alices_claim):
    pk = alices_claim.pk
    version = alices_claim.history.get()
    alices_claim.delete()
    restore = {"note": "alice's note", **CHANGE_FIELDS}
    url = f"/admin/annotator/annotation/{pk}/history/{version.history_id}/"
    assert admin_client(sam).post(url, restore).status_code == 403
    assert not Annotation.objects.filter(pk=pk).exists()
    assert admin_client(root).post(url, restore).status_code == 302
    assert Annotation.objects.get(pk=pk).note == "alice's note"


def test_nobody_deletes_the_history_of_a_deleted_span(sam, root, alices_claim):
    deleted_record = alices_claim.history.get()
    alices_claim.delete()
    for user in (sam, root):
        url = f"/admin/annotator/historicalannotation/{deleted_record.history_id}/delete/"
        assert admin_client(user).post(url, {"post": "yes"}).status_code == 403
    assert Annotation.history.filter(id=deleted_record.id).count() == 2


def merge(client, speakers, survivor):
    return client.post(
        "/admin/annotator/speaker/",
        {
            "action": "merge_speakers",
            "_selected_action": [speaker.pk for speaker in speakers],
            "survivor": survivor.pk,
        },
    )


def test_merging_speakers_of_another_reviewers_spans_is_for_superusers(sam, root, alice):
    keep = Speaker.objects.create(name="Jane Doe")
    duplicate = Speaker.objects.create(name="J. Doe")
    article = make_article()
    said = make_annotation(article, alice, "attribution", "Officials said", speaker=duplicate)
    response = merge(admin_client(sam), [keep, duplicate], keep)
    assert "only a superuser can merge them" in str(list(get_messages(response.wsgi_request)))
    assert Speaker.objects.filter(pk=duplicate.pk).exists()
    said.refresh_from_db()
    assert said.speaker_id == duplicate.pk
    merge(admin_client(root), [keep, duplicate], keep)
    said.refresh_from_db()
    assert said.speaker_id == keep.pk
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()


def test_staff_merge_speakers_only_their_own_spans_use(sam):
    keep = Speaker.objects.create(name="Jane Doe")
    duplicate = Speaker.objects.create(name="J. Doe")
    make_annotation(make_article(), sam, "attribution", "Officials said", speaker=duplicate)
    merge(admin_client(sam), [keep, duplicate], keep)
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()


@pytest.fixture
def adjudicated_claim(carol, alices_claim):
    from annotator import adjudication

    return adjudication.accept(alices_claim, carol)


def test_any_staff_member_edits_the_adjudicated_layer(sam, adjudicated_claim):
    assert change(admin_client(sam), adjudicated_claim, "desk decision").status_code == 302
    adjudicated_claim.refresh_from_db()
    assert adjudicated_claim.note == "desk decision"


def test_a_user_no_longer_staff_loses_the_adjudicated_layer(carol, adjudicated_claim):
    with_admin_permissions(carol)
    client = admin_client(carol)
    carol.is_staff = False
    carol.save()
    response = change(client, adjudicated_claim, "after leaving staff")
    assert response.status_code == 302 and "/login/" in response["Location"]
    adjudicated_claim.refresh_from_db()
    assert adjudicated_claim.note == "alice's note"
