"""Django-free reading of a saved web page's bytes as text, in the encoding the page declares.

The order is a browser's, simplified (``docs/saved-pages.md``): a byte order mark; else a
``<meta charset>`` or ``<meta http-equiv="Content-Type" content="…; charset=…">`` in the
page's head; else UTF-8 when the bytes are valid UTF-8; else windows-1252, the encoding
browsers fall back on for an undeclared page in Western languages. As the HTML standard
says, a page declared ISO-8859-1 or US-ASCII is read as windows-1252 (its superset, whose
curly quotes and dashes such pages hold) and one declaring UTF-16 in its markup as UTF-8.
Decoding is strict: bytes the encoding does not define make the page undecodable, never
replaced.
"""

import codecs
import re
from dataclasses import dataclass

BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Where a declaration is looked for: the head, or this much of a page without one.
HEAD_LIMIT = 64 * 1024
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Python's names for the encodings the HTML standard reads otherwise, and what it reads.
READ_AS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-32": "utf-8",
}
UNDECLARED_FALLBACK = "cp1252"


class UndecodablePage(ValueError):
    """The page's bytes are not text in the encoding it declares (or in any it may be in)."""


@dataclass(frozen=True)
class DecodedPage:
    """The page's text and the encoding it was read in: ``text.encode(encoding)`` gives the
    file's bytes back (a byte order mark stays in the text as U+FEFF)."""

    text: str
    encoding: str


def declared_encoding(data: bytes) -> str:
    """Python's name for the encoding the page's own markup declares, "" when none (or one
    Python does not know)."""
    end = HEAD_END.search(data, 0, HEAD_LIMIT)
    head = data[: end.start() if end else HEAD_LIMIT]
    for meta in META.finditer(head):
        found = CHARSET.search(meta.group(0))
        if found is None:
            continue
        try:
            name = codecs.lookup(found.group(1).decode("ascii")).name
        except LookupError:
            return ""
        return READ_AS.get(name, name)
    return ""


def decode_page(data: bytes) -> DecodedPage:
    """The page's text, read as its byte order mark, else its markup, declares; an undeclared
    page as UTF-8, else windows-1252. Raises UndecodablePage saying why."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decoded(data, encoding, f"is not {encoding} text as its byte order mark says")
    encoding = declared_encoding(data)
    if encoding:
        return _decoded(data, encoding, f"is not {encoding} text as its markup declares")
    try:
        return DecodedPage(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return _decoded(
            data,
            UNDECLARED_FALLBACK,
            "declares no encoding and is neither UTF-8 nor windows-1252 text",
        )


def _decoded(data, encoding, why_not):
    """``data`` read as ``encoding``; else UndecodablePage: the page ``why_not``."""
    try:
        return DecodedPage(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        raise UndecodablePage(
            f"it {why_not} (byte {data[error.start]:#04x} at offset {error.start})"
        ) from error
