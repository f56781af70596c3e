"""Who sees which figures (issue 15): a co-ordinator their business group; PCU, a Management Board owner and a
Designated Lead the whole force, with a breakdown by business group.

SOP: co-ordinators "ensure good governance so that policies within the BG are reviewed, monitored and published"
and provide "BG policy performance data to PCU for preparation of Corporate Health Indicators"; PCU provides "a
strategic overview" and "informs Management Board and Performance Board on the status of policy reviews and
policy monitoring". Every figure is also counted within what the person may see in the register
(lifecycle.selectors), so a figure and the list behind it agree and nothing OFFICIAL-SENSITIVE is counted for
someone not cleared for it.

A business group asked for in the URL (``?business_group=<id>``) narrows the view when it is in the person's
scope; otherwise they get their own scope and a message saying so, never another group's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import BusinessGroup, Role
from lifecycle.permissions import role_index

FORCE_VIEW_ROLES = (Role.OWNER, Role.LEAD)


@dataclass(frozen=True)
class Scope:
    force: bool  # sees the force (and may focus on any group)
    groups: list[BusinessGroup]  # the groups they may choose between, in name order
    focus: BusinessGroup | None  # the one group shown; None for the force
    message: str = ""
    choices: list[BusinessGroup] = field(default_factory=list)

    @property
    def group_ids(self) -> list[int] | None:
        """The business groups counted; None for the whole force."""
        return [self.focus.pk] if self.focus is not None else None

    @property
    def title(self) -> str:
        return str(self.focus) if self.focus is not None else "the force"

    @property
    def breakdown(self) -> bool:
        return self.focus is None


def may_see_oversight(user) -> bool:
    roles = role_index(user)
    return any(role == Role.PCU or role in FORCE_VIEW_ROLES or role == Role.COORDINATOR for role, _ in roles)


def sees_force(roles) -> bool:
    return (Role.PCU, None) in roles or any(role in FORCE_VIEW_ROLES for role, _ in roles)


def oversight_scope(user, requested: str | None) -> Scope | None:
    """The scope of ``user``'s dashboard, narrowed to ``requested`` (a business group id from the URL) when they may
    see it; None when they have no dashboard. One query (the business groups)."""
    roles = role_index(user)
    force = sees_force(roles)
    coordinated = {group for role, group in roles if role == Role.COORDINATOR and group is not None}
    if not force and not coordinated:
        return None
    groups = list(BusinessGroup.objects.filter(is_active=True) if force
                  else BusinessGroup.objects.filter(pk__in=coordinated))
    requested = (requested or "").strip()
    chosen = next((group for group in groups if str(group.pk) == requested), None)
    message = ""
    if requested and chosen is None:
        if force:
            message = "That business group was not found, so the whole force is shown."
        else:
            names = " and ".join(str(group) for group in groups)
            message = f"You can see the figures of {names} only, so those are shown."
    if force:
        return Scope(force=True, groups=groups, focus=chosen, message=message, choices=groups)
    # A co-ordinator sees one business group at a time: the one asked for, else the first of theirs.
    return Scope(force=False, groups=groups, focus=chosen or groups[0], message=message, choices=groups)
