"""Django-free reading of a saved web page into metadata and the article's text.

trafilatura finds the article among the page's furniture (navigation,
newsletter boxes, related links, footers) and reads its metadata; htmldate,
which it calls, finds the date in the page's markup only (its extensive
search would take a copyright year for a publication date). Nothing is
fetched: the page is read as given. Like ``pagetext``, this keeps only what
the page shows: no outlet is made up from the address, no date from the
file's own.

The date is kept twice, as everywhere: ``published``, the date htmldate reads, and
``date_shown``, the words the page prints it in ("14 March 2024", "Mar. 14, 2024"), found
in a visible ``<time>`` element, a byline or date element, or the extracted text, and only
when they name the same day as ``published``. Month names are English; a page printing its
date otherwise, or not at all, has an empty ``date_shown``.
"""

import re
from datetime import date

import lxml.html
import trafilatura

from .pagetext import PageText, looks_like_paragraph
from .text import normalise_text

DATE_SEARCH = {"extensive_search": False, "original_date": True}
MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
ORDINAL = r"(?:st|nd|rd|th)?"
# A printed date: day month [year], month day[,] [year], ISO, or day/month/year either way.
PRINTED_DATE = re.compile(
    rf"\b{WEEKDAY}(?:"
    rf"(?P<dmy_d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?(?P<dmy_m>{MONTH})(?:,?\s+(?P<dmy_y>\d{{4}}))?"
    rf"|(?P<mdy_m>{MONTH})\s+(?P<mdy_d>\d{{1,2}}){ORDINAL}(?:,?\s+(?P<mdy_y>\d{{4}}))?"
    r"|(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})"
    r"|(?P<num_a>\d{1,2})[./](?P<num_b>\d{1,2})[./](?P<num_y>\d{4})"
    r")(?!\w)",
    re.IGNORECASE,
)
# Elements whose words show the date: <time>, and those a class or id calls a byline or date.
DATE_ELEMENTS = (
    "//body//time"
    " | //body//*[re:test(concat(@class, ' ', @id), 'byline|dateline|date|time|publish', 'i')]"
)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def parse_page_html(html: str) -> PageText:
    """The page's title, author, date, outlet, canonical address and article text; an empty
    body when the page holds no paragraph of prose."""
    found = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params=DATE_SEARCH,
    )
    if found is None:
        return PageText()
    title = normalise_text(found.title or "").strip()
    lines = [line.strip() for line in normalise_text(found.text or "").split("\n")]
    if lines and lines[0] == title:
        lines = lines[1:]  # the headline is the title, not the first paragraph
    if not any(looks_like_paragraph(line) for line in lines):
        lines = []
    published = date.fromisoformat(found.date) if found.date else None
    return PageText(
        title=title,
        author=normalise_text(found.author or "").strip(),
        published=published,
        date_shown=date_shown(html, found.text or "", published),
        outlet=_site_name(found),
        canonical_url=found.url or "",
        body="\n".join(line for line in lines if line),
    )


def _site_name(found) -> str:
    """The site's name as the page gives it; trafilatura falls back on the address's host,
    which names no outlet."""
    name = (found.sitename or "").strip()
    host = (found.hostname or "").removeprefix("www.")
    if not name or name.lower().removeprefix("www.") == host:
        return ""
    return normalise_text(name)


def date_shown(html: str, text: str, published: date | None) -> str:
    """The words the page prints ``published`` in: from a visible ``<time>``, byline or date
    element, else from the extracted ``text``; "" when it prints no such date."""
    if published is None:
        return ""
    for words in (*_date_element_words(html), text):
        for found in PRINTED_DATE.finditer(words):
            if _names_day(found, published):
                return normalise_text(" ".join(found.group(0).split()))
    return ""


def _date_element_words(html):
    """The words of each visible date-like element, in the page's order."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    namespaces = {"re": "http://exslt.org/regular-expressions"}
    return [
        _visible_words(element)
        for element in tree.xpath(DATE_ELEMENTS, namespaces=namespaces)
        if not any(_hidden(each) for each in element.iterancestors())
    ]


def _visible_words(element):
    """The words of ``element`` a reader sees: none of a hidden element or a comment."""
    if not isinstance(element.tag, str) or _hidden(element):
        return ""
    parts = [element.text or ""]
    for child in element:
        parts += [_visible_words(child), child.tail or ""]
    return "".join(parts)


def _hidden(element):
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or bool(HIDDEN.search(element.get("style") or ""))
        or element.tag in ("script", "style", "template", "noscript")
    )


def _names_day(found, published):
    """Whether the printed date ``found`` names the day ``published`` (its year, if printed,
    included; digits only may be day/month or month/day)."""
    groups = found.groupdict()
    for kind in ("dmy", "mdy", "iso"):
        if groups[f"{kind}_m"] is None:
            continue
        month = groups[f"{kind}_m"]
        month = int(month) if month.isdigit() else _month_number(month)
        year = groups[f"{kind}_y"]
        return (month, int(groups[f"{kind}_d"])) == (published.month, published.day) and (
            year is None or int(year) == published.year
        )
    if int(groups["num_y"]) != published.year:
        return False
    first, second = int(groups["num_a"]), int(groups["num_b"])
    return (published.day, published.month) in ((first, second), (second, first))


def _month_number(word):
    """1 to 12 for a month's name or abbreviation ("Sept.", "march"), 0 for another word."""
    prefix = word.rstrip(".").lower()
    return next(
        (number for number, name in enumerate(MONTH_NAMES, 1) if name.startswith(prefix)), 0
    )
