"""Source profile pages, the evidence behind each figure, the tables, the review form."""

import csv
import io
import json

import pytest

from annotator.models import ArticleReview
from annotator.profiles.reading import figure_cautions, source_profiles

from .conftest import api_client, logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotated(alice, bob):
    source = make_source("The Daily Test")
    article = make_article(
        body="Officials said the dam will open in May. It is crucial.", source=source
    )
    said = make_annotation(article, alice, "attribution", "Officials said", speaker_type="vague")
    make_annotation(
        article, alice, "claim", "the dam will open in May", attribution=said, check_worthy=True
    )
    make_annotation(article, bob, "claim", "the dam will open in May", check_worthy=True)
    make_annotation(article, bob, "opinion", "crucial")
    return source, article


def test_source_page_draws_a_chart_per_group_linking_to_evidence(carol, annotated):
    source, _ = annotated
    page = logged_in(carol).get(f"/sources/{source.pk}/").content.decode()
    # each chart drawn twice: for a phone and for wider screens
    assert page.count('class="chart-wide"') == page.count('class="chart-narrow"') == 3
    for title in ("Reliability-leaning", "Bias-leaning", "Trust"):
        assert title in page
    assert f'href="/sources/{source.pk}/evidence/sourcing_rate/"' in page
    assert "Greyed out" in page and "at least 15 are needed" in page


def test_every_chart_layout_keeps_its_bars_on_their_tracks_inside_the_drawing(carol, annotated):
    source, _ = annotated
    page = logged_in(carol).get(f"/sources/{source.pk}/")
    for _, chart in page.context["charts"]:
        for layout in chart["layouts"]:
            assert len(layout["rows"]) == len(chart["rows"])
            for _, at in layout["rows"]:
                track = at["track"]
                assert track["x"] >= 0 and track["end"] <= layout["width"]
                assert at["scale_y"] < layout["height"]
                if at["bar"]:
                    assert track["x"] <= at["bar"]["x"]
                    assert at["bar"]["x"] + at["bar"]["width"] <= track["end"] + 0.1


def test_evidence_lists_the_spans_a_figure_counts(carol, annotated):
    source, _ = annotated
    page = logged_in(carol).get(f"/sources/{source.pk}/evidence/unsupported_check_worthy_per_1000/")
    text = page.content.decode()
    assert "1 span(s)." in text
    assert "bob" in text and "alice" not in text.split("1 span(s).")[1]


def test_reviewer_evidence_shows_only_their_own_spans(alice, annotated):
    source, _ = annotated
    text = logged_in(alice).get(f"/sources/{source.pk}/evidence/sourcing_rate/").content.decode()
    assert "1 span(s)." in text
    assert "bob" not in text


def test_unknown_figure_is_404(carol, annotated):
    source, _ = annotated
    assert logged_in(carol).get(f"/sources/{source.pk}/evidence/nonsense/").status_code == 404


def test_transparency_evidence_lists_page_reviews(carol, alice, annotated):
    source, article = annotated
    ArticleReview.objects.create(article=article, reviewer=alice, genre="news", byline_shown=False)
    text = logged_in(carol).get(f"/sources/{source.pk}/evidence/transparency/").content.decode()
    assert "not shown" in text and "News" in text


def test_sources_table_downloads_share_the_pages_values(carol, annotated):
    client = logged_in(carol)
    rows = list(csv.DictReader(io.StringIO(client.get("/sources/table.csv").content.decode())))
    document = json.loads(client.get("/sources/table.json").content)
    [csv_row] = [row for row in rows if row["source"] == "The Daily Test"]
    [json_row] = [row for row in document["sources"] if row["source"] == "The Daily Test"]
    assert float(csv_row["sourcing_rate"]) == pytest.approx(json_row["sourcing_rate"]) == 0.5
    assert csv_row["greyed_out"] == "True" and json_row["greyed_out"] is True
    assert "sourcing_rate" in document["columns"]
    assert client.get("/sources/table.xml").status_code == 404


def test_agreement_page_is_for_staff(carol, alice, annotated):
    assert logged_in(alice).get("/agreement/").status_code == 403
    page = logged_in(carol).get("/agreement/").content.decode()
    assert "alice · bob" in page


def test_review_form_records_what_the_page_shows(alice, annotated):
    _, article = annotated
    response = logged_in(alice).post(
        f"/articles/{article.pk}/review/",
        {
            "genre": "analysis",
            "byline_shown": "true",
            "date_shown": "false",
            "bio_shown": "unknown",
            "headline_fidelity": "overstated",
            "note": "",
        },
    )
    assert response.status_code == 302
    review = ArticleReview.objects.get(article=article, reviewer=alice)
    assert (review.genre, review.byline_shown, review.date_shown, review.bio_shown) == (
        "analysis",
        True,
        False,
        None,
    )
    assert review.headline_fidelity == "overstated"


def test_review_form_refuses_an_unknown_genre(alice, annotated):
    _, article = annotated
    response = logged_in(alice).post(f"/articles/{article.pk}/review/", {"genre": "satire"})
    assert response.status_code == 400
    assert not ArticleReview.objects.filter(genre="satire").exists()


def test_metrics_help_explains_every_figure(alice):
    page = logged_in(alice).get("/guidelines/figures/").content.decode()
    for name in ("Sourcing rate", "Voice diversity", "Counter-voice rate", "Transparency"):
        assert name in page


def test_agreement_on_the_trust_chart_is_a_coefficient_not_a_percentage(carol, annotated):
    source, _ = annotated
    page = logged_in(carol).get(f"/sources/{source.pk}/")
    [trust] = [chart for title, chart in page.context["charts"] if title == "Trust"]
    [alpha] = [row for row in trust["rows"] if row["name"].startswith("Alpha, weakest label")]
    weakest = page.context["profile"].agreement["weakest_label"]
    assert alpha["name"] == f"Alpha, weakest label ({weakest['label']})"
    value = weakest["alpha"]
    assert alpha["display"] == f"{value:.2f}"
    assert "%" not in alpha["display"]
    assert f">{alpha['display']}<" in page.content.decode()


def many_articles(reviewer, count, source_name="The Many Test"):
    """``count`` articles of one source, article i with a claim that is sourced when i is
    odd: figures rest on ``count`` articles whose values differ."""
    source = make_source(source_name)
    for i in range(count):
        article = make_article(
            body=f"Officials said the dam will open in May. Story {i}.", source=source
        )
        said = make_annotation(article, reviewer, "attribution", "Officials said")
        make_annotation(
            article,
            reviewer,
            "claim",
            "the dam will open in May",
            attribution=said if i % 2 else None,
            check_worthy=True,
        )
    return source


def test_a_figure_on_few_articles_is_greyed_with_its_reason(carol, annotated):
    source, _ = annotated
    page = logged_in(carol).get(f"/sources/{source.pk}/")
    text = page.content.decode()
    sourcing = page.context["profile"].cautions["sourcing_rate"]
    assert "Rests on 1 article(s); at least 15 are needed." in sourcing
    assert f"Tentative: {' '.join(sourcing)}</div>" in text
    assert "data-profile-warning" in text  # the profile-wide banner stays
    # greyed by a marker and text, never by fading (Bootstrap's opacity drops contrast)
    assert ' greyed"' not in text and 'class="greyed' not in text


def test_a_figure_resting_on_a_label_of_weak_agreement_is_greyed(alice, carol):
    source = many_articles(alice, 15)
    figures = source_profiles(carol, [source])[0].figures
    weak = {"claim": 0.9, "opinion": 0.5, "attribution": None}
    cautions = figure_cautions(figures, weak, is_staff=True)
    # each figure names the weakest label it rests on, an unknown alpha weakest of all
    assert cautions["sourcing_rate"] == [
        "Agreement on attributions, the weakest label it rests on, is unknown."
    ]
    assert cautions["author_opinion_per_1000"] == [
        "Agreement on attributions, the weakest label it rests on, is unknown."
    ]
    known = {**weak, "attribution": 0.41}
    assert figure_cautions(figures, known, is_staff=True)["author_opinion_per_1000"] == [
        "Agreement on attributions, the weakest label it rests on (pooled alpha 0.41), "
        "is below 0.667."
    ]
    assert figure_cautions(figures, {**known, "attribution": 0.7}, is_staff=True)[
        "author_opinion_per_1000"
    ] == [
        "Agreement on opinions, the weakest label it rests on (pooled alpha 0.50), is below 0.667."
    ]
    assert cautions["transparency"] == ["Rests on 0 article(s); at least 15 are needed."]
    strong = dict.fromkeys(weak, 0.8)
    assert figure_cautions(figures, strong, is_staff=True)["author_opinion_per_1000"] == []
    # a reviewer's own view is greyed as a whole; agreement is not theirs to judge
    assert figure_cautions(figures, weak, is_staff=False)["sourcing_rate"] == []


def test_sources_table_marks_each_greyed_figure_with_its_reason(carol, annotated):
    page = logged_in(carol).get("/sources/").content.decode()
    assert "data-tentative" in page
    assert "Tentative: Rests on 1 article(s); at least 15 are needed." in page
    assert "greyed out</span>" in page
    document = logged_in(carol).get("/sources/table.json").json()
    [row] = [row for row in document["sources"] if row["source"] == "The Daily Test"]
    assert row["cautions"]["sourcing_rate"].startswith(
        "Rests on 1 article(s); at least 15 are needed."
    )


def test_below_ten_articles_the_page_shows_a_range_not_a_95_percent_interval(alice, carol):
    source = many_articles(alice, 4)
    client = logged_in(carol)
    text = client.get(f"/sources/{source.pk}/").content.decode()
    expected = "0% to 100% (range of 4 article values, too few for a 95% interval)"
    assert expected in text  # in the figures table and in the chart's tooltip
    assert "range: 0%–100%" in text  # under the chart's value
    summary = client.get(f"/api/sources/{source.pk}/summary/").json()
    sourcing = summary["metrics"]["sourcing_rate"]
    assert sourcing["interval"]["method"] == "range"
    assert (sourcing["interval"]["low"], sourcing["interval"]["high"]) == (0.0, 1.0)
    assert sourcing["interval_95"] is None


def test_from_ten_articles_the_page_shows_the_95_percent_interval_and_its_scale(alice, carol):
    source = many_articles(alice, 10)
    client = logged_in(carol)
    page = client.get(f"/sources/{source.pk}/")
    sourcing = page.context["profile"].figures.values["sourcing_rate"]
    low, high = sourcing["interval"]
    shown = f"{100 * low:.0f}% to {100 * high:.0f}% (95% bootstrap interval over 10 articles)"
    text = page.content.decode()
    assert shown in text
    assert f"95%: {100 * low:.0f}%–{100 * high:.0f}%" in text
    [reliability] = [chart for title, chart in page.context["charts"] if title.startswith("Rel")]
    [row] = [row for row in reliability["rows"] if row["name"] == "Sourcing rate"]
    assert (row["scale"]["low"], row["scale"]["high"]) == ("0%", "100%")
    assert f">{row['scale']['high']}</text>" in text
    assert row["note"] == "10 of 10 articles, 1 of 1 reviewers"
    summary = client.get(f"/api/sources/{source.pk}/summary/").json()
    assert summary["metrics"]["sourcing_rate"]["interval_95"] == [low, high]


def test_a_figure_needing_answers_shows_how_many_were_given(alice, carol):
    source = many_articles(alice, 2)
    text = logged_in(carol).get(f"/sources/{source.pk}/").content.decode()
    # every claim answers check-worthy; no attribution answers counter-voice
    assert "100% of claims answering check-worthy" in text
    assert "0% of attributions answering counter-voice" in text


def test_staff_reach_a_figures_reliability_in_one_click_and_read_it(carol, annotated):
    source, _ = annotated
    client = logged_in(carol)
    page = client.get(f"/sources/{source.pk}/").content.decode()
    # sourcing rests on claims and attributions; attribution (one coder marked one) is
    # the weaker: alpha 1 − (n − 1)·D / (2·n₁·n₀) is lower than the claim's 1.0
    link = f"/agreement/?source={source.pk}#agreement-{source.pk}-attribution"
    assert f'<a href="{link}">Reliability: attribution agreement ' in page
    assert "data-agreement" in page and "Macro F1 (mean over labels)" in page
    agreement_page = client.get(link.split("#")[0]).content.decode()
    assert f'id="agreement-{source.pk}-attribution"' in agreement_page
    assert "No interval: fewer than 10 double-annotated articles" in agreement_page
    assert "over 1 matched attribution pair(s)" not in agreement_page  # none matched
    assert "over 0 matched attribution pair(s)" in agreement_page


def test_the_summary_api_gives_pooled_agreement_with_what_it_rests_on(carol, alice, annotated):
    source, article = annotated
    summary = api_client(carol).get(f"/api/sources/{source.pk}/summary/").json()
    agreement = summary["agreement"]
    claim = agreement["alpha"]["claim"]
    body = len(article.body)
    assert claim == {
        "value": pytest.approx(1.0),
        "units": body,
        "pairable_values": 2 * body,
        "coders": 2,
        "articles": 1,
        "interval": None,
        "interval_method": None,
    }
    assert agreement["weakest_label"]["label"] in ("opinion", "attribution")
    assert agreement["kappa"]["speaker_type"] == {"value": None, "pairs": 0}
    assert agreement["f1_per_label"]["exact"]["claim"] == pytest.approx(1.0)
    assert agreement["macro_f1"]["exact"] == pytest.approx((1 + 0 + 0) / 3)
    reliability = summary["metrics"]["sourcing_rate"]["reliability"]
    assert reliability["label"] == "attribution"
    assert reliability["url"] == f"/agreement/?source={source.pk}#agreement-{source.pk}-attribution"
    # a reviewer sees no agreement
    own = api_client(alice).get(f"/api/sources/{source.pk}/summary/").json()
    assert own["agreement"] == {} and own["metrics"]["sourcing_rate"]["reliability"] is None
