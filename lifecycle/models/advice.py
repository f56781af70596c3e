"""Advice during development (issue 12): a policy's co-ordinator or developer invites DCFD, DOI or SHRMT, or a
named colleague, to see and comment on its draft.

SOP, roles: DCFD "Provide advice and support to all involved in the policy development and review process";
SHRMT "Provide advice to policy developers on health and safety impact statements, risk assessments and control
measures in relation to the policy and procedures under development"; DOI advises on information management.
Before this they saw a policy only once it was submitted for approval.

An invitation to a team lets every holder of that force-wide role read the draft while the policy is drafted in
the invitation's cycle (``lifecycle.selectors``). An invitation to a named colleague is today's per-object grant
(guardian ``consult_policy``, ``lifecycle.services.access``), given and taken back with it. Invitations are
withdrawn, never deleted; comments are written once (append-only on PostgreSQL, migration 0010).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lifecycle.states import AdviceTeam

__all__ = ["AdviceComment", "AdviceInvitation", "AdviceTeam"]


class AdviceInvitation(models.Model):
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="advice_invitations")
    # The version major number (the cycle) the invitation is for: a review is a new cycle, invited afresh.
    cycle = models.PositiveIntegerField()
    team = models.CharField(max_length=8, choices=AdviceTeam.choices, blank=True)
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    # Whether this invitation gave the named colleague their consult_policy grant (withdrawing it takes back only
    # a grant it gave).
    granted_access = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="What advice is asked for.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["policy", "-invited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=(models.Q(team="") & models.Q(invitee__isnull=False))
                                   | (~models.Q(team="") & models.Q(invitee__isnull=True)),
                                   name="advice_invitation_team_or_invitee"),
            models.UniqueConstraint(fields=["policy", "cycle", "team"],
                                    condition=models.Q(withdrawn_at__isnull=True) & ~models.Q(team=""),
                                    name="advice_invitation_one_open_per_team"),
            models.UniqueConstraint(fields=["policy", "cycle", "invitee"],
                                    condition=models.Q(withdrawn_at__isnull=True, invitee__isnull=False),
                                    name="advice_invitation_one_open_per_invitee"),
        ]
        indexes = [models.Index(fields=["team", "policy"], condition=models.Q(withdrawn_at__isnull=True),
                                name="advice_open_team_idx")]

    def __str__(self) -> str:
        return f"Advice on {self.policy_id} from {self.addressee}"

    @property
    def addressee(self) -> str:
        return self.get_team_display() if self.team else str(self.invitee)

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None


class AdviceComment(models.Model):
    """A comment given in answer to an invitation: written once, never changed."""

    invitation = models.ForeignKey(AdviceInvitation, on_delete=models.PROTECT, related_name="comments")
    # The draft version the comment was given on.
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invitation", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on invitation {self.invitation_id}"
