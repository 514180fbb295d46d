"""Accounts: the client address login throttling counts, and API tokens revoked.

A user's API token is deleted when their password changes or they are
deactivated, however it happens (admin, ``changepassword``, ``set_password()``
and ``save()``): a leaked token does not outlive the password, and a
reactivated account needs a new one.
"""

import ipaddress

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

REVOKING_FIELDS = {"password", "is_active"}


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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def revoke_token_on_password_change_or_deactivation(sender, instance, update_fields, **kwargs):
    if instance.pk is None or (
        update_fields is not None and REVOKING_FIELDS.isdisjoint(update_fields)
    ):
        return  # a new user, or a save of other fields only (the last login, say)
    stored = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    deactivated = stored["is_active"] and not instance.is_active
    if deactivated or stored["password"] != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
