"""Profile arithmetic on examples computed by hand (see docs/metrics.md)."""

import math

import numpy
import pytest

from annotator.profiles.maths import (
    ADJUDICATED,
    ReviewFacts,
    SpanFacts,
    _group_sums,
    bootstrap_interval,
    bootstrap_intervals,
    stable_seed,
    summarise,
    tally,
)

GOV, EXPERT, IGO = "government_named", "independent_expert", "intergovernmental"


def figures(articles, spans, reviews=(), **options):
    """Units tallied from spans, as the write path stores them, then summarised."""
    return summarise(articles, tally(articles, spans), reviews, **options)


def spans_of_reviewer_1(article):
    return [
        SpanFacts(article, 1, "claim", linked=True, check_worthy=True),
        SpanFacts(article, 1, "claim", check_worthy=True),
        SpanFacts(article, 1, "claim", check_worthy=False),
        SpanFacts(article, 1, "opinion"),
        SpanFacts(
            article,
            1,
            "attribution",
            speaker_type="named_person",
            speaker_id=7,
            affiliation=GOV,
            cue_stance="endorsing",
            quote_type="direct",
        ),
        SpanFacts(
            article,
            1,
            "attribution",
            speaker_type="named_person",
            speaker_id=8,
            affiliation=EXPERT,
            cue_stance="distancing",
            quote_type="indirect",
            counter_voice=True,
        ),
        SpanFacts(article, 1, "attribution", speaker_type="vague", cue_stance="neutral"),
    ]


def example():
    articles = {10: (1, 200), 11: (1, 100), 12: (1, 300)}
    spans = [
        *spans_of_reviewer_1(10),
        SpanFacts(10, 2, "claim", check_worthy=True),
        SpanFacts(
            10,
            2,
            "attribution",
            speaker_type="none",
            cue_stance="intensifying",
            quote_type="direct",
        ),
        # Article 11: reviewer 1's raw spans give way to the adjudicated layer.
        SpanFacts(11, 1, "claim", count=5),
        SpanFacts(11, ADJUDICATED, "claim", linked=True, count=2),
        SpanFacts(
            11,
            ADJUDICATED,
            "attribution",
            speaker_type="named_person",
            speaker_id=7,
            affiliation=GOV,
            cue_stance="endorsing",
            quote_type="indirect",
        ),
        SpanFacts(
            11,
            ADJUDICATED,
            "attribution",
            speaker_type="named_organisation",
            speaker_id=9,
            affiliation=IGO,
            cue_stance="neutral",
            quote_type="direct",
        ),
    ]
    reviews = [
        ReviewFacts(10, 1, genre="news", byline_shown=True, date_shown=True, bio_shown=False),
        ReviewFacts(10, 2, genre="none", byline_shown=False, date_shown=True, bio_shown=False),
        ReviewFacts(11, ADJUDICATED),
    ]
    return figures(articles, spans, reviews, intervals=True)


def test_article_values_are_means_over_reviewers():
    per_article, _ = example()
    a10 = per_article[10].values
    assert per_article[10].basis == "reviewers"
    assert a10["sourcing_rate"] == pytest.approx((1 / 3 + 0) / 2)
    assert a10["sourcing_rate_check_worthy"] == pytest.approx((0.5 + 0) / 2)
    assert a10["unsupported_check_worthy_per_1000"] == pytest.approx(5.0)
    assert a10["weasel_share"] == pytest.approx((1 / 3 + 1) / 2)
    # reviewer 1 left one attribution's quote type unanswered: 1 direct of 2 answered
    assert a10["direct_quote_rate"] == pytest.approx((1 / 2 + 1) / 2)
    assert a10["orphan_quotes"] == pytest.approx(0.5)
    assert a10["author_opinion_per_1000"] == pytest.approx(2.5)
    assert a10["author_opinion_share"] == pytest.approx((1 / 3 + 0) / 2)
    # only reviewer 1 has two identifiable speakers: ln 2 over ln 7 known affiliations
    assert a10["voice_diversity"] == pytest.approx(math.log(2) / math.log(7))
    assert a10["speaker_concentration"] == pytest.approx(0.5)
    assert a10["official_dependence"] == pytest.approx(0.5)
    # reviewer 2 did not say whether their one voice contrasts: missing, not "no"
    assert a10["counter_voice_rate"] == pytest.approx(1.0)
    assert a10["cue_balance"] == pytest.approx(0.0)
    assert a10["intensifying_rate"] == pytest.approx(0.5)
    assert a10["transparency"] == pytest.approx((0.75 + 0.25) / 2)
    assert per_article[10].label_counts == {"claim": 2.0, "opinion": 0.5, "attribution": 2.0}


def test_adjudicated_layer_replaces_the_reviewers_mean():
    per_article, _ = example()
    a11 = per_article[11]
    assert a11.basis == "adjudicated"
    assert a11.reviewers == [1]
    assert a11.values["sourcing_rate"] == pytest.approx(1.0)
    assert a11.values["official_dependence"] == pytest.approx(1.0)
    assert a11.values["cue_balance"] == pytest.approx(0.5)
    assert a11.values["author_opinion_share"] is None
    assert a11.label_counts["claim"] == 2


def test_source_values_are_means_over_articles_with_counts_behind_them():
    _, per_source = example()
    source = per_source[1]
    assert (source.articles, source.annotated_articles, source.adjudicated_articles) == (3, 2, 1)
    assert source.reviewers == 2
    expected = {
        "sourcing_rate": (1 / 6 + 1) / 2,
        "sourcing_rate_check_worthy": 0.25,
        # article 11's claims were never marked check-worthy or not: no count there
        "unsupported_check_worthy_per_1000": 5.0,
        "weasel_share": 1 / 3,
        "direct_quote_rate": ((1 / 2 + 1) / 2 + 1 / 2) / 2,
        "orphan_quotes": 0.25,
        "author_opinion_per_1000": 1.25,
        "author_opinion_share": 1 / 6,
        "voice_diversity": math.log(2) / math.log(7),
        "speaker_concentration": 0.5,
        "official_dependence": 0.75,
        "counter_voice_rate": 1.0,
        "cue_balance": 0.25,
        "intensifying_rate": 0.25,
        "transparency": 0.5,
    }
    for key, value in expected.items():
        assert source.value(key) == pytest.approx(value), key
    assert source.values["sourcing_rate"]["articles"] == 2
    assert source.values["sourcing_rate_check_worthy"]["articles"] == 1
    assert source.values["transparency"]["reviewers"] == 2


def test_intervals_are_seeded_and_need_two_articles():
    _, first = example()
    _, second = example()
    low, high = first[1].values["sourcing_rate"]["interval"]
    assert 1 / 6 <= low <= high <= 1
    assert (
        first[1].values["sourcing_rate"]["interval"]
        == second[1].values["sourcing_rate"]["interval"]
    )
    assert first[1].values["sourcing_rate_check_worthy"]["interval"] is None


def test_bootstrap_interval_of_identical_values_is_that_value():
    assert bootstrap_interval([0.4, 0.4, 0.4], seed=1) == pytest.approx((0.4, 0.4))
    assert bootstrap_interval([0.4], seed=1) is None


def test_bootstrap_means_by_counts_equal_resampling_each_pick():
    import numpy

    values = numpy.random.default_rng(3).random(37)
    generator = numpy.random.default_rng(8)  # drawn 100 resamples at a time, in order
    picks = numpy.concatenate(
        [generator.integers(0, 37, size=(100, 37), dtype=numpy.int32) for _ in range(10)]
    )
    means = numpy.sort(values[picks].mean(axis=1))
    expected = (means[25], means[974])
    assert bootstrap_interval(values, seed=8) == pytest.approx(expected, abs=1e-12)
    [together, twice] = bootstrap_intervals(numpy.stack([values, 2 * values]), seed=8)
    assert together == pytest.approx(expected, abs=1e-12)
    assert twice == pytest.approx((2 * expected[0], 2 * expected[1]), abs=1e-12)
    assert bootstrap_interval(values, seed=9) != together


def test_no_claims_means_no_sourcing_rate_not_zero():
    per_article, per_source = figures({1: (1, 100)}, [SpanFacts(1, 1, "opinion")], source_ids=[1])
    assert per_article[1].values["sourcing_rate"] is None
    assert per_source[1].value("sourcing_rate") is None
    assert per_source[1].values["sourcing_rate"]["articles"] == 0


def test_one_speaker_is_not_enough_for_diversity():
    spans = [
        SpanFacts(
            1, 1, "attribution", speaker_type="named_person", speaker_id=3, affiliation=GOV, count=4
        )
    ]
    per_article, _ = figures({1: (1, 100)}, spans)
    assert per_article[1].values["voice_diversity"] is None
    # four attributions to one speaker: concentration says exactly that
    assert per_article[1].values["speaker_concentration"] == pytest.approx(1.0)
    assert per_article[1].values["official_dependence"] == pytest.approx(1.0)


def test_a_single_attribution_has_no_concentration():
    spans = [SpanFacts(1, 1, "attribution", speaker_type="named_person", speaker_id=3)]
    per_article, _ = figures({1: (1, 100)}, spans)
    assert per_article[1].values["speaker_concentration"] is None


def test_source_with_one_article_has_values_but_no_interval():
    _, per_source = figures({1: (1, 100)}, [SpanFacts(1, 1, "claim", linked=True)], intervals=True)
    assert per_source[1].value("sourcing_rate") == pytest.approx(1.0)
    assert per_source[1].values["sourcing_rate"]["interval"] is None


def test_reviewer_who_finished_with_no_spans_counts_as_zero():
    per_article, _ = figures(
        {1: (1, 100)},
        [SpanFacts(1, 1, "claim", count=2)],
        [ReviewFacts(1, 2, done=True)],
    )
    assert per_article[1].reviewers == [1, 2]
    assert per_article[1].values["spans_per_1000_words"] == pytest.approx((20.0 + 0.0) / 2)
    assert per_article[1].values["sourcing_rate"] == pytest.approx(0.0)


def test_source_without_articles_reports_no_data():
    _, per_source = figures({}, [], source_ids=[7])
    assert per_source[7].articles == 0
    assert per_source[7].value("sourcing_rate") is None


def test_adjudicated_layer_in_progress_leaves_the_reviewers_mean():
    """Without a review by ADJUDICATED (the layer is not complete) its unit is left out."""
    spans = [SpanFacts(1, 1, "claim", linked=True), SpanFacts(1, ADJUDICATED, "claim")]
    per_article, per_source = figures({1: (1, 100)}, spans)
    assert per_article[1].basis == "reviewers"
    assert per_article[1].values["sourcing_rate"] == pytest.approx(1.0)
    assert per_source[1].adjudicated_articles == 0


def test_empty_adjudicated_layer_is_a_real_zero():
    per_article, _ = figures(
        {1: (1, 100)}, [SpanFacts(1, 1, "claim", count=3)], [ReviewFacts(1, ADJUDICATED)]
    )
    assert per_article[1].basis == "adjudicated"
    assert per_article[1].values["spans_per_1000_words"] == pytest.approx(0.0)


def test_figures_do_not_depend_on_the_order_spans_arrive_in():
    # Affiliation counts 3, 2, 5, 2, 8: summed in arrival order, the entropy's
    # last bit depends on that order.
    counts = {GOV: 3, EXPERT: 2, IGO: 5, "media": 2, "citizen": 8}
    spans = [
        SpanFacts(1, 1, "attribution", speaker_type="named_person", speaker_id=i, affiliation=a)
        for i, (a, n) in enumerate(counts.items(), 1)
        for _ in range(n)
    ]
    forward = tally({1: (1, 100)}, spans)[0].values
    backward = tally({1: (1, 100)}, spans[::-1])[0].values
    assert forward["voice_diversity"] == backward["voice_diversity"]
    assert forward["speaker_concentration"] == backward["speaker_concentration"]


def test_two_speakers_of_one_affiliation_have_a_diversity_of_plus_zero():
    # −0.0 would be stored as −0.0 by SQLite and as 0 by PostgreSQL's jsonb.
    spans = [
        SpanFacts(1, 1, "attribution", speaker_type="named_person", speaker_id=s, affiliation=GOV)
        for s in (7, 8)
    ]
    [unit] = tally({1: (1, 100)}, spans)
    assert math.copysign(1, unit.values["voice_diversity"]) == 1.0
    assert unit.values["voice_diversity"] == 0.0


# Sample sizes: the reviewers behind a figure are those whose own value exists.


def test_a_reviewer_whose_own_value_is_undefined_is_not_behind_the_figure():
    # Reviewer 1 marked claims, reviewer 2 only an opinion: the sourcing rate is
    # reviewer 1's alone ("1 of 2 reviewers"), spans per 1,000 words rests on both.
    spans = [SpanFacts(1, 1, "claim", linked=True), SpanFacts(1, 2, "opinion")]
    _, per_source = figures({1: (1, 100)}, spans)
    source = per_source[1]
    assert source.reviewers == 2
    assert source.values["sourcing_rate"]["reviewers"] == 1
    assert source.values["spans_per_1000_words"]["reviewers"] == 2


def test_a_reviewer_behind_transparency_answered_all_four_questions():
    reviews = [
        ReviewFacts(1, 1, genre="news", byline_shown=True, date_shown=True, bio_shown=True),
        ReviewFacts(1, 2, genre="news", byline_shown=True),  # bio and date unanswered
    ]
    _, per_source = figures({1: (1, 100)}, [], reviews)
    assert per_source[1].value("transparency") == pytest.approx(1.0)
    assert per_source[1].values["transparency"]["reviewers"] == 1


# Intervals: a 95% bootstrap interval from BOOTSTRAP_MIN_ARTICLES articles, a range below.


def sourced_articles(n):
    """``n`` articles of source 1, article i with i of its 4 claims linked (i mod 5)."""
    articles = dict.fromkeys(range(n), (1, 100))
    spans = [SpanFacts(i, 1, "claim", linked=k < i % 5) for i in range(n) for k in range(4)]
    return articles, spans


def test_below_ten_articles_the_interval_is_the_range_of_article_values():
    articles, spans = sourced_articles(9)  # values 0, .25, .5, .75, 1, 0, .25, .5, .75
    _, per_source = figures(articles, spans, intervals=True)
    sourcing = per_source[1].values["sourcing_rate"]
    assert (sourcing["interval"], sourcing["interval_method"]) == ((0.0, 1.0), "range")


def test_from_ten_articles_the_interval_is_a_seeded_95_percent_bootstrap():
    articles, spans = sourced_articles(10)
    _, per_source = figures(articles, spans, intervals=True)
    sourcing = per_source[1].values["sourcing_rate"]
    values = [(i % 5) / 4 for i in range(10)]
    assert sourcing["interval_method"] == "bootstrap_95"
    assert sourcing["interval"] == bootstrap_interval(values, seed=stable_seed(1, 10))
    low, high = sourcing["interval"]
    assert 0.0 < low < sum(values) / 10 < high < 1.0


def test_one_article_has_neither_interval_nor_range():
    _, per_source = figures({1: (1, 100)}, [SpanFacts(1, 1, "claim")], intervals=True)
    sourcing = per_source[1].values["sourcing_rate"]
    assert (sourcing["interval"], sourcing["interval_method"]) == (None, None)


# Missing is not "no": figures needing an answer count answered spans only.


def test_an_unanswered_check_worthy_is_left_out_and_its_completion_shown():
    spans = [
        SpanFacts(1, 1, "claim", check_worthy=True, linked=True),
        SpanFacts(1, 1, "claim", check_worthy=False),
        SpanFacts(1, 1, "claim", check_worthy=None, count=2),
    ]
    [unit] = tally({1: (1, 100)}, spans)
    assert unit.values["sourcing_rate_check_worthy"] == pytest.approx(1.0)
    # two claims might be check-worthy and unsupported: the count is unknown, not 0
    assert unit.values["unsupported_check_worthy_per_1000"] is None
    assert unit.values["completion_check_worthy"] == pytest.approx(0.5)
    answered = [SpanFacts(1, 1, "claim", check_worthy=False)]
    [unit] = tally({1: (1, 100)}, answered)
    assert unit.values["unsupported_check_worthy_per_1000"] == 0.0


def test_unanswered_cue_stance_and_quote_type_are_left_out_of_their_shares():
    spans = [
        SpanFacts(1, 1, "attribution", cue_stance="endorsing", quote_type="direct"),
        SpanFacts(1, 1, "attribution", cue_stance="intensifying", quote_type="indirect"),
        SpanFacts(1, 1, "attribution", count=2),  # neither answered
    ]
    [unit] = tally({1: (1, 100)}, spans)
    assert unit.values["cue_balance"] == pytest.approx((1 - 0) / 2)
    assert unit.values["intensifying_rate"] == pytest.approx(1 / 2)
    assert unit.values["direct_quote_rate"] == pytest.approx(1 / 2)
    assert unit.values["completion_cue_stance"] == pytest.approx(2 / 4)
    assert unit.values["completion_quote_type"] == pytest.approx(2 / 4)
    # weasel share needs no answer: every attribution counts
    assert unit.values["weasel_share"] == 0.0


def test_counter_voice_is_unknown_until_every_attribution_answers_it():
    def rate(*answers):
        spans = [SpanFacts(1, 1, "attribution", counter_voice=a) for a in answers]
        return tally({1: (1, 100)}, spans)[0].values["counter_voice_rate"]

    assert rate(True, None) == 1.0
    assert rate(False, None) is None
    assert rate(False, False) == 0.0
    # an article without attributions has no counter-voice: a real 0
    [unit] = tally({1: (1, 100)}, [SpanFacts(1, 1, "claim")])
    assert unit.values["counter_voice_rate"] == 0.0


# Voice diversity: speakers, not attributions; the "unknown" affiliation left out.


def speaker(speaker_id, affiliation, count=1):
    return SpanFacts(
        1,
        1,
        "attribution",
        speaker_type="named_person",
        speaker_id=speaker_id,
        affiliation=affiliation,
        count=count,
    )


def test_voice_diversity_counts_each_speaker_once():
    # Three quotes of a minister and one of an expert: two speakers, two affiliations,
    # evenly spread (by attributions it would be 3:1).
    [unit] = tally({1: (1, 100)}, [speaker(7, GOV, count=3), speaker(8, EXPERT)])
    assert unit.values["voice_diversity"] == pytest.approx(math.log(2) / math.log(7))


def test_voice_diversity_leaves_out_the_unknown_affiliation():
    [unit] = tally({1: (1, 100)}, [speaker(7, GOV), speaker(8, "unknown")])
    assert unit.values["voice_diversity"] is None  # one speaker of known affiliation
    [unit] = tally({1: (1, 100)}, [speaker(7, GOV), speaker(8, EXPERT), speaker(9, "unknown")])
    assert unit.values["voice_diversity"] == pytest.approx(math.log(2) / math.log(7))


def test_official_dependence_counts_an_identified_speaker_without_a_record():
    no_record = SpanFacts(1, 1, "attribution", speaker_type="named_person")
    [unit] = tally({1: (1, 100)}, [speaker(7, GOV), no_record])
    assert unit.values["official_dependence"] == pytest.approx(1 / 2)
    vague = SpanFacts(1, 1, "attribution", speaker_type="vague")
    [unit] = tally({1: (1, 100)}, [speaker(7, GOV), vague])
    assert unit.values["official_dependence"] == pytest.approx(1.0)


def test_group_sums_add_up_as_numpy_add_at_does_to_the_last_bit():
    random = numpy.random.default_rng(3)
    values = random.normal(size=(500, 4)) * 10.0 ** random.integers(-8, 8, size=(500, 4))
    groups = random.integers(0, 7, size=500)
    expected = numpy.zeros((9, 4))
    numpy.add.at(expected, groups, values)
    assert numpy.array_equal(_group_sums(values, groups, 9), expected)
    assert _group_sums(values[:0], groups[:0], 3).tolist() == [[0.0] * 4] * 3
