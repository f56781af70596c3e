"""The forms of the steps' pages (lifecycle.workflow declares which step shows which): what each decision asks."""

from functools import cached_property, partial

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from core.dates import date_shown
from core.forms import DateField, GovUKForm
from core.models import ApprovalRoute, BusinessGroup, Role, Unit, User
from core.text import in_words
from lifecycle.monitoring_reports import reports_awaiting_response
from lifecycle.permissions import qa_disciplines_for
from lifecycle.report_duties import reports_free_for
from lifecycle.states import SCHEME_PUBLICATION, Duty, ProtectiveMarking, QADiscipline

LONG_TEXT = 20_000


class StepForm(GovUKForm):
    """The form of a step's page (lifecycle.workflow). The page also posts the status it showed and the version
    the person read (``version``, ``version_hash``); the view hands those to the service, which refuses a
    mismatch."""

    # Checkboxes that answer one question are shown in one fieldset, the question its legend.
    checkbox_question = ""
    checkbox_hint = ""
    checkbox_fields: tuple[str, ...] = ()
    # The fields a link to the page may give a first value (``?report=<id>``); none unless a form says so: a link
    # must not pre-fill a decision or its reasons.
    chosen_by_link: tuple[str, ...] = ()

    def __init__(self, *args, user=None, policy=None, **kwargs):
        self.user = user
        self.policy = policy
        super().__init__(*args, **kwargs)

    def checkbox_group(self) -> list:
        return [self[name] for name in self.checkbox_fields]

    def other_fields(self) -> list:
        return [field for field in self if field.name not in self.checkbox_fields]


class NoFieldsForm(StepForm):
    """A confirmation: the page explains the action, the button does it."""


class CommentsForm(StepForm):
    comments = forms.CharField(label="Comments (optional)", required=False, widget=forms.Textarea,
                               max_length=LONG_TEXT)


class ReasonsForm(StepForm):
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea, max_length=LONG_TEXT,
                              error_messages={"required": "Enter the reasons"})


class ReasonForm(StepForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea, max_length=LONG_TEXT,
                             error_messages={"required": "Enter the reason"})


class ReviewDraftWithdrawalForm(StepForm):
    reason = forms.CharField(
        label="Why is the review draft withdrawn?", widget=forms.Textarea, max_length=LONG_TEXT,
        help_text="For example, what the review found. It is kept with the draft in the policy's timeline.",
        error_messages={"required": "Enter why the review draft is withdrawn"})


class QADecisionForm(StepForm):
    discipline = forms.ChoiceField(label="Signing off for", widget=forms.RadioSelect,
                                   error_messages={"required": "Choose what you sign off"})
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[("passed", "Quality assurance passed"), ("returned", "Return to the developer with comments")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the submission passes or is returned"},
    )
    comments = forms.CharField(label="Comments", required=False, widget=forms.Textarea, max_length=LONG_TEXT,
                               help_text="Required when you return the submission.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = qa_disciplines_for(self.user, self.policy)
        if len(offered) == 1:
            self.fields["discipline"].initial = offered[0][0]
        posted = self.data.get("discipline") if self.is_bound else None
        if posted in QADiscipline.values and posted not in dict(offered):
            # Signed off already (a second tab, a double click): let the service refuse it with its own
            # reason ("... has already recorded its decision") instead of "Select a valid choice".
            offered.append((posted, QADiscipline(posted).label))
        self.fields["discipline"].choices = offered

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "returned":
            self.require("comments", "Enter comments explaining what must change")
        return data


class ApprovalDecisionForm(StepForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve for publication"), ("reject", "Reject and return to the developer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or reject"},
    )
    # Tiered approval (issue 13): the meeting of the approving board at which the decision was taken.
    meeting_on = DateField(label="Date of the approving board's meeting", required=False, latest=timezone.localdate,
                           help_text="Required when you approve.")
    minute_reference = forms.CharField(label="Minute reference", required=False, max_length=60,
                                       help_text="Required when you approve, for example PF/2026/14.")
    comments = forms.CharField(label="Comments or reasons", required=False, widget=forms.Textarea,
                               max_length=LONG_TEXT, help_text="Required when you reject.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The board this policy's risk tier goes to (reference data), named on the page.
        # The route of the risk tier the version was submitted with (issue 12), as the service records it.
        version = self.policy.current_version if self.policy is not None else None
        details = (version.details if version is not None else None) or {}
        self.approving_board = ApprovalRoute.board_for(
            risk_tier=details.get("risk_tier") or self.policy.risk_tier,
            business_group_id=self.policy.business_group_id,
        ) if self.policy is not None else None
        if self.approving_board is not None:
            self.fields["meeting_on"].label = f"Date of the {self.approving_board} meeting"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject":
            self.require("comments", "Enter the reasons for rejecting")
        if data.get("decision") == "approve":
            self.require("meeting_on", "Enter the date of the meeting that approved it")
            self.require("minute_reference", "Enter the minute reference")
        return data


class EmergencyApprovalForm(StepForm):
    risk_statement = forms.CharField(
        label="Risk statement",
        help_text="The immediate operational need, and the risks you accept as risk owner while the policy is "
        "not impact assessed.",
        widget=forms.Textarea, max_length=LONG_TEXT,
        error_messages={"required": "Enter the risk statement"},
    )
    eia_due_on = DateField(
        label="Equality Impact Assessment due by", required=False,
        help_text="Leave empty for the default of 28 days from today.",
    )


class EmergencyAnswerForm(StepForm):
    """PCU's answer to the Lead's request for emergency approval, given in their own name."""

    answer = forms.ChoiceField(
        label="Your answer", widget=forms.RadioSelect,
        choices=[("agree", "Agree: the policy is approved by the emergency route"),
                 ("refuse", "Refuse: the policy goes through the full process")],
        error_messages={"required": "Choose whether you agree or refuse"},
    )
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea, max_length=LONG_TEXT,
                             help_text="Required when you refuse.")

    def clean(self):
        data = super().clean()
        if data.get("answer") == "refuse":
            self.require("reason", "Enter the reason for refusing")
        return data


class CheckboxesByGroup(forms.CheckboxSelectMultiple):
    """Checkboxes under a heading for each group of choices (Django's grouped choices: ``[(group, [(value, label),
    ...]), ...]``), each group a fieldset whose legend is the group's name, all of them one field posting its values
    as any checkboxes do. Plain HTML: no JavaScript. The question they answer (the field's label, hint and error) is
    drawn round them by templates/includes/field.html, as GOV.UK's fieldset and legend."""

    template_name = "lifecycle/widgets/checkboxes_by_group.html"


def units_by_business_group() -> list[tuple[str, list[tuple[int, str]]]]:
    """The active units, under their business group's name: the groups alphabetical, the units alphabetical within
    each (as a reader looks for them, whatever the case they were typed in). One query."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for unit in (Unit.objects.filter(is_active=True).select_related("business_group")
                 .order_by(Lower("business_group__name"), "business_group_id", Lower("name"), "pk")):
        grouped.setdefault(unit.business_group.name, []).append((unit.pk, unit.name))
    return list(grouped.items())


class ActiveChoices(forms.ModelMultipleChoiceField):
    """Checkboxes of active rows (units, business groups: ``is_active``). One deactivated since the page was drawn is
    refused by name and the rest of the choice stays ticked (the page is drawn again from what was posted), instead of
    Django's "Select a valid choice. 4 is not one of the available choices.", which named an id and left the reader
    to find which box had gone. A value that was never a choice (a hand-made post) is refused as not on the list. The
    names are read only on a refusal: one query, of at most the values posted."""

    NAMED = 3  # named in the message; any more are counted

    def __init__(self, *args, plural: str, **kwargs):
        self.plural = plural
        not_listed = f"Choose the {plural} from the list"
        kwargs["error_messages"] = {"invalid_choice": not_listed, "invalid_pk_value": not_listed,
                                    "invalid_list": not_listed, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            not_listed = error
        # Every value is a well-formed id here (the checks before raise ``invalid_pk_value``); one or more is not
        # among the active rows.
        names = list(self.queryset.model._default_manager.filter(pk__in=set(value), is_active=False)
                     .order_by(Lower("name"), "pk").values_list("name", flat=True))
        if not names:
            raise not_listed
        raise ValidationError(self.no_longer_active(names), code="no_longer_active")

    def no_longer_active(self, names: list[str]) -> str:
        shown = names[:self.NAMED]
        if len(names) > self.NAMED:
            shown.append(f"{len(names) - self.NAMED} more")
        listed = in_words(shown)
        if len(names) == 1:
            return (f"{listed} is no longer active, so its staff cannot be asked: it is no longer listed. "
                    f"Check the {self.plural} chosen")
        return (f"{listed} are no longer active, so their staff cannot be asked: they are no longer listed. "
                f"Check the {self.plural} chosen")


def _suitable_for_the_scheme(policy) -> bool:
    version = policy.current_version
    details = version.details_read if version is not None else policy.details_snapshot()
    return details["suitable_for_publication_scheme"] and details["protective_marking"] == ProtectiveMarking.OFFICIAL


class PublishForm(StepForm):
    # The channels are one question (a fieldset with its legend), not three unrelated checkboxes.
    checkbox_question = "Where should it be published?"
    checkbox_hint = "Choose at least one."
    checkbox_fields = ("on_intranet", "in_notices", "on_publication_scheme")

    on_intranet = forms.BooleanField(label="Corporate Policy Intranet", required=False, initial=True)
    in_notices = forms.BooleanField(label="Notices", required=False, initial=True)
    on_publication_scheme = forms.BooleanField(
        label="MPS Publication Scheme (public)", required=False,
        help_text="Only for policies that are suitable for the Publication Scheme and not OFFICIAL-SENSITIVE.",
    )
    # publication.services refuses a date more than 2 years ahead; the form says so first.
    publish_on = DateField(
        label="Publish on", named="The publication date", required=False, earliest=timezone.localdate,
        latest=lambda: timezone.localdate() + relativedelta(years=2),
        help_text="Leave empty to publish now, or choose a date within 2 years to coincide with the implementation "
        "plan.",
    )

    # Read and acknowledge (issue 14): the staff this version is relevant to, asked to confirm they have read it
    # once it is in force (acknowledgements.services.acknowledgement_audience_record, called by the publish step).
    # A unit or group deactivated while the page is open is refused by name (ActiveChoices).
    audience_business_groups = ActiveChoices(
        label="Ask the staff of these business groups to confirm they have read it", required=False,
        queryset=BusinessGroup.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple,
        plural="business groups",
    )
    audience_units = ActiveChoices(
        label="Ask the staff of these units", required=False, widget=CheckboxesByGroup, plural="units",
        queryset=Unit.objects.filter(is_active=True).select_related("business_group"),
    )
    audience_roles = forms.MultipleChoiceField(
        label="Ask everyone holding these roles", required=False, choices=Role.choices,
        widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": "Choose the roles from the list"},
    )
    ask_again = forms.BooleanField(
        label="Ask again even if they confirmed an earlier version of this major version", required=False,
        help_text="A new major version always asks again; a minor one asks again only if you say so.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A force has hundreds of units: shown under their business group, found where they belong. Read when the page
        # is drawn (a callable), not when a post is checked, which asks the queryset as before.
        units = self.fields["audience_units"]
        units.choices = units_by_business_group
        # SOP, stage 5: PCU publishes "on the MPS Publication Scheme" what is suitable for it: ticked at first when the
        # details of the version to publish say so (nothing adds the Scheme to a version once published). Those it was
        # frozen with: a review's downgrade to OFFICIAL is its version's, the policy staying OFFICIAL-SENSITIVE until
        # it is published. Read when the page is drawn (a callable), from the version the page has read by then.
        if self.policy is not None:
            self.fields["on_publication_scheme"].initial = partial(_suitable_for_the_scheme, self.policy)
            # A review's version published without the Scheme takes the version in force off it (QA walk: PCU
            # unticked the box and nothing said so; the public's page then answered that it had gone).
            if self.policy.pk and self.policy.publications.filter(**SCHEME_PUBLICATION).exists():
                field = self.fields["on_publication_scheme"]
                field.help_text = (f"{field.help_text} The version in force is on the Publication Scheme now: "
                                   "if this version is not put there, that one comes off it when this one is "
                                   "published.")

    # The page shows what the public copy withholds (``withheld_shown``) and posts ``withheld_hash`` of what it
    # showed; policy_publish refuses it, under the policy's lock, if the parts withheld have changed since (integrity
    # review of 2026-12-06: another PCU member released a part after the publisher had read the page). Read when the
    # page is drawn, after any refusal: a page shown again shows, and is bound to, the parts as they are then.
    binds_withheld = True

    @property
    def _version(self):
        return self.policy.current_version if self.policy is not None else None

    @cached_property
    def withheld_shown(self) -> list:
        return self._version.withheld_parts() if self._version is not None else []

    @cached_property
    def withheld_applies(self) -> bool:
        """Whether the version has a SOP published externally, whose public copy could withhold a part."""
        return bool(self.withheld_shown) or (self._version is not None
                                             and self._version.sop_versions.filter(publish_externally=True).exists())

    @property
    def withheld_hash(self) -> str:
        return self._version.withheld_hash_of(self.withheld_shown) if self._version is not None else ""

    def clean(self):
        data = super().clean()
        if not (data.get("on_intranet") or data.get("in_notices") or data.get("on_publication_scheme")):
            self.add_error("on_intranet", "Choose at least one channel")
        # What the page showed withheld, as posted ("" when it showed nothing withheld, or posted nothing): the
        # service compares it with the parts withheld now.
        posted = self.data.get("withheld_hash", "")
        data["withheld_hash"] = posted[:64] if isinstance(posted, str) else ""
        # The service takes whom to ask as one argument.
        data["asked_to_acknowledge"] = {"business_groups": list(data.pop("audience_business_groups", None) or ()),
                            "units": list(data.pop("audience_units", None) or ()),
                            "roles": list(data.pop("audience_roles", None) or ()),
                            "ask_again": bool(data.pop("ask_again", False))}
        return data


class EIAConfirmationForm(StepForm):
    eia_outcome = forms.ChoiceField(
        label="The Equality Impact Assessment",
        choices=[("stands", "Still stands: no change to the assessment is needed"),
                 ("updated", "Must be updated (say what must change): it is reopened for revision")],
        widget=forms.RadioSelect, error_messages={"required": "Choose whether the assessment stands or was updated"},
    )
    eia_comments = forms.CharField(label="Comments", required=False, widget=forms.Textarea, max_length=LONG_TEXT,
                                   help_text="Required when the assessment must be updated: what must change.")

    def clean(self):
        data = super().clean()
        if data.get("eia_outcome") == "updated":
            self.require("eia_comments", "Enter what must change in the assessment")
        return data


class RepublishForm(StepForm):
    """Re-publication of the version in force after a review concluded no change: always with a notice (SOP,
    stage 5: "in Notices")."""

    on_intranet = forms.BooleanField(label="Corporate Policy Intranet", required=False, initial=True)
    on_publication_scheme = forms.BooleanField(
        label="MPS Publication Scheme (public)", required=False,
        help_text="Only for policies that are suitable for the Publication Scheme and not OFFICIAL-SENSITIVE.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unchanged means unchanged: start from the channels of the publication in force, so that pressing the
        # button does not take a public policy off the Publication Scheme (or the intranet) by default.
        policy = self.policy
        in_force = (policy.publications.filter(status="published", superseded_at__isnull=True)
                    .order_by("-published_at").values("on_intranet", "on_publication_scheme").first()
                    if policy is not None and policy.pk else None)
        if in_force:
            self.fields["on_intranet"].initial = in_force["on_intranet"]
            self.fields["on_publication_scheme"].initial = in_force["on_publication_scheme"]


class WithdrawalDecisionForm(StepForm):
    reason = forms.CharField(label="Why the policy is to be withdrawn", widget=forms.Textarea, max_length=LONG_TEXT,
                             error_messages={"required": "Enter the reason"})
    replaced_by = forms.CharField(
        label="Replaced by (optional)", required=False, max_length=20,
        help_text="The reference of the policy that replaces it, for example POL-0042. Leave empty if none.",
    )


class ReviewDateForm(StepForm):
    review_due_on = DateField(label="New review date", error_messages={"required": "Enter the new review date"})
    reason = forms.CharField(label="Reason for the earlier review", widget=forms.Textarea, max_length=LONG_TEXT,
                             help_text="For example monitoring results, new legislation or a critical incident.",
                             error_messages={"required": "Enter the reason"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date it replaces, said where the new one is typed: only a date from today to the day before it is taken
        # (the service checks again). The field's bounds say so first, and keep the hint's example among them.
        field = self.fields["review_due_on"]
        field.earliest = timezone.localdate
        due = self.policy.review_due_on if self.policy is not None else None
        if due is not None:
            field.help_text = f"The review is due on {date_shown(due)} now: the new date must be earlier."
            field.latest = due - relativedelta(days=1)
            # "before" and, when the day before is today, "not_future": either way the date is not earlier.
            field.error_messages["before"] = field.error_messages["not_future"] = (
                f"The review is due on {date_shown(due)} now: the new review date must be earlier")


class MonitoringResponseForm(StepForm):
    """The Designated Lead's response to a quality-assured monitoring report (issue 13): no action, a remedial action
    (what, who, by when), or an earlier review. The service checks it all again under lock."""

    # "Respond to this report" on a report's page links here with the report chosen.
    chosen_by_link = ("report",)

    report = forms.ChoiceField(label="Monitoring report", widget=forms.RadioSelect,
                               error_messages={"required": "Choose the monitoring report you are responding to"})
    outcome = forms.ChoiceField(
        label="Your response", widget=forms.RadioSelect,
        choices=[("no_action", "No action needed"),
                 ("remedial", "Direct a remedial action (what, who, by when)"),
                 ("bring_forward", "Bring the review forward")],
        error_messages={"required": "Choose your response"},
    )
    reasons = forms.CharField(label="Your reasons", widget=forms.Textarea, max_length=LONG_TEXT,
                              help_text="What the monitoring results show, and why this response.",
                              error_messages={"required": "Enter your reasons"})
    remedial_action = forms.CharField(label="Remedial action: what must be done", required=False,
                                      widget=forms.Textarea, max_length=LONG_TEXT)
    remedial_owner = forms.ModelChoiceField(label="Remedial action: who will do it", required=False,
                                            queryset=User.objects.none(), empty_label="Choose who will do it")
    # Two dates on one form: each message names its own (QA walk: "Enter a real date" said of either).
    remedial_due_on = DateField(label="Remedial action: done by", required=False, error_messages={
        "invalid": "The remedial action’s done-by date must be a real date",
        "incomplete": "The remedial action’s done-by date must include a %(parts)s"})
    review_due_on = DateField(label="Earlier review: the new review date", required=False, error_messages={
        "invalid": "The new review date must be a real date",
        "incomplete": "The new review date must include a %(parts)s"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        awaiting = reports_awaiting_response(self.policy) if self.policy is not None else []
        if self.policy is not None and self.user is not None:
            # Separation of duties: not a report the Lead wrote, submitted or quality-assured (lifecycle.report_duties).
            awaiting = reports_free_for(awaiting, self.user, Duty.APPROVER)
        awaiting = list(awaiting)
        # Rule 17: the page shows each report awaiting a response (``reports_shown``) and posts, for each, the content
        # hash of what it showed; the response is bound to the chosen report's (``report_hash``), and the service
        # refuses it if that report has changed since.
        self.reports_shown = awaiting
        for report in awaiting:
            self.fields[f"report_hash_{report.pk}"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=report.content_hash, max_length=64)
        choices = [(str(report.pk), f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}, quality "
                    f"assured on {report.qa_at:%-d %B %Y}" if report.qa_at else
                    f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}") for report in awaiting]
        if len(choices) == 1:
            self.fields["report"].initial = choices[0][0]
        elif str(self.initial.get("report", "")) not in dict(choices):
            self.initial.pop("report", None)
        posted = self.data.get("report") if self.is_bound else None
        if posted and posted.isdigit() and len(posted) <= 18 and posted not in dict(choices):
            # Answered already (a second tab, a double click): the service refuses it with its own reason.
            choices.append((posted, f"Report {posted}"))
        self.fields["report"].choices = choices
        if self.policy is not None:
            self.fields["remedial_owner"].queryset = User.objects.filter(
                is_active=True, role_assignments__business_group_id=self.policy.business_group_id,
            ).distinct().order_by("last_name", "first_name")

    def clean(self):
        data = super().clean()
        # The service is handed the hash of the report chosen, as the page that was read showed it ("" if it showed
        # none, which it refuses); posted for a report answered since (a second tab), it gives its own reason first.
        for name in [name for name in data if name.startswith("report_hash_")]:
            del data[name]
        posted = self.data.get(f"report_hash_{data['report']}", "") if data.get("report") else ""
        data["report_hash"] = posted[:64] if isinstance(posted, str) else ""
        outcome = data.get("outcome")
        if outcome == "remedial":
            self.require("remedial_action", "Enter the remedial action")
            self.require("remedial_owner", "Choose who will carry out the remedial action")
            self.require("remedial_due_on", "Enter the date the remedial action must be done by")
        if outcome == "bring_forward":
            self.require("review_due_on", "Enter the new review date")
        return data
