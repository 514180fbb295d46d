"""Two reviewers annotate the seed articles through the API; the profiles match a hand count.

Word counts: 000 has 329 words, 002 has 396, 004 has 384 (asserted below).
"""

import pytest
from django.core.management import call_command

from annotator.models import Article, Source
from annotator.profiles.agreement import alpha_counts
from annotator.profiles.reading import source_profiles

from .conftest import logged_in

pytestmark = pytest.mark.django_db


class Reviewer:
    def __init__(self, api, article):
        self.api, self.article = api, article

    def mark(self, label, quote, **fields):
        start = self.article.body.index(quote)
        payload = {"label": label, "start": start, "end": start + len(quote), "quote": quote}
        response = self.api.post(
            f"/api/articles/{self.article.pk}/annotations/", {**payload, **fields}, format="json"
        )
        assert response.status_code == 201, response.json()
        return response.json()["id"]


@pytest.fixture
def seeds(db):
    call_command("loaddata", "seed_articles", verbosity=0)
    return {a.seed_file[:3]: a for a in Article.objects.all()}


@pytest.fixture
def annotated(seeds, api_as, alice, bob):
    speakers = {}
    for name, affiliation in (
        ("Sergei Lavrov", "government_named"),
        ("Andrei Belousov", "government_named"),
        ("Russian intelligence", "government_named"),
    ):
        response = api_as(alice).post(
            "/api/speakers/", {"name": name, "affiliation": affiliation}, format="json"
        )
        speakers[name] = response.json()["id"]
    lavrov = speakers["Sergei Lavrov"]

    a = Reviewer(api_as(alice), seeds["002"])
    said = a.mark(
        "attribution",
        "Lavrov said in an interview",
        speaker=lavrov,
        speaker_type="named_person",
        cue_stance="neutral",
        quote_type="direct",
    )
    reminded = a.mark(
        "attribution",
        "Lavrov reminded that",
        speaker=lavrov,
        speaker_type="named_person",
        cue_stance="endorsing",
        quote_type="indirect",
    )
    a.mark(
        "claim",
        "an ISIS-related suicide bomber attacked the Chinese Embassy in Bishkek",
        check_worthy=True,
        attribution=reminded,
    )
    a.mark("opinion", "particularly worrisome", opinion_type="evaluative", attribution=said)
    a.mark("opinion", "very dangerous as well", opinion_type="evaluative")

    b = Reviewer(api_as(bob), seeds["002"])
    b.mark(
        "attribution",
        "Lavrov said in an interview",
        speaker=lavrov,
        speaker_type="named_person",
        cue_stance="neutral",
        quote_type="direct",
    )
    b.mark(
        "claim",
        "an ISIS-related suicide bomber attacked the Chinese Embassy in Bishkek",
        check_worthy=True,
    )
    b.mark(
        "claim",
        "The text of the interview is published on the website of the Russian Foreign Ministry",
        check_worthy=False,
    )
    b.mark(
        "attribution",
        "Lavrov dismissed allegations",
        speaker=lavrov,
        speaker_type="named_person",
        cue_stance="distancing",
        quote_type="indirect",
    )

    a = Reviewer(api_as(alice), seeds["000"])
    a.mark(
        "attribution",
        "Belousov stated that",
        speaker=speakers["Andrei Belousov"],
        speaker_type="named_person",
        cue_stance="neutral",
        quote_type="indirect",
    )
    citing = a.mark(
        "attribution",
        "citing Russian intelligence estimates",
        speaker=speakers["Russian intelligence"],
        speaker_type="named_organisation",
        cue_stance="neutral",
        quote_type="indirect",
    )
    a.mark(
        "claim",
        "place their numbers at over 15,000 fighters",
        check_worthy=True,
        attribution=citing,
    )
    experts = a.mark(
        "attribution",
        "some experts argue",
        speaker_type="vague",
        cue_stance="neutral",
        quote_type="indirect",
        counter_voice=True,
    )
    a.mark(
        "opinion",
        "may be inflating the scale of the danger",
        opinion_type="speculative",
        attribution=experts,
    )
    a.mark("opinion", "potentially contradictory", opinion_type="evaluative")

    b = Reviewer(api_as(bob), seeds["004"])
    warned = b.mark(
        "attribution",
        "He warned that",
        speaker=lavrov,
        speaker_type="named_person",
        cue_stance="intensifying",
        quote_type="indirect",
    )
    b.mark(
        "claim",
        "uncontrolled militant movements and extremist networks in Afghan border "
        "areas pose an ongoing risk",
        check_worthy=True,
        attribution=warned,
    )
    b.mark(
        "claim",
        "The CSTO, a regional military alliance comprising Russia, Armenia, Belarus, "
        "Kazakhstan, Kyrgyzstan, and Tajikistan",
        check_worthy=False,
    )

    page = logged_in(alice)
    page.post(
        f"/articles/{seeds['000'].pk}/review/",
        {
            "genre": "none",
            "byline_shown": "true",
            "date_shown": "true",
            "bio_shown": "true",
            "headline_fidelity": "faithful",
            "note": "",
        },
    )
    return seeds


def profile(user, name):
    [result] = source_profiles(user, [Source.objects.get(name=name)], intervals=True)
    return result


def test_word_counts_behind_the_hand_count(seeds):
    assert (seeds["000"].word_count, seeds["002"].word_count, seeds["004"].word_count) == (
        329,
        396,
        384,
    )


def test_times_of_central_asia_profile(annotated, carol):
    tca = profile(carol, "The Times of Central Asia")
    assert (tca.figures.articles, tca.figures.annotated_articles, tca.figures.reviewers) == (
        1,
        1,
        2,
    )
    expected = {
        "sourcing_rate": (1 + 0) / 2,
        "sourcing_rate_check_worthy": (1 + 0) / 2,
        "unsupported_check_worthy_per_1000": (0 + 1000 / 396) / 2,
        "weasel_share": 0.0,
        "direct_quote_rate": 0.5,
        "orphan_quotes": 0.0,
        "author_opinion_per_1000": (1000 / 396 + 0) / 2,
        "author_opinion_share": (1 + 0) / 2,
        "speaker_concentration": 1.0,
        "official_dependence": 1.0,
        "cue_balance": ((1 - 0) / 2 + (0 - 1) / 2) / 2,
        "intensifying_rate": 0.0,
        # every claim says whether it is check-worthy, every attribution its cue and quote type
        "completion_check_worthy": 1.0,
        "completion_cue_stance": 1.0,
        "completion_quote_type": 1.0,
        # nobody said whether any of the four attributions contrasts with the main line
        "completion_counter_voice": 0.0,
    }
    for key, value in expected.items():
        assert tca.figures.value(key) == pytest.approx(value), key
    # only Lavrov is quoted: one speaker is not enough to speak of diversity
    assert tca.figures.value("voice_diversity") is None
    # no counter-voice marked and none ruled out: unknown, not 0
    assert tca.figures.value("counter_voice_rate") is None
    assert tca.figures.values["counter_voice_rate"]["reviewers"] == 0
    assert tca.figures.values["sourcing_rate"]["reviewers"] == 2
    assert tca.figures.values["sourcing_rate"]["interval"] is None


def test_agreement_on_the_double_annotated_article(annotated, carol):
    tca = profile(carol, "The Times of Central Asia")
    assert tca.double_annotated == 1
    body = annotated["002"].body
    claim = len("an ISIS-related suicide bomber attacked the Chinese Embassy in Bishkek")
    extra = len(
        "The text of the interview is published on the website of the Russian Foreign Ministry"
    )
    n = 2 * len(body)
    ones = 2 * claim + extra
    alpha_claim = 1 - (n - 1) * 2 * extra / (2 * ones * (n - ones))
    assert alpha_counts(
        len(body), [[(0, claim)], [(0, claim), (claim + 5, claim + 5 + extra)]]
    ).alpha == (pytest.approx(alpha_claim))
    row = tca.articles[0].agreement
    assert row["alpha"]["claim"]["value"] == pytest.approx(alpha_claim)
    assert row["f1_per_label"]["exact"] == {
        "claim": pytest.approx(2 * 1 / 3),
        "opinion": pytest.approx(0.0),
        "attribution": pytest.approx(2 * 1 / 4),
    }
    # one double-annotated article: the source's pooled figures are the article's
    assert tca.agreement["alpha"]["claim"]["value"] == pytest.approx(alpha_claim)
    assert tca.agreement["alpha"]["claim"]["units"] == len(body)
    assert tca.agreement["alpha"]["claim"]["pairable_values"] == n
    assert (tca.agreement["articles"], tca.agreement["coders"]) == (1, 2)
    assert tca.agreement["macro_f1"]["exact"] == pytest.approx((2 / 3 + 0 + 0.5) / 3)
    # the only matched attribution pair agrees, so chance agreement is total: undefined
    assert row["kappa"]["speaker_type"] == {"value": None, "pairs": 1}


def test_unidentified_outlets_profile(annotated, carol):
    unknown = profile(carol, "Unidentified outlet")
    assert (unknown.figures.articles, unknown.figures.annotated_articles) == (4, 2)
    expected = {
        "sourcing_rate": (1 + 0.5) / 2,
        "sourcing_rate_check_worthy": 1.0,
        "unsupported_check_worthy_per_1000": 0.0,
        "weasel_share": (1 / 3 + 0) / 2,
        "direct_quote_rate": 0.0,
        "author_opinion_per_1000": (1000 / 329 + 0) / 2,
        "author_opinion_share": (1 + 0) / 2,
        # Belousov and Russian intelligence: two speakers, one affiliation
        "voice_diversity": 0.0,
        "speaker_concentration": 0.5,
        "official_dependence": 1.0,
        # alice marked the experts as a counter-voice on 000; bob left his one
        # attribution on 004 unanswered, so 004 has no value (was 0 when missing read as no)
        "counter_voice_rate": 1.0,
        "completion_counter_voice": (1 / 3 + 0) / 2,
        "cue_balance": 0.0,
        "intensifying_rate": (0 + 1) / 2,
        "transparency": 0.75,
    }
    for key, value in expected.items():
        assert unknown.figures.value(key) == pytest.approx(value), key
    assert unknown.figures.values["voice_diversity"]["articles"] == 1
    assert unknown.figures.values["counter_voice_rate"]["articles"] == 1
    # two articles: the range of their values (0.5 and 1), not a 95% interval
    sourcing = unknown.figures.values["sourcing_rate"]
    assert (sourcing["interval"], sourcing["interval_method"]) == ((0.5, 1.0), "range")
    again = profile(carol, "Unidentified outlet")
    assert again.figures.values["sourcing_rate"]["interval"] == (0.5, 1.0)
    assert "agreement is unknown" in " ".join(unknown.warnings)


def test_each_reviewer_sees_a_profile_of_their_own_work(annotated, alice):
    tca = profile(alice, "The Times of Central Asia")
    assert tca.figures.reviewers == 1
    assert tca.figures.value("sourcing_rate") == pytest.approx(1.0)
    assert tca.double_annotated == 0


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_one_source_reads_what_every_sources_reads(annotated, who, request):
    # One source's queries are compiled once; several sources' are built each time.
    user = request.getfixturevalue(who)
    every = {p.source: p for p in source_profiles(user, intervals=True)}
    assert len(every) > 1
    for source, among in every.items():
        [alone] = source_profiles(user, [source], intervals=True)
        assert (alone.figures, alone.agreement, alone.warnings) == (
            among.figures,
            among.agreement,
            among.warnings,
        )
        assert [(row.article, row.figures, row.agreement) for row in alone.articles] == [
            (row.article, row.figures, row.agreement) for row in among.articles
        ]
