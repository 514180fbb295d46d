"""The summary arithmetic on an example computed by hand."""

import pytest

from annotator.metrics import SpanCount, summarise


def test_hand_computed_example():
    # Source 1 has two articles (200 and 500 words) and one never annotated (300 words).
    # Article 10, reviewer 1: 2 claims (1 linked), 1 opinion unlinked, 1 attribution (named_person)
    # Article 10, reviewer 2: 1 claim unlinked, 1 attribution (vague)
    # Article 11, reviewer 1: 4 claims (4 linked), 2 attributions (named_person), 1 opinion linked
    articles = {10: (1, 200), 11: (1, 500), 12: (1, 300)}
    rows = [
        SpanCount(10, 1, "claim", True, "", 1),
        SpanCount(10, 1, "claim", False, "", 1),
        SpanCount(10, 1, "opinion", False, "", 1),
        SpanCount(10, 1, "attribution", False, "named_person", 1),
        SpanCount(10, 2, "claim", False, "", 1),
        SpanCount(10, 2, "attribution", False, "vague", 1),
        SpanCount(11, 1, "claim", True, "", 4),
        SpanCount(11, 1, "attribution", False, "named_person", 2),
        SpanCount(11, 1, "opinion", True, "", 1),
    ]
    per_article, per_source = summarise(articles, rows)

    a10 = per_article[10]
    assert a10["reviewers"] == [1, 2]
    assert a10["label_counts"] == {"claim": 3, "opinion": 1, "attribution": 2}
    # reviewer 1: 4 spans / 200 words = 20 per 1000; reviewer 2: 2 / 200 = 10 -> mean 15
    assert a10["spans_per_1000_words"] == pytest.approx(15.0)
    # sourcing: reviewer 1 1/2, reviewer 2 0/1 -> mean 0.25
    assert a10["sourcing_rate"] == pytest.approx(0.25)
    # author opinion: r1 1 unlinked opinion / (1 + 1 unlinked claim) = 0.5; r2 0 / (0 + 1) = 0
    assert a10["author_opinion_share"] == pytest.approx(0.25)
    assert a10["speaker_type_shares"]["named_person"] == pytest.approx(0.5)
    assert a10["speaker_type_shares"]["vague"] == pytest.approx(0.5)

    a11 = per_article[11]
    assert a11["spans_per_1000_words"] == pytest.approx(1000 * 7 / 500)
    assert a11["sourcing_rate"] == pytest.approx(1.0)
    # no unlinked opinions or claims: nothing to divide by
    assert a11["author_opinion_share"] is None

    assert per_article[12]["reviewers"] == []
    assert per_article[12]["sourcing_rate"] is None

    source = per_source[1]
    assert source["articles"] == 3
    assert source["annotated_articles"] == 2
    assert source["reviewers"] == 2
    assert source["label_counts"] == {"claim": 7, "opinion": 2, "attribution": 4}
    assert source["spans_per_1000_words"] == pytest.approx((15.0 + 14.0) / 2)
    assert source["sourcing_rate"] == pytest.approx((0.25 + 1.0) / 2)
    # only article 10 has a defined author-opinion share
    assert source["author_opinion_share"] == pytest.approx(0.25)
    assert source["speaker_type_shares"]["named_person"] == pytest.approx((0.5 + 1.0) / 2)
    assert source["speaker_type_shares"]["vague"] == pytest.approx((0.5 + 0.0) / 2)


def test_reviewer_who_marked_done_with_no_spans_counts_as_zero():
    per_article, _ = summarise(
        {1: (1, 100)}, [SpanCount(1, 1, "claim", False, "", 2)], finished_reviews=[(1, 2)]
    )
    assert per_article[1]["reviewers"] == [1, 2]
    assert per_article[1]["spans_per_1000_words"] == pytest.approx((20.0 + 0.0) / 2)
    # reviewer 2 had no claims, so only reviewer 1 speaks to the sourcing rate
    assert per_article[1]["sourcing_rate"] == pytest.approx(0.0)


def test_source_without_articles_reports_no_data():
    _, per_source = summarise({}, [], source_ids=[7])
    assert per_source[7]["articles"] == 0
    assert per_source[7]["sourcing_rate"] is None
    assert per_source[7]["spans_per_1000_words"] is None
