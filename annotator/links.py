"""URLs the pages link to on every request, reversed once per script prefix.

Reversing a URL costs tens of microseconds; a page with a navigation bar and
a handful of per-article links reversed a dozen on every view, most of them
the same each time. URL patterns do not change while the process runs.
"""

from functools import cache

from django.urls import get_script_prefix, reverse

NAVIGATION = {
    "article_list": "annotator:article-list",
    "source_list": "annotator:source-list",
    "guidelines": "annotator:guidelines",
    "agreement": "annotator:agreement",
    "queue": "annotator:queue",
    "admin": "admin:index",
    "logout": "logout",
}


@cache
def _reversed(name, prefix):
    return reverse(name)


@cache
def _navigation(prefix):
    return {key: _reversed(name, prefix) for key, name in NAVIGATION.items()}


@cache
def _split(name, prefix):
    return tuple(reverse(name, args=[0]).rsplit("/0/", 1))


def url(name):
    """The URL of ``name`` (a view taking no arguments)."""
    return _reversed(name, get_script_prefix())


def split(name):
    """The URL of ``name`` for an id, split around it: ``(before, after)``."""
    return _split(name, get_script_prefix())


def path(name, pk):
    """The URL of ``name`` for ``pk`` (a view taking one id)."""
    before, after = split(name)
    return f"{before}/{pk}/{after}"


def navigation(request):
    """Context processor: ``nav``, the navigation bar's URLs."""
    return {"nav": _navigation(get_script_prefix())}
