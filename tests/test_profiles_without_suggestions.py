"""Profiles with and without the spans reviewers made by accepting a suggestion.

Without them, a profile's figures are those of the same spans with every accepted
suggestion taken away; its evidence lists exactly what those figures count; the default
view counts every span and reads what it read before.
"""

import pytest
from django.db.models import Q

from annotator.models import Annotation, ArticleReview, Label, Source, UnitFiguresByHand
from annotator.profiles import evidence, maths, storage
from annotator.profiles.presentation import profile_payload
from annotator.profiles.reading import source_profiles

from .conftest import api_client, logged_in
from .test_evidence_links import article_links, page_data
from .test_seed_profile import annotated, seeds  # noqa: F401 (the seed scenario)

pytestmark = pytest.mark.django_db

ENGINE = "newsroom-rules/0.3.1"
SPAN_METRICS = [metric.key for metric in maths.METRICS if metric.counts]


@pytest.fixture
def suggested(annotated):  # noqa: F811 (the seed scenario's fixture, used here)
    """About half of the reviewers' claims and opinions, and the attributions no span links
    to, marked as accepted suggestions, every unit's figures stored again."""
    linked_to = Annotation.objects.exclude(attribution=None).values("attribution")
    candidates = (
        Annotation.objects.raw()
        .filter(Q(label__in=[Label.CLAIM, Label.OPINION]) | ~Q(pk__in=linked_to))
        .order_by("pk")
    )
    chosen = [pk for index, pk in enumerate(candidates.values_list("pk", flat=True)) if index % 2]
    Annotation.objects.filter(pk__in=chosen).update(suggested_by=ENGINE)
    storage.refresh(Annotation.objects.values_list("article_id", flat=True))
    return chosen


def figures(user, **options):
    return [
        profile_payload(profile, {"id": profile.source.pk})
        for profile in source_profiles(user, intervals=True, **options)
    ]


def without_suggestions_by_deleting(user):
    """The profiles of the same data with the accepted suggestions deleted, as "include"."""
    for span in Annotation.objects.exclude(suggested_by="").order_by("-pk"):
        span.delete()
    return figures(user)


# What rests on agreement, which stays the coders' own on every span they made: the
# cautions and reliability it gives each figure, and each article's agreement.
ON_AGREEMENT = ("cautions", "reliability", "agreement")


def without_agreement(value):
    if isinstance(value, dict):
        return {k: without_agreement(v) for k, v in value.items() if k not in ON_AGREEMENT}
    if isinstance(value, list):
        return [without_agreement(item) for item in value]
    return value


@pytest.mark.parametrize("who", ["carol", "alice"])
def test_figures_without_suggestions_are_those_of_the_spans_left(request, suggested, who):
    user = request.getfixturevalue(who)
    included = figures(user)
    excluded = figures(user, suggestions=maths.WITHOUT_SUGGESTIONS)
    assert [p["metrics"] for p in excluded] != [p["metrics"] for p in included]
    assert {p["suggestions"] for p in excluded} == {"exclude"}
    expected = without_suggestions_by_deleting(user)
    for mine, theirs in zip(excluded, expected, strict=True):
        for key in ("metrics", "label_counts", "reviewers", "per_article"):
            assert without_agreement(mine[key]) == without_agreement(theirs[key]), key


def test_agreement_stays_the_coders_own_without_suggestions(suggested, carol):
    included = figures(carol)
    excluded = figures(carol, suggestions=maths.WITHOUT_SUGGESTIONS)
    assert [p["agreement"] for p in excluded] == [p["agreement"] for p in included]


def test_units_of_accepted_suggestions_alone_are_no_units_without_them(suggested, alice):
    only = Annotation.objects.filter(reviewer=alice).first()
    Annotation.objects.filter(article=only.article, reviewer=alice).update(suggested_by=ENGINE)
    # Not done: a reviewer who marked the article done would count as a real zero.
    ArticleReview.objects.filter(article=only.article, reviewer=alice).delete()
    storage.refresh([only.article_id])
    assert UnitFiguresByHand.objects.get(article=only.article, reviewer=alice).figures == {}
    rows = {
        suggestions: next(
            row
            for profile in source_profiles(alice, suggestions=suggestions)
            for row in profile.articles
            if row.article.pk == only.article_id
        )
        for suggestions in (maths.WITH_SUGGESTIONS, maths.WITHOUT_SUGGESTIONS)
    }
    assert alice.pk in rows[maths.WITH_SUGGESTIONS].figures.reviewers
    assert alice.pk not in rows[maths.WITHOUT_SUGGESTIONS].figures.reviewers


def test_the_default_view_counts_every_span(suggested, carol):
    before = figures(carol)
    Annotation.objects.update(suggested_by="")
    storage.refresh(Annotation.objects.values_list("article_id", flat=True))
    assert not UnitFiguresByHand.objects.exists()
    assert figures(carol) == before


@pytest.mark.parametrize("who", ["carol", "alice"])
def test_evidence_without_suggestions_lists_what_those_figures_count(request, suggested, who):
    user = request.getfixturevalue(who)
    chosen = set(suggested)
    before = {}
    for source in Source.objects.all():
        for key in SPAN_METRICS:
            spans = evidence.counted_spans(user, source, key, maths.WITHOUT_SUGGESTIONS)
            included = evidence.counted_spans(user, source, key)
            before[source.pk, key] = set(spans.values_list("pk", flat=True))
            assert before[source.pk, key] == set(included.values_list("pk", flat=True)) - chosen
    without_suggestions_by_deleting(user)
    for (source_pk, key), ids in before.items():
        left = evidence.counted_spans(user, Source.objects.get(pk=source_pk), key)
        assert set(left.values_list("pk", flat=True)) == ids


def test_the_pages_say_which_view_they_show_and_carry_it_to_the_evidence(suggested, carol):
    client = logged_in(carol)
    source = Source.objects.filter(articles__annotations__suggested_by=ENGINE).first()
    page = client.get(f"/sources/{source.pk}/?suggestions=exclude").content.decode()
    assert 'data-suggestions-view="exclude"' in page and "Without accepted suggestions" in page
    assert f"/sources/{source.pk}/evidence/sourcing_rate/?suggestions=exclude" in page
    default = client.get(f"/sources/{source.pk}/").content.decode()
    assert 'data-suggestions-view="include"' in default
    assert "evidence/sourcing_rate/?suggestions" not in default
    listed = client.get("/sources/?suggestions=exclude").content.decode()
    assert f'href="/sources/{source.pk}/?suggestions=exclude"' in listed
    shown = client.get(f"/sources/{source.pk}/evidence/sourcing_rate/?suggestions=exclude")
    assert "suggestions=exclude" in shown.context["articles"][0].evidence_url
    article = shown.context["articles"][0]
    marked = client.get(article.evidence_url).content.decode()
    assert f"{article.spans} span" in marked


def test_the_json_says_which_view_it_is(suggested, carol):
    client = api_client(carol)
    source = Source.objects.first()
    answer = client.get(f"/api/sources/{source.pk}/summary/?suggestions=exclude").json()
    assert answer["suggestions"] == "exclude"
    assert "accepting a suggested span" in answer["suggestions_note"]
    assert client.get(f"/api/sources/{source.pk}/summary/").json()["suggestions"] == "include"
    table = logged_in(carol).get("/sources/table.json?suggestions=exclude")
    assert table.json()["suggestions"] == "exclude"
    assert "without-suggestions" in table["Content-Disposition"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/sources/{source}/summary/?suggestions=none",
        "/sources/?suggestions=none",
        "/sources/{source}/?suggestions=none",
        "/sources/table.csv?suggestions=none",
        "/sources/{source}/evidence/sourcing_rate/?suggestions=none",
    ],
)
def test_a_bad_view_is_a_400_naming_the_field(suggested, carol, path):
    source = Source.objects.first()
    client = api_client(carol) if path.startswith("/api/") else logged_in(carol)
    response = client.get(path.format(source=source.pk))
    assert response.status_code == 400
    assert "suggestions" in response.content.decode()


@pytest.mark.parametrize("who", ["carol", "alice"])
def test_evidence_links_without_suggestions_mark_only_what_those_figures_count(
    request, suggested, who
):
    user = request.getfixturevalue(who)
    client = logged_in(user)
    chosen, opened = set(suggested), 0
    for source in Source.objects.all():
        for key in SPAN_METRICS:
            expected = {}
            spans = evidence.counted_spans(user, source, key, maths.WITHOUT_SUGGESTIONS)
            for article_id, pk in spans.values_list("article_id", "pk"):
                expected.setdefault(article_id, set()).add(pk)
            path = f"/sources/{source.pk}/evidence/{key}/?suggestions=exclude"
            links = article_links(client.get(path).content.decode()) if expected else {}
            assert set(links) == set(expected), key
            for article_id, link in links.items():
                counted = set(page_data(client.get(link).content.decode())["counted"])
                assert counted == expected[article_id] and not counted & chosen, link
                opened += 1
    assert opened
