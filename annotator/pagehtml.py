"""Django-free reading of a saved web page into metadata and the article's text.

trafilatura finds the article among the page's furniture (navigation,
newsletter boxes, related links, footers) and reads its metadata; htmldate,
which it calls, finds the date in the page's markup only (its extensive
search would take a copyright year for a publication date). Nothing is
fetched: the page is read as given. Like ``pagetext``, this keeps only what
the page shows: no outlet is made up from the address, no date from the
file's own.
"""

from datetime import date

import trafilatura

from .pagetext import PageText, looks_like_paragraph
from .text import normalise_text

DATE_SEARCH = {"extensive_search": False, "original_date": True}


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
        date_shown=found.date or "",
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
