"""A figure's evidence links open the article page with exactly the spans it counts marked."""

import json
import re
from html import unescape

import pytest

from annotator import adjudication
from annotator.models import Adjudication, Annotation, Layer, Source
from annotator.profiles import maths

from .conftest import logged_in, make_annotation
from .test_evidence import SPAN_METRICS, facts_of, profiled_spans
from .test_seed_profile import annotated, seeds  # noqa: F401 (the seed scenario)

pytestmark = pytest.mark.django_db

PAGE_DATA = re.compile(r'<script id="page-data" type="application/json">(.*?)</script>', re.S)
MARKED_ITEM = re.compile(r'<li class="annotation-item label-\w+ is-counted">.*?</li>', re.S)


def page_data(html):
    return json.loads(PAGE_DATA.search(html).group(1))


def span_list(html):
    return html[html.index("data-annotation-list") : html.index('id="delete-annotation"')]


def marked_in_list(html):
    """The side list's items marked as counted, as the page serves them (no JavaScript)."""
    return MARKED_ITEM.findall(span_list(html))


def article_links(html):
    """The evidence page's links to its articles: {article id: the link}."""
    start = html.index("data-evidence-articles")
    listed = html[start : html.index("</ul>", start)]
    links = [unescape(href) for href in re.findall(r'href="([^"]+)"', listed)]
    return {int(re.match(r"/articles/(\d+)/", link).group(1)): link for link in links}


def expected_by_article(user, source, metric):
    """The ids of the spans ``metric`` counts for ``user``, per article, counted by hand."""
    spans = profiled_spans(user, source)
    facts = facts_of(spans)
    expected = {}
    for span in spans:
        if any(maths.COUNTED[name].holds(facts[span.pk]) for name in metric.counts):
            expected.setdefault(span.article_id, set()).add(span.pk)
    return expected


def assert_links_mark_what_is_counted(user):
    """Follows every figure's evidence links as ``user``; returns the spans marked in all."""
    client = logged_in(user)
    marked = 0
    for source in Source.objects.all():
        for metric in SPAN_METRICS:
            html = client.get(f"/sources/{source.pk}/evidence/{metric.key}/").content.decode()
            expected = expected_by_article(user, source, metric)
            if not expected:
                assert "data-evidence-articles" not in html
                continue
            links = article_links(html)
            assert set(links) == set(expected), metric.key
            for article_id, link in links.items():
                page = client.get(link)
                assert page.status_code == 200, link
                text = page.content.decode()
                count = len(expected[article_id])
                assert set(page_data(text)["counted"]) == expected[article_id], (metric.key, link)
                assert len(marked_in_list(text)) == count, (metric.key, link)
                assert f"Showing {count} span" in text and metric.name in text
                marked += count
    return marked


def test_every_evidence_link_marks_the_spans_its_figure_counts(annotated, alice, bob, carol):  # noqa: F811
    # One article's spans accepted into an adjudicated layer: staff's figures read it there.
    article = annotated["002"]
    for span in Annotation.objects.filter(article=article, reviewer=bob).order_by("pk")[:4]:
        adjudication.accept(span, carol)
    assert assert_links_mark_what_is_counted(carol)
    assert assert_links_mark_what_is_counted(alice)
    assert assert_links_mark_what_is_counted(bob)


def test_staff_evidence_links_open_the_layer_the_figure_reads(annotated, bob, carol):  # noqa: F811
    article = annotated["002"]
    claim = Annotation.objects.filter(article=article, reviewer=bob, label="claim").first()
    adjudication.accept(claim, carol)
    evidence_url = f"/sources/{article.source.pk}/evidence/sourcing_rate/"
    # A layer in progress does not stand for the article yet: its value, and the link,
    # stay with every reviewer's spans until staff mark the layer complete.
    links = article_links(logged_in(carol).get(evidence_url).content.decode())
    assert links[article.pk].endswith("?view=all&evidence=sourcing_rate")
    Adjudication.objects.get(article=article).mark_complete(carol)
    links = article_links(logged_in(carol).get(evidence_url).content.decode())
    assert links[article.pk].endswith("?view=adjudicated&evidence=sourcing_rate")
    others = [link for pk, link in links.items() if pk != article.pk]
    assert all(link.endswith("?view=all&evidence=sourcing_rate") for link in others)


def test_a_reviewer_sees_only_their_own_spans_through_the_evidence_parameter(
    annotated,  # noqa: F811
    alice,
    bob,
):
    article = annotated["002"]
    theirs = set(
        Annotation.objects.filter(article=article, reviewer=bob).values_list("pk", flat=True)
    )
    own_claims = set(
        Annotation.objects.filter(
            article=article, reviewer=alice, label="claim", orphaned=False
        ).values_list("pk", flat=True)
    )
    assert theirs and own_claims
    for view in ("all", "adjudicated", "mine"):
        html = logged_in(alice).get(
            f"{article.get_absolute_url()}?view={view}&evidence=sourcing_rate"
        )
        text = html.content.decode()
        data = page_data(text)
        assert {span["reviewer"] for span in data["annotations"]} == {"alice"}
        assert set(data["counted"]) == own_claims
        for pk in theirs:
            assert f'value="{pk}"' not in text and pk not in data["counted"]


@pytest.mark.parametrize("value", ["nonsense", "transparency", "", "sourcing_rate'"])
def test_a_bad_evidence_parameter_is_a_400_naming_it(alice, carol, article, value):
    for user in (alice, carol):
        response = logged_in(user).get(
            article.get_absolute_url(), {"view": "all", "evidence": value}
        )
        if value == "":
            assert response.status_code == 200
            continue
        assert response.status_code == 400
        assert "evidence: No figure that counts spans is named" in response.content.decode()


def test_marking_other_spans_of_one_article_never_serves_a_stale_span_list(
    alice, bob, carol, article
):
    said = make_annotation(article, alice, "attribution", "Officials said", speaker_type="vague")
    claim = make_annotation(
        article, alice, "claim", "the bridge will open in May", attribution=said
    )
    opinion = make_annotation(article, bob, "opinion", "crucial")
    client = logged_in(carol)
    url = article.get_absolute_url()
    for figure, counted in (
        ("sourcing_rate", claim),
        ("author_opinion_per_1000", opinion),
        ("weasel_share", said),
    ):
        page = client.get(url, {"view": "all", "evidence": figure})
        listed = marked_in_list(page.content.decode())
        assert len(listed) == 1 and counted.quote in listed[0], figure
    assert marked_in_list(client.get(url, {"view": "all"}).content.decode()) == []


def test_staff_open_an_article_from_its_source_page_in_the_layer_its_value_comes_from(
    alice, carol, article
):
    claim = make_annotation(article, alice, "claim", "the bridge will open in May")
    html = logged_in(carol).get(article.source.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}?view=all"' in html
    adjudication.accept(claim, carol)
    html = logged_in(carol).get(article.source.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}?view=all"' in html  # the layer is in progress
    Adjudication.objects.get(article=article).mark_complete(carol)
    html = logged_in(carol).get(article.source.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}?view=adjudicated"' in html
    assert (
        f'href="{article.get_absolute_url()}"'
        in logged_in(alice).get(article.source.get_absolute_url()).content.decode()
    )


def test_the_adjudicated_layer_is_what_staff_see_marked(alice, carol, article):
    claim = make_annotation(article, alice, "claim", "the bridge will open in May")
    copy = adjudication.accept(claim, carol)
    assert copy.layer == Layer.ADJUDICATED
    html = logged_in(carol).get(
        f"{article.get_absolute_url()}?view=adjudicated&evidence=sourcing_rate"
    )
    assert page_data(html.content.decode())["counted"] == [copy.pk]
