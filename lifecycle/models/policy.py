from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import BusinessGroup, RiskTier, Unit
from lifecycle import gates
from lifecycle.permissions import transition_permission
from lifecycle.states import (
    DRAFT_EDITABLE_STATUSES,
    EMERGENCY_SOURCES,
    PUBLISHED_STATUSES,
    STAGE_OF,
    PolicyKind,
    ProtectiveMarking,
    Stage,
    Status,
)

# In force: published and not withdrawn (a policy under review stays in force until the reviewed version
# replaces it). Every member of staff sees these, OFFICIAL-SENSITIVE ones aside; lifecycle.selectors counts
# the register as these plus the rest, each from its own partial index below.
IN_FORCE = models.Q(first_published_on__isnull=False) & ~models.Q(status=Status.WITHDRAWN)
# The exact complement of IN_FORCE (status is never NULL), written out so that PostgreSQL matches the
# partial index's predicate to the query's.
NOT_IN_FORCE = models.Q(first_published_on__isnull=True) | models.Q(status=Status.WITHDRAWN)


class Policy(ConcurrentTransitionMixin, models.Model):
    """A corporate policy (or local work instruction) and where it stands in the six-stage cycle.

    ``status`` changes only through the transitions below, and those only through lifecycle.services
    (or publication.services for publishing), which lock the row and write the audit event."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    relevant_to = models.TextField(help_text="Who the policy applies to, e.g. all officers and staff.")
    business_group = models.ForeignKey(BusinessGroup, on_delete=models.PROTECT, related_name="policies")
    owning_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="policies")
    kind = models.CharField(max_length=12, choices=PolicyKind.choices, default=PolicyKind.CORPORATE)
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices, default=RiskTier.MEDIUM)
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    suitable_for_publication_scheme = models.BooleanField(default=True)
    registered_file_reference = models.CharField(max_length=60, blank=True)

    # The people in each role (SOP, "Roles and responsibilities").
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="Management Board owner",
    )
    designated_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    policy_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="Business Group Policy Co-ordinator",
    )
    developers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="developed_policies", blank=True
    )

    # SOP: "Ensure policies are reviewed and published at least once every 3 years" and monitoring
    # reports "on an annual basis". Both recomputed on publication.
    review_due_on = models.DateField(null=True, blank=True, db_index=True)
    monitoring_report_due_on = models.DateField(null=True, blank=True, db_index=True)
    first_published_on = models.DateField(null=True, blank=True)
    last_published_on = models.DateField(null=True, blank=True)

    # Emergency route: "the impact assessment must be completed as soon as reasonably practicable".
    not_impact_assessed = models.BooleanField(default=False)
    emergency_eia_due_on = models.DateField(null=True, blank=True)

    status = FSMField(default=Status.SCOPING, choices=Status.choices, protected=True, db_index=True)
    # When the status last changed: how long work has been waiting, for chasing stuck work.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "policies"
        permissions = [
            ("draft_policy", "Can draft this policy (granted per policy)"),
            ("consult_policy", "Can read this policy's drafts as a consultee (granted per policy)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(not_impact_assessed=False) | models.Q(emergency_eia_due_on__isnull=False),
                name="policy_not_impact_assessed_has_eia_due_date",
            ),
        ]
        # For the register's count (lifecycle.selectors.policy_visibility_parts): a partial index per part,
        # holding the columns its condition reads, so that PostgreSQL counts it by an index-only scan (the
        # part seen by id, a few rows, is looked up in the primary key instead).
        indexes = [
            models.Index(fields=["protective_marking", "business_group_id"], condition=IN_FORCE,
                         name="policy_in_force_idx"),
            models.Index(fields=["business_group_id"],
                         condition=IN_FORCE & ~models.Q(protective_marking=ProtectiveMarking.OFFICIAL),
                         name="policy_in_force_sensitive_idx"),
            models.Index(fields=["business_group_id", "owning_unit_id", "status", "protective_marking"],
                         condition=NOT_IN_FORCE, name="policy_not_in_force_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # --- derived facts -------------------------------------------------------------------------

    @property
    def stage(self) -> str:
        return STAGE_OF[self.status]

    def get_stage_display(self) -> str:
        return Stage(self.stage).label

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    @property
    def is_in_force(self) -> bool:
        """IN_FORCE, for one policy: published at least once and not withdrawn."""
        return self.first_published_on is not None and self.status != Status.WITHDRAWN

    @property
    def draft_is_editable(self) -> bool:
        version = self.current_version
        return self.status in DRAFT_EDITABLE_STATUSES and version is not None and not version.is_frozen

    @cached_property
    def current_version(self):
        """The newest version: the working draft in scoping/development, else the one in approval or
        published. Cached per instance; services reload the policy after creating a version."""
        return self.versions.order_by("-major", "-minor").first()

    @property
    def current_cycle(self) -> int:
        version = self.current_version
        return version.major if version else 1

    def is_developer(self, user) -> bool:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("developers")
        if prefetched is not None:
            return any(developer.pk == user.pk for developer in prefetched)
        return self.developers.filter(pk=user.pk).exists()

    def forget_cached_version(self) -> None:
        self.__dict__.pop("current_version", None)

    # --- the state machine: guards here, effects in services -----------------------------------

    @transition(
        field=status, source=Status.SCOPING, target=Status.COMMISSIONING,
        conditions=gates.SCOPING_GATES,
        permission=transition_permission("lifecycle.request_commissioning"),
    )
    def request_commissioning(self) -> None:
        """SOP stage 2: "seek formal agreement to progress the work" from the Lead."""

    @transition(
        field=status, source=Status.COMMISSIONING, target=Status.DEVELOPMENT,
        conditions=[gates.commissioning_recorded],
        permission=transition_permission("lifecycle.decide_commissioning"),
    )
    def commission(self) -> None:
        """Co-ordinator's duty: "Ensure new policy is commissioned formally before it is developed"."""

    @transition(
        field=status, source=Status.COMMISSIONING, target=Status.SCOPING,
        permission=transition_permission("lifecycle.decide_commissioning"),
    )
    def decline_commissioning(self) -> None:
        pass

    @transition(
        field=status, source=Status.DEVELOPMENT, target=Status.SUBMITTED_FOR_QA,
        conditions=[gates.commissioning_recorded, *gates.SUBMISSION_GATES],
        permission=transition_permission("lifecycle.submit_for_qa"),
    )
    def submit_for_qa(self) -> None:
        """SOP stage 4: Policy Statement, SOPs, EIA and Workbook go to PCU for quality assurance."""

    @transition(
        field=status, source=Status.SUBMITTED_FOR_QA, target=Status.QA_PASSED,
        conditions=[gates.all_qa_signoffs_passed],
    )
    def pass_qa(self) -> None:
        """Entered automatically when the last of the PCU, DCFD and DOI sign-offs is recorded."""

    @transition(field=status, source=Status.SUBMITTED_FOR_QA, target=Status.DEVELOPMENT)
    def return_from_qa(self) -> None:
        """Any of PCU, DCFD or DOI may return the submission with comments; work continues in a new draft."""

    @transition(
        field=status, source=Status.QA_PASSED, target=Status.WITH_LEAD,
        conditions=[gates.all_qa_signoffs_passed],
        permission=transition_permission("lifecycle.forward_to_lead"),
    )
    def forward_to_lead(self) -> None:
        """Co-ordinator: "only documents that have successfully completed the quality assurance process,
        as advised by the Policy Co-ordination Unit, may be submitted" to the Lead."""

    @transition(
        field=status, source=Status.WITH_LEAD, target=Status.APPROVED,
        conditions=[*gates.APPROVAL_GATES, gates.approval_recorded],
        permission=transition_permission("lifecycle.approve"),
    )
    def approve(self) -> None:
        pass

    @transition(
        field=status, source=Status.WITH_LEAD, target=Status.DEVELOPMENT,
        permission=transition_permission("lifecycle.approve"),
    )
    def reject(self) -> None:
        pass

    @transition(
        field=status, source=EMERGENCY_SOURCES, target=Status.APPROVED,
        conditions=[gates.commissioning_recorded, gates.statement_written, gates.approval_recorded],
        permission=transition_permission("lifecycle.emergency_approve"),
    )
    def emergency_approve(self) -> None:
        """Approval without an EIA "to meet immediate operational needs"."""

    @transition(
        field=status, source=Status.APPROVED, target=Status.AWAITING_PUBLICATION,
        conditions=[gates.approval_recorded],
        permission=transition_permission("lifecycle.forward_for_publication"),
    )
    def forward_for_publication(self) -> None:
        """Co-ordinator: "Ensure only documents approved by Designated Business Group Policy Lead are
        submitted to the Policy Co-ordination Unit for publication"."""

    @transition(
        field=status, source=Status.AWAITING_PUBLICATION, target=Status.IMPLEMENTATION,
        conditions=[gates.approval_recorded],
    )
    def publish(self) -> None:
        """SOP stage 5. Permission is checked by the publication service (PCU, or the scheduler acting on
        a publication PCU scheduled)."""

    @transition(
        field=status, source=Status.IMPLEMENTATION, target=Status.MONITORING,
        permission=transition_permission("lifecycle.complete_implementation"),
    )
    def complete_implementation(self) -> None:
        pass

    @transition(
        field=status, source=[Status.IMPLEMENTATION, Status.MONITORING], target=Status.SCOPING,
        conditions=[gates.retrospective_eia_signed_off],
        permission=transition_permission("lifecycle.start_review"),
    )
    def start_review(self) -> None:
        """SOP stage 1: "If this is a policy review ... see whether there are any changes"."""

    @transition(
        field=status, source=[Status.IMPLEMENTATION, Status.MONITORING], target=Status.MONITORING,
        conditions=[gates.has_been_published],
        permission=transition_permission("lifecycle.confirm_no_change"),
    )
    def confirm_no_change(self) -> None:
        """A review concludes that no change is needed: the Lead confirms it and the policy is re-published
        with a new review date."""

    @transition(
        field=status,
        source=[s for s in Status.values if s != Status.WITHDRAWN],
        target=Status.WITHDRAWN,
        permission=transition_permission("lifecycle.withdraw"),
    )
    def withdraw(self) -> None:
        pass
