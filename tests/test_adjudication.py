"""Staff build the adjudicated layer and mark it complete; summaries then use it."""

import re

import pytest
from django.test import Client

from annotator import adjudication
from annotator.models import Adjudication, Annotation
from annotator.profiles import evidence
from annotator.profiles.reading import source_profiles

from .conftest import logged_in, make_annotation, make_article

pytestmark = pytest.mark.django_db
BODY = "Officials said the dam will open in May. Critics call it reckless."
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def disputed(alice, bob):
    article = make_article(body=BODY)
    said = make_annotation(article, alice, "attribution", "Officials said", speaker_type="vague")
    claim = make_annotation(article, alice, "claim", "the dam will open in May", attribution=said)
    make_annotation(article, bob, "claim", "the dam will open")
    return article, said, claim


def test_page_marks_disagreements_side_by_side(carol, disputed):
    article, _, _ = disputed
    page = logged_in(carol).get(f"/articles/{article.pk}/adjudicate/").content.decode()
    assert "boundaries differ" in page
    assert "not every reviewer marked this" in page
    assert "2 disagreement(s)" in page


def test_reviewers_cannot_adjudicate(alice, disputed):
    article, _, _ = disputed
    assert logged_in(alice).get(f"/articles/{article.pk}/adjudicate/").status_code == 403


def test_accepting_copies_the_span_and_its_link(carol, disputed):
    article, said, claim = disputed
    client = logged_in(carol)
    client.post(f"/articles/{article.pk}/adjudicate/", {"action": "accept", "span": said.pk})
    client.post(f"/articles/{article.pk}/adjudicate/", {"action": "accept", "span": claim.pk})
    layer = Annotation.objects.adjudicated().order_by("start")
    assert [(a.label, a.quote) for a in layer] == [
        ("attribution", "Officials said"),
        ("claim", "the dam will open in May"),
    ]
    assert layer[1].attribution == layer[0]
    assert layer[1].adjudicated_from == claim
    assert Adjudication.objects.get(article=article).adjudicator == carol


def test_rejecting_removes_the_span_but_keeps_the_layer(carol, disputed):
    article, said, _ = disputed
    copy = adjudication.accept(said, carol)
    logged_in(carol).post(
        f"/articles/{article.pk}/adjudicate/", {"action": "reject", "span": copy.pk}
    )
    assert not Annotation.objects.adjudicated().exists()
    assert Adjudication.objects.filter(article=article).exists()


def test_summaries_switch_to_the_adjudicated_layer_once_complete_and_back(carol, disputed):
    article, said, claim = disputed

    def sourcing_rate():
        [profile] = source_profiles(carol, [article.source])
        return profile.articles[0].figures.basis, profile.figures.value("sourcing_rate")

    # alice: 1 claim, linked -> 1.0; bob: 1 claim unlinked -> 0.0; mean 0.5
    assert sourcing_rate() == ("reviewers", pytest.approx(0.5))
    adjudication.accept(said, carol)
    adjudication.accept(claim, carol)
    assert sourcing_rate() == ("reviewers", pytest.approx(0.5))  # in progress
    layer = Adjudication.objects.get(article=article)
    layer.mark_complete(carol)
    assert sourcing_rate() == ("adjudicated", pytest.approx(1.0))
    layer.reopen()
    assert sourcing_rate() == ("reviewers", pytest.approx(0.5))
    layer.mark_complete(carol)
    adjudication.discard(article)
    assert sourcing_rate() == ("reviewers", pytest.approx(0.5))


def test_a_started_empty_layer_replaces_the_mean_only_once_complete(bob, carol, disputed):
    """Today's bug: an empty layer, merely started, zeroed the article. Its figure and
    its evidence follow the same rule in both states."""
    article, _, _ = disputed
    make_annotation(article, bob, "opinion", "Critics call it reckless")
    key = "author_opinion_per_1000"

    def figure_and_evidence():
        [profile] = source_profiles(carol, [article.source])
        spans = evidence.counted_spans(carol, article.source, key)
        return profile.figures.value(key), profile.figures.values[key]["articles"], spans.count()

    # alice: no opinion (0); bob: one in his own voice; the mean of the two
    reviewers_mean = (0 + 1000 / article.word_count) / 2
    assert figure_and_evidence() == (pytest.approx(reviewers_mean), 1, 1)
    adjudication.start_empty(article, carol)
    assert figure_and_evidence() == (pytest.approx(reviewers_mean), 1, 1)
    Adjudication.objects.get(article=article).mark_complete(carol)
    assert figure_and_evidence() == (pytest.approx(0.0), 1, 0)


def test_reviewers_never_see_the_adjudicated_layer(api_as, alice, carol, disputed):
    article, said, _ = disputed
    copy = adjudication.accept(said, carol)
    rows = api_as(alice).get(f"/api/articles/{article.pk}/annotations/").json()["results"]
    assert copy.pk not in [row["id"] for row in rows]
    assert api_as(alice).get(f"/api/annotations/{copy.pk}/").status_code == 404


def test_any_staff_member_may_edit_the_adjudicated_layer(
    api_as, carol, django_user_model, disputed
):
    article, said, _ = disputed
    copy = adjudication.accept(said, carol)
    other_staff = django_user_model.objects.create_user("erin", is_staff=True)
    response = api_as(other_staff).patch(
        f"/api/annotations/{copy.pk}/", {"cue_stance": "neutral"}, format="json"
    )
    assert response.status_code == 200
    copy.refresh_from_db()
    assert copy.cue_stance == "neutral"


def strict_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def page_of(client, article):
    return client.get(f"/articles/{article.pk}/adjudicate/").content.decode()


def decide(client, article, **data):
    """POST one of the page's buttons with the CSRF token the page carries."""
    [token, *_] = TOKEN.findall(page_of(client, article))
    return client.post(
        f"/articles/{article.pk}/adjudicate/", {"csrfmiddlewaretoken": token, **data}
    )


def disagreements(page):
    return int(re.search(r"data-disagreements>(\d+) disagreement", page).group(1))


def outcomes(page):
    return re.findall(r'data-outcome="([a-z-]+)"', page)


def test_staff_mark_the_layer_complete_and_reopen_it(carol, disputed):
    article, said, _ = disputed
    client = strict_client(carol)
    assert decide(client, article, action="accept", span=said.pk).status_code == 302
    page = page_of(client, article)
    assert 'data-layer-state="in-progress"' in page and "in progress" in page
    assert "Mark the adjudicated layer complete" in page

    assert decide(client, article, action="complete").status_code == 302
    layer = Adjudication.objects.get(article=article)
    assert layer.completed_by == carol and layer.completed_at is not None
    page = page_of(client, article)
    assert 'data-layer-state="complete"' in page and "Marked complete by carol" in page
    assert 'value="reopen"' in page

    assert decide(client, article, action="reopen").status_code == 302
    layer.refresh_from_db()
    assert (layer.completed_by, layer.completed_at) == (None, None)


def test_completing_needs_a_layer_and_reopening_a_complete_one(carol, disputed):
    article, _, _ = disputed
    client = strict_client(carol)
    refused = decide(client, article, action="complete")
    assert refused.status_code == 400
    assert "action: There is no adjudicated layer to mark complete" in refused.content.decode()
    decide(client, article, action="start")
    refused = decide(client, article, action="reopen")
    assert refused.status_code == 400
    assert "action: The adjudicated layer is not complete" in refused.content.decode()
    decide(client, article, action="complete")
    assert decide(client, article, action="complete").status_code == 400
    assert Adjudication.objects.get(article=article).completed_by == carol


@pytest.mark.parametrize("who, status", [("alice", 403), ("dave", 403), ("carol", 302)])
def test_only_staff_complete_a_layer(request, carol, disputed, who, status):
    article, _, _ = disputed
    adjudication.start_empty(article, carol)
    client = strict_client(request.getfixturevalue(who))
    client.cookies["csrftoken"] = secret = "a" * 32  # the same valid token for each
    response = client.post(
        f"/articles/{article.pk}/adjudicate/",
        {"action": "complete", "csrfmiddlewaretoken": secret},
    )
    assert response.status_code == status
    completed = Adjudication.objects.get(article=article).completed_at is not None
    assert completed == (status == 302)


def test_a_post_without_its_csrf_token_is_refused(carol, disputed):
    article, _, _ = disputed
    adjudication.start_empty(article, carol)
    response = strict_client(carol).post(
        f"/articles/{article.pk}/adjudicate/", {"action": "complete"}
    )
    assert response.status_code == 403
    assert Adjudication.objects.get(article=article).completed_at is None


def test_each_span_shows_its_whole_quote_and_offsets(alice, bob, carol):
    body = (
        "The ministry said that the new reservoir on the upper river will supply every "
        "household in the valley with clean water by the end of next year, officials added."
    )
    article = make_article(body=body)
    short = "the new reservoir on the upper river will supply every household in the valley"
    long = f"{short} with clean water by the end of next year"
    make_annotation(article, alice, "claim", short)
    make_annotation(article, bob, "claim", long)
    page = page_of(logged_in(carol), article)
    for quote in (short, long):
        start = body.index(quote)
        assert (
            f'{start}–{start + len(quote)}</span> <q class="text-break" data-quote>{quote}</q>'
            in page
        )


def test_disagreement_count_follows_each_decision(carol, disputed):
    article, said, _ = disputed
    bobs_claim = Annotation.objects.get(reviewer__username="bob")
    client = strict_client(carol)
    assert disagreements(page_of(client, article)) == 2
    decide(client, article, action="accept", span=said.pk)
    assert disagreements(page_of(client, article)) == 1
    decide(client, article, action="reject", span=Annotation.objects.adjudicated().get().pk)
    assert disagreements(page_of(client, article)) == 1  # rejected is decided too
    decide(client, article, action="accept", span=bobs_claim.pk)
    assert disagreements(page_of(client, article)) == 0


def test_rows_nobody_touched_are_not_rejected(carol, disputed):
    article, said, _ = disputed
    client = strict_client(carol)
    decide(client, article, action="start")
    page = page_of(client, article)
    assert outcomes(page) == ["undecided", "undecided"]
    assert "rejected by" not in page
    decide(client, article, action="accept", span=said.pk)
    decide(client, article, action="reject", span=Annotation.objects.adjudicated().get().pk)
    page = page_of(client, article)
    assert outcomes(page) == ["rejected", "undecided"]
    assert "rejected by carol" in page
    decide(client, article, action="complete")
    assert outcomes(page_of(client, article)) == ["rejected", "left-out"]


def test_a_discarded_layers_rejections_are_not_the_next_ones(carol, disputed):
    article, said, _ = disputed
    adjudication.reject(adjudication.accept(said, carol), carol)
    adjudication.discard(article)
    adjudication.start_empty(article, carol)
    assert outcomes(page_of(logged_in(carol), article)) == ["undecided", "undecided"]


def test_edit_its_fields_opens_the_adjudicated_layer(carol, disputed):
    article, _, _ = disputed
    adjudication.start_empty(article, carol)
    page = page_of(logged_in(carol), article)
    assert f'href="{article.get_absolute_url()}?view=adjudicated" data-edit-layer' in page
    assert "?layer=" not in page
