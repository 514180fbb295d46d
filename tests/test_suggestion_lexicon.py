"""The cue lexicon: derived from annotated articles, written, and read back backing off."""

from pathlib import Path

import orjson
import pytest

from annotator.suggestions import building, evaluation, lexicon

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "polnear" / "data"
FRAME = ("complement", "third", "out", "main")


@pytest.fixture
def written(tmp_path, monkeypatch):
    """Write a lexicon and have the engine read it."""

    def write(derived):
        monkeypatch.setattr(lexicon, "PATH", tmp_path / "lexicon.json")
        lexicon.write(derived, lexicon.PATH)
        lexicon._counts.cache_clear()
        return lexicon.PATH

    yield write
    lexicon._counts.cache_clear()


def test_derive_counts_sightings_per_frame():
    derived = lexicon.derive(
        [("say", FRAME, True), ("say", FRAME, False), ("eat", FRAME, False), ("say", FRAME, True)]
    )
    assert derived == {"cues": {"say": {"complement/third/out/main": [2, 3]}}}


def test_scores_back_off_to_coarser_frames(written):
    written({"cues": {"say": {"complement/third/out/main": [3, 3], "other/none/out/main": [0, 5]}}})
    assert lexicon.cue_score("say", FRAME) == 3 / (3 + lexicon.PRIOR)
    # the same clause and quotedness with another subject: the clause and quotedness' counts
    assert lexicon.cue_score("say", ("complement", "first", "out", "sub")) == 3 / 4
    # a clause never seen: every frame of the lemma together
    assert lexicon.cue_score("say", ("quotation", "third", "in", "main")) == 3 / (8 + 1)
    assert lexicon.cue_score("say", ("other", "none", "out", "sub")) == 0.0
    assert lexicon.cue_score("eat", FRAME) == 0.0


def test_the_lexicon_of_the_training_articles(written):
    derived = building.lexicon_of(evaluation.articles(DATA, ["annotator-training"]))
    say = derived["cues"]["say"]
    assert sum(cues for cues, _ in say.values()) > 20
    assert all(
        0 <= cues <= seen for frames in derived["cues"].values() for cues, seen in frames.values()
    )
    assert orjson.loads(written(derived).read_bytes()) == derived
