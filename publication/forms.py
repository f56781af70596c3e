from django import forms

from core import submissions
from core.forms import GovUKForm
from publication.models import FOIExemption
from publication.scheme_index import MAX_SEARCH_LENGTH
from publication.services import MAX_REASON_LENGTH


class PublicationCancelForm(GovUKForm):
    reason = forms.CharField(
        label="Reason for cancelling", widget=forms.Textarea, max_length=MAX_REASON_LENGTH,
        help_text="PCU and the Designated Lead are told, with this reason in the policy's timeline.",
        error_messages={"required": "Enter the reason for cancelling"},
    )


class PublicationBringForwardForm(GovUKForm):
    """No questions: the page states what will be published where, and the form posts the version read."""


class SchemeSearchForm(GovUKForm):
    """The Publication Scheme's search and filters (issue 17: "The Scheme has search and filters (business group,
    subject)"). Choices are the groups and subjects that have policies on the Scheme, by code and slug."""

    q = forms.CharField(label="Search the policies", required=False, max_length=MAX_SEARCH_LENGTH,
                        help_text="Words in the title, purpose or policy statement, or a reference such as POL-0012.",
                        error_messages={"max_length": f"Search for {MAX_SEARCH_LENGTH} characters or fewer"})
    group = forms.ChoiceField(label="Business group", required=False,
                              error_messages={"invalid_choice": "Choose a business group from the list"})
    subject = forms.ChoiceField(label="Subject", required=False,
                                error_messages={"invalid_choice": "Choose a subject from the list"})

    def __init__(self, *args, business_groups=(), subjects=(), **kwargs):
        self.business_groups = {group.value: group for group in business_groups}
        self.subjects = {subject.value: subject for subject in subjects}
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All business groups")] + [
            (group.value, group.name) for group in business_groups]
        self.fields["subject"].choices = [("", "All subjects")] + [
            (subject.value, subject.name) for subject in subjects]

    def criteria(self) -> dict:
        """What to narrow the list by: only the parts that are valid (a bad part is shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "text": data.get("q") or "",
            "business_group": self.business_groups.get(data.get("group") or ""),
            "subject": self.subjects.get(data.get("subject") or ""),
        }


class WithholdPartForm(submissions.OneTimeSubmissionForm):
    """PCU withholds one part of an externally published SOP from its public copy."""

    submission_purpose = submissions.WITHHOLD_PART

    sop_version = forms.TypedChoiceField(label="Procedure", coerce=int,
                                         error_messages={"required": "Choose the procedure",
                                                         "invalid_choice": "Choose a procedure from the list"})
    block = forms.IntegerField(label="Part to withhold", min_value=1, max_value=100_000,
                               help_text="The number of the part, as listed above.",
                               error_messages={"required": "Enter the number of the part to withhold",
                                               "invalid": "Enter the part as a number, like 2",
                                               "min_value": "Enter a part number of 1 or more",
                                               "max_value": "Enter a part number from the list"})
    exemption = forms.ChoiceField(label="Freedom of Information Act exemption",
                                  choices=[("", "Choose the exemption")] + FOIExemption.choices,
                                  error_messages={"required": "Choose the exemption that applies",
                                                  "invalid_choice": "Choose an exemption from the list"})

    def __init__(self, *args, sop_versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sop_version"].choices = [(sop_version.pk, sop_version.sop.title) for sop_version in sop_versions]
