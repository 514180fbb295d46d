"""A study bundle: the codebook, reliability, figures and data of a study, in one directory.

:func:`write` fills an empty directory with a Frictionless Data Package
(``datapackage.json``) whose resources are the codebook, a reliability report
per variable (Lombard et al.: coefficient, interval, units, coders, how the
sample was drawn), each source's figures as the staff summary API gives them,
tidy CSVs (one row per span; one row per run of code points × coder × label)
and the native and W3C exports, then ``checksums.sha256`` over every file.
The figures are read as staff read them (every reviewer's spans, complete
adjudicated layers, agreement). ``docs/study-bundle.md`` describes each file.
"""

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import orjson
from django.db.models import Count
from django.db.models.functions import Length
from django.urls import reverse

from . import exporting, span_schema
from .models import (
    Affiliation,
    Annotation,
    Article,
    ArticleAgreement,
    ArticleReview,
    Assignment,
    Label,
    Layer,
    Source,
    Speaker,
)
from .profiles import agreement, maths, storage
from .profiles.presentation import METRICS_BY_KEY, alpha_interval_text, profile_payload
from .profiles.reading import source_profiles

# Which version of the guidelines (templates/annotator/guidelines.html) reviewers
# followed: raised whenever the guidelines change what a reviewer is told to mark.
GUIDELINES_VERSION = 1
PACKAGE_NAME = "newsroom-annotator-study"
CORPUS = "corpus"  # the reliability scope pooling every double-annotated article
ROW_BATCH = 2000  # span rows read at a time
ARTICLE_BATCH = 100  # double-annotated articles whose codings are read at a time
SAMPLE_DRAWN = (
    "Staff deal articles to reviewers on the queue page: the articles are shuffled with a "
    "seed and dealt round-robin, and a chosen share of them (20% by default) also goes to "
    "the next reviewer in the rotation (annotator.workqueue.plan_assignments); the seed "
    "and the share of each dealing are not stored. Each assignment records whether its "
    "reviewer was shown suggested spans: off on articles dealt twice unless staff chose "
    "on or off at random per assignment (annotator.workqueue.suggestion_conditions); "
    "spans.csv's suggested_by names the engine of each accepted suggestion. The "
    "reliability sample is every "
    "article two or more reviewers coded (raw spans on it, or marked it done), whether "
    "or not it was dealt twice."
)


class StaffReader:
    """Whom the bundle reads figures as: staff, who see every reviewer's spans, the complete
    adjudicated layers and agreement (a command has no user)."""

    is_staff = True
    pk = None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type
    description: str
    values: tuple = ()  # the allowed values, if a fixed set


def table_schema(columns, primary_key=(), foreign_keys=()):
    fields = []
    for column in columns:
        field = {"name": column.name, "type": column.type, "description": column.description}
        if column.values:
            field["constraints"] = {"enum": list(column.values)}
        fields.append(field)
    schema = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = list(primary_key)
    if foreign_keys:
        schema["foreignKeys"] = list(foreign_keys)
    return schema


def cell(value):
    """A value as a CSV cell: empty for none, booleans as true/false, times in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for row in rows:
            writer.writerow([cell(value) for value in row])


def write_json(path, value):
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NAIVE_UTC))


def sha256(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# ---- The codebook ----------------------------------------------------------------------


def _field_values(label_field):
    """A label field's allowed values with their meanings, and what "unanswered" is."""
    if label_field.kind == span_schema.CHOICE:
        choices = Annotation._meta.get_field(label_field.name).choices
        return [{"value": value, "meaning": str(meaning)} for value, meaning in choices]
    if label_field.kind == span_schema.BOOLEAN:
        return [{"value": True, "meaning": "yes"}, {"value": False, "meaning": "no"}]
    if label_field.kind == span_schema.SPEAKER:
        return [
            {"value": "a speaker record's id", "meaning": "see speaker_name, speaker_affiliation"}
        ]
    return [{"value": "an attribution span's id", "meaning": "the attribution it is linked to"}]


def codebook_field(label_field) -> dict:
    model_field = Annotation._meta.get_field(label_field.name)
    return {
        "name": label_field.name,
        "kind": label_field.kind,
        "labels": list(label_field.labels),
        "description": str(model_field.help_text or model_field.verbose_name),
        "values": _field_values(label_field),
        "unanswered": label_field.empty,
    }


def codebook():
    return {
        "guidelines_version": GUIDELINES_VERSION,
        "guidelines_page": reverse("annotator:guidelines"),
        "metric_definitions_version": exporting.METRIC_DEFINITIONS_VERSION,
        "offsets": {
            "unit": "codepoint",
            "end": "exclusive",
            "text": "the stored body, NFC-normalised with `\\n` line endings",
        },
        "labels": [
            {"value": value, "meaning": str(meaning), "fields": list(span_schema.fields_of(value))}
            for value, meaning in Label.choices
        ],
        "layers": [{"value": value, "meaning": str(meaning)} for value, meaning in Layer.choices],
        "fields": [codebook_field(label_field) for label_field in span_schema.LABEL_FIELDS],
        "speaker_affiliations": [
            {"value": value, "meaning": str(meaning)} for value, meaning in Affiliation.choices
        ],
        "figures": [
            {
                "key": metric.key,
                "name": metric.name,
                "group": metric.group,
                "kind": metric.kind,
                "reading": metric.reading,
                "labels": list(metric.labels),
                "needs": metric.needs or None,
            }
            for metric in METRICS_BY_KEY.values()
        ],
        "thresholds": exporting.metrics(),
    }


def codebook_markdown(book) -> str:
    lines = [
        "# Codebook",
        "",
        f"Guidelines version {book['guidelines_version']} (the tool's "
        f"`{book['guidelines_page']}` page); figure definitions version "
        f"{book['metric_definitions_version']}. Offsets are Unicode code points into "
        f"{book['offsets']['text']}, end exclusive.",
        "",
        "## Labels",
        "",
    ]
    for label in book["labels"]:
        lines.append(
            f"- `{label['value']}` ({label['meaning']}): fields {', '.join(label['fields'])}"
        )
    lines += ["", "## Fields", ""]
    for field in book["fields"]:
        lines += [
            f"### `{field['name']}` ({field['kind']}, on {', '.join(field['labels'])})",
            "",
            field["description"],
            "",
            *(f"- `{value['value']}`: {value['meaning']}" for value in field["values"]),
            f"- unanswered: `{orjson.dumps(field['unanswered']).decode()}`",
            "",
        ]
    return "\n".join(lines)


# ---- Spans -----------------------------------------------------------------------------

# spans.csv's columns: what each is read as, then its column; the label fields follow.
SPAN_PLACE = (
    ("id", Column("id", "integer", "The span's id.")),
    ("article_id", Column("article", "integer", "The article's id.")),
    ("article__source_id", Column("source", "integer", "The article's source id.")),
    ("reviewer__username", Column("reviewer", "string", "Who marked it.")),
    ("layer", Column("layer", "string", "Whose layer.", tuple(Layer.values))),
    ("label", Column("label", "string", "What was marked.", tuple(Label.values))),
    ("start", Column("start", "integer", "First code point; empty for an orphan.")),
    ("end", Column("end", "integer", "Code point after the last; empty for an orphan.")),
    ("quote", Column("quote", "string", "The text at start:end.")),
    ("prefix", Column("prefix", "string", "Text just before the quote.")),
    ("suffix", Column("suffix", "string", "Text just after the quote.")),
    ("note", Column("note", "string", "The reviewer's note.")),
    ("created", Column("created", "datetime", "When it was marked.")),
    ("updated", Column("updated", "datetime", "When it last changed.")),
    ("orphaned", Column("orphaned", "boolean", "Its body changed and the quote was lost.")),
    (
        "suggested_by",
        Column(
            "suggested_by",
            "string",
            "Empty if marked by hand, else the engine (name/version) of the accepted suggestion.",
        ),
    ),
)
LABEL_FIELD_TYPES = {
    span_schema.CHOICE: "string",
    span_schema.BOOLEAN: "boolean",
    span_schema.SPEAKER: "integer",
    span_schema.LINK: "integer",
}


def _label_field_column(label_field):
    values = ()
    if label_field.kind == span_schema.CHOICE:
        values = tuple(value for value, _ in Annotation._meta.get_field(label_field.name).choices)
    return Column(
        label_field.name,
        LABEL_FIELD_TYPES[label_field.kind],
        f"{label_field.kind} on {', '.join(label_field.labels)} (see codebook.json)",
        values,
    )


SPAN_COLUMNS = (
    *(column for _, column in SPAN_PLACE),
    *(_label_field_column(label_field) for label_field in span_schema.LABEL_FIELDS),
    Column("speaker_name", "string", "The speaker record's name."),
    Column("speaker_affiliation", "string", "The speaker record's affiliation."),
)
SPAN_READ = (
    *(read for read, _ in SPAN_PLACE),
    *(label_field.column for label_field in span_schema.LABEL_FIELDS),
)
START, END, ORPHANED = (SPAN_READ.index(name) for name in ("start", "end", "orphaned"))
SPEAKER = SPAN_READ.index("speaker_id")


def span_rows(articles):
    """One row per span of ``articles`` (every layer, orphans too), read in batches."""
    speakers = {
        pk: (name, affiliation)
        for pk, name, affiliation in Speaker.objects.values_list("pk", "name", "affiliation")
    }
    spans = (
        Annotation.objects.filter(article__in=articles)
        .order_by("article_id", "pk")
        .values_list(*SPAN_READ)
    )
    for row in spans.iterator(chunk_size=ROW_BATCH):
        row = list(row)
        if row[ORPHANED]:  # its offsets index a body that is gone
            row[START] = row[END] = None
        yield [*row, *speakers.get(row[SPEAKER], (None, None))]


# ---- Codings: one row per run of code points × coder × label ---------------------------

CODING_COLUMNS = (
    Column("article", "integer", "The article's id."),
    Column("unit_start", "integer", "The run's first code point."),
    Column("unit_end", "integer", "The code point after the run's last."),
    Column("length", "integer", "unit_end − unit_start: how many units (code points) the row is."),
    Column("coder", "string", "The reviewer's username."),
    Column("variable", "string", "The label coded.", agreement.LABELS),
    Column("value", "integer", "1: one of the coder's spans of the label covers the run.", (0, 1)),
)


def coders_by_article(articles) -> tuple[dict, dict]:
    """Article id -> the ids of the reviewers who coded it (placed raw spans on it, or marked
    it done), and reviewer id -> username."""
    coded_by, names = defaultdict(set), {}
    spans = Annotation.objects.placed().raw().filter(article__in=articles)
    done = ArticleReview.objects.filter(article__in=articles, done=True)
    for rows in (spans, done):
        pairs = rows.order_by().values_list("article_id", "reviewer_id", "reviewer__username")
        for article_id, reviewer_id, username in pairs.distinct():
            coded_by[article_id].add(reviewer_id)
            names[reviewer_id] = username
    return coded_by, names


def coding_runs(length, ranges_by_coder):
    """``(start, end, values)`` over ``[0, length)``: the longest runs of code points over
    which no coder's value (1 inside one of their ranges, else 0) changes."""
    clipped = [
        [(max(0, min(s, length)), max(0, min(e, length))) for s, e in ranges]
        for ranges in ranges_by_coder
    ]
    points = sorted({0, length, *(end for ranges in clipped for span in ranges for end in span)})
    runs = []
    for start, end in pairwise(points):
        values = tuple(int(any(s <= start and end <= e for s, e in ranges)) for ranges in clipped)
        if runs and runs[-1][2] == values:
            runs[-1] = (runs[-1][0], end, values)
        else:
            runs.append((start, end, values))
    return runs


def coding_rows(coded_by, names):
    """codings.csv's rows for every article two or more reviewers coded, in id order."""
    double = sorted(storage.double_annotated(coded_by))
    for batch in (double[i : i + ARTICLE_BATCH] for i in range(0, len(double), ARTICLE_BATCH)):
        lengths = dict(
            Article.objects.filter(pk__in=batch)
            .annotate(length=Length("body"))
            .values_list("pk", "length")
        )
        ranges = defaultdict(list)  # (article, reviewer, label) -> [(start, end)]
        spans = Annotation.objects.placed().raw().filter(article_id__in=batch)
        for article_id, reviewer_id, label, start, end in spans.values_list(
            "article_id", "reviewer_id", "label", "start", "end"
        ):
            ranges[article_id, reviewer_id, label].append((start, end))
        for article_id in batch:
            coders = sorted(coded_by[article_id], key=names.get)
            for label in agreement.LABELS:
                runs = coding_runs(
                    lengths[article_id], [ranges[article_id, coder, label] for coder in coders]
                )
                for start, end, values in runs:
                    for coder, value in zip(coders, values, strict=True):
                        yield article_id, start, end, end - start, names[coder], label, value


# ---- Reliability: one row per variable, per source and for the corpus ------------------

RELIABILITY_COLUMNS = (
    Column(
        "scope",
        "string",
        "A source, or the corpus (every double-annotated article).",
        ("source", CORPUS),
    ),
    Column("source_id", "integer", "The source's id; empty for the corpus."),
    Column("source", "string", "The source's name; empty for the corpus."),
    Column("variable", "string", "The label or field agreed on; macro: the mean over labels."),
    Column("coefficient", "string", "The agreement measure."),
    Column("value", "number", "The coefficient; empty where undefined."),
    Column("interval_low", "number", "The 95% interval's lower end."),
    Column("interval_high", "number", "The 95% interval's upper end."),
    Column("interval_method", "string", "How the interval was drawn (bootstrap_95)."),
    Column("interval_resamples", "integer", "The bootstrap's resamples of the articles."),
    Column("interval_seed", "integer", "The bootstrap generator's seed."),
    Column("interval_note", "string", "The interval in words, or why there is none."),
    Column("units", "integer", "What the coefficient rests on, in unit_kind."),
    Column("unit_kind", "string", "code point, matched attribution pair, or span."),
    Column("pairable_values", "integer", "Alpha: coders × units actually coded."),
    Column("coders", "integer", "Distinct reviewers who coded the scope's sample."),
    Column("articles", "integer", "Double-annotated articles: the reliability sample."),
    Column("articles_dealt_twice", "integer", "Articles the work queue dealt to 2+ reviewers."),
    Column("articles_coded", "integer", "Articles one or more reviewers coded."),
)


def sample_counts(articles, coded_by) -> dict:
    dealt = (
        Assignment.objects.filter(article__in=articles)
        .values("article_id")
        .annotate(reviewers=Count("reviewer_id", distinct=True))
        .filter(reviewers__gte=2)
        .order_by()
    )
    return {
        "articles_dealt_twice": dealt.count(),
        "articles_coded": len(coded_by),
        "articles_double_coded": len(storage.double_annotated(coded_by)),
    }


def reliability_rows(scope, source, tallies, seed, sample):
    """Every variable's row: alpha per label, kappa per field, span F1 per label and macro F1."""
    figures = agreement.pooled(tallies, seed)
    summed = sum(tallies, agreement.Tally())
    common = {
        "scope": scope,
        "source_id": source.pk if source else None,
        "source": source.name if source else None,
        "coders": figures["coders"],
        "articles": figures["articles"],
        "articles_dealt_twice": sample["articles_dealt_twice"],
        "articles_coded": sample["articles_coded"],
    }
    rows = []
    for label, alpha in figures["alpha"].items():
        interval = alpha["interval"] or (None, None)
        rows.append(
            {
                **common,
                "variable": label,
                "coefficient": "krippendorff_alpha_nominal",
                "value": alpha["value"],
                "interval_low": interval[0],
                "interval_high": interval[1],
                "interval_method": alpha["interval_method"],
                "interval_resamples": maths.BOOTSTRAP_RESAMPLES if alpha["interval"] else None,
                "interval_seed": seed if alpha["interval"] else None,
                "interval_note": alpha_interval_text(alpha),
                "units": alpha["units"],
                "unit_kind": "code point",
                "pairable_values": alpha["pairable_values"],
            }
        )
    for name, kappa in figures["kappa"].items():
        rows.append(
            {
                **common,
                "variable": name,
                "coefficient": "cohen_kappa",
                "value": kappa["value"],
                "interval_note": "No interval: kappa is reported without one.",
                "units": kappa["pairs"],
                "unit_kind": "matched attribution pair",
            }
        )
    for matching in agreement.MATCHINGS:
        for label, value in figures["f1_per_label"][matching].items():
            counts = summed.f1[matching][label]
            rows.append(
                {
                    **common,
                    "variable": label,
                    "coefficient": f"span_f1_{matching}",
                    "value": value,
                    "interval_note": "No interval: span F1 is reported without one.",
                    "units": counts.left + counts.right,
                    "unit_kind": "span",
                }
            )
        rows.append(
            {
                **common,
                "variable": "macro",
                "coefficient": f"span_f1_{matching}",
                "value": figures["macro_f1"][matching],
                "interval_note": "No interval: the mean of the labels' span F1.",
            }
        )
    return rows


# ---- Source figures, as the staff summary API gives them -------------------------------

FIGURE_COLUMNS = (
    Column("source_id", "integer", "The source's id."),
    Column("source", "string", "The source's name."),
    Column("figure", "string", "The figure's key (codebook.json figures, speaker-type shares)."),
    Column("name", "string", "The figure's name."),
    Column("value", "number", "The source's value; empty: not enough data."),
    Column("display", "string", "The value as pages show it."),
    Column("interval_low", "number", "The interval's lower end."),
    Column("interval_high", "number", "The interval's upper end."),
    Column(
        "interval_method",
        "string",
        "bootstrap_95, or range: the range of article values (below 10 articles).",
    ),
    Column("interval_display", "string", "The interval in words."),
    Column("articles", "integer", "Articles with a value for the figure."),
    Column("reviewers", "integer", "Reviewers whose own value exists on one of them."),
    Column("completion_field", "string", "The field the figure needs answered, if any."),
    Column("completion_rate", "number", "The share of spans answering that field."),
    Column("greyed_out", "boolean", "The figure is tentative."),
    Column("cautions", "string", "Why it is tentative."),
    Column("reliability_label", "string", "The weakest label it rests on."),
    Column("reliability_alpha", "number", "That label's pooled alpha for the source."),
    Column("evidence_page", "string", "The tool's page listing the spans it counts."),
    Column("reliability_page", "string", "The tool's agreement page at that label's row."),
    Column("source_greyed_out", "boolean", "The source's whole profile is greyed out."),
    Column("source_warnings", "string", "Why the profile is greyed out."),
)
SPEAKER_SHARE_NAME = "Speaker type share: {}"


def figure_rows(profile):
    """One row per figure of a source's staff summary (``profile_payload``)."""
    source = profile.source
    payload = profile_payload(profile, {"id": source.pk, "name": source.name})
    figures = [
        (
            key,
            METRICS_BY_KEY[key].name,
            figure,
            reverse("annotator:source-evidence", args=[source.pk, key]),
        )
        for key, figure in payload["metrics"].items()
    ]
    figures += [
        (f"share_{kind}", SPEAKER_SHARE_NAME.format(kind), figure, None)
        for kind, figure in payload["speaker_type_shares"].items()
    ]
    figures.append(
        ("spans_per_1000_words", "Spans per 1,000 words", payload["spans_per_1000_words"], None)
    )
    for key, name, figure, evidence_page in figures:
        interval = figure["interval"] or {}
        completion = figure.get("completion") or {}
        reliable = figure["reliability"] or {}
        yield (
            source.pk,
            source.name,
            key,
            name,
            figure["value"],
            figure["display"],
            interval.get("low"),
            interval.get("high"),
            interval.get("method"),
            interval.get("display"),
            figure["articles"],
            figure["reviewers"],
            completion.get("field"),
            completion.get("rate"),
            figure["greyed_out"],
            " ".join(figure["cautions"]),
            reliable.get("label"),
            reliable.get("alpha"),
            evidence_page,
            reliable.get("url"),
            payload["greyed_out"],
            " ".join(payload["warnings"]),
        )


# ---- The package -----------------------------------------------------------------------

CHECKSUMS = "checksums.sha256"
DESCRIPTOR = "datapackage.json"


def describe(directory, name, path, title, mediatype, schema=None) -> dict:
    """A resource of the package as Frictionless describes it, with its size and hash."""
    file = directory / path
    resource = {
        "name": name,
        "path": path,
        "title": title,
        "format": path.rsplit(".", 1)[1],
        "mediatype": mediatype,
        "encoding": "utf-8",
        "bytes": file.stat().st_size,
        "hash": f"sha256:{sha256(file)}",
    }
    if schema is not None:
        resource["profile"] = "tabular-data-resource"
        resource["schema"] = schema
    return resource


def write_reliability(directory, profiles, articles, exported_at):
    """reliability.json and reliability.csv: each source's rows, then the corpus's."""
    coded_by, names = coders_by_article(articles)
    source_of = dict(articles.values_list("pk", "source_id"))
    stored = storage.agreement_for(
        coded_by, storage.agreement_rows(ArticleAgreement.objects.filter(article__in=articles))
    )
    # In article id order, as the profiles pool them: intervals resample articles by position.
    tallies = [(source_of[pk], agreement.Tally.from_stored(stored[pk])) for pk in sorted(stored)]
    scopes = []
    for profile in profiles:
        source = profile.source
        of_source = {pk: who for pk, who in coded_by.items() if source_of[pk] == source.pk}
        sample = sample_counts(articles.filter(source=source), of_source)
        own = [tally for source_id, tally in tallies if source_id == source.pk]
        seed = maths.stable_seed(source.pk, "agreement")
        scopes.append((source, sample, reliability_rows("source", source, own, seed, sample)))
    sample = sample_counts(articles, coded_by)
    every = [tally for _, tally in tallies]
    seed = maths.stable_seed(CORPUS, "agreement")
    scopes.append((None, sample, reliability_rows(CORPUS, None, every, seed, sample)))
    write_json(
        directory / "reliability.json",
        {
            "created": exported_at,
            "sample_drawn": SAMPLE_DRAWN,
            "definitions": exporting.metrics(),
            "scopes": [
                {
                    "scope": "source" if source else CORPUS,
                    "source_id": source.pk if source else None,
                    "source": source.name if source else None,
                    "sample": sample,
                    "variables": rows,
                }
                for source, sample, rows in scopes
            ],
        },
    )
    write_csv(
        directory / "reliability.csv",
        RELIABILITY_COLUMNS,
        (
            [row.get(column.name) for column in RELIABILITY_COLUMNS]
            for _, _, rows in scopes
            for row in rows
        ),
    )
    write_csv(directory / "codings.csv", CODING_COLUMNS, coding_rows(coded_by, names))


def write_exports(directory, filters, exported_at):
    """The native and W3C exports, the same bytes as ``export_annotations`` writes."""
    for fmt, path in (("native", "export.json"), ("w3c", "annotations.w3c.jsonld")):
        with open(directory / path, "wb") as handle:
            for chunk in exporting.stream(fmt, Annotation.objects.all(), filters, exported_at):
                handle.write(chunk)


def write(directory, exported_at, source=None):
    """Write the bundle of every source (or one source's id) into an empty ``directory``."""
    directory = Path(directory)
    sources = Source.objects.order_by("pk")
    if source is not None:
        sources = sources.filter(pk=source)
    articles = Article.objects.filter(source__in=sources)
    profiles = source_profiles(StaffReader(), list(sources), intervals=True)

    book = codebook()
    write_json(directory / "codebook.json", book)
    (directory / "codebook.md").write_text(codebook_markdown(book), encoding="utf-8")
    write_csv(directory / "spans.csv", SPAN_COLUMNS, span_rows(articles))
    write_csv(
        directory / "source_figures.csv",
        FIGURE_COLUMNS,
        (row for profile in profiles for row in figure_rows(profile)),
    )
    write_reliability(directory, profiles, articles, exported_at)
    write_exports(directory, {} if source is None else {"source": source}, exported_at)

    resources = [
        describe(directory, "codebook", "codebook.json", "Codebook", "application/json"),
        describe(directory, "codebook-text", "codebook.md", "Codebook, to read", "text/markdown"),
        describe(
            directory,
            "reliability",
            "reliability.csv",
            "Reliability per variable",
            "text/csv",
            table_schema(RELIABILITY_COLUMNS, ("scope", "source_id", "variable", "coefficient")),
        ),
        describe(
            directory,
            "reliability-report",
            "reliability.json",
            "Reliability per variable, with the sample",
            "application/json",
        ),
        describe(
            directory,
            "source-figures",
            "source_figures.csv",
            "Each source's figures",
            "text/csv",
            table_schema(FIGURE_COLUMNS, ("source_id", "figure")),
        ),
        describe(
            directory,
            "spans",
            "spans.csv",
            "One row per span",
            "text/csv",
            table_schema(
                SPAN_COLUMNS,
                ("id",),
                [{"fields": "attribution", "reference": {"resource": "", "fields": "id"}}],
            ),
        ),
        describe(
            directory,
            "codings",
            "codings.csv",
            "One row per run of code points × coder × label",
            "text/csv",
            table_schema(CODING_COLUMNS, ("article", "variable", "coder", "unit_start")),
        ),
        describe(directory, "export", "export.json", "Native export", "application/json"),
        describe(
            directory,
            "w3c-annotations",
            "annotations.w3c.jsonld",
            "W3C Web Annotations",
            "application/ld+json",
        ),
    ]
    write_json(
        directory / DESCRIPTOR,
        {
            "profile": "data-package",
            "name": PACKAGE_NAME,
            "title": "Newsroom annotator study bundle",
            "description": "Codebook, reliability, figures and data; docs/study-bundle.md.",
            "created": exported_at,
            "resources": resources,
        },
    )
    files = sorted(path.name for path in directory.iterdir() if path.name != CHECKSUMS)
    (directory / CHECKSUMS).write_text(
        "".join(f"{sha256(directory / name)}  {name}\n" for name in files), encoding="utf-8"
    )
