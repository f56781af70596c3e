"""The forms of the people pages (issue 12): reassigning one part of a policy, its developers, moving it to
another business group, and handing over a leaver's work.

A person is chosen from a list of those who may take the part, by username. A username that is not in the
list (an edited form, or someone deactivated since the page was shown) is still looked up, so that the service
refuses it with its own reason ("their account is not active") instead of a bare "Select a valid choice".
"""

from __future__ import annotations

from django import forms

from core.forms import GovUKForm
from core.models import BusinessGroup, Unit, User
from lifecycle.services.people import REASON_MAX_LENGTH


class PersonField(forms.ChoiceField):
    """A select of people (username, label) that cleans to the User, or None when left empty."""

    def __init__(self, *, people=(), required=True, empty_label="Choose a person", **kwargs):
        super().__init__(required=required, **kwargs)
        self.set_people(people, empty_label=empty_label)

    def set_people(self, people, *, empty_label="Choose a person") -> None:
        self.choices = [("", empty_label)] + [(user.username, _describe(user)) for user in people]

    def valid_value(self, value) -> bool:
        return True  # any username; unknown ones are refused in clean()

    def clean(self, value):
        username = super().clean(value)
        if not username:
            return None
        user = User.objects.filter(username=str(username)[:150]).first()
        if user is None:
            raise forms.ValidationError("Choose a person from the list")
        return user


def _describe(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.job_title})" if user.job_title else name


class ReasonMixin(forms.Form):
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=REASON_MAX_LENGTH,
                             error_messages={"required": "Enter the reason for the change"},
                             help_text="For example: left the force, moved to another unit, long-term absence.")


class ReassignForm(GovUKForm, ReasonMixin):
    """One part of one policy (owner, Lead, manager or co-ordinator)."""

    new_holder = PersonField(label="New holder", error_messages={"required": "Choose who takes over"})
    expected_holder = forms.CharField(widget=forms.HiddenInput, required=False)
    field_order = ["new_holder", "reason"]

    def __init__(self, *args, people=(), label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_holder"].set_people(people)
        self.fields["new_holder"].label = f"New {label}" if label else "New holder"


class DeveloperForm(GovUKForm, ReasonMixin):
    old = PersonField(label="Developer to replace or remove", required=False,
                      empty_label="Nobody: add a developer")
    new = PersonField(label="New developer", required=False, empty_label="Nobody: remove the developer")
    field_order = ["old", "new", "reason"]

    def __init__(self, *args, current=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old"].set_people(current, empty_label="Nobody: add a developer")
        self.fields["new"].set_people(people, empty_label="Nobody: remove the developer")

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("old") is None and data.get("new") is None:
            self.add_error("new", "Choose the developer to add, or the developer to replace or remove")
        return data


class MoveGroupForm(GovUKForm, ReasonMixin):
    """PCU: another business group and unit, and who takes over the parts whose holders are not in it."""

    business_group = forms.ModelChoiceField(label="New business group", queryset=BusinessGroup.objects.none(),
                                            empty_label="Choose a business group",
                                            error_messages={"required": "Choose the new business group"})
    owning_unit = forms.ModelChoiceField(label="New owning unit", queryset=Unit.objects.none(),
                                         empty_label="Choose a unit",
                                         error_messages={"required": "Choose the new owning unit"})
    field_order = ["business_group", "owning_unit"]

    def __init__(self, *args, policy=None, people_by_part=None, labels=None, **kwargs):
        self.policy, self.people_by_part, self.labels = policy, people_by_part or {}, labels or {}
        super().__init__(*args, **kwargs)
        self.fields["business_group"].queryset = BusinessGroup.objects.filter(is_active=True).exclude(
            pk=policy.business_group_id).order_by("name")
        self.fields["owning_unit"].queryset = Unit.objects.filter(is_active=True).exclude(
            business_group_id=policy.business_group_id).select_related("business_group") \
            .order_by("business_group__name", "name")
        self.fields["owning_unit"].label_from_instance = lambda unit: f"{unit.business_group}: {unit}"

    def add_fields(self) -> None:
        for key, people in self.people_by_part.items():
            self.fields[key] = PersonField(people=people, required=False, label=f"New {self.labels[key]} (if needed)",
                                           empty_label="Keep the current holder if they hold the part there")
        self.order_fields(["business_group", "owning_unit", *self.people_by_part, "reason"])


class HandoverForm(GovUKForm, ReasonMixin):
    expected = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people_by_part=None, labels=None, **kwargs):
        self.people_by_part, self.labels = people_by_part or {}, labels or {}
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        for key, people in self.people_by_part.items():
            label = self.labels[key]
            self.fields[key] = PersonField(people=people, label=f"New {label}",
                                           error_messages={"required": f"Choose who takes over as {label}"})
        self.order_fields([*self.people_by_part, "reason", "expected"])
