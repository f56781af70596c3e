from django import forms

from core.forms import GovUKForm
from publication.services import MAX_REASON_LENGTH


class PublicationCancelForm(GovUKForm):
    reason = forms.CharField(
        label="Reason for cancelling", widget=forms.Textarea, max_length=MAX_REASON_LENGTH,
        help_text="PCU and the Designated Lead are told, with this reason in the policy's timeline.",
        error_messages={"required": "Enter the reason for cancelling"},
    )


class PublicationBringForwardForm(GovUKForm):
    """No questions: the page states what will be published where, and the form posts the version read."""
