"""The JSON export: one record per article with its annotations.

The command, the API download and the admin action all call
:func:`build_export`, so they write the same document for the same filters.
"""

import json

from django.db.models import Prefetch
from django.utils import timezone

from .models import ALL_LABEL_FIELDS, Annotation, Article, ArticleReview

SCHEMA_NAME = "newsroom-annotator/export"
SCHEMA_VERSION = "1.1"
FILTERS = ("source", "article", "reviewer", "label")


def _annotation_record(annotation: Annotation, done_by: set) -> dict:
    fields = {}
    for name in ALL_LABEL_FIELDS:
        if name == "attribution":
            continue
        if name == "speaker":
            speaker = annotation.speaker
            fields[name] = (
                None
                if speaker is None
                else {"id": speaker.pk, "name": speaker.name, "affiliation": speaker.affiliation}
            )
        else:
            fields[name] = getattr(annotation, name)
    return {
        "id": annotation.pk,
        "reviewer": annotation.reviewer.username,
        "review_state": "done" if annotation.reviewer_id in done_by else "in_progress",
        "layer": annotation.layer,
        "label": annotation.label,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "note": annotation.note,
        "created": annotation.created.isoformat(),
        "updated": annotation.updated.isoformat(),
        "fields": fields,
        "links": {"attribution": annotation.attribution_id},
    }


def export_queryset(annotations, *, source=None, article=None, reviewer=None, label=None):
    """Narrow the annotations by the export filters (ids, username and label name)."""
    if source is not None:
        annotations = annotations.filter(article__source_id=source)
    if article is not None:
        annotations = annotations.filter(article_id=article)
    if reviewer is not None:
        annotations = annotations.filter(reviewer__username=reviewer)
    if label is not None:
        annotations = annotations.filter(label=label)
    return annotations


def build_export(annotations, filters: dict) -> dict:
    """The export document for an already filtered, permission-checked queryset."""
    annotations = annotations.select_related("reviewer", "speaker").order_by("start", "-end", "pk")
    articles = (
        Article.objects.filter(pk__in=annotations.values("article_id"))
        .select_related("source")
        .prefetch_related(
            Prefetch("annotations", queryset=annotations, to_attr="exported"),
            Prefetch(
                "reviews",
                queryset=ArticleReview.objects.filter(done=True),
                to_attr="finished_reviews",
            ),
        )
        .order_by("pk")
    )
    records = []
    for article in articles:
        done_by = {review.reviewer_id for review in article.finished_reviews}
        records.append(
            {
                "id": article.pk,
                "title": article.title,
                "author": article.author,
                "published": article.published.isoformat() if article.published else None,
                "date_shown": article.date_shown,
                "dateline": article.dateline,
                "seed_file": article.seed_file,
                "source": {
                    "id": article.source.pk,
                    "name": article.source.name,
                    "domain": article.source.domain,
                    "identified": article.source.identified,
                },
                "body_sha256": article.body_sha256,
                "body_length": len(article.body),
                "word_count": article.word_count,
                "annotations": [_annotation_record(a, done_by) for a in article.exported],
            }
        )
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "offset_unit": "codepoint",
        "exported_at": timezone.now().isoformat(),
        "filters": {name: filters.get(name) for name in FILTERS},
        "articles": records,
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
