"""The article-level records of an export of 1.4 or later: articles, page reviews, adjudications.

An import reads them with the spans (:mod:`annotator.importing`): each
article record comes before its spans as an :class:`IncomingArticle`. An
article not stored yet (by body hash) is created from the file, with its
source (found by name, else created as the file describes it); reviews and
the adjudication record replace what is stored for their reviewer and
article, so importing a file twice changes nothing. Checks here are plain
ones on the parsed values, worded like the spans' problems.
"""

from dataclasses import dataclass, field
from datetime import UTC, date

from django.utils.dateparse import parse_datetime

from . import text
from .models import Adjudication, Article, ArticleReview, Source
from .models.workflow import Genre, HeadlineFidelity

NULL = type(None)
ARTICLE_TEXTS = ("title", "author", "date_shown", "dateline", "seed_file")
SOURCE_SHAPE = {"id": (int,), "name": (str,), "domain": (str,), "identified": (bool,)}
REVIEW_SHAPE = {
    "reviewer": (str,),
    "done": (bool,),
    "done_at": (str, NULL),
    "genre": (str,),
    "byline_shown": (bool, NULL),
    "date_shown": (bool, NULL),
    "bio_shown": (bool, NULL),
    "headline_fidelity": (str,),
    "note": (str,),
}
ADJUDICATION_SHAPE = {
    "adjudicator": (str,),
    "started": (str,),
    "completed_at": (str, NULL),
    "completed_by": (str, NULL),
    "complete": (bool,),
}
GENRES = frozenset([*Genre.values, ""])
FIDELITIES = frozenset([*HeadlineFidelity.values, ""])


@dataclass(slots=True)
class IncomingArticle:
    """One article record as the file gives it; ``where`` names it in messages."""

    where: str
    body_sha256: str | None = None
    record: dict = field(default_factory=dict)
    problem: str = ""


def incoming(record: dict, where: str, wrong_shape) -> IncomingArticle:
    """The article record, or what is wrong with its JSON types (``wrong_shape`` from importing)."""
    shape = {
        **dict.fromkeys((*ARTICLE_TEXTS, "body"), (str,)),
        "published": (str, NULL),
        "source": (dict,),
        "reviews": (list,),
        "adjudication": (dict, NULL),
    }
    problem = wrong_shape(record, shape) or wrong_shape(record.get("source", {}), SOURCE_SHAPE)
    for number, review in enumerate(record.get("reviews") or [], 1):
        if not problem and type(review) is not dict:
            problem = f"its reviews[{number}] must be an object"
        problem = problem or wrong_shape(review, REVIEW_SHAPE, f"reviews[{number}].")
    problem = problem or wrong_shape(
        record.get("adjudication") or {}, ADJUDICATION_SHAPE, "adjudication."
    )
    return IncomingArticle(where, record.get("body_sha256"), record, problem)


def moment(value):
    """An ISO 8601 time as an aware UTC datetime; None if it is none."""
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def article_problem(item: IncomingArticle) -> str:
    """What is wrong with the article's own fields, or ""."""
    record = item.record
    body = record.get("body")
    if not body or "source" not in record or not record["source"].get("name"):
        return "an article record (1.4 or later) needs its body and its source's name"
    if text.normalise_text(body) != body:
        return "its body is not stored text (NFC, \\n line endings)"
    if text.sha256_hex(body) != item.body_sha256:
        return f"its body's SHA-256 is not its body_sha256 {str(item.body_sha256)[:12]}…"
    published = record.get("published")
    if published is not None:
        try:
            date.fromisoformat(published)
        except ValueError:
            return f"its published {published[:40]!r} is not a date such as 2025-05-28"
    for name in ARTICLE_TEXTS:
        limit = Article._meta.get_field(name).max_length
        if len(record.get(name, "")) > limit:
            return f"its {name} is longer than {limit} characters"
    return ""


def review_problem(review: dict, name_problem) -> str:
    """What is wrong with one page review (``name_problem`` checks a username)."""
    problem = name_problem(review["reviewer"]) if "reviewer" in review else "it names no reviewer"
    if problem:
        return problem
    if review.get("genre", "") not in GENRES:
        return f"genre: Value {review['genre'][:40]!r} is not a valid choice."
    if review.get("headline_fidelity", "") not in FIDELITIES:
        return (
            f"headline_fidelity: Value {review['headline_fidelity'][:40]!r} is not a valid choice."
        )
    if review.get("done") and moment(review.get("done_at")) is None:
        return "a done review needs its done_at, a date and time"
    return ""


def adjudication_problem(record: dict, name_problem) -> str:
    """What is wrong with an adjudication record."""
    for name in ("adjudicator", "completed_by"):
        if record.get(name) is not None and (problem := name_problem(record[name])):
            return problem
    if not record.get("adjudicator") or moment(record.get("started")) is None:
        return "an adjudication needs its adjudicator and its started time"
    complete = record.get("complete", False)
    given = (moment(record.get("completed_at")) is not None, record.get("completed_by") is not None)
    if given != (complete, complete):
        return (
            "a complete adjudication has completed_at and completed_by; an incomplete one neither"
        )
    return ""


def store_article(item: IncomingArticle, keep_ids: bool) -> Article:
    """Create the article the record describes, with its source unless one has that name.

    ``keep_ids``: the new source and article take the file's ids (an empty
    database whose work is rolled back: ``recompute_profiles``).
    """
    record, described = item.record, item.record["source"]
    source = Source.objects.filter(name=described["name"]).first()
    if source is None:
        source = Source.objects.create(
            pk=described.get("id") if keep_ids else None,
            name=described["name"],
            domain=described.get("domain", ""),
            identified=described.get("identified", True),
        )
    published = record.get("published")
    return Article.objects.create(
        pk=record.get("id") if keep_ids else None,
        source=source,
        published=date.fromisoformat(published) if published else None,
        body=record["body"],
        **{name: record.get(name, "") for name in ARTICLE_TEXTS},
    )


def store_verdicts(article: Article, record: dict, users: dict):
    """The record's page reviews and adjudication, in place of what is stored for them."""
    for review in record.get("reviews") or []:
        ArticleReview.objects.update_or_create(
            article=article,
            reviewer=users[review["reviewer"]],
            defaults={
                "done": review.get("done", False),
                "done_at": moment(review.get("done_at")),
                "genre": review.get("genre", ""),
                "byline_shown": review.get("byline_shown"),
                "date_shown": review.get("date_shown"),
                "bio_shown": review.get("bio_shown"),
                "headline_fidelity": review.get("headline_fidelity", ""),
                "note": review.get("note", ""),
            },
        )
    adjudication = record.get("adjudication")
    if adjudication is not None:
        completed_by = adjudication.get("completed_by")
        Adjudication.objects.update_or_create(
            article=article,
            defaults={
                "adjudicator": users[adjudication["adjudicator"]],
                "created": moment(adjudication["started"]),
                "completed_at": moment(adjudication.get("completed_at")),
                "completed_by": users[completed_by] if completed_by else None,
            },
        )


def people(record: dict) -> set:
    """The usernames an article record's reviews and adjudication name."""
    adjudication = record.get("adjudication") or {}
    names = {review.get("reviewer") for review in record.get("reviews") or []}
    names |= {adjudication.get("adjudicator"), adjudication.get("completed_by")}
    return {name for name in names if isinstance(name, str)}
