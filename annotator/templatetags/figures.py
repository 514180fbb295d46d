"""Show figures honestly: a missing value reads "no data", never a misleading 0."""

from django import template
from django.utils.html import format_html

register = template.Library()

NO_DATA = format_html('<span class="text-body-secondary" title="{}">n/a</span>', "Not enough data")


@register.filter
def percent(value):
    if value is None:
        return NO_DATA
    return f"{100 * value:.0f}%"


@register.filter
def decimal(value):
    if value is None:
        return NO_DATA
    return f"{value:.1f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
