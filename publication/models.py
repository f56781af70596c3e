"""Publication of an approved version.

SOP, stage 5: "If approval for publication is given, final versions of the above documents are to be
sent to the Policy Co-ordination Unit to arrange publication: on the Corporate Policy Intranet; in
Notices; on the MPS Publication Scheme. If publication is to coincide with a wider implementation plan
the Policy Co-ordination Unit should be advised."
"""

from django.conf import settings
from django.db import models


class Publication(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="publications")
    policy_version = models.ForeignKey(
        "lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="publications"
    )
    on_intranet = models.BooleanField(default=True, verbose_name="Corporate Policy Intranet")
    in_notices = models.BooleanField(default=True, verbose_name="Notices")
    on_publication_scheme = models.BooleanField(default=False, verbose_name="MPS Publication Scheme")
    scheduled_for = models.DateField(null=True, blank=True, help_text="Empty to publish at once.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A publication stays a record that the version *was* published; once a newer version is published it is
    # no longer current on any channel (the newer one replaces it there, or it is taken down).
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy_version"], condition=models.Q(status__in=["scheduled", "published"]),
                name="one_live_publication_per_version",
            ),
            models.CheckConstraint(
                condition=models.Q(on_intranet=True) | models.Q(in_notices=True)
                | models.Q(on_publication_scheme=True),
                name="publication_has_a_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(superseded_by__isnull=True, superseded_at__isnull=True)
                | models.Q(superseded_by__isnull=False, superseded_at__isnull=False, status="published"),
                name="publication_superseded_only_when_published",
            ),
        ]

    def __str__(self) -> str:
        return f"Publication of {self.policy_version}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.superseded_at is None

    @property
    def channels(self) -> list[str]:
        names = []
        if self.on_intranet:
            names.append("Corporate Policy Intranet")
        if self.in_notices:
            names.append("Notices")
        if self.on_publication_scheme:
            names.append("MPS Publication Scheme")
        return names
