"""Decisions are evidence: written once by a service, never edited."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery

from core.lookups import in_ids
from lifecycle.states import QADiscipline


class CommissioningDecision(models.Model):
    class Decision(models.TextChoices):
        COMMISSIONED = "commissioned", "Commissioned"
        DECLINED = "declined", "Declined"

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="commissioning_decisions")
    cycle = models.PositiveIntegerField()
    decision = models.CharField(max_length=12, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "cycle"], condition=models.Q(decision="commissioned"),
                name="commissioned_once_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.decided_by}"


class QAOutcome(models.TextChoices):
    PASSED = "passed", "Passed"
    RETURNED = "returned", "Returned with comments"


class QASignOff(models.Model):
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="qa_signoffs")
    discipline = models.CharField(max_length=8, choices=QADiscipline.choices)
    outcome = models.CharField(max_length=10, choices=QAOutcome.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version", "discipline"], name="one_signoff_per_discipline"),
            models.CheckConstraint(
                condition=~models.Q(outcome="returned", comments=""), name="returned_signoff_has_comments"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_discipline_display()}: {self.get_outcome_display()}"


class ApprovalDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved to publish"
        REJECTED = "rejected", "Rejected"
        EMERGENCY_APPROVED = "emergency_approved", "Approved by the emergency route (not impact assessed)"

    policy_version = models.ForeignKey(
        "lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="approval_decisions"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    reasons = models.TextField(blank=True)
    board = models.ForeignKey("core.Board", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Tiered approval (issue 13; Annual Governance Statement 2016-17): the meeting of the approving board (the
    # Commissioner's Policy Forum for high risk, the business group's Chief Officer Group for medium and low) at
    # which the Lead's decision was taken, and its minute.
    meeting_on = models.DateField(null=True, blank=True)
    minute_reference = models.CharField(max_length=60, blank=True)
    # Emergency route only: "in consultation with the Policy Co-ordination Unit", the Lead "responsible for
    # any associated risks".
    risk_statement = models.TextField(blank=True)
    pcu_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    eia_due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version"], name="one_approval_decision_per_version"),
            models.CheckConstraint(
                condition=~models.Q(decision="emergency_approved")
                | (
                    models.Q(pcu_agreed_by__isnull=False, eia_due_on__isnull=False)
                    & ~models.Q(risk_statement="")
                ),
                name="emergency_approval_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="rejected", reasons=""), name="rejection_has_reasons"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.decided_by}"


class NoChangeReview(models.Model):
    """A review that concludes no change is needed (issue 13): a real, short review outcome in three parts.
    The Designated Lead concludes it with a reason; DCFD confirms the Equality Impact Assessment still stands (or says
    it must be updated: SOP, "Equality Impact Assessments ... on existing policies every 3 years"; it is then reopened
    for revision and DCFD signs the update off); PCU
    re-publishes the version in force (publication.services), which sets the next review 3 years from that
    publication. Open until PCU has re-published it; at most one open per policy."""

    class EIAOutcome(models.TextChoices):
        STANDS = "stands", "The Equality Impact Assessment still stands"
        UPDATED = "updated", "The Equality Impact Assessment must be updated"

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="no_change_reviews")
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField(auto_now_add=True)
    eia_outcome = models.CharField(max_length=10, choices=EIAOutcome.choices, blank=True)
    eia_comments = models.TextField(blank=True)
    eia_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    eia_confirmed_at = models.DateTimeField(null=True, blank=True)
    # DCFD said the EIA must be updated: it is reopened for revision in a new version of the package (the version in
    # force and its signed-off EIA stay as they were), and DCFD signs the updated EIA off before PCU re-publishes.
    updated_eia_version = models.ForeignKey(
        "lifecycle.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_eia_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_eia_signed_off_at = models.DateTimeField(null=True, blank=True)
    republished_on = models.DateField(null=True, blank=True)
    republished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["concluded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy"], condition=models.Q(republished_on__isnull=True),
                                    name="one_open_no_change_review_per_policy"),
            models.CheckConstraint(
                condition=models.Q(eia_confirmed_by__isnull=True, eia_outcome="")
                | (models.Q(eia_confirmed_by__isnull=False, eia_confirmed_at__isnull=False)
                   & ~models.Q(eia_outcome="")),
                name="no_change_eia_confirmation_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(republished_on__isnull=True) | models.Q(eia_confirmed_by__isnull=False),
                name="no_change_republished_after_eia",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="no_change_review_has_reason"),
        ]

    def __str__(self) -> str:
        return f"No change needed, concluded by {self.concluded_by}"

    @property
    def is_open(self) -> bool:
        return self.republished_on is None

    @property
    def waits_for(self) -> str:
        if self.republished_on is not None:
            return ""
        if self.eia_confirmed_by_id is None:
            return "dcfd"
        if self.eia_outcome == self.EIAOutcome.UPDATED and self.updated_eia_signed_off_at is None:
            return "eia_update"  # the drafters revise the reopened EIA, then DCFD signs it off
        return "pcu"

    @classmethod
    def policies_where(cls, waits_for: str) -> Q:
        """The policies whose open review ``waits_for`` (the property above, as a condition on a query of policies,
        for lists: lifecycle.gates' ``where``). The update DCFD asked for waits in the policy's newest version, as
        ``gates_no_change.eia_reopened_for_review`` asks (tests/workspace/test_no_change_review_work.py holds them
        alike); of those, "eia_revision" the ones whose reopened EIA is not yet revised, as
        ``gates_no_change.reopened_eia_awaits_revision`` asks (its draft revision moves on with each save that changes
        it: assessments.services)."""
        unconfirmed = Q(eia_confirmed_by__isnull=True)
        update_pending = Q(eia_outcome=cls.EIAOutcome.UPDATED, updated_eia_signed_off_at__isnull=True)
        waiting = {"dcfd": unconfirmed, "eia_update": ~unconfirmed & update_pending,
                   "eia_revision": ~unconfirmed & update_pending & Q(updated_eia_version__eia__draft_revision=0),
                   "pcu": ~unconfirmed & ~update_pending}[waits_for]
        reviews = cls.objects.filter(waiting, republished_on__isnull=True)
        if waits_for.startswith("eia_"):
            versions = cls._meta.get_field("policy_version").related_model.objects
            newest = (versions.filter(withdrawn_at__isnull=True, policy_id=OuterRef("policy_id"))
                      .order_by("-major", "-minor").values("pk"))
            reviews = reviews.filter(updated_eia_version_id=Subquery(newest[:1]))
        # The open reviews are few (one a policy at most, in the partial index of that constraint): their policies
        # looked up by id, even under an OR (core.lookups.InIds).
        return in_ids("pk", reviews.order_by().values("policy_id"))


class WithdrawalDecision(models.Model):
    """The decision to withdraw a policy (issue 13): the Designated Lead's or the Management Board owner's, who
    "retain ultimate ownership", with the reason and the policy that replaces it, if any. PCU then carries it out
    (takes it off the intranet and the Publication Scheme; it stays in the archive). Open until carried out; at
    most one open per policy."""

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="withdrawal_decisions")
    reason = models.TextField()
    replaced_by = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    carried_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy"], condition=models.Q(carried_out_at__isnull=True),
                                    name="one_open_withdrawal_decision_per_policy"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="withdrawal_decision_has_reason"),
            models.CheckConstraint(condition=~models.Q(replaced_by=models.F("policy")),
                                   name="withdrawal_not_replaced_by_itself"),
            models.CheckConstraint(
                condition=models.Q(carried_out_by__isnull=True, carried_out_at__isnull=True)
                | models.Q(carried_out_by__isnull=False, carried_out_at__isnull=False),
                name="withdrawal_carried_out_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Withdrawal decided by {self.decided_by}"

    @classmethod
    def policies_where(cls, column: str = "pk") -> Q:
        """The policies with a withdrawal decided and not yet carried out (lifecycle.gates.withdrawal_decided, as a
        condition on a query of policies, for lists; ``column``: a query of records of policies instead, by their
        column holding the policy's id, "policy_id": lifecycle.steps.not_halted)."""
        return in_ids(column, cls.objects.filter(carried_out_at__isnull=True).order_by().values("policy_id"))


class EmergencyRequest(models.Model):
    """The emergency route asked for (issue 13): the Designated Lead asks, as risk owner, and a member of PCU agrees
    in the app, in their own name, or refuses with a reason (SOP stage 3: "with the approval of the appropriate
    policy lead ... in consultation with the Policy Co-ordination Unit"). Bound to the draft as the Lead read it
    (``content_hash``): PCU agrees to that, not to a draft changed since."""

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="emergency_requests")
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    risk_statement = models.TextField()
    eia_due_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    agreed = models.BooleanField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version"], condition=models.Q(answered_at__isnull=True),
                                    name="one_open_emergency_request_per_version"),
            models.CheckConstraint(
                condition=models.Q(agreed__isnull=True, answered_by__isnull=True, answered_at__isnull=True)
                | models.Q(agreed__isnull=False, answered_by__isnull=False, answered_at__isnull=False),
                name="emergency_request_answered_completely",
            ),
            models.CheckConstraint(condition=~models.Q(agreed=False, refusal_reason=""),
                                   name="emergency_refusal_has_reason"),
            models.CheckConstraint(condition=~models.Q(answered_by=models.F("requested_by")),
                                   name="emergency_answered_by_another"),
        ]

    def __str__(self) -> str:
        return f"Emergency approval asked by {self.requested_by}"

    @classmethod
    def policies_where(cls) -> Q:
        """The policies whose newest version has a request PCU has not answered (lifecycle.emergency
        .emergency_requested, as a condition on a query of policies, for lists: lifecycle.gates' ``where``). The
        unanswered requests are few (the partial index of one_open_emergency_request_per_version): their policies
        are looked up by id."""
        versions = cls._meta.get_field("policy_version").related_model.objects
        newest = (versions.filter(withdrawn_at__isnull=True, policy_id=OuterRef("policy_id"))
                  .order_by("-major", "-minor").values("pk"))
        waiting = cls.objects.filter(answered_at__isnull=True, policy_version_id=Subquery(newest[:1]))
        return in_ids("pk", waiting.order_by().values("policy_id"))


class LocalAgreement(models.Model):
    """The corporate Lead's prior agreement to a local work instruction that supplements their policy (SOP, "Local
    Work Instructions": they "must not be produced to supplement, or as an alternative to Corporate Policy, unless
    there is prior agreement with the corporate lead"). Given by the Designated Lead the corporate policy names, in
    the app, in their own name, bound to the draft they read (``content_hash``, rule 17): the business group's Lead
    approves only a draft the corporate Lead agreed to (``lifecycle.gates.corporate_lead_agreed``)."""

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="local_agreements")
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    supported_policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(auto_now_add=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["agreed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version", "content_hash"], name="one_local_agreement_per_draft"),
            models.CheckConstraint(condition=~models.Q(supported_policy=models.F("policy")),
                                   name="local_agreement_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"Agreed by {self.agreed_by} for {self.supported_policy_id}"
