"""Links and anchors never lie.

A link always points at an attribution of the same article, reviewer and layer:
a request that would make a wrong link is refused (400 naming ``attribution``);
a change that would break links (relabelling or deleting an attribution,
rejecting it in adjudication) unlinks those spans in the same transaction, with
their history, and says so. An orphaned span says so in every API answer and is
never given offsets into a body that no longer holds its quote.
"""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import Client

from annotator import adjudication
from annotator.models import Annotation

from .conftest import make_annotation, make_article
from .test_export import W3C_CHECK, validate_jsonl_line, validate_native

pytestmark = pytest.mark.django_db
BODY = "Officials said the bridge will open in May. Critics call it a crucial link."


class JSONClient:
    """A browser session's API calls, with CSRF enforced as in the browser."""

    def __init__(self, user):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.client.get("/articles/")  # a page sets the CSRF cookie

    def send(self, method, path, body=None):
        kwargs = {"HTTP_X_CSRFTOKEN": self.client.cookies["csrftoken"].value}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method)(path, **kwargs)


@pytest.fixture
def linked(alice):
    article = make_article(body=BODY)
    said = make_annotation(article, alice, "attribution", "Officials said")
    claim = make_annotation(
        article, alice, "claim", "the bridge will open in May", attribution=said
    )
    opinion = make_annotation(article, alice, "opinion", "a crucial link", attribution=said)
    return article, said, claim, opinion


def unlinked_with_history(span, user):
    span.refresh_from_db()
    last = span.history.order_by("history_date", "history_id").last()
    return span.attribution_id is None and last.attribution_id is None and last.history_user == user


def test_relabelling_an_attribution_unlinks_its_spans_and_says_so(alice, linked):
    _, said, claim, opinion = linked
    response = JSONClient(alice).send("patch", f"/api/annotations/{said.pk}/", {"label": "claim"})
    assert response.status_code == 200
    assert response.json()["label"] == "claim"
    assert response.json()["unlinked"] == [claim.pk, opinion.pk]
    assert response.json()["detail"] == "2 linked claim(s)/opinion(s) were unlinked."
    assert unlinked_with_history(claim, alice) and unlinked_with_history(opinion, alice)
    # The unlinked claim can be edited again.
    edited = JSONClient(alice).send("patch", f"/api/annotations/{claim.pk}/", {"note": "ok"})
    assert edited.status_code == 200 and "unlinked" not in edited.json()


def test_the_export_of_a_relabelled_attribution_imports_again(alice, linked, tmp_path):
    _, said, _, _ = linked
    JSONClient(alice).send("patch", f"/api/annotations/{said.pk}/", {"label": "opinion"})
    path = tmp_path / "export.json"
    call_command("export_annotations", output=str(path))
    Annotation.objects.all().delete()
    call_command("import_annotations", str(path), quiet=True)
    assert sorted(Annotation.objects.values_list("label", "attribution")) == [
        ("claim", None),
        ("opinion", None),
        ("opinion", None),
    ]


def test_deleting_an_attribution_by_the_api_unlinks_and_says_so(alice, linked):
    _, said, claim, opinion = linked
    client = JSONClient(alice)
    response = client.send("delete", f"/api/annotations/{said.pk}/")
    assert response.status_code == 200
    assert response.json()["unlinked"] == [claim.pk, opinion.pk]
    assert unlinked_with_history(claim, alice) and unlinked_with_history(opinion, alice)
    assert client.send("delete", f"/api/annotations/{claim.pk}/").status_code == 204


def test_deleting_an_attribution_by_the_page_form_unlinks_with_history(alice, linked):
    _, said, claim, _ = linked
    client = JSONClient(alice).client
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/articles/{said.article_id}/annotations/delete/",
        {"csrfmiddlewaretoken": token, "annotation": said.pk},
        follow=True,
    )
    assert response.redirect_chain[0][1] == 302
    assert "Annotation deleted. 2 linked claim(s)/opinion(s) were unlinked." in [
        str(message) for message in response.context["messages"]
    ]
    assert unlinked_with_history(claim, alice)


def test_deleting_an_attribution_through_the_model_unlinks_with_history(alice, linked):
    _, said, claim, _ = linked
    said.delete()  # as admin deletes one span
    claim.refresh_from_db()
    assert claim.attribution_id is None
    assert claim.history.filter(history_type="~", attribution__isnull=True).exists()


def test_deleting_attributions_in_bulk_unlinks_only_spans_left_behind(alice, linked):
    _, said, claim, opinion = linked
    Annotation.objects.filter(pk__in=[said.pk, opinion.pk]).delete()  # as admin's bulk action
    claim.refresh_from_db()
    assert claim.attribution_id is None
    assert claim.history.filter(history_type="~", attribution__isnull=True).exists()
    assert not Annotation.history.filter(id=opinion.pk, history_type="~").exists()


@pytest.mark.parametrize(
    ("target", "reason"),
    [("claim", "must point to an attribution"), ("elsewhere", "another article")],
)
def test_a_patch_making_a_wrong_link_is_refused_naming_attribution(alice, linked, target, reason):
    article, said, claim, opinion = linked
    targets = {
        "claim": claim,
        "elsewhere": make_annotation(
            make_article(body="Officials said so."), alice, "attribution", "said"
        ),
    }
    response = JSONClient(alice).send(
        "patch", f"/api/annotations/{opinion.pk}/", {"attribution": targets[target].pk}
    )
    assert response.status_code == 400
    assert reason in response.json()["attribution"][0]
    opinion.refresh_from_db()
    assert opinion.attribution_id == said.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 999),
        ("article", 999),
        ("reviewer", "bob"),
        ("layer", "adjudicated"),
        ("created", "2020-01-01T00:00:00Z"),
        ("updated", "2020-01-01T00:00:00Z"),
        ("prefix", "x"),
        ("orphaned", True),
    ],
)
def test_a_patch_of_a_read_only_field_is_a_400_naming_it(alice, linked, field, value):
    _, _, claim, _ = linked
    before = Annotation.objects.filter(pk=claim.pk).values().get()
    response = JSONClient(alice).send("patch", f"/api/annotations/{claim.pk}/", {field: value})
    assert response.status_code == 400
    assert response.json() == {field: [f"{field} is read-only."]}
    assert Annotation.objects.filter(pk=claim.pk).values().get() == before


def test_accepting_a_claim_before_its_attribution_links_the_copies(carol, linked):
    _, said, claim, opinion = linked
    claim_copy = adjudication.accept(claim, carol)
    assert claim_copy.attribution_id is None  # nothing to link to yet
    said_copy = adjudication.accept(said, carol)
    claim_copy.refresh_from_db()
    assert claim_copy.attribution == said_copy
    # and the other order, as before
    assert adjudication.accept(opinion, carol).attribution == said_copy


def test_rejecting_an_adjudicated_attribution_unlinks_its_copies(carol, linked):
    _, said, claim, _ = linked
    said_copy = adjudication.accept(said, carol)
    claim_copy = adjudication.accept(claim, carol)
    assert adjudication.reject(said_copy, carol) == [claim_copy.pk]
    claim_copy.refresh_from_db()
    assert claim_copy.attribution_id is None
    assert claim_copy.history.filter(history_type="~", attribution__isnull=True).exists()


@pytest.fixture
def orphan(alice, linked, tmp_path):
    article, said, _, _ = linked
    new_body = tmp_path / "new.txt"
    new_body.write_text("Nobody is quoted now: the bridge will open in May. It is a crucial link.")
    call_command("change_body", str(article.pk), str(new_body))
    said.refresh_from_db()
    assert said.orphaned
    return said


def test_an_orphan_says_so_in_every_api_answer_without_offsets(alice, orphan):
    client = JSONClient(alice)
    listed = client.send("get", f"/api/articles/{orphan.article_id}/annotations/").json()
    rows = {row["id"]: row for row in listed["results"]}
    detail = client.send("get", f"/api/annotations/{orphan.pk}/").json()
    for answer in (rows[orphan.pk], detail):
        assert (answer["orphaned"], answer["start"], answer["end"]) == (True, None, None)
        assert answer["quote"] == "Officials said"
    placed = [row for pk, row in rows.items() if pk != orphan.pk]
    assert placed and all(row["orphaned"] is False and row["start"] is not None for row in placed)
    created = client.send(
        "post",
        f"/api/articles/{orphan.article_id}/annotations/",
        {"label": "opinion", "start": 0, "end": 6},
    )
    assert created.status_code == 201 and created.json()["orphaned"] is False


def test_an_orphan_cannot_be_changed_but_can_be_deleted(alice, orphan):
    client = JSONClient(alice)
    response = client.send("patch", f"/api/annotations/{orphan.pk}/", {"note": "x"})
    assert response.status_code == 400 and "orphaned" in response.json()
    orphan.refresh_from_db()
    assert orphan.quote == "Officials said" and orphan.note == ""
    assert client.send("delete", f"/api/annotations/{orphan.pk}/").status_code == 200


def exported(user, fmt):
    response = JSONClient(user).send("get", f"/api/export/?format={fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_an_orphan_says_so_in_every_export_format_without_offsets(alice, orphan):
    native = json.loads(exported(alice, "native"))
    validate_native(native)
    lines = [json.loads(line) for line in exported(alice, "jsonl").splitlines()]
    for line in lines:
        validate_jsonl_line(line)
    for record in (native["articles"][0], lines[0]):
        spans = {span["id"]: span for span in record["annotations"]}
        assert (spans[orphan.pk]["orphaned"], spans[orphan.pk]["start"]) == (True, None)
        assert spans[orphan.pk]["end"] is None and spans[orphan.pk]["quote"] == "Officials said"
        placed = [span for pk, span in spans.items() if pk != orphan.pk]
        assert placed and all(span["orphaned"] is False for span in placed)
    items = json.loads(exported(alice, "w3c"))["first"]["items"]
    [item] = [i for i in items if i["id"].endswith(f":{orphan.pk}")]
    assert item["nra:orphaned"] is True
    assert [s["type"] for s in item["target"]["selector"]] == ["TextQuoteSelector"]
    assert all(i["nra:orphaned"] is False for i in items if i is not item)


def test_a_w3c_export_with_an_orphan_passes_the_w3c_must_checks(alice, orphan, tmp_path):
    path = tmp_path / "export.jsonld"
    path.write_text(exported(alice, "w3c"))
    result = subprocess.run(
        [sys.executable, str(W3C_CHECK), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")


def adjudicate(user, article_id, action, span, **options):
    """A button on the adjudication page pressed by ``user``, with CSRF enforced."""
    client = JSONClient(user).client
    form = {
        "action": action,
        "span": span,
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
    }
    return client.post(f"/articles/{article_id}/adjudicate/", form, **options)


def test_rejecting_on_the_adjudication_page_says_what_it_unlinked(carol, linked):
    article, said, claim, _ = linked
    said_copy = adjudication.accept(said, carol)
    adjudication.accept(claim, carol)
    response = adjudicate(carol, article.pk, "reject", said_copy.pk, follow=True)
    assert (
        "Removed the span from the adjudicated layer. 1 linked claim(s)/opinion(s) were unlinked."
        in [str(message) for message in response.context["messages"]]
    )


def test_an_orphan_cannot_be_accepted_on_the_adjudication_page(carol, orphan):
    response = adjudicate(carol, orphan.article_id, "accept", orphan.pk)
    assert response.status_code == 404
    assert not Annotation.objects.adjudicated().exists()


@pytest.mark.parametrize("fmt", ["native", "jsonl", "w3c"])
def test_an_export_holding_an_orphan_imports_again(alice, orphan, tmp_path, capsys, fmt):
    path = tmp_path / f"export.{fmt}"
    path.write_text(exported(alice, fmt))
    columns = ("label", "quote", "start", "end", "attribution", "orphaned")
    before = sorted(Annotation.objects.values_list("pk", *columns))
    call_command("import_annotations", str(path))  # into the same database: nothing changes
    assert sorted(Annotation.objects.values_list("pk", *columns)) == before
    assert "1 orphaned (their quote is not in the body) skipped" in capsys.readouterr().err

    Annotation.objects.all().delete()  # as another database: the orphan is nowhere to link to
    call_command("import_annotations", str(path))
    assert sorted(Annotation.objects.values_list("label", "quote", "attribution", "orphaned")) == [
        ("claim", "the bridge will open in May", None, False),
        ("opinion", "a crucial link", None, False),
    ]
    assert "2 linked to a skipped orphan were imported unlinked" in capsys.readouterr().err
