"""Sign-in lockout: who is counted, how the client's address is read behind the proxy, and what a locked-out
person is told.

Three counters, each with its own limit (``POLICYHUB_LOCKOUT_COUNTERS`` in the settings):

- the username from one address (5 by default): one person's guessing at one account stops quickly, and only
  that person is stopped, not the account's owner signing in from elsewhere;
- the address alone (30 by default): password spraying, one password tried against many usernames, is
  limited; it is higher than the first so that one office behind one NAT address is not locked by a few
  people's typos;
- the username alone (30 by default): guessing at one account from many addresses is limited.

The trade-off: the third counter lets someone who controls six or more real addresses lock an account for the
cool-off period. Failures made while already locked out are not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_
DURING_LOCKOUT = False``), so one address adds at most 5 to an account's count, and behind the proxy the
address is the one the proxy saw (``client_address``), so a forged X-Forwarded-For cannot invent addresses.
Before this, with everyone behind the proxy sharing its address, anyone could lock out ``lead`` alone.

django-axes compares one figure with one limit (``AXES_FAILURE_LIMIT``); ``LockoutHandler.get_failures``
gives it the figure of the counter nearest to its own limit, expressed against that limit.
"""

from __future__ import annotations

import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import ngettext


def client_address(request) -> str | None:
    """The address of the client as seen by the outermost of our trusted proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N trusted proxies
    the client is the N-th entry from the right; entries further left were written by the client itself and
    prove nothing. With no trusted proxy (the default) the header is ignored and REMOTE_ADDR is the client.
    """
    proxies = settings.POLICYHUB_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than configured: the request did not come through the proxies as documented.
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with one limit per counter, and a success that clears only its own pair."""

    def get_failures(self, request, credentials=None) -> int:
        limits = [limit for _parameters, limit in settings.POLICYHUB_LOCKOUT_COUNTERS]
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        # Locked when any counter reaches its own limit: report how far the nearest one is from it.
        remaining = min(limit - count for limit, count in zip(limits, counts, strict=True))
        return settings.AXES_FAILURE_LIMIT - remaining

    def reset_user_attempts(self, request, credentials=None) -> int:
        """On success, forget only this username's failures from this address. Clearing the address counter
        too would let a sprayer with one account of their own reset their address's count by signing in."""
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return deleted


def cool_off_in_words() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of signing in (429, with Retry-After), in words rather than "PT15M"."""
    response = render(request, "registration/locked_out.html", {"cool_off": cool_off_in_words()},
                      status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
