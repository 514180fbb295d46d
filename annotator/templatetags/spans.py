"""The article page's no-JavaScript list of spans, built in one pass.

An article can carry hundreds of spans; a template loop (or format_html)
costs microseconds per value, so the list is joined here from strings, every
stored value passed through html.escape, and the page stays fast.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from ..models import Label

register = template.Library()
LABEL_NAMES = dict(Label.choices)
QUOTE_LENGTH = 160


def shortened(quote):
    """What the truncatechars filter shows, without its cost for the many short quotes."""
    return quote if len(quote) <= QUOTE_LENGTH else Truncator(quote).chars(QUOTE_LENGTH)


@register.simple_tag(takes_context=True)
def annotation_items(context, spans):
    """One <li> per span (rows as the API writes them), with a delete form on one's own."""
    if not spans:
        return mark_safe('<li class="text-body-secondary small">No annotations yet.</li>')
    show_reviewer = context["view"] != "mine"
    username = context["user"].get_username()
    before, after = (escape(part) for part in context["delete_url"])
    token = escape(str(context["csrf_token"]))
    items = []
    for span in spans:
        label = span["label"]
        parts = [
            f'<li class="annotation-item label-{escape(label)}"><div><span class="badge '
            f'badge-{escape(label)}">{escape(LABEL_NAMES[label])}</span>'
        ]
        if show_reviewer:
            parts.append(
                f' <span class="small text-body-secondary">{escape(span["reviewer"])}</span>'
            )
        parts.append(
            f' <span class="small text-body-secondary">{span["start"]}–{span["end"]}</span></div>'
            f"<q>{escape(shortened(span['quote']))}</q>"
        )
        if span["note"]:
            parts.append(f'<div class="small">{escape(span["note"])}</div>')
        if span["reviewer"] == username:
            parts.append(
                f'<form method="post" action="{before}/{span["id"]}/{after}"><input type="hidden" '
                f'name="csrfmiddlewaretoken" value="{token}"><button class="btn btn-link btn-sm '
                'p-0 text-danger" type="submit">Delete</button></form>'
            )
        parts.append("</li>")
        items.append("".join(parts))
    return mark_safe("\n".join(items))
