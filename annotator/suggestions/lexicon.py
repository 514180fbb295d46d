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
# A frame: (clause, subject, quoted, role): the cue's clause (complement, quotation, other),
# its subject ("first" for I, we, you alone; "none"; "third" otherwise), whether it stands
# inside a quotation ("in", "out") and whether it heads a clause ("main", "sub"). Counts
# are kept per full frame and read backing off to coarser ones.
COMPLEMENT, QUOTATION, OTHER = "complement", "quotation", "other"
ACCORDING_TO, COLON = "according to", ":"
THRESHOLD = 0.3  # the least share of sightings marked as cues that makes a verb a cue
MIN_SEEN = 3  # fewer sightings than this in a frame say nothing: back off to a coarser one
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
# A proper name holding one of these names an organisation or a document rather than a
# person ("the Clinton campaign", "The New York Times").
ORGANISATION_WORDS = _words(
    """party committee department ministry news times post journal house campaign
    administration university college association council court congress senate agency
    foundation institute group inc corp company network office bureau commission board
    cnn fox msnbc reuters ap afp bbc nbc abc cbs gallup poll report study center centre
    union league fund bank police army"""
)
# Words of dates a claim can be checked by.
CALENDAR_WORDS = _words(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december yesterday today"""
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
    """(lemma, frame key) -> [cues, sightings], for the full frames and the coarser ones
    the scores back off to (:func:`_coarser`)."""
    counts = defaultdict(lambda: [0, 0])
    for lemma, frames in orjson.loads(PATH.read_bytes())["cues"].items():
        for key, (cues, seen) in frames.items():
            for coarser in _coarser(tuple(key.split("/"))):
                counts[lemma, coarser][0] += cues
                counts[lemma, coarser][1] += seen
    return dict(counts)


def _coarser(frame: tuple) -> tuple:
    clause, subject, quoted, _role = frame
    return "/".join(frame), f"{clause}/{subject}/{quoted}", f"{clause}/{quoted}", clause, ""


def cue_score(lemma: str, frame: tuple) -> float:
    """The share of ``lemma``'s sightings in ``frame`` that annotators marked as cues, from
    the finest frame seen at least MIN_SEEN times (0 when none is)."""
    counts = _counts()
    for key in _coarser(frame):
        cues, seen = counts.get((lemma, key), (0, 0))
        if seen >= MIN_SEEN:
            return cues / (seen + PRIOR)
    return 0.0


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
    """The lexicon from ``sightings``: (lemma, frame, marked as a cue) for every candidate
    word seen; lemmas never marked are left out."""
    counts = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for lemma, frame, is_cue in sightings:
        pair = counts[lemma]["/".join(frame)]
        pair[0] += int(is_cue)
        pair[1] += 1
    kept = {
        lemma: dict(sorted(frames.items()))
        for lemma, frames in sorted(counts.items())
        if any(cues for cues, _ in frames.values())
    }
    return {"cues": kept}


def write(derived: dict, path: Path):
    """The lexicon as JSON, a line per lemma (so that a new count shows as a changed line)."""
    lines = [
        f"    {orjson.dumps(lemma).decode()}: {orjson.dumps(frames).decode()}"
        for lemma, frames in derived["cues"].items()
    ]
    path.write_text('{"cues": {\n' + ",\n".join(lines) + "\n}}\n", encoding="utf-8")
