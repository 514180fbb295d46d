"""Deriving the cue lexicon (:mod:`.lexicon`) from the build part of PolNeAR's training split.

Every word the rules could take for a cue (:func:`.rules.candidates`) in the build
articles is a sighting of its lemma in its frame; it counts as a cue when the article's
first annotator (by file name) marked a cue over it. One annotator per article, so an
article six annotators marked weighs what any other does.
"""

from . import engine, lexicon, rules


def sightings(articles, progress=None):
    """(lemma, frame, marked as a cue) for every candidate word of ``articles``."""
    for article in articles:
        if not article.files:
            continue
        cues = article.files[0].cues
        for offset, sentence in engine.sentences(article.body):
            for token, lemma, frame in rules.candidates(sentence):
                start = offset + token.idx
                marked = any(s <= start < e for unit in cues for s, e in unit)
                yield lemma, frame, marked
        if progress is not None:
            progress(1)


def lexicon_of(articles, progress=None) -> dict:
    return lexicon.derive(sightings(articles, progress))
