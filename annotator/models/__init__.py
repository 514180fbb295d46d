"""The app's models, one module per concern; import them from here."""

from .corpus import Affiliation, Article, PageSnapshot, Source, Speaker
from .precomputed import ArticleAgreement, UnitFigures, UnitFiguresByHand
from .spans import (
    LABEL_FIELDS,
    Annotation,
    CueStance,
    Label,
    Layer,
    OpinionType,
    QuoteType,
    SpeakerType,
    unlinked_message,
)
from .workflow import (
    REVIEWERS_GROUP,
    Adjudication,
    ArticleReview,
    Assignment,
    Suggestions,
    SuggestionsDecided,
)

__all__ = [
    "LABEL_FIELDS",
    "REVIEWERS_GROUP",
    "Adjudication",
    "Affiliation",
    "Annotation",
    "Article",
    "ArticleAgreement",
    "ArticleReview",
    "Assignment",
    "CueStance",
    "Label",
    "Layer",
    "OpinionType",
    "PageSnapshot",
    "QuoteType",
    "Source",
    "Speaker",
    "SpeakerType",
    "Suggestions",
    "SuggestionsDecided",
    "UnitFigures",
    "UnitFiguresByHand",
    "unlinked_message",
]
