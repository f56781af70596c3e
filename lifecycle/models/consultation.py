from django.conf import settings
from django.db import models

from lifecycle.states import ConsulteeType

__all__ = ["ConsultationRecord", "ConsulteeType"]


class ConsultationRecord(models.Model):
    """One line of the consultation log.

    SOP, "Role of Policy Managers/Unit Heads": "Ensure an audit trail of consultation results and decisions
    is maintained"; stage 3: "The Safety and Health Risk Management Team must be consulted. Consider and
    respond to feedback received."
    """

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="consultations")
    cycle = models.PositiveIntegerField(help_text="The version major number this consultation belongs to.")
    consultee = models.CharField(max_length=160)
    organisation = models.CharField(max_length=160)
    consultee_type = models.CharField(max_length=20, choices=ConsulteeType.choices)
    date_sent = models.DateField()
    response = models.TextField(blank=True)
    response_received_on = models.DateField(null=True, blank=True)
    decision_taken = models.TextField(blank=True, help_text="What was done in response to the feedback.")
    feedback_given = models.BooleanField(default=False, help_text="Results fed back to the consultee.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["policy", "cycle", "date_sent", "id"]

    def __str__(self) -> str:
        return f"{self.consultee} ({self.organisation})"
