from django import forms

from core.forms import GovUKForm, ModelChoiceField
from core.models import BusinessGroup, Subject
from library.selectors import MAX_QUERY_LENGTH, Scope

MAX_RELEVANT_TO = 100


class LibrarySearchForm(GovUKForm):
    q = forms.CharField(
        label="Search the library", required=False, max_length=MAX_QUERY_LENGTH,
        help_text="Words in any Policy Statement, SOP, Equality Impact Assessment or monitoring report. Put a phrase "
                  "in \"quotes\", and a minus sign before a word to leave it out.",
        error_messages={"max_length": f"Search for {MAX_QUERY_LENGTH} characters or fewer"},
    )
    scope = forms.ChoiceField(label="Search in", choices=Scope.CHOICES, required=False, widget=forms.Select,
                              error_messages={"invalid_choice": "Choose where to search from the list"})
    business_group = ModelChoiceField(
        label="Business group", queryset=BusinessGroup.objects.filter(is_active=True), required=False,
        empty_label="All business groups",
        error_messages={"invalid_choice": "Choose a business group from the list"},
    )
    subject = ModelChoiceField(
        label="Subject", queryset=Subject.objects.all(), required=False, empty_label="All subjects",
        error_messages={"invalid_choice": "Choose a subject from the list"},
    )
    relevant_to = forms.CharField(
        label="Relevant to", required=False, max_length=MAX_RELEVANT_TO,
        help_text="For example, officers, police staff or custody.",
        error_messages={"max_length": f"Enter {MAX_RELEVANT_TO} characters or fewer for ‘relevant to’"},
    )

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or Scope.CURRENT

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"business_group": data.get("business_group"), "subject": data.get("subject"),
                "relevant_to": (data.get("relevant_to") or "").strip()}
