"""The suggestion engine's contract: code-point offsets, quotes, fields, order, one load."""

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from annotator import span_schema
from annotator.models import CueStance, OpinionType, QuoteType, SpeakerType
from annotator.suggestions import engine, pipeline

# Emoji (one of five code points: not one character, not UTF-16 units), a letter with a
# combining mark that NFC keeps apart (the body is stored in NFC), and
# an attribution, a quotation, a claim with numbers and an opinion after them.
BODY = (
    "🎉👩‍👩‍👧 A night in Ko\u0301ln.\n\n"
    "The mayor of Ko\u0301ln said on Tuesday that taxes would rise by 5% next year. 👍\n\n"
    "“We will not back down,” Senator Jane Doe told reporters. "
    "Critics claim the plan is reckless. The government should act now.\n"
)
CHOICES = {
    "speaker_type": SpeakerType.values,
    "cue_stance": CueStance.values,
    "quote_type": QuoteType.values,
    "opinion_type": OpinionType.values,
}


@pytest.fixture(scope="module")
def suggestions():
    return engine.suggest(BODY)


def by_quote(suggestions, label):
    return {s.quote: s for s in suggestions if s.label == label}


def test_offsets_are_code_points_and_quotes_the_trimmed_slice(suggestions):
    assert suggestions
    for suggestion in suggestions:
        assert 0 <= suggestion.start < suggestion.end <= len(BODY)
        assert suggestion.quote == BODY[suggestion.start : suggestion.end]
        assert suggestion.quote == suggestion.quote.strip()
    attribution = by_quote(suggestions, "attribution")["The mayor of Ko\u0301ln said"]
    assert attribution.start == BODY.index("The mayor")
    assert attribution.end == BODY.index(" on Tuesday")


def test_the_engine_finds_attributions_with_speaker_cue_and_content(suggestions):
    attributions = by_quote(suggestions, "attribution")
    mayor = attributions["The mayor of Ko\u0301ln said"]
    assert mayor.speaker_name == "The mayor of Ko\u0301ln"
    assert mayor.fields == {
        "speaker_type": "unnamed_identified",
        "cue_stance": "neutral",
        "quote_type": "indirect",
    }
    senator = attributions["Senator Jane Doe told"]
    assert senator.fields["quote_type"] == "direct"
    assert senator.fields["speaker_type"] == "named_person"
    critics = attributions["Critics claim"]
    assert critics.fields["speaker_type"] == "vague"
    assert critics.fields["cue_stance"] == "distancing"
    claims = by_quote(suggestions, "claim")
    assert claims["that taxes would rise by 5% next year"].attribution == mayor.key
    assert claims["that taxes would rise by 5% next year"].fields["check_worthy"] is True
    assert claims["“We will not back down,”"].attribution == senator.key


def test_an_opinion_in_the_authors_voice(suggestions):
    opinion = by_quote(suggestions, "opinion")["The government should act now."]
    assert opinion.fields == {"opinion_type": "prescriptive"}
    assert opinion.attribution is None


def test_fields_are_only_the_labels_own_values(suggestions):
    for suggestion in suggestions:
        owned = set(span_schema.fields_of(suggestion.label)) & set(span_schema.VALUE_NAMES)
        assert set(suggestion.fields) <= owned
        for name, value in suggestion.fields.items():
            if name in CHOICES:
                assert value in CHOICES[name] or value == ""
            else:
                assert value in (True, False, None)
        if suggestion.label != "attribution":
            assert suggestion.speaker_name == ""
        else:
            assert suggestion.attribution is None


def test_keys_are_unique_and_links_name_suggested_attributions(suggestions):
    keys = [s.key for s in suggestions]
    assert len(set(keys)) == len(keys)
    attributions = {s.key for s in suggestions if s.label == "attribution"}
    assert {s.attribution for s in suggestions if s.attribution} <= attributions
    assert all(s.key == f"{s.label}:{s.start}:{s.end}" for s in suggestions)


def test_deterministic_and_sorted(suggestions):
    again = engine.suggest(BODY)
    assert again == suggestions
    assert again == sorted(again, key=lambda s: (s.start, s.end, s.label))


def test_as_dict_is_json_with_the_engine(suggestions):
    record = orjson.loads(orjson.dumps(suggestions[0].as_dict()))
    assert record["engine"] == engine.identity() == f"{engine.ENGINE}/{engine.VERSION}"
    assert set(record) == {
        "key",
        "label",
        "start",
        "end",
        "quote",
        "fields",
        "speaker_name",
        "attribution",
        "score",
        "engine",
    }
    assert all(0 <= s.score <= 1 for s in suggestions)


def test_an_empty_body_suggests_nothing():
    assert engine.suggest("") == []
    assert engine.suggest("\n\n  \n") == []


def test_the_pipeline_is_loaded_once():
    assert pipeline.nlp() is pipeline.nlp()


def test_the_django_app_loads_no_spacy():
    """Importing the app and the engine reads no spaCy; the first suggestion does."""
    script = (
        "import sys, django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'project.settings.test'\n"
        "django.setup()\n"
        "import annotator.urls, annotator.suggestions.engine as engine\n"
        "print('spacy' in sys.modules)\n"
        "engine.suggest('The senator said so.')\n"
        "print('spacy' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]


def test_a_headline_colon_is_an_attribution():
    (attribution, claim) = engine.suggest("Sanders: Clinton email story has moved.")
    assert (attribution.quote, attribution.speaker_name) == ("Sanders:", "Sanders")
    assert claim.quote == "Clinton email story has moved." and claim.attribution == attribution.key


def test_a_cue_inside_another_cues_content_is_left_out():
    """PolNeAR gives each word to one attribution: what Jones is said to have claimed is
    the content of Smith's attribution, not an attribution of its own."""
    body = "Smith said on Monday that Jones claimed the vote was rigged."
    attributions = [s.quote for s in engine.suggest(body) if s.label == "attribution"]
    assert attributions == ["Smith said"]
    alone = [s.quote for s in engine.suggest("Jones claimed the vote was rigged.")]
    assert "Jones claimed" in alone


def test_a_line_longer_than_a_piece_is_read_in_pieces(monkeypatch):
    sentence = "The senator said that taxes would rise. "
    body = (sentence * 6).strip()
    whole = engine.suggest(body)
    monkeypatch.setattr(engine, "LONGEST_PIECE", len(sentence) * 2)
    pieces = list(engine._pieces(0, body))
    assert len(pieces) == 3 and "".join(piece for _, piece in pieces) == body
    assert all(body[at : at + len(piece)] == piece for at, piece in pieces)
    found = [(s.label, s.start, s.end) for s in engine.suggest(body)]
    assert found == [(s.label, s.start, s.end) for s in whole]
