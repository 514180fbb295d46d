"""Accounts: the client address login throttling counts failures against."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The address the client connected from, as the trusted proxies recorded it.

    django-axes locks a username per this address (``AXES_CLIENT_IP_CALLABLE``).
    Each of the ``TRUSTED_PROXIES`` proxies in front of the app appends the
    address it was connected from to ``X-Forwarded-For``, and the last one is
    ``REMOTE_ADDR``; so the client is the entry that many places from the right
    of that list. Entries further left were written by the client and are
    ignored, so a forged header cannot move a client out of its lockout. A
    request that passed fewer proxies than that is counted against its
    left-most entry; one that is not an address falls back to ``REMOTE_ADDR``
    (``None`` without one, as django-axes itself reads it).
    """
    peer = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [*(entry.strip() for entry in forwarded.split(",") if entry.strip()), peer or ""]
    client = hops[max(len(hops) - 1 - settings.TRUSTED_PROXIES, 0)]
    try:
        return str(ipaddress.ip_address(client))
    except ValueError:
        return peer
