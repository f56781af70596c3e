from django.contrib.auth.models import AbstractUser
from django.db import models, transaction

from .reference import BusinessGroup


class User(AbstractUser):
    """A member of staff. Roles come from RoleAssignment rows, not from Django groups."""

    job_title = models.CharField(max_length=160, blank=True)
    # Where the person works (issue 14, read and acknowledge): PCU asks the staff of a business group or unit to
    # confirm they have read a policy, and a unit's manager sees the unit's acknowledgement rate. Roles
    # (RoleAssignment) say what someone does in the policy cycle; most staff hold none, but all work somewhere.
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
                             verbose_name="Unit worked in")

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        # The leavers (a deactivated account), few at any size: the dashboard's orphaned policies and the chase read
        # them once per figure (lifecycle.due.orphaned), where each read was a scan of every member of staff.
        indexes = [models.Index(fields=["id"], condition=models.Q(is_active=False), name="user_leaver_idx")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    # Per business group (SOP, "Roles and responsibilities").
    DEVELOPER = "developer", "Policy Developer"
    MANAGER = "manager", "Policy Manager / Unit Head"
    COORDINATOR = "coordinator", "Business Group Policy Co-ordinator"
    LEAD = "lead", "Designated Business Group Policy Lead"
    OWNER = "owner", "Management Board member (policy owner)"
    # Force-wide.
    PCU = "pcu", "Policy Co-ordination Unit"
    DCFD = "dcfd", "Diversity and Citizen Focus Directorate"
    DOI = "doi", "Directorate of Information"
    SHRMT = "shrmt", "Safety and Health Risk Management Team"


FORCE_WIDE_ROLES = frozenset({Role.PCU, Role.DCFD, Role.DOI, Role.SHRMT})
_FORCE_WIDE_VALUES = sorted(role.value for role in FORCE_WIDE_ROLES)


class RoleAssignment(models.Model):
    """A user's role, per business group or force-wide. Changed only through core.services."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    business_group = models.ForeignKey(
        BusinessGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )
    unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="For policy managers: the unit they manage.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "business_group"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(business_group__isnull=True),
                name="role_assignment_unique_force_wide",
            ),
            # Force-wide roles carry no business group; business-group roles must have one.
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=_FORCE_WIDE_VALUES, business_group__isnull=True)
                    | (~models.Q(role__in=_FORCE_WIDE_VALUES) & models.Q(business_group__isnull=False))
                ),
                name="role_assignment_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        scope = self.business_group or "force-wide"
        return f"{self.user} — {self.get_role_display()} ({scope})"

    def save(self, *args, **kwargs):
        """Saved in one transaction with what its receivers answer: an assignment changed in place below the services
        (a shell, a data fix) is answered by ``clearance_reduced`` for the role it was (core.receivers), which must
        hold or fail with the change, as a deletion's answer does (Django sends post_save outside any transaction of
        the save's own)."""
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)


class RolesHeld(models.Model):
    """The roles one person holds, as one text: each assignment's "role:business group id" (nothing after the colon
    for a force-wide role), sorted, joined by commas ("developer:3,lead:3,pcu:"). The acknowledgement rates count the
    staff by it, grouped with their unit (acknowledgements.selectors.staff_classes), where aggregating everyone's
    assignments per person on every dashboard was the page's dearest statement.

    Written by the database alone, from core_roleassignment, by triggers (migration core 0010) that fire whatever
    writes an assignment: core.services, the admin, the factories, a bulk insert, the bench's COPY, plain SQL. The
    app never writes it (on PostgreSQL its role may only read it: ``manage.py db_roles``). A person holding no role
    has no row."""

    user = models.OneToOneField(User, on_delete=models.DO_NOTHING, primary_key=True, related_name="roles_held")
    key = models.TextField()

    class Meta:
        verbose_name_plural = "roles held"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
