"""Django-free synthetic corpus: article bodies and valid spans over them.

Used by ``generate_corpus`` to fill a database for benchmarks and by tests
that need volume. Everything is drawn from a seeded generator, so the same
arguments give the same corpus.
"""

import random
import re

SUBJECTS = (
    "The minister",
    "Officials",
    "The spokesperson",
    "Analysts",
    "The ministry",
    "Local residents",
    "The agency",
    "Observers",
    "The committee",
    "Diplomats",
)
CUES = ("said", "stated", "warned", "claimed", "noted", "argued", "confirmed", "stressed")
CLAIMS = (
    "the border will close on Monday",
    "over 15,000 fighters are active in the region",
    "the agreement was signed in 2024",
    "prices rose by ten percent last year",
    "three joint exercises were held in March",
    "the budget for defence doubled",
    "the centre opened in the capital",
    "two delegations met in Bishkek",
)
OPINIONS = (
    "this is a crucial step",
    "the plan is reckless",
    "vigilance must remain high",
    "the threat may be exaggerated",
    "the response was weak",
    "cooperation is essential",
)
FILLER = (
    "Against the backdrop of regional tension,",
    "In a separate development,",
    "According to the statement,",
    "Earlier this year,",
    "Meanwhile,",
)
EMOJI = ("😀", "👩🏽‍🔬", "🇰🇬")
WORD_START = re.compile("(?:^|(?<= ))[^ ]")  # the text's start or after a space


def sentence(rng: random.Random) -> str:
    lead = rng.choice(FILLER) + " " if rng.random() < 0.3 else ""
    subject, cue = rng.choice(SUBJECTS), rng.choice(CUES)
    tail = rng.choice(CLAIMS) if rng.random() < 0.7 else rng.choice(OPINIONS)
    mark = f" {rng.choice(EMOJI)}" if rng.random() < 0.02 else ""
    return f"{lead}{subject} {cue} that {tail}{mark}."


def body(rng: random.Random, number: int, target_chars: int = 5000) -> str:
    """About ``target_chars`` of prose in paragraphs; ``number`` makes it unique."""
    paragraphs, length = [f"Report number {number}."], 0
    while length < target_chars:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def spans(rng: random.Random, text: str, count: int):
    """``count`` distinct (label, start, end) spans on word boundaries of ``text``."""
    words = [match.start() for match in WORD_START.finditer(text)]
    chosen = set()
    labels = ("claim", "claim", "opinion", "attribution", "attribution")
    attempts = 0
    while len(chosen) < count and attempts < count * 20:
        attempts += 1
        first = rng.randrange(len(words) - 1)
        last = min(len(words) - 1, first + rng.randint(1, 12))
        end = words[last] - 1
        start = words[first]
        if start < end:
            chosen.add((rng.choice(labels), start, end))
    return sorted(chosen, key=lambda span: (span[1], -span[2]))
