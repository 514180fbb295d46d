"""PolNeAR (``docs/polnear.md``): its articles under their outlets, its annotators as
reviewers who marked their articles done, its attribution relations as spans.

Read through the brat import (:mod:`annotator.brat`, with ``polnear_mapping.json``)
and written by :func:`annotator.importing.run`, all or nothing.
"""

import csv
from pathlib import Path

from django.utils import timezone

from . import brat
from .importing import Incoming, SpeakerIndex
from .models import ArticleReview

MAPPING = Path(__file__).with_name("polnear_mapping.json")
METADATA = "metadata.tsv"
REVIEWER_PREFIX = "polnear-"
# Each publisher's outlet as it is known, with its web domain.
OUTLETS = {
    "breitbart": ("Breitbart", "breitbart.com"),
    "huff-post": ("HuffPost", "huffpost.com"),
    "nyt": ("The New York Times", "nytimes.com"),
    "politico": ("Politico", "politico.com"),
    "usa-today": ("USA Today", "usatoday.com"),
    "wash-post": ("The Washington Post", "washingtonpost.com"),
    "west-journal": ("Western Journalism", "westernjournal.com"),
}
MISSING = "None"  # how the metadata writes a value it does not have


class MetadataError(ValueError):
    """The metadata file cannot be read as PolNeAR's."""


def metadata(data_dir: Path) -> list:
    """The rows of ``DATA_DIR/metadata.tsv``, each a dict by column name."""
    path = data_dir / METADATA
    try:
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file, delimiter="\t"))
    except (OSError, UnicodeDecodeError) as error:
        raise MetadataError(f"cannot read {path} ({error})") from error
    needed = {"compartment", "filename", "annotators", "publisher", "publication_date"}
    if rows and not needed | {"author", "title"} <= set(rows[0]):
        raise MetadataError(f"{path} lacks one of the columns {', '.join(sorted(needed))}")
    return rows


def records(data_dir: Path, compartments, articles=None):
    """What an import of the compartments' articles (or only the named ones) reads."""
    mapping, speakers = brat.load_mapping(MAPPING), SpeakerIndex()
    for row in metadata(data_dir):
        if row["compartment"] not in compartments:
            continue
        if articles is not None and row["filename"] not in articles:
            continue
        folder = data_dir / row["compartment"]
        try:
            brat_text = brat.read_text(folder / "text" / f"{row['filename']}.txt")
        except (OSError, brat.TextError) as error:
            yield Incoming(f"{row['filename']}.txt", problem=f"cannot be read ({error})")
            continue
        reviewers = {a: REVIEWER_PREFIX + a for a in row["annotators"].split("|")}
        yield brat.new_article(brat_text, article_record(row, brat_text, reviewers.values()))
        for annotator, reviewer in reviewers.items():
            ann_path = folder / "attributions" / f"{row['filename']}_{annotator}.ann"
            yield from brat.article_spans(ann_path, brat_text, mapping, reviewer, speakers)


def article_record(row: dict, brat_text, reviewers) -> dict:
    """The article as its metadata row describes it, done by each of its annotators.

    A value the metadata lacks stays empty; a review already stored keeps the time it
    was marked done, so that importing again changes nothing.
    """
    outlet, domain = OUTLETS.get(row["publisher"], (row["publisher"], ""))
    done_at = dict(
        ArticleReview.objects.filter(
            article__body_sha256=brat_text.sha256, reviewer__username__in=reviewers, done=True
        ).values_list("reviewer__username", "done_at")
    )
    now = timezone.now()
    return {
        "source": {"name": outlet, "domain": domain, "identified": True},
        "title": _known(row["title"]),
        "author": _known(row["author"]),
        "published": _known(row["publication_date"]) or None,
        "reviews": [
            {"reviewer": name, "done": True, "done_at": done_at.get(name, now).isoformat()}
            for name in reviewers
        ],
    }


def _known(value):
    return "" if value in (MISSING, None) else value
