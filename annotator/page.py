"""The article page's large parts, written once as bytes: the span list and the script's data.

An article page carries hundreds of spans twice: as the list a reader without
JavaScript sees, and as the data the script draws from. Passed through the
template, each part would be copied at every level of its nesting (a page of
450 kB was copied six times, and the fresh memory for each copy cost more than
writing the spans). The template holds a marker for each part instead, and
:func:`render` splices the parts' bytes into the rendered page once.
"""

import re
import secrets
from html import escape

import orjson
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from . import text
from .models import Label

LABEL_NAMES = dict(Label.choices)
QUOTE_LENGTH = 160


def render(request, template_name, context, parts, status=200):
    """``template_name`` rendered with ``context``; each of ``parts`` (name to bytes) where
    the template writes ``{{ name }}``.

    The markers carry a random token per page, so no stored text can pose as one.
    """
    token = secrets.token_hex(8)
    markers = {name: mark_safe(f"<!--part-{token}-{name}-->") for name in parts}
    html = render_to_string(template_name, {**context, **markers}, request)
    pieces = re.split(f"<!--part-{token}-(\\w+)-->", html)
    chunks = [
        piece.encode() if index % 2 == 0 else parts[piece] for index, piece in enumerate(pieces)
    ]
    return HttpResponse(b"".join(chunks), status=status)


def script_json(data) -> bytes:
    """``data`` as JSON to sit inside a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` are escaped as the json_script filter does, so that no
    stored text can close the element.
    """
    return (
        orjson.dumps(data)
        .replace(b"<", b"\\u003C")
        .replace(b">", b"\\u003E")
        .replace(b"&", b"\\u0026")
    )


def columns(fields, rows):
    """Rows as the script receives them: field names once, then lists of values."""
    return {"fields": fields, "rows": rows}


def shortened(quote):
    """What the truncatechars filter shows, without its cost for the many short quotes."""
    return quote if len(quote) <= QUOTE_LENGTH else Truncator(quote).chars(QUOTE_LENGTH)


def paragraphs(body) -> bytes:
    """The body's non-empty lines as ``<p>`` elements, each with its starting code-point offset."""
    return "".join(
        f'<p data-offset="{offset}">{escape(line)}</p>\n' for offset, line in text.paragraphs(body)
    ).encode()


def span_list(rows, *, show_reviewer, username, delete_url, delete_form) -> bytes:
    """One ``<li>`` per span (rows starting id, reviewer, label, start, end, quote, note),
    with a delete button on the reader's own; every stored value through ``html.escape``.

    The buttons belong to one form elsewhere on the page (``delete_form``, its id),
    which carries the CSRF token once; each button names its span's delete URL.
    """
    if not rows:
        return b'<li class="text-body-secondary small">No annotations yet.</li>'
    before, after = (escape(part) for part in delete_url)
    button = (
        f'<button class="btn btn-link btn-sm p-0 text-danger" form="{escape(delete_form)}" '
        f'formaction="{before}/'
    )
    badges = {
        label: f'<li class="annotation-item label-{escape(label)}"><div><span class="badge '
        f'badge-{escape(label)}">{escape(name)}</span>'
        for label, name in LABEL_NAMES.items()
    }
    names = {}  # reviewer -> what the item shows of them
    items = []
    for pk, reviewer, label, start, end, quote, note in (row[:7] for row in rows):
        name = names.get(reviewer)
        if name is None:
            shown = f' <span class="small text-body-secondary">{escape(reviewer)}</span>'
            name = names[reviewer] = shown if show_reviewer else ""
        note_html = f'<div class="small">{escape(note)}</div>' if note else ""
        delete = f'<div>{button}{pk}/{after}">Delete</button></div>' if reviewer == username else ""
        items.append(
            f'{badges[label]}{name} <span class="small text-body-secondary">{start}–{end}</span>'
            f"</div><q>{escape(shortened(quote))}</q>{note_html}{delete}</li>\n".encode()
        )
    return b"".join(items)
