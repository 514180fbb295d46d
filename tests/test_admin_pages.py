"""What admins see: the product's name, a span's form by its label, short list columns,
changelists in a constant number of queries, a way back from merging speakers, and a
restored span said to be restored."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from annotator.models import Adjudication, Annotation, ArticleReview, Assignment, Speaker

from .conftest import make_annotation, make_article, make_source
from .test_admin_ownership import CHANGE_FIELDS, admin_client

pytestmark = pytest.mark.django_db

LONG_TITLE = "A headline far longer than any list column should show in one row " * 3
LONG_QUOTE = "Officials said the bridge will open in May and that every lane will be ready"
BODY = f"{LONG_QUOTE}. It is a crucial link."


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-test-only")


def test_admin_names_the_product(root):
    page = admin_client(root).get("/admin/").content.decode()
    assert '<a href="/admin/">Newsroom annotator administration</a>' in page
    assert "<title>Administration | Newsroom annotator</title>" in page


def test_a_claims_form_shows_only_the_fields_a_claim_owns(root, alice):
    claim = make_annotation(make_article(body=BODY), alice, "claim", LONG_QUOTE)
    page = admin_client(root).get(f"/admin/annotator/annotation/{claim.pk}/change/")
    form = page.context["adminform"].form
    assert set(form.fields) == {"check_worthy", "hedged", "attribution", "note"}
    assert "Claim fields" in page.content.decode()
    for attribution_only in ("speaker", "speaker_type", "cue_stance", "quote_type"):
        assert f'name="{attribution_only}"' not in page.content.decode()


def test_an_attributions_form_shows_only_the_fields_an_attribution_owns(root, alice):
    span = make_annotation(make_article(body=BODY), alice, "attribution", "Officials said")
    form = admin_client(root).get(f"/admin/annotator/annotation/{span.pk}/change/")
    assert set(form.context["adminform"].form.fields) == {
        "speaker",
        "speaker_type",
        "cue_stance",
        "quote_type",
        "counter_voice",
        "note",
    }


def test_a_posted_field_the_label_does_not_own_is_ignored(root, alice):
    claim = make_annotation(make_article(body=BODY), alice, "claim", LONG_QUOTE)
    response = admin_client(root).post(
        f"/admin/annotator/annotation/{claim.pk}/change/",
        {**CHANGE_FIELDS, "speaker_type": "vague", "note": "checked"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.speaker_type == "" and claim.note == "checked"


def test_list_columns_show_the_start_of_long_quotes_and_titles(root, alice):
    article = make_article(body=BODY, title=LONG_TITLE)
    make_annotation(article, alice, "claim", LONG_QUOTE)
    client = admin_client(root)
    spans = client.get("/admin/annotator/annotation/").content.decode()
    quote_cell = '<td class="field-quote_excerpt">Officials said the bridge will open in May'
    assert f"{quote_cell} and that every l…</td>" in spans
    assert '<td class="field-article_title">A headline far longer than any list col…' in spans
    articles = client.get("/admin/annotator/article/").content.decode()
    assert ">A headline far longer than any list col…</a>" in articles


def fill_every_changelist(rows, reviewer, staff):
    """``rows`` of each model the changelists below list, each with its own article."""
    for index in range(rows):
        source = make_source(f"Outlet {index}")
        article = make_article(body=f"{index}: {BODY}", title=f"Article {index}", source=source)
        make_annotation(article, reviewer, "claim", LONG_QUOTE)
        make_annotation(article, reviewer, "opinion", "crucial").delete()
        ArticleReview.objects.create(
            article=article, reviewer=reviewer, done=True, done_at=timezone.now()
        )
        Assignment.objects.create(article=article, reviewer=reviewer, assigned_by=staff)
        Adjudication.objects.create(article=article, adjudicator=staff)
        Speaker.objects.create(name=f"Speaker {index}")


# The session, the user, the count and the page's rows, plus one for each list filter
# with choices from the database (reviewers, sources).
CHANGELIST_QUERIES = {
    "annotation": 7,
    "article": 6,
    "speaker": 5,
    "source": 5,
    "articlereview": 6,
    "assignment": 6,
    "adjudication": 5,
    "historicalannotation": 6,
}


@pytest.mark.parametrize("rows", [2, 10])
@pytest.mark.parametrize("model", CHANGELIST_QUERIES)
def test_changelist_queries_do_not_grow_with_its_rows(
    django_assert_num_queries, root, alice, rows, model
):
    fill_every_changelist(rows, alice, root)
    client = admin_client(root)
    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        page = client.get(f"/admin/annotator/{model}/")
    assert len(page.context["cl"].result_list) >= rows  # (the migrations add a source)


def test_merge_page_has_a_cancel_back_to_the_speakers(root):
    speakers = [Speaker.objects.create(name=name) for name in ("Sergei Lavrov", "S. Lavrov")]
    client = admin_client(root)
    page = client.post(
        "/admin/annotator/speaker/",
        {"action": "merge_speakers", "_selected_action": [each.pk for each in speakers]},
    ).content.decode()
    assert '<a href="/admin/annotator/speaker/" class="button cancel-link">Cancel</a>' in page
    assert client.get("/admin/annotator/speaker/").status_code == 200
    assert Speaker.objects.count() == 2


def test_restoring_a_deleted_span_says_restored_and_shows_it(root, alice):
    span = make_annotation(make_article(body=BODY), alice, "claim", LONG_QUOTE, note="kept")
    pk, version = span.pk, span.history.get()
    span.delete()
    response = admin_client(root).post(
        f"/admin/annotator/annotation/{pk}/history/{version.history_id}/",
        {"note": "kept", **CHANGE_FIELDS},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/annotator/annotation/{pk}/change/"
    [message] = [str(each) for each in get_messages(response.wsgi_request)]
    assert "was restored" in message and "changed" not in message
    assert Annotation.objects.get(pk=pk).note == "kept"


def test_reverting_a_span_that_exists_is_still_said_to_be_changed(root, alice):
    span = make_annotation(make_article(body=BODY), alice, "claim", LONG_QUOTE, note="first")
    version = span.history.get()
    client = admin_client(root)
    client.post(
        f"/admin/annotator/annotation/{span.pk}/change/", {"note": "second", **CHANGE_FIELDS}
    )
    response = client.post(
        f"/admin/annotator/annotation/{span.pk}/history/{version.history_id}/",
        {"note": "first", **CHANGE_FIELDS},
    )
    *_, message = [str(each) for each in get_messages(response.wsgi_request)]
    assert "was changed successfully" in message and "restored" not in message
