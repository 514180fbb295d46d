"""evaluate_suggestions on PolNeAR's annotator-training articles, and its bad input."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator.suggestions import evaluation

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "polnear" / "data"
TRAINING = DATA / "annotator-training"


def evaluate(*arguments) -> dict:
    """The command's table as {row name: (suggested, gold, six scores)}."""
    out = io.StringIO()
    call_command("evaluate_suggestions", *map(str, arguments), quiet=True, stdout=out)
    rows = {}
    for line in out.getvalue().splitlines():
        if match := re.fullmatch(r"(\S.*?)\s+(\d+)\s+(\d+)((?:\s+(?:[\d.]+|n/a)){6})", line):
            cells = [None if c == "n/a" else float(c) for c in match[4].split()]
            rows[match[1]] = (int(match[2]), int(match[3]), cells)
    return rows


def gold_units(role: str) -> int:
    """How many distinct spans of ``role`` the relations (E lines) of each training file
    name, summed over the files: read from the lines alone."""
    total = 0
    for ann in TRAINING.glob("attributions/*.ann"):
        lines = ann.read_text(encoding="utf-8").splitlines()
        places = dict(re.findall(r"^(T\d+)\t\S+ ([\d ;]+)\t", "\n".join(lines), re.M))
        named = {
            places[target]
            for line in lines
            if line.startswith("E")
            for argument in line.split("\t")[1].split()
            for found_role, target in [argument.split(":")]
            if found_role.rstrip("0123456789") == role
        }
        total += len(named)
    return total


@pytest.fixture(scope="module")
def table():
    return evaluate(DATA, "annotator-training")


def test_gold_counts_are_the_files(table):
    assert len(list(TRAINING.glob("attributions/*.ann"))) == 24
    assert table["attribution / cue"][1] == gold_units("Cue")
    assert table["attribution / source"][1] == gold_units("Source")
    # each suggestion is scored against each of the six annotators' files
    assert table["attribution / cue"][0] % 6 == 0


def test_attribution_cues_are_found_well(table):
    suggested, gold, (ep, er, ef, op, orec, of) = table["attribution / cue"]
    assert gold > 300 and suggested > 0
    assert 0.65 <= op <= 1 and 0.65 <= orec <= 1 and 0.65 <= of <= 1
    assert of == pytest.approx(2 * op * orec / (op + orec), abs=0.002)
    # the suggestion spans source and cue: it can equal a cue alone only without a source
    assert ef < 0.1
    combined = table["attribution / source+cue"][2]
    assert 0.4 <= combined[2] <= combined[5] <= 1


def test_claims_and_opinions_are_scored(table):
    linked = table["claim linked / content"][2]
    assert 0.5 <= linked[5] <= 1
    everything = table["claim / content"]
    assert everything[0] >= table["claim linked / content"][0]
    opinion = table["opinion (no gold)"]
    assert opinion[1] == 0 and opinion[2] == [None] * 6


def test_about_a_fifth_of_the_articles_are_held_out():
    names = [path.stem for path in (DATA / "train" / "text").glob("*.txt")]
    held_out = [name for name in names if evaluation.part_of(name) == "held-out"]
    assert 0.15 < len(held_out) / len(names) < 0.25


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("/nonexistent/polnear",), "/nonexistent/polnear is not a directory."),
        ((DATA, "dev"), "dev is not a compartment (it needs text/ and attributions/ folders)."),
    ],
)
def test_bad_data_dir_or_compartment(arguments, message):
    if len(arguments) == 1:
        arguments = (*arguments, "train")
    with pytest.raises(CommandError) as raised:
        evaluate(*arguments)
    assert str(raised.value).endswith(message)


def test_a_bad_annotation_line_is_named(tmp_path):
    shutil.copytree(TRAINING, tmp_path / "annotator-training")
    ann = sorted((tmp_path / "annotator-training" / "attributions").glob("*.ann"))[0]
    ann.write_text("T1\tCue 5 2\tsaid\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        evaluate(tmp_path, "annotator-training")
    assert str(raised.value).startswith(f"{ann.name}, line 1: its offsets 5 2 are not ranges")
