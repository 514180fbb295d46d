"""Profiles as the API's JSON, the sources table (page, CSV, JSON) and SVG charts."""

from django.urls import reverse

from .maths import METRICS, SPEAKER_SHARE_KEYS

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
        return f"{value:+.2f}"
    if kind == "coefficient":  # an agreement coefficient, never a percentage
        return f"{value:.2f}"
    return f"{value:.1f}"


def figure_payload(figure, kind):
    interval = figure["interval"]
    return {
        "value": figure["value"],
        "display": format_value(kind, figure["value"]),
        "articles": figure["articles"],
        "reviewers": figure["reviewers"],
        "interval_95": list(interval) if interval else None,
    }


def profile_payload(profile, source_json):
    figures = profile.figures
    return {
        "source": source_json,
        "articles": figures.articles,
        "annotated_articles": figures.annotated_articles,
        "adjudicated_articles": figures.adjudicated_articles,
        "double_annotated_articles": profile.double_annotated,
        "reviewers": figures.reviewers,
        "label_counts": figures.label_counts,
        "greyed_out": profile.greyed,
        "warnings": profile.warnings,
        "metrics": {
            metric.key: figure_payload(figures.values[metric.key], metric.kind)
            for metric in METRICS
        },
        "speaker_type_shares": {
            key.removeprefix("share_"): figure_payload(figures.values[key], "share")
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
                "agreement": {k: v for k, v in row.agreement.items() if k != "pairs"}
                if row.agreement
                else None,
            }
            for row in profile.articles
        ],
    }


def table_columns():
    return [
        ("source", "Source"),
        ("identified", "Outlet identified"),
        ("articles", "Articles"),
        ("annotated_articles", "Annotated"),
        ("reviewers", "Reviewers"),
        ("agreement_alpha", "Agreement (alpha)"),
        *[(key, METRICS_BY_KEY[key].name) for key in TABLE_METRICS],
        ("greyed_out", "Greyed out"),
    ]


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
            "agreement_alpha": profile.agreement.get("alpha"),
            "greyed_out": profile.greyed,
        }
        for key in TABLE_METRICS:
            row[key] = figures.value(key)
        rows.append(row)
    return rows


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
    """Rows for one SVG bar chart: each metric on its own scale, linking to its spans."""
    rows = []
    for metric in METRICS:
        if metric.group != group:
            continue
        figure = profile.figures.values[metric.key]
        rows.append(_bar(metric, figure, profile, evidence_url_name))
    if group == "trust":
        for key, name in (
            ("alpha", "Agreement (Krippendorff's alpha)"),
            ("f1_overlap", "Span F1 (overlap)"),
        ):
            value = profile.agreement.get(key)
            rows.append(
                {
                    "name": name,
                    "reading": "",
                    "display": format_value("coefficient", value),
                    "note": f"{profile.double_annotated} double-annotated article(s)",
                    "url": reverse("annotator:agreement") + f"?source={profile.source.pk}",
                    **_geometry("coefficient", value, None, None),
                }
            )
    for index, row in enumerate(rows):
        row["y"] = 10 + index * 34
        row["text_y"] = row["y"] + 14
        row["bar_y"] = row["y"] + 4
        row["ci_y"] = row["y"] + 10
    return {"rows": rows, "height": 20 + 34 * len(rows)}


TRACK_X, TRACK_WIDTH = 250, 300


def _geometry(kind, value, interval, top):
    """Pixel positions of a bar and its interval whisker on a 300 px track."""

    def x(fraction):
        return round(TRACK_X + TRACK_WIDTH * fraction, 1)

    if value is None:
        return {"bar": None, "whisker": None, "axis": None}
    if kind == "index":
        zero, end = x(0.5), x(_scaled(kind, value, top))
        bar = {"x": min(zero, end), "width": abs(end - zero)}
        axis = zero
    else:
        bar = {"x": TRACK_X, "width": round(TRACK_WIDTH * _scaled(kind, value, top), 1)}
        axis = None
    whisker = (
        {"x1": x(_scaled(kind, interval[0], top)), "x2": x(_scaled(kind, interval[1], top))}
        if interval
        else None
    )
    return {"bar": bar, "whisker": whisker, "axis": axis}


def _scaled(kind, value, top=None):
    if value is None:
        return 0
    if kind == "index":
        return 0.5 + value / 2
    if kind in ("share", "coefficient"):  # a negative alpha draws no bar; its number shows
        return max(0.0, min(1.0, value))
    return min(1.0, value / top) if top else 0


def _bar(metric, figure, profile, evidence_url_name):
    value, interval = figure["value"], figure["interval"]
    top = max(10.0, (interval[1] if interval else value or 0) * 1.2)
    url = reverse(evidence_url_name, args=[profile.source.pk, metric.key])
    return {
        "name": metric.name,
        "reading": metric.reading,
        "display": format_value(metric.kind, value),
        "note": f"{figure['articles']} article(s), {figure['reviewers']} reviewer(s)",
        "url": url,
        **_geometry(metric.kind, value, interval, top),
    }


def pair_rows(pairs):
    """Agreement per reviewer pair: means over the articles both annotated."""
    from django.contrib.auth import get_user_model

    from .agreement import mean_defined

    ids = {reviewer for pair in pairs for reviewer in pair}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    keys = ("f1_exact", "f1_overlap", "kappa_speaker_type", "kappa_cue_stance")
    return [
        {
            "left": names[left],
            "right": names[right],
            "articles": len(values),
            **{key: mean_defined(v[key] for v in values) for key in keys},
        }
        for (left, right), values in sorted(pairs.items())
    ]
