"""Writing brat standoff: per article its body as a ``.txt`` and its spans as a ``.ann``.

The ``.ann`` file is written in the terms of the default mapping
(``brat_mapping.json``, ``docs/brat.md``), so that importing the directory
gives the same spans back: a T line per span (its label as the type, code
point offsets into the ``.txt``), A lines for its reviewer, layer (when
adjudicated) and fields, an N line naming its speaker, an R line for its link
and a # line for its note. Orphaned spans have no offsets and are left out.
"""

import re
from collections import Counter
from pathlib import Path

from . import exporting, span_schema
from .models import Article, Layer

SPAN_COLUMNS = (
    "pk",
    "label",
    "start",
    "end",
    "reviewer__username",
    "layer",
    "note",
    "speaker__name",
    "attribution_id",
    "orphaned",
    *span_schema.VALUE_NAMES,
)
ARTICLES_AT_ONCE = 200


def write(annotations, filters: dict, directory: Path, progress=None) -> Counter:
    """Write the articles of the filtered ``annotations`` into ``directory``; return how many
    articles, spans and left-out orphans there were.

    An export of every span (``exporting.covers_every_span``) writes every article the
    ``source`` and ``article`` filters pick, with spans or not.
    """
    whole = exporting.covers_every_span(annotations, filters)
    annotations = exporting.filtered(annotations, **filters)
    ids = list(exporting.exported_article_ids(annotations, filters, whole))
    counts, names = Counter(), set()
    for first in range(0, len(ids), ARTICLES_AT_ONCE):
        batch = ids[first : first + ARTICLES_AT_ONCE]
        rows = annotations.filter(article_id__in=batch).values_list("article_id", *SPAN_COLUMNS)
        by_article = {}
        for article_id, *row in rows:
            by_article.setdefault(article_id, []).append(dict(zip(SPAN_COLUMNS, row, strict=True)))
        for article in Article.objects.filter(pk__in=batch).order_by("seed_file", "pk"):
            spans = by_article.get(article.pk, [])
            placed = [span for span in spans if not span["orphaned"]]
            name = file_stem(article, names)
            (directory / f"{name}.txt").write_text(article.body, encoding="utf-8", newline="")
            (directory / f"{name}.ann").write_text(
                ann_text(article.body, placed), encoding="utf-8", newline=""
            )
            counts.update(articles=1, spans=len(placed), orphans=len(spans) - len(placed))
            if progress is not None:
                progress(len(spans))
    return counts


def file_stem(article: Article, taken: set) -> str:
    """The article's file name without suffix: its seed file's (the name it was imported
    under), else ``article-<id>``; its id added when another article has the name."""
    stem = re.sub(r"[^\w.-]", "_", Path(article.seed_file).stem) or f"article-{article.pk}"
    if stem in taken:
        stem = f"{stem}-{article.pk}"
    taken.add(stem)
    return stem


def ann_text(body: str, spans: list) -> str:
    """The ``.ann`` lines of ``spans`` over ``body``, numbered in text order.

    Spans are ordered by place, label, reviewer and layer (never by id), so that
    the same spans give the same file in any database.
    """
    spans = sorted(
        spans,
        key=lambda s: (s["start"], -s["end"], s["label"], s["reviewer__username"], s["layer"]),
    )
    ids = {span["pk"]: f"T{number}" for number, span in enumerate(spans, 1)}
    lines = [
        f"{ids[s['pk']]}\t{s['label']} {s['start']} {s['end']}\t"
        + _one_line(body[s["start"] : s["end"]])
        for s in spans
    ]
    attributes, references = [], []
    for span in spans:
        attributes += [f"{name} {ids[span['pk']]} {value}" for name, value in _attributes(span)]
        if span["speaker__name"]:
            entry = re.sub(r"\s", "_", span["speaker__name"])
            references.append(
                f"Reference {ids[span['pk']]} speaker:{entry}\t{span['speaker__name']}"
            )
    lines += [f"A{number}\t{line}" for number, line in enumerate(attributes, 1)]
    lines += [f"N{number}\t{line}" for number, line in enumerate(references, 1)]
    links = [
        f"attribution Arg1:{ids[s['pk']]} Arg2:{ids[s['attribution_id']]}"
        for s in spans
        if s["attribution_id"] in ids
    ]
    lines += [f"R{number}\t{line}" for number, line in enumerate(links, 1)]
    notes = [f"AnnotatorNotes {ids[s['pk']]}\t{_one_line(s['note'])}" for s in spans if s["note"]]
    lines += [f"#{number}\t{line}" for number, line in enumerate(notes, 1)]
    return "".join(f"{line}\n" for line in lines)


def _attributes(span):
    """(attribute, value) for the span's reviewer, its layer when adjudicated, and each field
    it has a value for (yes/no as true/false)."""
    yield "reviewer", span["reviewer__username"]
    if span["layer"] != Layer.RAW:
        yield "layer", span["layer"]
    for name in span_schema.VALUE_NAMES:
        value = span[name]
        if value is not None and value != "":
            yield name, str(value).lower() if isinstance(value, bool) else value


def _one_line(value: str) -> str:
    """A text on one line: a brat line ends at a line break."""
    return re.sub(r"[\r\n]", " ", value)
