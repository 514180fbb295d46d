"""Agreement arithmetic on examples computed by hand."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import krippendorff
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.profiles.agreement import (
    AlphaCounts,
    F1Counts,
    Span,
    Tally,
    alpha_counts,
    article_agreement,
    cohen_kappa,
    nominal_alpha,
    overlap_pairs,
    pooled,
    pooled_stored,
    span_f1_counts,
)
from annotator.profiles.maths import BOOTSTRAP_MIN_ARTICLES


def alpha_binary(length, coders):
    return alpha_counts(length, coders).alpha


def test_exact_and_overlap_span_f1():
    alice = [Span("claim", 0, 10), Span("claim", 20, 30), Span("opinion", 40, 45)]
    bob = [Span("claim", 0, 10), Span("claim", 22, 35)]
    assert span_f1_counts(alice, bob, "claim", exact=True) == F1Counts(1, 2, 2)
    assert span_f1_counts(alice, bob, "claim", exact=True).f1 == pytest.approx(2 * 1 / 4)
    assert span_f1_counts(alice, bob, "claim", exact=False).f1 == pytest.approx(2 * 2 / 4)
    assert span_f1_counts(alice, bob, "opinion", exact=True).f1 == pytest.approx(0.0)
    assert span_f1_counts(alice, bob, "attribution", exact=True).f1 is None


def test_overlap_matching_is_one_to_one_largest_first():
    left = [Span("claim", 0, 10)]
    right = [Span("claim", 0, 3), Span("claim", 2, 10)]
    assert overlap_pairs(left, right) == [(left[0], right[1])]


def test_alpha_on_a_hand_computed_example():
    # Units 0..3; coder A marks 0-1, coder B marks 0. Coincidences: o11=2, o10=o01=1, o00=4;
    # n1=3, n0=5, n=8 -> alpha = 1 - 7 * 2 / (2 * 3 * 5) = 8/15
    assert alpha_binary(4, [[(0, 2)], [(0, 1)]]) == pytest.approx(8 / 15)


def test_alpha_is_one_for_identical_coding_and_undefined_without_variation():
    assert alpha_binary(10, [[(2, 5)], [(2, 5)], [(2, 5)]]) == pytest.approx(1.0)
    assert alpha_binary(10, [[], []]) is None
    assert alpha_binary(10, [[(0, 10)]]) is None


def test_cohen_kappa_on_a_hand_computed_example():
    # 4 pairs, 3 agree: po = 0.75; A: x x y y, B: x x y x -> pe = .5*.75 + .5*.25 = .5
    pairs = Counter([("x", "x"), ("x", "x"), ("y", "y"), ("y", "x")])
    assert cohen_kappa(pairs) == pytest.approx((0.75 - 0.5) / 0.5)
    assert cohen_kappa(Counter()) is None
    assert cohen_kappa(Counter([("x", "x")])) is None


def test_article_agreement_needs_two_reviewers():
    assert article_agreement(50, {1: [Span("claim", 0, 5)]}) is None
    result = article_agreement(
        50,
        {
            1: [Span("claim", 0, 5), Span("attribution", 10, 20, "named_person", "neutral")],
            2: [Span("claim", 0, 5), Span("attribution", 12, 20, "vague", "neutral")],
        },
    )
    figures = Tally.from_stored(result).figures()
    assert figures["f1_per_label"]["exact"]["claim"] == pytest.approx(1.0)
    assert figures["f1_per_label"]["exact"]["attribution"] == pytest.approx(0.0)
    assert figures["f1_per_label"]["overlap"]["attribution"] == pytest.approx(1.0)
    assert figures["alpha"]["claim"]["value"] == pytest.approx(1.0)
    assert figures["coders"] == 2
    assert result["coders"] == [1, 2]
    assert [pair["coders"] for pair in result["pairs"]] == [[1, 2]]


def test_kappa_is_the_same_to_the_last_bit_in_every_process():
    # Summing the categories in a set's order gave three different last digits
    # for these pairs, depending on the process's string hash seed.
    pairs = [
        ("unnamed_identified", "unnamed_identified"),
        ("none", "named_person"),
        ("vague", "named_organisation"),
        ("named_person", "named_organisation"),
        ("named_person", "unnamed_identified"),
        ("vague", "named_organisation"),
        ("vague", "none"),
        ("named_person", "none"),
        ("named_organisation", "named_person"),
        ("named_organisation", "vague"),
        ("unnamed_identified", "named_organisation"),
        ("vague", "named_organisation"),
    ]
    code = (
        "from collections import Counter; from annotator.profiles.agreement import cohen_kappa; "
        f"print(repr(cohen_kappa(Counter({pairs!r}))))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(12)
    }
    assert outputs == {f"{cohen_kappa(Counter(pairs))!r}\n"}


def alpha_by_position(length, coders):
    """Krippendorff's alpha as defined: every position a unit, coded 1 by the coders whose
    ranges hold it (the slow reading that alpha_binary must equal)."""
    m = len(coders)
    marked = [sum(any(s <= p < e for s, e in ranges) for ranges in coders) for p in range(length)]
    ones = sum(marked)
    zeros = m * length - ones
    if m < 2 or not ones or not zeros:
        return None
    disagreement = sum(2 * k * (m - k) / (m - 1) for k in marked)
    return 1 - (m * length - 1) * disagreement / (2 * ones * zeros)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda length: st.tuples(
            st.just(length),
            st.lists(
                st.lists(
                    st.tuples(st.integers(0, length + 3), st.integers(0, length + 3)), max_size=5
                ),
                min_size=2,
                max_size=5,
            ),
        )
    )
)
def test_alpha_over_runs_equals_alpha_over_every_position(case):
    length, coders = case
    expected = alpha_by_position(length, coders)
    found = alpha_binary(length, coders)
    assert (found is None) == (expected is None)
    if expected is not None:
        assert found == pytest.approx(expected, abs=1e-12)


# Pooling: a source's alpha is the alpha of one reliability matrix holding every unit of
# every double-annotated article, not a mean of the articles' alphas.


def matrix(articles, coders):
    """The reliability matrix (coders × units, nominal 0/1, NaN where a coder did not
    code an article) of ``articles``: (length, {coder: [ranges]}) one after another."""
    columns = []
    for length, ranges_by_coder in articles:
        block = numpy.full((len(coders), length), numpy.nan)
        for row, coder in enumerate(coders):
            if coder in ranges_by_coder:
                block[row] = 0
                for start, end in ranges_by_coder[coder]:
                    block[row, max(start, 0) : max(end, 0)] = 1
        columns.append(block)
    return numpy.hstack(columns)


def pooled_alpha(articles):
    counts = [alpha_counts(length, list(by_coder.values())) for length, by_coder in articles]
    return sum(counts, AlphaCounts()).alpha


def test_pooled_alpha_is_krippendorffs_alpha_over_every_unit_of_every_article():
    articles = [
        # three coders; "c" marked the article done without spans (codes every unit 0)
        (40, {"a": [(0, 10), (20, 25)], "b": [(2, 10), (20, 30)], "c": []}),
        # two coders
        (30, {"a": [(5, 15)], "d": [(5, 12)]}),
        # four coders
        (25, {"b": [(0, 5)], "c": [(0, 6)], "d": [(1, 5)], "a": [(0, 5), (20, 25)]}),
    ]
    expected = krippendorff.alpha(
        matrix(articles, ["a", "b", "c", "d"]),
        level_of_measurement="nominal",
        value_domain=[0, 1],
    )
    assert pooled_alpha(articles) == pytest.approx(expected, abs=1e-12)
    means = numpy.mean([alpha_binary(length, list(by.values())) for length, by in articles])
    assert abs(pooled_alpha(articles) - means) > 0.01  # not the mean of article alphas


def test_a_coder_with_no_spans_lowers_alpha():
    marked = {"a": [(0, 10)], "b": [(0, 10)]}
    assert pooled_alpha([(30, marked)]) == pytest.approx(1.0)
    with_empty = pooled_alpha([(30, {**marked, "c": []})])
    assert with_empty < 0.5
    assert with_empty == pytest.approx(
        krippendorff.alpha(
            matrix([(30, {**marked, "c": []})], ["a", "b", "c"]),
            level_of_measurement="nominal",
        )
    )


def article_cases():
    coder = st.sampled_from("abcde")
    ranges = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=3)
    article = st.tuples(st.integers(1, 25), st.dictionaries(coder, ranges, min_size=2, max_size=5))
    return st.lists(article, min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(article_cases())
def test_pooling_the_articles_counts_equals_alpha_over_the_whole_matrix(articles):
    data = matrix(articles, list("abcde"))
    values = data[~numpy.isnan(data)]
    found = pooled_alpha(articles)
    if values.min() == values.max():  # one value only: alpha is undefined
        assert found is None
        return
    expected = krippendorff.alpha(data, level_of_measurement="nominal", value_domain=[0, 1])
    assert found == pytest.approx(expected, abs=1e-9)


def test_kappa_is_pooled_over_every_pair_in_one_table():
    # Article 1, coders 1 and 2: attributions matched twice; article 2, coders 1 and 3:
    # once. The first of each pair is the lower id.
    one = article_agreement(
        50,
        {
            1: [Span("attribution", 0, 5, "vague"), Span("attribution", 10, 15, "vague")],
            2: [Span("attribution", 0, 5, "vague"), Span("attribution", 11, 15, "none")],
        },
    )
    two = article_agreement(
        50,
        {1: [Span("attribution", 0, 5, "none")], 3: [Span("attribution", 1, 5, "none")]},
    )
    figures = pooled([Tally.from_stored(one), Tally.from_stored(two)])
    # Table: (vague, vague) 1, (vague, none) 1, (none, none) 1. po = 2/3;
    # first coder: vague 2/3, none 1/3; second: vague 1/3, none 2/3 -> pe = 2/9 + 2/9 = 4/9
    assert figures["kappa"]["speaker_type"] == {
        "value": pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9)),
        "pairs": 3,
    }
    # the mean of the two articles' kappas would be undefined (each has one category
    # or perfect chance agreement on its own)
    assert Tally.from_stored(two).figures()["kappa"]["speaker_type"]["value"] is None


def test_f1_per_label_from_pooled_counts_and_its_macro_mean():
    three_coders = article_agreement(
        100,
        {
            1: [Span("claim", 0, 10), Span("opinion", 20, 30)],
            2: [Span("claim", 0, 10)],
            3: [],  # marked done, no spans
        },
    )
    two_coders = article_agreement(100, {1: [Span("claim", 0, 10)], 2: [Span("claim", 0, 9)]})
    figures = pooled([Tally.from_stored(three_coders), Tally.from_stored(two_coders)])
    # claim pairs: (1,2) 1 match of 1+1; (1,3) 0 of 1+0; (2,3) 0 of 1+0; then 0 exact of 1+1
    exact_claim = 2 * 1 / (2 + 1 + 1 + 2)
    overlap_claim = 2 * 2 / (2 + 1 + 1 + 2)
    # opinion: (1,2) 0 of 1+0, (1,3) 0 of 1+0
    assert figures["f1_per_label"]["exact"] == {
        "claim": pytest.approx(exact_claim),
        "opinion": 0.0,
        "attribution": None,
    }
    assert figures["f1_per_label"]["overlap"]["claim"] == pytest.approx(overlap_claim)
    assert figures["macro_f1"] == {
        "exact": pytest.approx((exact_claim + 0) / 2),
        "overlap": pytest.approx((overlap_claim + 0) / 2),
    }
    assert (figures["articles"], figures["coders"], figures["units"]) == (2, 3, 200)


def alpha_tally(length, coders):
    return Tally(
        articles=1,
        units=length,
        alpha={
            "claim": alpha_counts(length, coders),
            "opinion": alpha_counts(length, [[(0, 1)], []]),
            "attribution": AlphaCounts(),
        },
    )


def test_the_bootstrap_interval_of_pooled_alpha():
    articles = [alpha_tally(40, [[(0, 10 + i)], [(0, 12)]]) for i in range(12)]
    figures = pooled(articles, seed=7)
    claim = figures["alpha"]["claim"]
    low, high = claim["interval"]
    assert claim["interval_method"] == "bootstrap_95"
    assert low < claim["value"] < high
    assert pooled(articles, seed=7) == figures  # the same seed, the same interval
    assert pooled(articles, seed=8)["alpha"]["claim"]["interval"] != (low, high)
    # no resample defines alpha on a label nobody marked
    assert figures["alpha"]["attribution"]["interval"] is None
    # identical articles: every resample pools the same counts, so the interval is a point
    same = pooled([alpha_tally(40, [[(0, 10)], [(0, 12)]])] * 12, seed=7)["alpha"]["claim"]
    assert same["interval"] == (pytest.approx(same["value"]), pytest.approx(same["value"]))


def test_fewer_articles_than_the_bootstrap_needs_give_no_interval():
    articles = [alpha_tally(40, [[(0, 10 + i)], [(0, 12)]]) for i in range(12)]
    few = pooled(articles[: BOOTSTRAP_MIN_ARTICLES - 1], seed=7)["alpha"]["claim"]
    assert (few["interval"], few["interval_method"]) == (None, None)
    assert pooled(articles)["alpha"]["claim"]["interval"] is None  # none asked for


def coded_articles():
    span = st.builds(
        Span,
        st.sampled_from(("claim", "opinion", "attribution")),
        st.integers(0, 30),
        st.integers(0, 30),
        st.sampled_from(("vague", "none", "named_person")),
        st.sampled_from(("", "neutral", "distancing")),
    )
    by_coder = st.dictionaries(st.sampled_from("abcd"), st.lists(span, max_size=4), min_size=2)
    return st.lists(st.tuples(st.integers(1, 40), by_coder), max_size=14)


@settings(max_examples=100, deadline=None)
@given(coded_articles(), st.sampled_from((None, 7)))
def test_pooling_stored_tallies_gives_the_pooled_figures_to_the_last_bit(articles, seed):
    stored = [article_agreement(length, spans) for length, spans in articles]
    expected = pooled([Tally.from_stored(tally) for tally in stored], seed)
    assert pooled_stored(stored, seed) == expected
    without_pairs = [{k: v for k, v in tally.items() if k != "pairs"} for tally in stored]
    assert pooled_stored(without_pairs, seed) == expected


def test_nominal_alpha_is_the_krippendorff_packages_over_values_with_gaps():
    random = numpy.random.default_rng(18)
    coded = random.integers(0, 4, size=(5, 300)).astype(float)
    coded[random.random(coded.shape) < 0.4] = numpy.nan  # some coders skip some units
    coded[:, :150] = numpy.where(random.random((5, 150)) < 0.8, coded[0, :150], coded[:, :150])
    units = [[None if numpy.isnan(v) else int(v) for v in column] for column in coded.T]
    expected = krippendorff.alpha(reliability_data=coded, level_of_measurement="nominal")
    assert nominal_alpha(units) == pytest.approx(expected, abs=1e-12)
    assert nominal_alpha([["a", "a"], ["a", "a", None]]) is None  # one value only
    assert nominal_alpha([["a"], [None, "b"]]) is None  # nothing pairable
