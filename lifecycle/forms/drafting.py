"""The forms of drafting: starting a policy, its details, statement and SOPs, and the consultation log."""

from django import forms
from django.utils import timezone

from core import submissions
from core.forms import DateField, GovUKForm
from core.html import RichTextField
from core.models import BusinessGroup, Role, RoleAssignment, Subject, Unit
from core.validators import validate_no_hidden_characters
from lifecycle.details import LinkError, parse_legislation_links
from lifecycle.forms.steps import LONG_TEXT
from lifecycle.states import ConsulteeType, PolicyKind, ProtectiveMarking


class PolicyCreateForm(submissions.OneTimeSubmissionForm):
    submission_purpose = submissions.POLICY_CREATE
    title = forms.CharField(max_length=200, validators=[validate_no_hidden_characters], error_messages={
        "required": "Enter a title", "max_length": "Title must be 200 characters or fewer"})
    purpose = forms.CharField(widget=forms.Textarea, max_length=LONG_TEXT,
                              error_messages={"required": "Enter the purpose of the policy"})
    relevant_to = forms.CharField(label="Relevant to", widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=LONG_TEXT, help_text="Who the policy applies to.",
                                  error_messages={"required": "Enter who the policy is relevant to"})
    business_group = forms.ModelChoiceField(queryset=BusinessGroup.objects.none(),
                                            error_messages={"required": "Choose the business group"})
    owning_unit = forms.ModelChoiceField(label="Owning unit (creating branch)", queryset=Unit.objects.none(),
                                         error_messages={"required": "Choose the owning unit"})
    kind = forms.ChoiceField(choices=PolicyKind.choices, widget=forms.RadioSelect, initial=PolicyKind.CORPORATE,
                             error_messages={"required": "Choose whether this is a corporate policy or a local "
                                                         "work instruction"})
    supports = forms.CharField(
        label="Corporate policy it supplements (local work instructions only, optional)", required=False,
        max_length=20, help_text="Its reference, for example POL-0001. Its Designated Lead must agree before the local "
        "work instruction is approved (SOP: \"prior agreement with the corporate lead\").")
    risk_tier = forms.ChoiceField(label="Risk tier", choices=[("high", "High"), ("medium", "Medium"),
                                                              ("low", "Low")],
                                  widget=forms.RadioSelect, initial="medium",
                                  error_messages={"required": "Choose the risk tier"},
                                  help_text="High-risk policies go to the Commissioner's Policy Forum; medium "
                                  "and low to the business group's Chief Officer Group.")
    protective_marking = forms.ChoiceField(choices=ProtectiveMarking.choices, widget=forms.RadioSelect,
                                           initial=ProtectiveMarking.OFFICIAL,
                                           error_messages={"required": "Choose the protective marking"})
    suitable_for_publication_scheme = forms.BooleanField(label="Suitable for the Publication Scheme",
                                                         required=False, initial=True)
    registered_file_reference = forms.CharField(label="Registered file reference", required=False, max_length=60)
    subject = forms.ModelChoiceField(queryset=Subject.objects.all(), required=False, label="Subject (optional)",
                                     help_text="What the policy is about: readers filter the Publication Scheme "
                                               "by it.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, submitter=user, **kwargs)
        assignments = RoleAssignment.objects.filter(user_id=user.pk)
        if assignments.filter(role=Role.PCU).exists():
            groups = BusinessGroup.objects.filter(is_active=True)
        else:
            groups = BusinessGroup.objects.filter(
                is_active=True,
                pk__in=assignments.filter(role__in=[Role.DEVELOPER, Role.MANAGER]).values("business_group_id"),
            )
        self.fields["business_group"].queryset = groups
        self.fields["owning_unit"].queryset = Unit.objects.filter(
            is_active=True, business_group__in=groups
        ).select_related("business_group")
        self.fields["owning_unit"].label_from_instance = lambda unit: f"{unit.name} ({unit.business_group})"
        for name in ("business_group", "owning_unit"):
            self._choose_the_only_one(name)

    def _choose_the_only_one(self, name: str) -> None:
        """A choice of one is made for the person: "---------" beside their only business group (or unit) asked
        them to pick it, and "Choose the business group" when they did not (QA crawl). One query for at most two."""
        field = self.fields[name]
        only = list(field.queryset.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            field.empty_label = None
            field.initial = only[0]


class PolicyDetailsForm(GovUKForm):
    """The document details of a policy being drafted (issue 12). ``expected_details`` is the fingerprint of the
    details the page showed: the service refuses a save based on details changed since."""

    title = PolicyCreateForm.base_fields["title"]
    purpose = PolicyCreateForm.base_fields["purpose"]
    relevant_to = PolicyCreateForm.base_fields["relevant_to"]
    protective_marking = forms.ChoiceField(
        choices=ProtectiveMarking.choices, widget=forms.RadioSelect,
        help_text="Re-marking takes effect at once: an OFFICIAL-SENSITIVE policy is shown only to staff cleared for "
        "it, and leaves the public Publication Scheme straight away, its version in force included.",
        error_messages={"required": "Choose the protective marking"})
    suitable_for_publication_scheme = forms.BooleanField(label="Suitable for the Publication Scheme", required=False)
    risk_tier = forms.ChoiceField(
        label="Risk tier", choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")], widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk tier"},
        help_text="The risk tier decides the approval route: high-risk policies go to the Commissioner's Policy "
        "Forum; medium and low to the business group's Chief Officer Group.")
    registered_file_reference = forms.CharField(label="Registered file reference", required=False, max_length=60,
                                                validators=[validate_no_hidden_characters])
    legislation_links = forms.CharField(
        label="Links to legislation", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT,
        help_text="One a line: the title, then the address. For example: Police and Criminal Evidence Act 1984 "
        "https://www.legislation.gov.uk/ukpga/1984/60")
    expected_details = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_legislation_links(self):
        try:
            return parse_legislation_links(self.cleaned_data.get("legislation_links") or "")
        except LinkError as error:
            raise forms.ValidationError(str(error)) from None


class StatementForm(GovUKForm):
    statement = RichTextField(
        label="Policy Statement", required=False,
        help_text="What the force's stance is, what must be done and who is responsible. Basic formatting "
        "(paragraphs, headings, lists, links, tables) is kept; anything else is removed.",
    )
    # SOP: the policy states its health and safety implications "or none" (issue 13), published with it.
    health_and_safety = forms.ChoiceField(
        label="Health and safety", required=False, widget=forms.RadioSelect,
        choices=[("identified", "Health and safety implications identified (state them below)"),
                 ("none", "None identified")],
        help_text="Required before submission: an explicit statement, or an explicit “none identified”.",
    )
    health_and_safety_statement = forms.CharField(
        label="Health and safety statement", required=False, widget=forms.Textarea, max_length=LONG_TEXT,
        help_text="The implications for the safety and health of officers, staff and the public, and how they are "
        "managed. Published with the Policy Statement.",
    )
    summary_of_changes = forms.CharField(
        label="Summary of changes", required=False, widget=forms.Textarea, max_length=LONG_TEXT,
        help_text="Required when this version revises a published policy.",
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput)


class SOPForm(submissions.OneTimeSubmissionForm):
    submission_purpose = submissions.SOP_CREATE
    title = forms.CharField(max_length=200, validators=[validate_no_hidden_characters],
                            error_messages={"required": "Enter a title for the SOP"})
    text = RichTextField(label="Procedure", required=False)
    # SOP, "Definitions": "SOPs should be classified under the Protective Marking System".
    protective_marking = forms.ChoiceField(choices=ProtectiveMarking.choices, widget=forms.RadioSelect,
                                           initial=ProtectiveMarking.OFFICIAL,
                                           error_messages={"required": "Choose a protective marking for the SOP"})
    publish_externally = forms.BooleanField(label="Publish externally on the Publication Scheme", required=False)


class SOPEditForm(GovUKForm):
    """The create page's fields (the service checks them the same way: lifecycle.services.drafting), and the draft
    revision the page was drawn from."""

    title = SOPForm.base_fields["title"]
    text = SOPForm.base_fields["text"]
    protective_marking = forms.ChoiceField(
        choices=ProtectiveMarking.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose a protective marking for the SOP"},
        help_text="Once a version holding the SOP has been submitted, its marking is part of that version's record and "
        "cannot change.")
    publish_externally = forms.BooleanField(
        label="Publish externally on the Publication Scheme", required=False,
        help_text="Takes effect when this version is published: until then the Publication Scheme shows the "
        "procedures the version in force was published with. An OFFICIAL-SENSITIVE SOP is never published "
        "externally.")
    base_revision = forms.IntegerField(widget=forms.HiddenInput)


class SOPRemoveForm(GovUKForm):
    """Confirming that an SOP is taken out of the working draft: bound to the draft revision the page showed."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput)


class ConsultationForm(submissions.OneTimeSubmissionForm):
    submission_purpose = submissions.CONSULTATION_RECORD
    consultee = forms.CharField(max_length=160, validators=[validate_no_hidden_characters],
                                error_messages={"required": "Enter who was consulted"})
    organisation = forms.CharField(max_length=160, validators=[validate_no_hidden_characters],
                                   error_messages={"required": "Enter their organisation"})
    consultee_type = forms.ChoiceField(label="Type of consultee", choices=ConsulteeType.choices,
                                       widget=forms.RadioSelect,
                                       error_messages={"required": "Choose the type of consultee"})
    # The log records what has happened: a consultation sent, a response received, today or before (the hint's
    # example is then a past date, and a future one is refused naming the question, as GOV.UK words it).
    date_sent = DateField(latest=timezone.localdate,
                          error_messages={"required": "Enter the date sent"})
    response = forms.CharField(required=False, widget=forms.Textarea, max_length=LONG_TEXT)
    response_received_on = DateField(required=False, latest=timezone.localdate)
    decision_taken = forms.CharField(label="Decision taken", required=False, widget=forms.Textarea,
                                     max_length=LONG_TEXT)
    feedback_given = forms.BooleanField(label="Results fed back to the consultee", required=False)


class ConsultationResponseForm(GovUKForm):
    response = forms.CharField(widget=forms.Textarea, max_length=LONG_TEXT,
                               error_messages={"required": "Enter the response"})
    # Received today or before, as on the log's own form (ConsultationForm).
    response_received_on = DateField(required=False, latest=timezone.localdate)
    decision_taken = forms.CharField(label="Decision taken", required=False, widget=forms.Textarea,
                                     max_length=LONG_TEXT)
    feedback_given = forms.BooleanField(label="Results fed back to the consultee", required=False)
    # The recorded response the page showed (services.consultation.response_seen): saved only over that one. Not
    # required here: left out, it reaches the service as "" and is refused there as stale, so that the page is shown
    # again with what is recorded, what was typed, and the token (a required hidden field would say "required" of a
    # field nobody sees, and stay empty).
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
