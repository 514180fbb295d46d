"""The engine's lexicon: cue lemmas counted on PolNeAR's build articles, and word lists.

``cue_lexicon.json`` holds, for each verb lemma (and "according to") and each frame it
stood in (with a clause complement, in a sentence with a quotation, otherwise), how often
it was seen in the build articles and how often an annotator marked it as a cue: counts
only, no corpus text. ``manage.py derive_cue_lexicon`` writes it again from the corpus
(:func:`derive`). A verb is a cue when the share of its sightings in that frame that were
cues reaches :data:`THRESHOLD`. The stance, hedge, source and opinion word lists are
written by hand from the project's codebook (``../shared/docs/METHOD.md``).
"""

import functools
from collections import defaultdict
from pathlib import Path

import orjson

PATH = Path(__file__).with_name("cue_lexicon.json")
COMPLEMENT, QUOTATION, OTHER = "complement", "quotation", "other"
FRAMES = (COMPLEMENT, QUOTATION, OTHER)
ACCORDING_TO = "according to"
THRESHOLD = 0.3  # the least share of sightings marked as cues that makes a verb a cue
MIN_SEEN = 3  # fewer sightings than this in a frame say nothing
PRIOR = 1  # sightings added to each count's denominator: a rare verb scores lower


def _words(listed: str) -> frozenset:
    return frozenset(listed.split())


# Cue stance by the cue's lemma (the codebook's examples and their near synonyms).
STANCES = {
    "endorsing": _words("""acknowledge admit concede confirm demonstrate disclose explain find note
        point prove reveal show recognize establish"""),
    "distancing": _words("allege claim contend insist maintain purport profess term assert"),
    "intensifying": _words("""warn stress slam blast attack decry denounce condemn lash emphasize
        boast accuse charge rip scold"""),
}
STANCE_OF = {lemma: stance for stance, lemmas in STANCES.items() for lemma in lemmas}

# Words that make a claim hedged (the codebook: may, reportedly, is expected).
HEDGES = _words(
    """may might could reportedly allegedly apparently possibly perhaps likely unlikely
    probably expected appears appear seems seem suggests estimated believed"""
)
# A source whose head is one of these is vague ("some experts", "reports").
VAGUE_SOURCES = _words(
    """some many others critics experts observers reports people sources analysts officials
    supporters opponents someone they"""
)

# Opinion cues in the author's own voice, by opinion type.
PRESCRIPTIVE = _words("should must ought need needs shall")
SPECULATIVE = _words("may might perhaps probably maybe presumably likely")
EVALUATIVE = _words(
    """absurd appalling awful bad brilliant disastrous disgraceful dishonest embarrassing
    excellent fantastic foolish good great horrible ill-advised incompetent laughable
    outrageous pathetic ridiculous shameful silly stupid terrible tremendous wonderful wrong
    unfortunately sadly thankfully obviously clearly hypocritical sensible reckless shocking
    nonsense failed weak strong best worst crazy dangerous unacceptable remarkable troubling
    alarming"""
)


@functools.cache
def _counts() -> dict:
    return orjson.loads(PATH.read_bytes())["cues"]


def cue_score(lemma: str, frame: str) -> float:
    """The share of ``lemma``'s sightings in ``frame`` that annotators marked as cues (0 for
    a lemma seen too seldom there)."""
    cue, seen = _counts().get(lemma, {}).get(frame, (0, 0))
    return cue / (seen + PRIOR) if seen >= MIN_SEEN else 0.0


def stance(lemma: str) -> str:
    return STANCE_OF.get(lemma, "neutral")


def opinion_type(sentence) -> tuple:
    """(the opinion type a sentence's cues point to, how many cues), or (None, 0)."""
    words = [token.lower_ for token in sentence]
    found = {
        kind: sum(word in cues for word in words)
        for kind, cues in (
            ("prescriptive", PRESCRIPTIVE),
            ("speculative", SPECULATIVE),
            ("evaluative", EVALUATIVE),
        )
    }
    kind = max(found, key=lambda k: found[k])
    return (kind, found[kind]) if found[kind] else (None, 0)


def derive(sightings) -> dict:
    """The lexicon from ``sightings``: (lemma, frame, marked as a cue) for every verb seen."""
    counts = defaultdict(lambda: {frame: [0, 0] for frame in FRAMES})
    for lemma, frame, is_cue in sightings:
        counts[lemma][frame][1] += 1
        counts[lemma][frame][0] += int(is_cue)
    kept = {
        lemma: {frame: pair for frame, pair in frames.items() if pair[1]}
        for lemma, frames in sorted(counts.items())
        if any(pair[0] for pair in frames.values())
    }
    return {"cues": kept}
