"""Django-free text logic: normalising bodies, anchoring quotes, span arithmetic.

Offsets everywhere are Unicode code points into the stored (NFC, ``\\n``) body,
end exclusive, which is exactly how Python indexes a ``str``.
"""

import difflib
import hashlib
import unicodedata

CONTEXT_LENGTH = 32


def normalise_text(text: str) -> str:
    """NFC with ``\\n`` line endings: the form every body is stored in before offsets exist."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


OPENING_WORDS = 12
OPENING_LENGTH = 120


def opening_words(body: str) -> str:
    """The first words of ``body`` (at most OPENING_WORDS, and OPENING_LENGTH code points),
    an ellipsis after them if it goes on: what an untitled article is listed as."""
    words = body.split(maxsplit=OPENING_WORDS)
    shown = " ".join(words[:OPENING_WORDS])
    if len(shown) > OPENING_LENGTH:
        return shortened(shown, OPENING_LENGTH)
    return f"{shown}…" if len(words) > OPENING_WORDS else shown


def shortened(quote: str, length: int) -> str:
    """``quote`` cut to at most ``length`` code points, ending in an ellipsis when cut; a
    letter keeps its combining marks (the cut moves before it rather than split them)."""
    if len(quote) <= length:
        return quote
    cut = length - 1
    while cut > 0 and unicodedata.category(quote[cut]).startswith("M"):
        cut -= 1
    return quote[:cut] + "…"


def context(body: str, start: int, end: int, size: int = CONTEXT_LENGTH) -> tuple[str, str]:
    """The prefix and suffix of up to ``size`` code points around ``body[start:end]``."""
    return body[max(0, start - size) : start], body[end : end + size]


def occurrences(body: str, quote: str) -> list[int]:
    """Every start offset at which ``quote`` stands in ``body``, overlapping ones included."""
    if not quote:
        return []
    found = []
    position = body.find(quote)
    while position != -1:
        found.append(position)
        position = body.find(quote, position + 1)
    return found


OPENING_QUOTES, CLOSING_QUOTES = '"“„«', '"”»'
TRAILING_PUNCTUATION = ".,;:!?)"


def quote_type(content: str) -> str:
    """direct when the content is one quotation, mixed when it holds one, else indirect."""
    stripped = content.strip().rstrip(TRAILING_PUNCTUATION)
    if stripped[:1] in OPENING_QUOTES and stripped[-1:] in CLOSING_QUOTES:
        return "direct"
    if any(mark in content for mark in OPENING_QUOTES + CLOSING_QUOTES):
        return "mixed"
    return "indirect"


def paragraphs(body: str) -> list[tuple[int, str]]:
    """Non-empty lines of ``body`` with the code-point offset each starts at."""
    result = []
    offset = 0
    for line in body.split("\n"):
        if line.strip():
            result.append((offset, line))
        offset += len(line) + 1
    return result


def _common_suffix(left: str, right: str) -> int:
    count = 0
    while count < min(len(left), len(right)) and left[-1 - count] == right[-1 - count]:
        count += 1
    return count


def _common_prefix(left: str, right: str) -> int:
    count = 0
    while count < min(len(left), len(right)) and left[count] == right[count]:
        count += 1
    return count


def reanchor(body: str, quote: str, prefix: str, suffix: str, near: int) -> int | None:
    """Where ``quote`` now starts in ``body``: the occurrence whose surroundings best
    match the recorded prefix and suffix, the nearest to ``near`` among equals.

    None when the quote is gone, or when context is recorded and no occurrence
    shares any of it, since a bare match elsewhere may be another passage.
    """
    best = None
    for start in occurrences(body, quote):
        end = start + len(quote)
        score = _common_suffix(body[max(0, start - len(prefix)) : start], prefix) + _common_prefix(
            body[end : end + len(suffix)], suffix
        )
        rank = (score, -abs(start - near))
        if best is None or rank > best[0]:
            best = (rank, start)
    if best is None:
        return None
    (score, _distance), start = best
    if score == 0 and (prefix or suffix) and len(occurrences(body, quote)) > 1:
        return None
    return start


def word_changes(before: str, after: str) -> list[tuple[str, str]]:
    """The passages that differ between two texts, word by word: (removed, added) pairs,
    either empty when words were only added or only removed."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (" ".join(old[i1:i2]), " ".join(new[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
