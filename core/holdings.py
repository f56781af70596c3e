"""What a person still holds, and deactivating an account only once they hold nothing (issue 12).

Core knows nothing of policies: the apps above it (lifecycle) register a *holdings provider* at ``ready()``,
a function ``provider(user) -> list[str]`` naming, in sentences fit to show, what the user is named on (for
example "Designated Lead of POL-0042 Stop and search"). Imports stay one way, core <- lifecycle.

A person who still holds anything is not deactivated: the refusal lists what they hold, so the administrator
can hand it over first (``/people/<username>/handover/``). Otherwise their policies would point at someone who
can no longer act, and nothing would move until the orphan reminder found it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import User
from core.services import clearance_reduced_send

HoldingsProvider = Callable[[User], list[str]]
_PROVIDERS: dict[str, HoldingsProvider] = {}
# The longest list a refusal spells out; the rest is counted.
LISTED_AT_MOST = 10


def register_holdings_provider(name: str, provider: HoldingsProvider) -> None:
    """Called from an app's ``ready()``; registering the same name again replaces it (a reloaded app)."""
    _PROVIDERS[name] = provider


def user_holdings(user: User) -> list[str]:
    """Everything ``user`` still holds, from every registered provider."""
    held: list[str] = []
    for provider in _PROVIDERS.values():
        held.extend(provider(user))
    return held


def holdings_refusal(user: User, held: list[str]) -> str:
    listed = "; ".join(held[:LISTED_AT_MOST])
    more = len(held) - LISTED_AT_MOST
    suffix = f"; and {more} more" if more > 0 else ""
    return (f"{user} cannot be deactivated while they still hold {len(held)} part{'s' if len(held) != 1 else ''} "
            f"on policies: {listed}{suffix}. Hand their work over first (People > Hand over).")


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Deactivate an account, refused while the person holds anything. The user's row is locked, and
    reassignment locks the new holder's row too, so nobody is named on a policy while being deactivated."""
    # FOR NO KEY UPDATE, as lifecycle.services.base.lock_policy: a reminder's key check on its recipient must not
    # wait for this while this waits for the chase.
    locked = User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    if locked is None:
        raise ApplicationError("That account no longer exists.", code="not_found")
    if not locked.is_active:
        raise ApplicationError(f"{locked} is already inactive.", code="stale")
    held = user_holdings(locked)
    if held:
        raise ApplicationError(holdings_refusal(locked, held), code="holds", field="is_active")
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    audit_log(actor=actor, action=AuditAction.USER_DEACTIVATED, obj=locked, changes={"username": locked.username})
    # Closed, the account is cleared for nothing: core withdraws its spreadsheets, and lifecycle its invitations and
    # grants on OFFICIAL-SENSITIVE policies (lifecycle.services.clearance), in this transaction.
    clearance_reduced_send(sender=User, person=locked, actor=actor, cause="account was closed")
    user.is_active = False
    return locked
