"""A passage shown in quotation marks, without doubling the marks it already has."""

from django import template
from django.utils.html import format_html

register = template.Library()

# Double marks only: a single one at a passage's end is as often an apostrophe ("ISIS’").
# article.js (quoteClasses) reads the same marks.
OPENING_MARKS = '“„«‹"'
CLOSING_MARKS = '”»›"'


def quote_classes(passage):
    """Which of the <q>'s own marks to leave out: those the passage already begins or
    ends with (a reporter's quotation marked whole)."""
    classes = []
    if passage and passage[0] in OPENING_MARKS:
        classes.append("opens-quoted")
    if passage and passage[-1] in CLOSING_MARKS:
        classes.append("closes-quoted")
    return " ".join(classes)


@register.simple_tag
def quoted(passage):
    classes = quote_classes(passage)
    if classes:
        return format_html('<q class="{}">{}</q>', classes, passage)
    return format_html("<q>{}</q>", passage)
