"""Show figures honestly: a missing value reads "n/a", never a misleading 0."""

from django import template
from django.utils.html import format_html

from ..profiles.maths import BOOTSTRAP_MIN_ARTICLES
from ..profiles.presentation import format_value

register = template.Library()


def _no_data():
    return format_html('<span class="text-body-secondary" title="{}">n/a</span>', "Not enough data")


def _missing(value):
    # A template lookup through a missing object resolves to "".
    return value is None or value == ""


@register.filter
def figure(value, kind):
    return _no_data() if _missing(value) else format_value(kind, value)


@register.filter
def percent(value):
    return figure(value, "share")


@register.filter
def decimal2(value):
    return figure(value, "coefficient")


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def bootstrap_min_articles():
    """From how many articles a figure gets a 95% interval rather than a range."""
    return BOOTSTRAP_MIN_ARTICLES
