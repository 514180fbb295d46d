"""Every cell of the sources table, on the page and in its CSV and JSON, is the figure the
summary API gives for that source and that column's heading."""

import csv
import io
from html.parser import HTMLParser

import pytest

from annotator.models import Source, Speaker
from annotator.profiles import presentation

from .conftest import api_client, logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db

BODY = (
    "The minister said taxes will rise. An activist said they will fall. "
    "A judge said the law is clear. It is a shameful plan."
)


@pytest.fixture
def sources(alice):
    """Two sources whose figures differ from column to column (official dependence and
    voice diversity among them), so a cell under the wrong heading shows."""
    made = []
    affiliations = (
        ("government_named", "civil_society", "government_named"),
        ("government_named", "civil_society", "independent_expert"),
    )
    for index, kinds in enumerate(affiliations):
        source = make_source(f"Outlet {index}")
        body = f"{BODY} Story {index}."
        article = make_article(body=body, source=source, title=f"Story {index}")
        for cue, affiliation in zip(
            ("The minister said", "An activist said", "A judge said"), kinds, strict=True
        ):
            speaker = Speaker.objects.create(name=f"{cue} {index}", affiliation=affiliation)
            said = make_annotation(
                article,
                alice,
                "attribution",
                cue,
                speaker=speaker,
                speaker_type="named_person",
                cue_stance="endorsing" if index else "neutral",
                counter_voice=affiliation == "civil_society",
            )
            claim = BODY[BODY.index(cue) + len(cue) + 1 : BODY.index(".", BODY.index(cue))]
            make_annotation(article, alice, "claim", claim, attribution=said, check_worthy=True)
        make_annotation(article, alice, "opinion", "It is a shameful plan")
        made.append(source)
    return made


class TableCells(HTMLParser):
    """The headings' texts and each body row's cells (their data-sort-value)."""

    def __init__(self):
        super().__init__()
        self.headings, self.rows, self._heading = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "th":
            self._heading = ""
        elif tag == "tr" and self._heading is None and self.headings:
            self.rows.append([])
        elif tag == "td" and self.rows:
            self.rows[-1].append(attrs.get("data-sort-value"))

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag == "th":
            self.headings.append(self._heading.strip())
            self._heading = None


def _summaries(user):
    """Every source's summary from the API, by name."""
    client = api_client(user)
    return {
        source.name: client.get(f"/api/sources/{source.pk}/summary/").json()
        for source in Source.objects.all()
    }


def _expected(summary, key):
    """What the summary API says for a column of the table."""
    if key == "source":
        return summary["source"]["name"]
    if key in ("weakest_label", "weakest_label_alpha"):
        weakest = summary["agreement"].get("weakest_label", {})
        return weakest.get("label" if key == "weakest_label" else "alpha")
    if key in ("articles", "annotated_articles", "reviewers"):
        return summary[key]
    return summary["metrics"][key]["value"]


def _same(cell, expected):
    if expected is None:
        return cell in ("", None)
    if isinstance(expected, str):
        return cell == expected
    return float(cell) == pytest.approx(expected)


def test_the_page_shows_each_figure_under_its_own_heading(carol, sources):
    summaries = _summaries(carol)
    columns = [
        (key, name)
        for key, name in presentation.table_columns()
        if key not in ("identified", "greyed_out")
    ]
    assert (
        summaries["Outlet 0"]["metrics"]["official_dependence"]["value"]
        != (summaries["Outlet 0"]["metrics"]["voice_diversity"]["value"])
    )
    parser = TableCells()
    parser.feed(logged_in(carol).get("/sources/").content.decode())
    assert parser.headings == [name for _key, name in columns]
    assert len(parser.rows) == len(summaries) >= len(sources)
    for cells in parser.rows:
        summary = summaries[cells[0]]
        for (key, name), cell in zip(columns, cells, strict=True):
            assert _same(cell, _expected(summary, key)), (cells[0], name, cell)


def test_the_csv_and_json_tables_hold_the_summary_apis_figures(carol, sources):
    summaries = _summaries(carol)
    client = logged_in(carol)
    table = client.get("/sources/table.json").json()
    rows = list(csv.DictReader(io.StringIO(client.get("/sources/table.csv").content.decode())))
    assert len(table["sources"]) == len(rows) == len(summaries)
    for row, csv_row in zip(table["sources"], rows, strict=True):
        summary = summaries[row["source"]]
        for key, name in presentation.table_columns():
            if key in ("identified", "greyed_out"):
                continue
            assert table["columns"][key] == name
            assert _same(row[key], _expected(summary, key)), (row["source"], key)
            assert _same(csv_row[key], _expected(summary, key)), (row["source"], key)
        for key in presentation.TABLE_METRICS:
            figure = summary["metrics"][key]
            interval = figure["interval"] or {"low": None, "high": None, "method": None}
            expected = {
                f"{key}_low": interval["low"],
                f"{key}_high": interval["high"],
                f"{key}_interval_method": interval["method"],
                f"{key}_articles": figure["articles"],
            }
            for column, value in expected.items():
                assert column in table["columns"], column
                assert _same(row[column], value), (row["source"], column)
                assert _same(csv_row[column], value), (row["source"], column)


def test_each_figure_of_the_page_shows_its_interval_with_method_and_articles(carol, alice):
    from .test_source_pages import many_articles

    source = many_articles(alice, 12)  # enough articles for a 95% bootstrap interval
    figure = _summaries(carol)[source.name]["metrics"]["sourcing_rate"]
    low, high = figure["interval"]["low"], figure["interval"]["high"]
    page = logged_in(carol).get("/sources/").content.decode()
    short = f"95%: {100 * low:.0f}%–{100 * high:.0f}%"
    assert f'<div class="small text-nowrap" data-interval>{short}</div>' in page
    assert f"(95% bootstrap interval over {figure['articles']} articles)" in page


@pytest.mark.parametrize(
    "kind, value, shown",
    [
        ("coefficient", -0.001, "0.00"),  # never "-0.00"
        ("coefficient", -0.006, "-0.01"),
        ("coefficient", 0.523, "0.52"),  # a coefficient, never a percentage
        ("index", -0.004, "0.00"),
        ("index", 0.25, "+0.25"),
        ("share", 0.526, "53%"),
        ("coefficient", None, "n/a"),
    ],
)
def test_figures_are_shown_in_their_kind_and_zero_carries_no_sign(kind, value, shown):
    assert presentation.format_value(kind, value) == shown
