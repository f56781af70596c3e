"""The forms of the people pages (issue 12): reassigning one part of a policy, its developers, moving it to
another business group, and handing over a leaver's work.

A new holder is typed, by name or username, and found among those who may take the part (PersonField): the
pages never list everyone who could (house rule 19; at the bench's 20,000 people the lists were 32,215 options).
A username is looked up even when its holder may not take the part (an account deactivated since, a role held
elsewhere), so that the service refuses it with its own reason instead of a bare "not found".
"""

from __future__ import annotations

from django import forms

from core.forms import GovUKForm
from core.models import BusinessGroup, Unit, User
from core.text import in_words
from lifecycle.people_selectors import (
    HANDING_OVER,
    INACTIVE,
    LACKS_ROLE,
    NOT_CLEARED,
    PERSON_MATCHES_SHOWN,
    PERSON_TEXT_MAX_LENGTH,
    Eligibility,
    PersonSearch,
    anyone_eligible,
    find_person,
    groups_not_cleared_for,
    move_eligibility,
    role_needed_where,
    why_not_eligible,
)
from lifecycle.selectors import not_cleared_words
from lifecycle.services.people import PARTS, REASON_MAX_LENGTH


class PersonField(forms.CharField):
    """A text input for a person's name or username that cleans to one User among those ``eligibility`` allows
    (one bounded query, people_selectors.find_person), or None when left empty and not required.

    The username typed wins, eligible or not, so that the service refuses someone who may not take the part with
    its own reason ("their account is not active"). Otherwise one eligible person of that first, last or full name
    is taken; several are listed with their usernames to type instead; people of that name who may not take the
    part are told why not (_why_not); nobody is a plain error. What was typed is kept (it is the field's value)."""

    def __init__(self, *, eligibility: Eligibility | None = None, part_label: str = "", required=True,
                 help_text="Their name or username", **kwargs):
        super().__init__(required=required, max_length=PERSON_TEXT_MAX_LENGTH, help_text=help_text, **kwargs)
        self.eligibility, self.part_label = eligibility, part_label
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"})

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        if self.eligibility is None:
            raise forms.ValidationError("This form cannot name anyone")
        found = find_person(text=text, eligibility=self.eligibility)
        if found.by_username is not None:
            return found.by_username
        if len(found.eligible) == 1:
            return found.eligible[0]
        who = f"as {self.part_label}" if self.part_label else "here"
        if not found.eligible and found.ineligible:
            raise forms.ValidationError(_why_not(found, self.eligibility, who))
        if not found.eligible:
            raise forms.ValidationError(f"Nobody who can be named {who} is called '{found.text}': check the "
                                        "spelling, or type their username")
        shown = found.eligible[:PERSON_MATCHES_SHOWN]
        count = f"More than {PERSON_MATCHES_SHOWN}" if found.more_than_shown else str(len(shown))
        raise forms.ValidationError(f"{count} people match '{found.text}': type the username of the one you mean: "
                                    + "; ".join(_describe(user) for user in shown))


def _why_not(found: PersonSearch, eligibility: Eligibility, who: str) -> str:
    """Why the people of the name typed cannot be named (none of them may take the part): one by their name, as the
    service tells of a username typed; several counted by reason, never named, nor where they do hold a role."""
    reasons = [why_not_eligible(user=user, eligibility=eligibility) for user in found.ineligible]
    role = role_needed_where(eligibility=eligibility) if LACKS_ROLE in reasons else ""
    if len(reasons) == 1:
        person = found.ineligible[0]
        if reasons[0] == NOT_CLEARED:
            return _not_cleared(person, eligibility, who)
        because = {INACTIVE: "their account is not active", HANDING_OVER: "they are the person whose work is handed "
                   "over", LACKS_ROLE: f"they do not hold {role}"}[reasons[0]]
        return f"{person.get_full_name() or person.username} cannot be named {who}: {because}"
    if len(reasons) >= PERSON_MATCHES_SHOWN + 2:  # the search's limit: more may share the name, none of them eligible
        return (f"Many people are called '{found.text}', and none of them can be named {who}: check the name, or "
                "type the username of someone who can")
    counted = {reason: reasons.count(reason) for reason in (LACKS_ROLE, NOT_CLEARED, INACTIVE, HANDING_OVER)
               if reason in reasons}
    groups = eligibility.cleared_for_names if len(eligibility.cleared_for) == 1 else \
        f"each of {eligibility.cleared_for_names}"
    said = {LACKS_ROLE: lambda n: f"{n} {'does' if n == 1 else 'do'} not hold {role}",
            NOT_CLEARED: lambda n: f"{n} {'is' if n == 1 else 'are'} not cleared for OFFICIAL-SENSITIVE material of "
                                   f"{groups}",
            INACTIVE: lambda n: f"{n} {'has an account that is' if n == 1 else 'have accounts that are'} not active",
            HANDING_OVER: lambda n: f"{n} is the person whose work is handed over"}
    parts = [said[reason](count) for reason, count in counted.items()]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])}, and {parts[-1]}"
    return (f"{len(reasons)} people called '{found.text}' cannot be named {who}: {listed}. Type the name or "
            "username of someone who can")


def _not_cleared(person: User, eligibility: Eligibility, who: str) -> str:
    """One person holding the Designated Lead's role, not cleared for the material of the instructions they would
    agree: which groups (``groups_not_cleared_for``, the rule's own reading), and what would put it right."""
    # All of them, should they have been given a role in one since the search (its own statement, a moment before).
    lacking = in_words(groups_not_cleared_for(user=person, eligibility=eligibility)) or eligibility.cleared_for_names
    return (f"{person.get_full_name() or person.username} cannot be named {who}: they are "
            f"{not_cleared_words(lacking)}, whose OFFICIAL-SENSITIVE local work instructions the "
            f"{PARTS[eligibility.part].label} must read to give their \"prior agreement\". Ask an administrator to "
            f"give them a role in {lacking}, or name a Lead who holds one")


def clearance_hint(eligibility: Eligibility, *, hint: str, anyone: bool = True, otherwise: str = "") -> str:
    """The hint of a Designated Lead's field where a clearance narrows who may be named (``eligibility.cleared_for``):
    whose material they must be cleared for; or, when nobody may be named (``anyone``), that nobody can, and how to put
    it right (``otherwise``: what else the page allows). ``hint`` alone when no clearance is asked."""
    if not eligibility.cleared_for:
        return hint
    groups = eligibility.cleared_for_names
    if anyone:
        where = "there" if len(eligibility.cleared_for) == 1 else "in each"
        return (f"{hint.rstrip('.')}. Only a Lead cleared for OFFICIAL-SENSITIVE material of {groups} can be named "
                f"(a role {where}, or a force-wide role): they must read the OFFICIAL-SENSITIVE local work "
                "instructions there to give their \"prior agreement\".")
    holders = role_needed_where(eligibility=eligibility)
    return (f"No Lead who could be named is cleared for OFFICIAL-SENSITIVE material of {groups}. Ask an "
            f"administrator to give a role in {groups} to someone who holds {holders}{otherwise}.")


class CurrentPersonField(forms.ChoiceField):
    """A select of the few people already holding a part (username, label), cleaning to the User or None.

    Only a person it lists is taken: anything else posted (a username not listed, text with a NUL byte, which was a
    500 on PostgreSQL: integrity review of 2026-12-06) is refused on the form, with the rest of what was typed kept,
    and nothing is looked up. Someone listed when the page was drawn but no longer holding the part is refused the
    same way, with the list as it now stands."""

    def __init__(self, *, people=(), required=True, empty_label="Choose a person", not_listed="", **kwargs):
        super().__init__(required=required, **kwargs)
        self.error_messages["invalid_choice"] = not_listed or "Choose a person from the list"
        self.set_people(people, empty_label=empty_label)

    def set_people(self, people, *, empty_label="Choose a person") -> None:
        self.people = {user.username: user for user in people}
        self.choices = [("", empty_label)] + [(user.username, _describe(user)) for user in people]

    def valid_value(self, value) -> bool:
        return value in self.people

    def clean(self, value):
        username = super().clean(value)
        return self.people[username] if username else None


def _describe(user: User) -> str:
    """"Ann Smith, Policy officer (asmith)": enough to tell two people of one name apart, and what to type."""
    name = user.get_full_name() or user.username
    return f"{name}, {user.job_title} ({user.username})" if user.job_title else f"{name} ({user.username})"


class ReasonMixin(forms.Form):
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=REASON_MAX_LENGTH,
                             error_messages={"required": "Enter the reason for the change"},
                             help_text="For example: left the force, moved to another unit, long-term absence.")


class ReassignForm(GovUKForm, ReasonMixin):
    """One part of one policy (owner, Lead, manager or co-ordinator)."""

    new_holder = PersonField(label="New holder", error_messages={"required": "Enter who takes over"})
    expected_holder = forms.CharField(widget=forms.HiddenInput, required=False)
    field_order = ["new_holder", "reason"]

    def __init__(self, *args, eligibility: Eligibility, label: str = "", **kwargs):
        self.eligibility, self.part_label = eligibility, label
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        # Here, not after __init__: the GOV.UK styling reads the bound field (and so its label) for the hint.
        field = self.fields["new_holder"]
        field.eligibility, field.part_label = self.eligibility, self.part_label
        field.label = f"New {self.part_label}" if self.part_label else "New holder"
        if self.eligibility.cleared_for:  # one EXISTS, only for a Lead a clearance narrows
            field.help_text = clearance_hint(self.eligibility, hint=field.help_text,
                                             anyone=anyone_eligible(eligibility=self.eligibility))


class DeveloperForm(GovUKForm, ReasonMixin):
    old = CurrentPersonField(label="Developer to replace or remove", required=False,
                             empty_label="Nobody: add a developer",
                             not_listed="Choose the developer to replace or remove from the list: the one sent is not "
                                        "a developer of this policy now (the list may have changed since the page "
                                        "was opened)")
    new = PersonField(label="New developer", required=False, part_label=PARTS["developer"].label,
                      help_text="Their name or username. Leave it empty to remove the developer chosen above.")
    field_order = ["old", "new", "reason"]

    def __init__(self, *args, current=(), eligibility: Eligibility, **kwargs):
        self.current, self.eligibility = current, eligibility
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        self.fields["old"].set_people(self.current, empty_label="Nobody: add a developer")
        self.fields["new"].eligibility = self.eligibility

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("old") is None and data.get("new") is None:
            self.add_error("new", "Enter the developer to add, or choose the developer to replace or remove")
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

    def __init__(self, *args, policy=None, labels=None, lead_cleared_for=(), **kwargs):
        self.policy, self.labels, self.lead_cleared_for = policy, labels or {}, lead_cleared_for
        super().__init__(*args, **kwargs)
        if policy is None:
            return  # its fields only, to read back what was typed (lifecycle.people_views.typed_back_form): no choices
        self.fields["business_group"].queryset = BusinessGroup.objects.filter(is_active=True).exclude(
            pk=policy.business_group_id).order_by("name")
        self.fields["owning_unit"].queryset = Unit.objects.filter(is_active=True).exclude(
            business_group_id=policy.business_group_id).select_related("business_group") \
            .order_by("business_group__name", "name")
        self.fields["owning_unit"].label_from_instance = lambda unit: f"{unit.business_group}: {unit}"

    def add_fields(self) -> None:
        for key in PARTS:
            eligibility = move_eligibility(part=key, lead_cleared_for=self.lead_cleared_for)
            # Whether anyone cleared may be named depends on the group chosen: the hint says whose material only.
            self.fields[key] = PersonField(
                eligibility=eligibility, required=False, part_label=self.labels[key],
                label=f"New {self.labels[key]} (if needed)",
                help_text=clearance_hint(eligibility, hint="Their name or username. Leave it empty to keep the "
                                         "current holder, if they hold the part in the new business group."))
        self.order_fields(["business_group", "owning_unit", *PARTS, "reason"])


class HandoverForm(GovUKForm, ReasonMixin):
    expected = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, eligibility_by_part: dict[str, Eligibility] | None = None, labels=None, **kwargs):
        self.eligibility_by_part, self.labels = eligibility_by_part or {}, labels or {}
        super().__init__(*args, **kwargs)

    def add_fields(self) -> None:
        for key, eligibility in self.eligibility_by_part.items():
            label = self.labels[key]
            self.fields[key] = PersonField(eligibility=eligibility, part_label=label, label=f"New {label}",
                                           error_messages={"required": f"Enter who takes over as {label}"})
            if eligibility.cleared_for:  # one EXISTS, only for a Lead a clearance narrows
                # The Lead part of a handover may also go policy by policy first (PCU's alone, on each People
                # page), to Leads cleared for fewer groups; the handover then no longer moves it.
                self.fields[key].help_text = clearance_hint(
                    eligibility, hint=self.fields[key].help_text, anyone=anyone_eligible(eligibility=eligibility),
                    otherwise=f", or reassign the {label} of these policies one by one on each policy's People page "
                              "first")
        self.order_fields([*self.eligibility_by_part, "reason", "expected"])
