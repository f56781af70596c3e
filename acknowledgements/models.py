"""Read and acknowledge (issue 14).

The procedure's first line is that staff must be aware of the policies relevant to them. When PCU publishes a
version it chooses whom it is relevant to (``AcknowledgementAudience``: business groups, units, roles); once that
version is in force, each of those staff is asked to confirm they have read it (``Acknowledgement``, tied to that
version). A new major version asks again; a minor one only if PCU says so (``ask_again``), otherwise a
confirmation of an earlier version of the same major still counts (``counts_from_minor``).

Who is asked is worked out when asked, not fanned out into a row per person at publication: someone who joins a
unit later is asked too, and publishing to 40,000 staff writes one row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import Role


class AcknowledgementAudience(models.Model):
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="acknowledgement_audiences")
    policy_version = models.OneToOneField("lifecycle.PolicyVersion", on_delete=models.PROTECT,
                                          related_name="acknowledgement_audience")
    # The version's number, copied so that "is this the version in force" and "does a confirmation count" are
    # comparisons on the row.
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    # For a minor version: True asks everyone again; False lets a confirmation of an earlier version of the same
    # major, from ``counts_from_minor`` on, stand.
    ask_again = models.BooleanField(default=True)
    counts_from_minor = models.PositiveIntegerField(default=0)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["policy_id", "-policy_version_id"]

    def __str__(self) -> str:
        return f"Who is asked to acknowledge {self.policy_version}"


class AudienceCriterion(models.Model):
    """One line of an audience: the staff of a business group, of a unit, or holding a role."""

    audience = models.ForeignKey(AcknowledgementAudience, on_delete=models.PROTECT, related_name="criteria")
    business_group = models.ForeignKey("core.BusinessGroup", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(business_group__isnull=False, unit__isnull=True, role="")
                           | models.Q(business_group__isnull=True, unit__isnull=False, role="")
                           | (models.Q(business_group__isnull=True, unit__isnull=True) & ~models.Q(role=""))),
                name="audience_criterion_names_one_thing",
            ),
        ]

    def __str__(self) -> str:
        if self.business_group_id:
            return f"Staff of {self.business_group}"
        if self.unit_id:
            return f"Staff of {self.unit}"
        return f"Every {Role(self.role).label}"


class Acknowledgement(models.Model):
    """A person's confirmation that they have read one version. Kept for ever (append-only on PostgreSQL)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements")
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="acknowledgements")
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT,
                                       related_name="acknowledgements")
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    # The content hash of the version read (rule 17: the confirmation binds to what was read).
    content_hash = models.CharField(max_length=64)
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "policy_version"], name="acknowledged_once_per_version"),
        ]
        indexes = [models.Index(fields=["user", "policy"], name="ack_user_policy_idx")]

    def __str__(self) -> str:
        return f"{self.user} read {self.policy_version}"
