"""Django-free reading of raw news page text into metadata and a clean body.

Seed texts are copied from web pages: a title, a date, a photo credit or a
byline may stand above the article; an author bio and page furniture ("View
more articles", "Suggested Articles", "Sidebar", "Comments") below it. This
module keeps only what the text itself shows and never guesses an outlet,
author or date that is not written there.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from .text import normalise_text

FURNITURE_LINES = re.compile(
    r"^(View more articles from.*|Suggested Articles|Sidebar|Comments|Related Articles)$"
)
VIEW_MORE = re.compile(r"^View more articles from\s*(?P<who>.+)$")
PHOTO_CREDIT = re.compile(r"^(@\S+|(Photo|Image|Credit)s?\b.*:.*)$", re.IGNORECASE)
READING_TIME = re.compile(r"^\d+\s+min(ute)?s?\s+read$", re.IGNORECASE)
BULLET = re.compile(r"^[-•]\s+(?P<item>.+)$")
NAME_LINE = re.compile(r"^(?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){1,3}$")
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{2,40}?)(?:,\s*[A-Z][\w.]*)?\s*(?:\((?P<agency>[^)]{2,40})\))?"
    r"\s*[—–-]{1,2}\s+"
)
FULL_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y-%m-%d")
PARTIAL_DATE = re.compile(
    r"^(?:\d{1,2}\s+)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,2})?$",
    re.IGNORECASE,
)
SMALL_WORDS = {"of", "the", "and", "for", "in", "on", "de", "la"}


@dataclass
class PageText:
    title: str = ""
    author: str = ""
    published: date | None = None
    date_shown: str = ""
    dateline: str = ""
    outlet: str = ""
    canonical_url: str = ""
    body: str = ""


def parse_date(line: str) -> tuple[date | None, bool]:
    """(the date, whether the line is a date at all); a partial date gives (None, True)."""
    cleaned = line.strip()
    for fmt in FULL_DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date(), True
        except ValueError:
            continue
    return None, bool(PARTIAL_DATE.match(cleaned))


def looks_like_paragraph(line: str) -> bool:
    """Body prose: several words ending in sentence punctuation, or simply long."""
    stripped = line.strip()
    return len(stripped) > 160 or (
        len(stripped.split()) >= 8 and stripped[-1:] in '.!?"”’)' and not stripped.endswith("…")
    )


def expand_acronym(acronym: str, text: str) -> str:
    """A capitalised phrase in ``text`` whose initials spell ``acronym``, else the acronym."""
    words = r"[A-Z][\w’'-]*"
    for match in re.finditer(rf"\b(?:The\s+)?{words}(?:\s+(?:{words}|of|the|and|for))+", text):
        phrase = match.group(0)
        initials = "".join(
            w[0] for w in phrase.split() if w.lower() not in SMALL_WORDS and w != "The"
        )
        if initials == acronym:
            return phrase
    return acronym


def _split_footer(lines: list[str]) -> tuple[list[str], str, str]:
    """Cut page furniture and the author bio off the end: (body lines, author, outlet)."""
    author, outlet = "", ""
    cut = len(lines)
    for index, line in enumerate(lines):
        if FURNITURE_LINES.match(line.strip()):
            cut = index
            match = VIEW_MORE.match(line.strip())
            if match:
                outlet = match.group("who").strip()
            break
    lines = lines[:cut]
    # The bio: a bare name line, after which every paragraph is about that person.
    for index in range(len(lines) - 1, -1, -1):
        candidate = lines[index].strip()
        if not NAME_LINE.match(candidate):
            continue
        after = [line.strip() for line in lines[index + 1 :] if line.strip()]
        if not after or all(
            line == candidate or _mentions_person(line, candidate) for line in after
        ):
            author = candidate
            first = next(i for i, line in enumerate(lines) if line.strip() == candidate)
            lines = lines[:first]
        break
    if outlet == author:
        outlet = ""
    return lines, author, outlet


def _mentions_person(line: str, name: str) -> bool:
    parts = name.split()
    return line.startswith(parts[0]) or line.startswith(parts[-1]) or line.startswith(name)


def _split_header(lines: list[str], page: PageText) -> list[str]:
    """Read title, date, byline and credits above the first paragraph of prose."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if looks_like_paragraph(stripped):
            return lines[index:]
        bullet = BULLET.match(stripped)
        item = bullet.group("item").strip() if bullet else stripped
        published, is_date = parse_date(item)
        if is_date and not page.date_shown:
            page.date_shown, page.published = item, published
        elif PHOTO_CREDIT.match(item) or READING_TIME.match(item):
            continue
        elif bullet and not page.author:
            page.author = item
        elif not page.title:
            page.title = item
    return []


def parse_page_text(raw: str) -> PageText:
    page = PageText()
    lines = [line.rstrip() for line in normalise_text(raw).split("\n")]
    lines, bio_author, outlet_code = _split_footer(lines)
    body_lines = _split_header(lines, page)
    page.author = page.author or bio_author

    body = "\n".join(body_lines).strip()
    match = DATELINE.match(body)
    if match:
        page.dateline = match.group(0).rstrip(" —–-")
        if match.group("agency"):
            outlet_code = outlet_code or match.group("agency").strip()
        body = body[match.end() :]
    if outlet_code:
        page.outlet = expand_acronym(outlet_code, normalise_text(raw))
    page.body = re.sub(r"\n{3,}", "\n\n", body).strip()
    return page
