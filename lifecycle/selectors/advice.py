"""What the Advice page reads (issue 12): a policy's invitations to advise with their comments, and who of those named
on its draft cannot open it, and why.

Someone invited by name, or given access by name, may be unable to open the draft they were asked to read: invited
before the services refused those not cleared for an OFFICIAL-SENSITIVE policy (security probe F2), or since left, or
since losing the role that cleared them. The page says so on each, so that nobody is counted on for advice they cannot
give (``lifecycle.selectors.clearance.cannot_open``). A fixed number of queries however many are named: the
invitations, their comments, the grants, and (for an OFFICIAL-SENSITIVE policy) the roles of those named.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet

from core.models import User
from lifecycle.models import AdviceComment, AdviceInvitation, Policy, PolicyUserObjectPermission
from lifecycle.selectors.clearance import cannot_open
from lifecycle.selectors.pages import user_may_see_sensitive
from lifecycle.selectors.written import cycle_frozen_sensitive
from lifecycle.states import ProtectiveMarking


@dataclass(frozen=True)
class StrandedGrant:
    """Access to a draft given to someone by name (``permission``: a codename of
    ``lifecycle.services.access.GRANTABLE``) who cannot open it (``reason``)."""

    user: User
    permission: str
    reason: str


@dataclass(frozen=True)
class AdvicePage:
    invitations: list[AdviceInvitation]
    # {invitee id: why they cannot open the draft}, for open invitations by name.
    cannot_open: dict[int, str]
    # Grants held by those who cannot open the draft, save one an open invitation gave (withdrawing the invitation
    # takes it back, and is offered on it).
    stranded_grants: list[StrandedGrant]


def advice_page(policy: Policy, *, user) -> AdvicePage:
    """``policy``'s invitations (newest cycle first) with their comments, and who of those named on its draft cannot
    open it: four queries, or three for an OFFICIAL policy. Those of a cycle with a version frozen OFFICIAL-SENSITIVE
    only for ``user`` cleared for it (``cycle_frozen_sensitive``): a cycle written while the policy was
    OFFICIAL-SENSITIVE, its advice with it, is not OFFICIAL material when a later review publishes the policy so."""
    invitations = policy.advice_invitations.all()
    if not user_may_see_sensitive(user=user, policy=policy):
        invitations = invitations.exclude(cycle_frozen_sensitive())
    invitations = list(invitations.select_related("invitee", "invited_by", "withdrawn_by")
                       .prefetch_related(Prefetch("comments", queryset=AdviceComment.objects
                                                  .select_related("author", "policy_version")
                                                  .order_by("created_at", "pk")))
                       .order_by("-cycle", "-invited_at", "-pk"))
    open_by_name = [invitation for invitation in invitations if invitation.is_open and invitation.invitee_id]
    grants = list(PolicyUserObjectPermission.objects.filter(content_object_id=policy.pk).select_related("user")
                  .annotate(codename=F("permission__codename"))
                  .order_by("user__last_name", "user__first_name", "user_id", "codename"))
    named = {invitation.invitee_id: invitation.invitee for invitation in open_by_name}
    named.update((grant.user_id, grant.user) for grant in grants)
    reasons = cannot_open(policy, named.values())
    given_by_invitation = {invitation.invitee_id for invitation in open_by_name if invitation.granted_access}
    stranded = [StrandedGrant(user=grant.user, permission=grant.codename, reason=reasons[grant.user_id])
                for grant in grants if grant.user_id in reasons
                and not (grant.codename == "consult_policy" and grant.user_id in given_by_invitation)]
    return AdvicePage(invitations=invitations,
                      cannot_open={pk: reasons[pk] for pk in {i.invitee_id for i in open_by_name} if pk in reasons},
                      stranded_grants=stranded)


# --- the sweep: manage.py withdraw_uncleared ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnclearedHolder:
    """Someone named on an OFFICIAL-SENSITIVE draft who cannot open it (``reason``, in words that follow "cannot open
    the draft: "), with what they hold on it: open invitations to advise by name, and grants (codenames)."""

    user: User
    invitations: int
    grants: tuple[str, ...]
    reason: str


def sensitive_policies_naming_anyone() -> QuerySet[Policy]:
    """The OFFICIAL-SENSITIVE policies on which someone holds an open invitation to advise by name, or a grant by name,
    in id order: those ``uncleared_holders`` may find someone on. One query."""
    granted = PolicyUserObjectPermission.objects.values("content_object_id")
    invited = AdviceInvitation.objects.filter(withdrawn_at__isnull=True, invitee__isnull=False).values("policy_id")
    return (Policy.objects.exclude(protective_marking=ProtectiveMarking.OFFICIAL)
            .filter(Q(pk__in=granted) | Q(pk__in=invited)).select_related("business_group").order_by("pk"))


def uncleared_holders(policy: Policy) -> list[UnclearedHolder]:
    """Those named on OFFICIAL-SENSITIVE ``policy``'s draft who cannot open it (``cannot_open``, the one rule: not
    cleared for its business group's material, or their account closed), by name, with what they hold; nobody for an
    OFFICIAL policy. Three queries (invitations, grants, roles), none for an OFFICIAL policy."""
    if policy.protective_marking == ProtectiveMarking.OFFICIAL:
        return []
    invitations = list(AdviceInvitation.objects.filter(policy_id=policy.pk, withdrawn_at__isnull=True,
                                                       invitee__isnull=False).select_related("invitee"))
    grants = list(PolicyUserObjectPermission.objects.filter(content_object_id=policy.pk).select_related("user")
                  .annotate(codename=F("permission__codename")).order_by("codename"))
    named = {invitation.invitee_id: invitation.invitee for invitation in invitations}
    named.update((grant.user_id, grant.user) for grant in grants)
    reasons = cannot_open(policy, named.values())
    return [UnclearedHolder(user=named[pk],
                            invitations=sum(1 for invitation in invitations if invitation.invitee_id == pk),
                            grants=tuple(grant.codename for grant in grants if grant.user_id == pk),
                            reason=reasons[pk])
            for pk in sorted(reasons, key=lambda pk: (named[pk].last_name, named[pk].first_name, pk))]
