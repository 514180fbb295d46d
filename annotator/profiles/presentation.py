"""Profiles as the API's JSON, the sources table (page, CSV, JSON) and SVG charts."""

from typing import NamedTuple

from django.urls import reverse

from ..workqueue import suggestions_on
from . import agreement
from .maths import (
    ANSWERABLE,
    BOOTSTRAP_MIN_ARTICLES,
    BOOTSTRAP_RESAMPLES,
    INTERVAL_BOOTSTRAP,
    INTERVAL_RANGE,
    METRICS,
    SPEAKER_SHARE_KEYS,
    WITHOUT_SUGGESTIONS,
    stable_seed,
)

GROUPS = (
    ("reliability", "Reliability-leaning"),
    ("bias", "Bias-leaning"),
    ("trust", "Trust"),
)
TABLE_METRICS = (
    "sourcing_rate",
    "unsupported_check_worthy_per_1000",
    "weasel_share",
    "author_opinion_share",
    "official_dependence",
    "voice_diversity",
    "counter_voice_rate",
    "cue_balance",
)
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}
# The table's figure columns in the order of its headings, with the kind each is shown as.
TABLE_METRIC_KINDS = {key: METRICS_BY_KEY[key].kind for key in TABLE_METRICS}


def format_value(kind, value):
    if value is None:
        return "n/a"
    if kind == "share":
        return f"{100 * value:.0f}%"
    if kind == "index":
        return _unsigned_zero(f"{value:+.2f}")
    if kind == "coefficient":  # an agreement coefficient, never a percentage
        return _unsigned_zero(f"{value:.2f}")
    return f"{value:.1f}"


def _unsigned_zero(shown):
    """A value that rounds to zero is shown as zero, not "-0.00" (nor "+0.00")."""
    return "0.00" if shown.lstrip("+-") == "0.00" else shown


# What a field left unanswered is missing on, as a completion rate says it.
ANSWERED_ON = {
    field: f"{spans} answering {field.replace('_', '-')}" for field, spans in ANSWERABLE.items()
}
# How each kind of interval is named beside its ends, in the chart's small print.
INTERVAL_SHORT_NAMES = {INTERVAL_BOOTSTRAP: "95%", INTERVAL_RANGE: "range"}


def interval_text(kind, figure) -> str:
    """The interval as a reader sees it, with its method and the articles behind it:
    "31% to 55% (95% bootstrap interval over 12 articles)"; "" without one."""
    interval = figure["interval"]
    if interval is None:
        return ""
    low, high = (format_value(kind, end) for end in interval)
    articles = figure["articles"]
    if figure["interval_method"] == INTERVAL_BOOTSTRAP:
        how = f"95% bootstrap interval over {articles} articles"
    else:
        how = f"range of {articles} article values, too few for a 95% interval"
    return f"{low} to {high} ({how})"


def interval_short(kind, figure) -> str:
    """The interval in a few characters: "95%: 31–55%", "range: 20–60%"."""
    interval = figure["interval"]
    if interval is None:
        return ""
    low, high = (format_value(kind, end) for end in interval)
    return f"{INTERVAL_SHORT_NAMES[figure['interval_method']]}: {low}–{high}"


def completion_text(metric, figures) -> str:
    """How complete the answers a figure needs are: "93% of attributions answer cue-stance"."""
    if not metric.needs:
        return ""
    rate = figures.value(metric.completion_key)
    return f"{format_value('share', rate)} of {ANSWERED_ON[metric.needs]}"


def reliability_url(source_id, label=None) -> str:
    """The agreement page on one source, at one label's row if given."""
    anchor = f"#agreement-{source_id}" + (f"-{label}" if label else "")
    return f"{reverse('annotator:agreement')}?source={source_id}{anchor}"


def reliability(profile, key):
    """The weakest label a figure rests on, its pooled alpha and where agreement on it is
    shown; None for a reader who does not see agreement, or a figure on no label."""
    label = profile.weakest_labels.get(key)
    if label is None:
        return None
    alpha = profile.agreement["alpha"][label]["value"]
    return {
        "label": label,
        "alpha": alpha,
        "display": f"{label} agreement {format_value('coefficient', alpha)}",
        "url": reliability_url(profile.source.pk, label),
    }


def figure_payload(figure, kind, cautions=(), reliable=None):
    interval, method = figure["interval"], figure["interval_method"]
    return {
        "value": figure["value"],
        "display": format_value(kind, figure["value"]),
        "articles": figure["articles"],
        "reviewers": figure["reviewers"],
        "interval": {
            "low": interval[0],
            "high": interval[1],
            "method": method,
            "display": interval_text(kind, figure),
        }
        if interval
        else None,
        "interval_95": list(interval) if method == INTERVAL_BOOTSTRAP else None,
        "greyed_out": bool(cautions),
        "cautions": list(cautions),
        "reliability": reliable,
    }


def metric_payload(metric, profile):
    """A metric's figure with why it is greyed and, if it needs answers, how complete they are."""
    figures = profile.figures
    payload = figure_payload(
        figures.values[metric.key],
        metric.kind,
        profile.cautions[metric.key],
        reliability(profile, metric.key),
    )
    if metric.needs:
        rate = figures.value(metric.completion_key)
        payload["completion"] = {"field": metric.needs, "rate": rate}
    return payload


SUGGESTIONS_NOTES = {
    "include": "Every span counts, those reviewers made by accepting a suggested span too.",
    "exclude": "Without accepted suggestions: the spans reviewers made by accepting a "
    "suggested span (edited or not) count nowhere; agreement is still on every span.",
}


def suggestions_payload(suggestions) -> dict:
    """What a profile's JSON says of the accepted suggestions its figures count."""
    return {"suggestions": suggestions, "suggestions_note": SUGGESTIONS_NOTES[suggestions]}


def profile_payload(profile, source_json):
    figures = profile.figures
    return {
        "source": source_json,
        **suggestions_payload(profile.suggestions),
        "articles": figures.articles,
        "annotated_articles": figures.annotated_articles,
        "adjudicated_articles": figures.adjudicated_articles,
        "double_annotated_articles": profile.double_annotated,
        "reviewers": figures.reviewers,
        "label_counts": figures.label_counts,
        "greyed_out": profile.greyed,
        "warnings": profile.warnings,
        "metrics": {metric.key: metric_payload(metric, profile) for metric in METRICS},
        "speaker_type_shares": {
            key.removeprefix("share_"): figure_payload(
                figures.values[key], "share", profile.cautions[key], reliability(profile, key)
            )
            for key in SPEAKER_SHARE_KEYS
        },
        "spans_per_1000_words": figure_payload(figures.values["spans_per_1000_words"], "per_1000"),
        "agreement": profile.agreement,
        "per_article": [
            {
                "article": row.article.pk,
                "title": str(row.article),
                "basis": row.figures.basis,
                "reviewers": len(row.figures.reviewers),
                "label_counts": row.figures.label_counts,
                "metrics": row.figures.values,
                "agreement": row.agreement,
            }
            for row in profile.articles
        ],
    }


def table_columns():
    """The sources table's columns (key, heading) as the page sorts them."""
    return [
        ("source", "Source"),
        ("identified", "Outlet identified"),
        ("articles", "Articles"),
        ("annotated_articles", "Annotated"),
        ("reviewers", "Reviewers"),
        ("weakest_label", "Weakest label"),
        ("weakest_label_alpha", "Alpha of the weakest label (pooled)"),
        *[(key, METRICS_BY_KEY[key].name) for key in TABLE_METRICS],
        ("greyed_out", "Greyed out"),
    ]


# Each figure's interval in the CSV and JSON tables: column suffix -> heading's ending.
INTERVAL_COLUMNS = {
    "low": "interval low",
    "high": "interval high",
    "interval_method": "interval method (bootstrap_95: 95% bootstrap; range: article values)",
    "articles": "articles with a value",
}


def download_columns():
    """The CSV and JSON tables' columns: the page's, each figure followed by its interval."""
    columns = []
    for key, heading in table_columns():
        columns.append((key, heading))
        if key in TABLE_METRICS:
            columns += [
                (f"{key}_{suffix}", f"{heading}: {ending}")
                for suffix, ending in INTERVAL_COLUMNS.items()
            ]
    return columns


def table_rows(profiles):
    """The sources table as plain values: the page, the CSV and the JSON share it."""
    rows = []
    for profile in profiles:
        figures = profile.figures
        row = {
            "source_id": profile.source.pk,
            "source": profile.source.name,
            "identified": profile.source.identified,
            "articles": figures.articles,
            "annotated_articles": figures.annotated_articles,
            "reviewers": figures.reviewers,
            **weakest_label_cells(profile.agreement),
            "greyed_out": profile.greyed,
            # Figure key -> why that figure is greyed, in sentences ("": it is not).
            "cautions": {key: " ".join(profile.cautions[key]) for key in TABLE_METRICS},
        }
        for key in TABLE_METRICS:
            row.update(_figure_cells(key, figures.values[key]))
        rows.append(row)
    return rows


def _figure_cells(key, figure) -> dict:
    """A figure's value and interval as the table's cells, and the interval as its cell
    shows it ("95%: 31–55%") and its tooltip says it (with the method and the articles)."""
    kind = METRICS_BY_KEY[key].kind
    low, high = figure["interval"] or (None, None)
    return {
        key: figure["value"],
        f"{key}_low": low,
        f"{key}_high": high,
        f"{key}_interval_method": figure["interval_method"],
        f"{key}_articles": figure["articles"],
        f"{key}_interval_short": interval_short(kind, figure),
        f"{key}_interval_text": interval_text(kind, figure),
    }


def table_cells(row) -> list[dict]:
    """A sources-table row's figure cells in the order of its headings, as the page shows
    them: the value and its kind, why it is greyed ("": it is not) and its interval."""
    return [
        {
            "value": row[key],
            "kind": kind,
            "cautions": row["cautions"][key],
            "interval_short": row[f"{key}_interval_short"],
            "interval_text": row[f"{key}_interval_text"],
        }
        for key, kind in TABLE_METRIC_KINDS.items()
    ]


def weakest_label_cells(source_agreement) -> dict:
    """The table's agreement columns: the label of lowest pooled alpha and that alpha
    (empty for a reader who does not see agreement)."""
    weakest = source_agreement.get("weakest_label", {})
    return {"weakest_label": weakest.get("label"), "weakest_label_alpha": weakest.get("alpha")}


# A spreadsheet runs a cell that begins with one of these as a formula (or, for
# tab and carriage return, strips them and then may).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """One value as a CSV cell a spreadsheet shows and never runs.

    Text that begins with a formula trigger gets a leading apostrophe, so
    ``=HYPERLINK(...)`` is shown as written; numbers (a negative figure such
    as ``-0.25`` included) and booleans are written as they are, and a missing
    figure is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def chart(profile, group, evidence_url_name="annotator:source-evidence"):
    """Rows for one SVG bar chart: each metric on its own scale, linking to its spans.

    Each row carries what a reader needs beside the bar: the articles and reviewers
    behind it, its interval in words, how complete the answers it needs are, and
    why it is greyed, if it is. The rows are drawn in each of ``CHART_LAYOUTS``.
    """
    rows = [_bar(metric, profile, evidence_url_name) for metric in METRICS if metric.group == group]
    if group == "trust" and profile.agreement:
        rows += _agreement_bars(profile)
    return {"rows": rows, "layouts": [_laid_out(layout, rows) for layout in CHART_LAYOUTS]}


def _agreement_bars(profile):
    """The trust chart's agreement rows: the weakest label's pooled alpha, and macro F1."""
    pooled = profile.agreement
    weakest = pooled["weakest_label"]
    alpha = pooled["alpha"][weakest["label"]]
    note = f"{pooled['articles']} double-annotated article(s), {pooled['coders']} coder(s)"
    return [
        {
            "name": f"Alpha, weakest label ({weakest['label']})",
            "reading": "Krippendorff's alpha pooled over the double-annotated articles.",
            "display": format_value("coefficient", alpha["value"]),
            "note": note,
            "interval": alpha_interval_text(alpha),
            "interval_short": "",
            "completion": "",
            "cautions": [],
            "url": reliability_url(profile.source.pk, weakest["label"]),
            "scale": _scale("coefficient", None),
            "plot": ("coefficient", alpha["value"], alpha["interval"], None),
        },
        {
            "name": "Macro F1 (overlap)",
            "reading": "Span F1 per label from pooled counts, averaged over the labels.",
            "display": format_value("coefficient", pooled["macro_f1"]["overlap"]),
            "note": note,
            "interval": "",
            "interval_short": "",
            "completion": "",
            "cautions": [],
            "url": reliability_url(profile.source.pk),
            "scale": _scale("coefficient", None),
            "plot": ("coefficient", pooled["macro_f1"]["overlap"], None, None),
        },
    ]


def alpha_interval_text(alpha) -> str:
    """A pooled alpha's interval in words, or why it has none."""
    if alpha["interval"] is None:
        if alpha["articles"] < BOOTSTRAP_MIN_ARTICLES:
            return f"No interval: fewer than {BOOTSTRAP_MIN_ARTICLES} double-annotated articles"
        return "No interval: no resample defines alpha"
    low, high = (format_value("coefficient", end) for end in alpha["interval"])
    return (
        f"{low} to {high} (95% bootstrap interval, {BOOTSTRAP_RESAMPLES} resamples "
        f"of {alpha['articles']} articles)"
    )


class ChartLayout(NamedTuple):
    """Where a chart row's parts go, in the SVG's own units (13 px text, 11 px small print).

    ``wide``: the name and small print on the left, the track (with the scale's ends under
    it), then the value with the interval under it. ``narrow`` (a phone's width): the name
    with the value at its right end, the small print with the interval, then the track
    across the whole width with its scale under it.
    """

    name: str
    width: int
    row_height: int
    track_x: int
    track_width: int
    track_dy: int  # from the row's top to its track's
    note_dy: int  # from the row's top to the small print's baseline
    value_x: int
    value_anchor: str
    interval_dy: int  # from the row's top to the short interval's baseline


CHART_LAYOUTS = (
    ChartLayout("wide", 720, 48, 310, 280, 0, 33, 602, "start", 33),
    ChartLayout("narrow", 360, 84, 0, 360, 40, 31, 360, "end", 31),
)


def _laid_out(layout, rows):
    """``rows`` with their positions in ``layout``: (row, where) pairs, and the SVG's size."""
    placed = []
    for index, row in enumerate(rows):
        top = 10 + index * layout.row_height
        track_y = top + layout.track_dy
        where = {
            "track": {
                "x": layout.track_x,
                "y": track_y,
                "width": layout.track_width,
                "middle": layout.track_x + layout.track_width / 2,
                "end": layout.track_x + layout.track_width,
            },
            "text_y": top + 14,
            "note_y": top + layout.note_dy,
            "scale_y": track_y + 33,
            "bar_y": track_y + 4,
            "ci_y": track_y + 10,
            "value_x": layout.value_x,
            "interval_y": top + layout.interval_dy,
            **_geometry(layout, *row["plot"]),
        }
        placed.append((row, where))
    return {
        "name": layout.name,
        "width": layout.width,
        "height": 20 + layout.row_height * len(rows),
        "value_anchor": layout.value_anchor,
        "rows": placed,
    }


def _geometry(layout, kind, value, interval, top):
    """Pixel positions of a bar, its interval whisker and the zero axis on the track."""

    def x(fraction):
        return round(layout.track_x + layout.track_width * fraction, 1)

    if value is None:
        return {"bar": None, "whisker": None, "axis": None}
    if kind == "index":
        zero, end = x(0.5), x(_scaled(kind, value, top))
        bar = {"x": min(zero, end), "width": abs(end - zero)}
        axis = zero
    else:
        bar = {
            "x": layout.track_x,
            "width": round(layout.track_width * _scaled(kind, value, top), 1),
        }
        axis = None
    whisker = (
        {"x1": x(_scaled(kind, interval[0], top)), "x2": x(_scaled(kind, interval[1], top))}
        if interval
        else None
    )
    return {"bar": bar, "whisker": whisker, "axis": axis}


def _scale(kind, top):
    """The values at the track's ends (and its middle, for an index), as they are shown."""
    if kind == "index":
        low, high = -1.0, 1.0
    elif kind in ("share", "coefficient"):
        low, high = 0.0, 1.0
    else:
        low, high = 0.0, top
    return {
        "low": format_value(kind, low),
        "high": format_value(kind, high),
        "middle": format_value(kind, 0.0) if kind == "index" else "",
    }


def _scaled(kind, value, top=None):
    if value is None:
        return 0
    if kind == "index":
        return 0.5 + value / 2
    if kind in ("share", "coefficient"):  # a negative alpha draws no bar; its number shows
        return max(0.0, min(1.0, value))
    return min(1.0, value / top) if top else 0


def _bar(metric, profile, evidence_url_name):
    figures = profile.figures
    figure = figures.values[metric.key]
    value, interval = figure["value"], figure["interval"]
    top = max(10.0, (interval[1] if interval else value or 0) * 1.2)
    return {
        "name": metric.name,
        "reading": metric.reading,
        "display": format_value(metric.kind, value),
        "note": (
            f"{figure['articles']} of {figures.annotated_articles} articles, "
            f"{figure['reviewers']} of {figures.reviewers} reviewers"
        ),
        "interval": interval_text(metric.kind, figure),
        "interval_short": interval_short(metric.kind, figure),
        "completion": completion_text(metric, figures),
        "cautions": profile.cautions[metric.key],
        "reliability": reliability(profile, metric.key),
        "url": reverse(evidence_url_name, args=[profile.source.pk, metric.key])
        + ("?suggestions=exclude" if profile.suggestions == WITHOUT_SUGGESTIONS else ""),
        "scale": _scale(metric.kind, top),
        "plot": (metric.kind, value, interval, top),
    }


def pair_rows(pairs):
    """Agreement per pair of coders, pooled over the articles both coded.

    ``pairs`` are the pairs' tallies (``agreement.Tally``), one per article.
    """
    from django.contrib.auth import get_user_model

    pooled = {}
    for tally in pairs:
        key = tuple(sorted(tally.coders))
        pooled[key] = pooled[key] + tally if key in pooled else tally
    ids = {reviewer for pair in pooled for reviewer in pair}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    return [
        {"left": names[left], "right": names[right], **tally.figures()}
        for (left, right), tally in sorted(pooled.items())
    ]


def label_rows(profile):
    """The agreement page's rows for one source: per label, its pooled alpha (with its
    interval and what it rests on) and span F1, exact and overlap."""
    pooled = profile.agreement
    return [
        {
            "label": label,
            "anchor": f"agreement-{profile.source.pk}-{label}",
            "url": reliability_url(profile.source.pk, label),
            "alpha": pooled["alpha"][label],
            "interval": alpha_interval_text(pooled["alpha"][label]),
            "f1_exact": pooled["f1_per_label"]["exact"][label],
            "f1_overlap": pooled["f1_per_label"]["overlap"][label],
        }
        for label in agreement.LABELS
    ]


SUGGESTION_CONDITION_TITLES = {
    "on": "Every coder shown suggestions",
    "off": "No coder shown suggestions",
    "mixed": "Some coders shown suggestions, some not",
}


def suggestion_rows(profiles, dealt):
    """The agreement page's split by suggestions: the double-annotated articles of
    ``profiles`` grouped by their coders' conditions (``dealt``: article id -> its
    assignments' conditions, :meth:`.AssignmentQuerySet.dealt_conditions`; a coder
    without an assignment as :func:`.workqueue.suggestions_on` decides), each group's
    agreement pooled as a source's is (per label alpha, with its interval from
    ``BOOTSTRAP_MIN_ARTICLES`` articles, and span F1)."""
    tallies = {
        row.article.pk: row.tally
        for profile in profiles
        for row in profile.articles
        if row.tally is not None
    }
    shown = {
        article_id: {coder: suggestions_on(dealt[article_id], coder) for coder in tally.coders}
        for article_id, tally in tallies.items()
    }
    rows = []
    for condition, group in agreement.by_suggestions(tallies, shown).items():
        pooled = agreement.pooled(group, stable_seed("suggestions", condition))
        rows.append(
            {
                "condition": condition,
                "title": SUGGESTION_CONDITION_TITLES[condition],
                "pooled": pooled,
                "labels": [
                    {
                        "label": label,
                        "alpha": pooled["alpha"][label],
                        "interval": alpha_interval_text(pooled["alpha"][label]),
                    }
                    for label in agreement.LABELS
                ],
            }
        )
    return rows


def accepted_suggestion_rows(counts):
    """Per reviewer: their raw spans, how many are accepted suggestions, and the share."""
    return [
        {**row, "share": row["accepted"] / row["spans"] if row["spans"] else None} for row in counts
    ]
