"""Decisions are evidence: written once by a service, never edited."""

from django.conf import settings
from django.db import models

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
