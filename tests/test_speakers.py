"""Speaker records: aliases, and admins merging duplicates without losing anything."""

import pytest
from django.core.exceptions import ValidationError

from annotator.models import Speaker

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db


def test_merge_moves_every_annotation_and_keeps_names_as_aliases(alice, bob):
    article = make_article(body="Andrey Belousov said it. Andrei Belousov said it again.")
    keep = Speaker.objects.create(name="Andrei Belousov", affiliation="government_named")
    duplicate = Speaker.objects.create(name="Andrey Belousov", aliases=["A. Belousov"])
    first = make_annotation(
        article, alice, "attribution", "Andrey Belousov said", speaker=duplicate
    )
    second = make_annotation(article, bob, "attribution", "Andrei Belousov said", speaker=keep)

    keep.merge([duplicate])

    first.refresh_from_db()
    second.refresh_from_db()
    keep.refresh_from_db()
    assert first.speaker == keep and second.speaker == keep
    assert keep.aliases == ["Andrey Belousov", "A. Belousov"]
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()


def test_admin_merge_action_asks_for_the_survivor_then_merges(client, django_user_model, alice):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-test-only"))
    article = make_article(body="Sergey Lavrov said so.")
    keep = Speaker.objects.create(name="Sergei Lavrov")
    duplicate = Speaker.objects.create(name="Sergey Lavrov")
    span = make_annotation(article, alice, "attribution", "Sergey Lavrov said", speaker=duplicate)
    selected = {"action": "merge_speakers", "_selected_action": [keep.pk, duplicate.pk]}

    confirmation = client.post("/admin/annotator/speaker/", selected)
    assert confirmation.status_code == 200
    assert b"Every annotation of the other speakers moves" in confirmation.content
    assert Speaker.objects.count() == 2

    done = client.post("/admin/annotator/speaker/", {**selected, "survivor": keep.pk})
    assert done.status_code == 302
    span.refresh_from_db()
    assert span.speaker == keep
    assert Speaker.objects.get().aliases == ["Sergey Lavrov"]


def test_merge_needs_two_speakers(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-test-only"))
    only = Speaker.objects.create(name="Lone Voice")
    response = client.post(
        "/admin/annotator/speaker/",
        {"action": "merge_speakers", "_selected_action": [only.pk]},
        follow=True,
    )
    assert b"Select two or more speakers" in response.content
    assert Speaker.objects.count() == 1


def test_merge_records_each_moved_annotation_in_its_history(alice):
    article = make_article(body="Andrey Belousov said it.")
    keep = Speaker.objects.create(name="Andrei Belousov")
    duplicate = Speaker.objects.create(name="Andrey Belousov")
    span = make_annotation(article, alice, "attribution", "Andrey Belousov said", speaker=duplicate)

    keep.merge([duplicate])

    last = span.history.order_by("history_date", "history_id").last()
    assert (last.history_type, last.speaker_id) == ("~", keep.pk)


def test_a_merge_past_the_alias_limit_changes_nothing(alice):
    article = make_article(body="Andrey Belousov said it.")
    keep = Speaker.objects.create(name="Andrei Belousov", aliases=[f"A{n}" for n in range(15)])
    duplicate = Speaker.objects.create(name="Andrey Belousov", aliases=[f"B{n}" for n in range(5)])
    span = make_annotation(article, alice, "attribution", "Andrey Belousov said", speaker=duplicate)

    with pytest.raises(ValidationError, match="at most 20 aliases, not 21"):
        keep.merge([duplicate])

    span.refresh_from_db()
    keep.refresh_from_db()
    assert span.speaker == duplicate and len(keep.aliases) == 15
    assert Speaker.objects.filter(pk=duplicate.pk).exists()


def test_admin_says_why_a_merge_past_the_alias_limit_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-test-only"))
    keep = Speaker.objects.create(name="Keep", aliases=[f"A{n}" for n in range(20)])
    duplicate = Speaker.objects.create(name="Duplicate")
    response = client.post(
        "/admin/annotator/speaker/",
        {
            "action": "merge_speakers",
            "_selected_action": [keep.pk, duplicate.pk],
            "survivor": keep.pk,
        },
        follow=True,
    )
    assert b"A speaker has at most 20 aliases, not 21." in response.content
    assert Speaker.objects.count() == 2
