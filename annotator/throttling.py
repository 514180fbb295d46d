"""Limits on how fast one user writes through the API (DRF throttling); reads are not
counted, but for the engine's suggestions, which cost a parse of the article.

Counts live in Django's cache, so each process running the app counts for itself
unless CACHES names a cache they share.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class ScopedUserThrottle(UserRateThrottle):
    """A user's requests per period, at REST_FRAMEWORK's rate for the ``scope``: a refused
    one is answered 429 with Retry-After."""

    def get_rate(self):
        # Read at each request (DRF's own reads it once, at import), so a changed setting counts.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class WriteBurstThrottle(ScopedUserThrottle):
    """A user's POST, PUT, PATCH and DELETE requests per minute (``writes_burst``)."""

    scope = "writes_burst"

    def allow_request(self, request, view):
        return request.method in SAFE_METHODS or super().allow_request(request, view)


class WriteSustainedThrottle(WriteBurstThrottle):
    """The same writes per hour (``writes_sustained``), so a script cannot keep a burst up."""

    scope = "writes_sustained"


class SuggestionsThrottle(ScopedUserThrottle):
    """A user's requests for suggestions per minute (``suggestions``): an article's first
    costs the engine a parse of its whole body."""

    scope = "suggestions"
