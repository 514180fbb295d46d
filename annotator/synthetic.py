"""Django-free synthetic corpus: article bodies and valid spans over them.

Used by ``generate_corpus`` to fill a database for benchmarks and by tests
that need volume. Everything is drawn from a seeded generator, so the same
arguments give the same corpus.
"""

import random
import re

from . import span_schema, text
from .profiles import agreement, maths

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
SPACE_BEFORE_WORD = re.compile(" (?=[^ ])")
LABELS = ("claim", "claim", "opinion", "attribution", "attribution")


def pick(draw, options):
    """One of ``options``; ``draw`` is a seeded generator's ``random`` method.

    Scaling one float instead of ``rng.choice`` or ``rng.randrange``, whose
    rejection sampling took most of the drawing time; the bias, about
    ``len(options)`` in 2**53, is far below anything a figure shows.
    """
    return options[int(draw() * len(options))]


def sentence(draw) -> str:
    lead = pick(draw, FILLER) + " " if draw() < 0.3 else ""
    subject, cue = pick(draw, SUBJECTS), pick(draw, CUES)
    tail = pick(draw, CLAIMS if draw() < 0.7 else OPINIONS)
    mark = f" {pick(draw, EMOJI)}" if draw() < 0.02 else ""
    return f"{lead}{subject} {cue} that {tail}{mark}."


def body(rng: random.Random, number: int, target_chars: int = 5000) -> str:
    """About ``target_chars`` of prose in paragraphs; ``number`` makes it unique."""
    paragraphs, length, draw = [f"Report number {number}."], 0, rng.random
    while length < target_chars:
        paragraph = " ".join([sentence(draw) for _ in range(3 + int(draw() * 4))])
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def word_starts(text: str) -> list[int]:
    """Offsets of the text's start and of every character after a space, spaces excepted."""
    after_spaces = [match.end() for match in SPACE_BEFORE_WORD.finditer(text)]
    return after_spaces if text[:1] in ("", " ") else [0, *after_spaces]


def spans(rng: random.Random, text: str, count: int):
    """``count`` distinct (label, start, end) spans on word boundaries of ``text``."""
    words = word_starts(text)
    chosen, draw, last_word = set(), rng.random, len(words) - 1
    attempts = 0
    while len(chosen) < count and attempts < count * 20:
        attempts += 1
        first = int(draw() * last_word)
        start, end = words[first], words[min(last_word, first + 1 + int(draw() * 12))] - 1
        if start < end:
            chosen.add((pick(draw, LABELS), start, end))
    return sorted(chosen, key=lambda span: (span[1], -span[2]))


IDENTIFIABLE = ("named_person", "named_organisation", "unnamed_identified")
# How often a yes-or-no field is yes (any other: half the time).
TRUE_RATES = {"counter_voice": 0.1, "check_worthy": 0.6, "hedged": 0.2}


class Drawer:
    """Draws a corpus chunk by chunk without a database: articles, spans, links, figures.

    Django-free, so ``generate_corpus`` can run it in other processes while it
    writes the chunks drawn before. ``world`` holds what the draws pick from:
    source ids (taken in turn), reviewer ids, speaker ids and their
    affiliations, the label fields' choices, how many spans each article
    gets, the body length, a name prefix, the spans' creation time (as the
    database takes it) and the seed.
    """

    def __init__(self, world):
        self.world = world

    def chunk(self, first, size):
        """``(articles, attributions, others, links, units, agreements)`` for articles
        ``first`` to ``first + size``.

        Articles are row dicts ready to insert; spans are row dicts whose
        ``article_id`` is the index of their article in the chunk; ``links[i]``
        is the index, among ``attributions``, of the attribution ``others[i]``
        links to (same article and reviewer), or None.
        ``units`` and ``agreements`` are the precomputed figures (see
        :meth:`figures`). Each chunk is drawn from its own generator, seeded
        by the corpus seed and ``first``: the corpus is the same whichever
        process draws which chunk.
        """
        world = self.world
        rng = random.Random(f"{world['seed']}:{first}")
        draw, articles = rng.random, []
        for number in range(first, first + size):
            content = text.normalise_text(body(rng, number, world["body_chars"]))
            articles.append(
                {
                    "source_id": world["sources"][number % len(world["sources"])],
                    "title": f"Synthetic report {number}",
                    "author": "",
                    "published": None,
                    "date_shown": "",
                    "dateline": "",
                    "seed_file": f"{world['prefix']}-{number:07d}",
                    "body": content,
                    "body_sha256": text.sha256_hex(content),
                    "word_count": text.word_count(content),
                    "opening": text.opening_words(content),
                    # Not saved web pages: no URL, no snapshot.
                    "canonical_url": "",
                    "snapshot_sha256": "",
                }
            )
        units, attributions, others, shared = {}, [], [], set()
        for offset, article in enumerate(articles):
            reviewers = world["reviewers"]
            chosen = rng.sample(reviewers, k=min(len(reviewers), 2 if rng.random() < 0.2 else 1))
            if len(chosen) > 1:
                shared.add(offset)
            count = world["per_article"][first + offset]
            for label, start, end in spans(rng, article["body"], count):
                reviewer = pick(draw, chosen)
                span = self.span(draw, article["body"], offset, reviewer, label, start, end)
                if label == "attribution":
                    units.setdefault((offset, span["reviewer_id"]), []).append(len(attributions))
                    attributions.append(span)
                else:
                    others.append(span)
        links = []
        for span in others:
            candidates = units.get((span["article_id"], span["reviewer_id"]))
            links.append(pick(draw, candidates) if candidates and draw() < 0.5 else None)
        return (
            articles,
            attributions,
            others,
            links,
            *self.figures(articles, attributions, others, links, shared),
        )

    def figures(self, articles, attributions, others, links, shared):
        """The chunk's unit figures and agreement, as :mod:`annotator.profiles.storage`
        computes them from the stored spans: ``[UnitFacts]`` and ``{article index: figures}``
        for the ``shared`` articles (indexes), those more than one reviewer annotated.

        Computed here, in the drawing process, so the writer only stores them.
        Agreement's matching depends on the order of each reviewer's spans: they
        are read as the database gives them, by start, longest first (a
        reviewer's spans of one label never share both ends).
        """
        affiliations = self.world["affiliations"]
        spans = [*attributions, *others]
        facts = [
            maths.SpanFacts(
                article_id=span["article_id"],
                annotator=span["reviewer_id"],
                label=span["label"],
                linked=link is not None,
                check_worthy=span["check_worthy"],
                speaker_type=span["speaker_type"],
                cue_stance=span["cue_stance"],
                quote_type=span["quote_type"],
                speaker_id=span["speaker_id"],
                affiliation=affiliations.get(span["speaker_id"], ""),
                counter_voice=span["counter_voice"],
            )
            for span, link in zip(spans, [None] * len(attributions) + links, strict=True)
        ]
        words = {index: (None, article["word_count"]) for index, article in enumerate(articles)}
        by_article = {}
        in_shared = [span for span in spans if span["article_id"] in shared]
        for span in sorted(in_shared, key=lambda span: (span["start"], -span["end"])):
            by_article.setdefault(span["article_id"], {}).setdefault(
                span["reviewer_id"], []
            ).append(
                agreement.Span(
                    span["label"],
                    span["start"],
                    span["end"],
                    span["speaker_type"],
                    span["cue_stance"],
                )
            )
        agreements = {
            index: figures
            for index, by_reviewer in by_article.items()
            if (figures := agreement.article_agreement(len(articles[index]["body"]), by_reviewer))
        }
        return maths.tally(words, facts), agreements

    def span(self, draw, content, article, reviewer_id, label, start, end):
        prefix, suffix = text.context(content, start, end)
        values = {
            "article_id": article,
            "reviewer_id": reviewer_id,
            "layer": "raw",
            "label": label,
            "start": start,
            "end": end,
            "quote": content[start:end],
            "prefix": prefix,
            "suffix": suffix,
            "note": "",
            **{field.column: field.empty for field in span_schema.LABEL_FIELDS},
            "orphaned": False,
            "suggested_by": "",
            "created": self.world["now"],
            "updated": self.world["now"],
        }
        for field in span_schema.LABEL_FIELDS:
            if label not in field.labels:
                continue
            if field.kind == span_schema.CHOICE:
                values[field.column] = pick(draw, self.world["choices"][field.name])
            elif field.kind == span_schema.BOOLEAN:
                values[field.column] = draw() < TRUE_RATES.get(field.name, 0.5)
        # Links are drawn for the whole chunk (see chunk()); a speaker record only for
        # a speaker who can be identified.
        if values.get("speaker_type") in IDENTIFIABLE:
            values["speaker_id"] = pick(draw, self.world["speakers"])
        return values


_drawer = None


def start_drawer(world):
    """A worker process's initializer: one drawer, kept for every chunk it is asked for."""
    global _drawer
    _drawer = Drawer(world)


def draw_chunk(first, size):
    return _drawer.chunk(first, size)
