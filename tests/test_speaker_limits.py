"""Speakers are bounded in size, listed a page at a time, searched by name or alias,
and the article page carries only the speakers of the spans it shows."""

import json
import re

import pytest
from django.core.exceptions import ValidationError

from annotator.models import Speaker
from annotator.models.corpus import SPEAKER_ALIASES_MAX, SPEAKER_NAME_MAX_LENGTH

from .conftest import logged_in, make_annotation

pytestmark = pytest.mark.django_db

TOO_MANY = [f"Alias {n}" for n in range(SPEAKER_ALIASES_MAX + 1)]
TOO_LONG = "x" * (SPEAKER_NAME_MAX_LENGTH + 1)


@pytest.mark.parametrize(
    ("aliases", "reason"),
    [
        (TOO_MANY, f"at most {SPEAKER_ALIASES_MAX} aliases, not {SPEAKER_ALIASES_MAX + 1}"),
        (["Fine", TOO_LONG], f"Alias 2 has {SPEAKER_NAME_MAX_LENGTH + 1} characters"),
        (["Fine", "  "], "Alias 2 is blank"),
        ("not a list", "must be a list of names"),
        ([1, 2], "must be a list of names"),
    ],
)
def test_full_clean_refuses_aliases_beyond_the_limits(aliases, reason):
    speaker = Speaker(name="Sergei Lavrov", aliases=aliases)
    with pytest.raises(ValidationError) as refused:
        speaker.full_clean()
    [message] = refused.value.message_dict["aliases"]
    assert reason in message


def test_full_clean_accepts_aliases_at_the_limits():
    aliases = ["y" * SPEAKER_NAME_MAX_LENGTH] * SPEAKER_ALIASES_MAX
    Speaker(name="z" * SPEAKER_NAME_MAX_LENGTH, aliases=aliases).full_clean()


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"name": "X", "aliases": TOO_MANY}, "aliases", f"at most {SPEAKER_ALIASES_MAX}"),
        ({"name": "X", "aliases": [TOO_LONG]}, "aliases", "Alias 1 has"),
        ({"name": TOO_LONG}, "name", f"no more than {SPEAKER_NAME_MAX_LENGTH} characters"),
        ({"name": "X", "affiliation_detail": TOO_LONG}, "affiliation_detail", "no more than"),
    ],
)
def test_api_refuses_oversized_speakers_with_the_field_and_reason(
    api_as, alice, payload, field, reason
):
    response = api_as(alice).post("/api/speakers/", payload, format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert not Speaker.objects.exists()


def test_speaker_list_comes_a_page_at_a_time(api_as, alice):
    Speaker.objects.bulk_create(Speaker(name=f"Speaker {n:03}") for n in range(130))
    client = api_as(alice)
    first = client.get("/api/speakers/").json()
    assert first["count"] == 130
    assert [row["name"] for row in first["results"]] == [f"Speaker {n:03}" for n in range(20)]
    second = client.get(first["next"]).json()
    assert second["results"][0]["name"] == "Speaker 020"
    # A client may ask for more, up to 100.
    assert len(client.get("/api/speakers/?limit=1000").json()["results"]) == 100


@pytest.fixture
def belousov(db):
    return Speaker.objects.create(
        name="Andrei Belousov", aliases=["Andrey Belousov", "Андрей Белоусов", 'The "minister"']
    )


def names(api_as, user, query):
    response = api_as(user).get("/api/speakers/", {"q": query})
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "query",
    ["belousov", "ANDREI", "andrey bel", "Андрей", "Белоусов", '"minister"', "  andrey  "],
)
def test_search_finds_a_speaker_by_part_of_a_name_or_alias(api_as, alice, belousov, query):
    Speaker.objects.create(name="Sergei Lavrov", aliases=["Sergey Lavrov"])
    assert names(api_as, alice, query) == ["Andrei Belousov"]


def test_search_never_matches_the_json_between_aliases(api_as, alice, belousov):
    assert names(api_as, alice, '", "') == []
    assert names(api_as, alice, "Belousov, ") == []


def test_an_empty_search_lists_every_speaker(api_as, alice, belousov):
    assert names(api_as, alice, "") == ["Andrei Belousov"]


def test_an_overlong_search_is_a_400(api_as, alice):
    response = api_as(alice).get("/api/speakers/", {"q": TOO_LONG})
    assert response.status_code == 400
    assert "no more than" in " ".join(response.json()["q"])


def page_speakers(client, article, view=None):
    page = client.get(article.get_absolute_url(), {"view": view} if view else {})
    data = re.search(
        rb'<script id="page-data" type="application/json">(.*?)</script>', page.content
    )
    return sorted(speaker["name"] for speaker in json.loads(data.group(1))["speakers"])


def test_the_article_page_carries_only_the_speakers_of_the_spans_shown(alice, bob, carol, article):
    own = Speaker.objects.create(name="Own speaker")
    others = Speaker.objects.create(name="Bob's speaker")
    Speaker.objects.bulk_create(
        Speaker(name=f"Unused {n}", aliases=["a" * 200]) for n in range(300)
    )
    make_annotation(article, alice, "attribution", "Officials said", speaker=own)
    make_annotation(article, bob, "attribution", "Officials said", speaker=others)

    assert page_speakers(logged_in(alice), article) == ["Own speaker"]
    assert page_speakers(logged_in(bob), article) == ["Bob's speaker"]
    assert page_speakers(logged_in(carol), article, view="all") == ["Bob's speaker", "Own speaker"]
    page = logged_in(alice).get(article.get_absolute_url())
    assert b"Unused" not in page.content
