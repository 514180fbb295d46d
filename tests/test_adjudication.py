"""Staff build the adjudicated layer; summaries then use it."""

import pytest

from annotator import adjudication
from annotator.models import Adjudication, Annotation
from annotator.profiles.reading import source_profiles

from .conftest import logged_in, make_annotation, make_article

pytestmark = pytest.mark.django_db
BODY = "Officials said the dam will open in May. Critics call it reckless."


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


def test_summaries_switch_to_the_adjudicated_layer_and_back(carol, disputed):
    article, said, claim = disputed
    [before] = source_profiles(carol, [article.source])
    # alice: 1 claim, linked -> 1.0; bob: 1 claim unlinked -> 0.0; mean 0.5
    assert before.figures.value("sourcing_rate") == pytest.approx(0.5)
    adjudication.accept(said, carol)
    adjudication.accept(claim, carol)
    [after] = source_profiles(carol, [article.source])
    assert after.articles[0].figures.basis == "adjudicated"
    assert after.figures.value("sourcing_rate") == pytest.approx(1.0)
    adjudication.discard(article)
    [reverted] = source_profiles(carol, [article.source])
    assert reverted.figures.value("sourcing_rate") == pytest.approx(0.5)


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
