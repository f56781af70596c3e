"""The forms of the steps' pages (lifecycle.workflow declares which step shows which): what each decision asks. The
publication steps' forms are in lifecycle.forms.publishing."""

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone

from core.dates import date_shown
from core.forms import DateField, GovUKForm
from core.models import ApprovalRoute, User
from lifecycle import gates_eia
from lifecycle.monitoring_reports import reports_awaiting_response
from lifecycle.permissions import qa_disciplines_for
from lifecycle.report_duties import reports_free_for
from lifecycle.states import Duty, QADiscipline

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
        # Said with the page's warning of an assessment concluding that the policy must stop (a version frozen so
        # before the rule, lifecycle.gates_eia): DCFD, offered its part, is told beforehand that it may only return it.
        dcfd_offered = QADiscipline.DCFD in dict(offered) and self.policy is not None
        self.eia_stop_note = (gates_eia.DCFD_RETURNS_IT if dcfd_offered and gates_eia.concludes_stop(self.policy)
                              else "")

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "returned":
            self.require("comments", "Enter comments explaining what must change")
        return data


class ApprovalDecisionForm(StepForm):
    """The Lead's decision. Every rule the form can check is checked at once, one error summary listing all the
    problems (QA walk of 2026-12-06: the reasons, then the date, then its bounds, then the minute reference, each told
    on its own); the service checks them again under the policy's lock (lifecycle.services.approval)."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve for publication"), ("reject", "Reject and return to the developer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or reject"},
    )
    # Tiered approval (issue 13): the meeting of the approving board at which the decision was taken. A rejection
    # records one only with both its date and its minute (the service's rule, said in the hints).
    meeting_on = DateField(label="Date of the approving board's meeting", required=False, latest=timezone.localdate,
                           help_text="Required when you approve. When you reject, give the meeting's date and its "
                           "minute reference together, or neither.")
    minute_reference = forms.CharField(label="Minute reference", required=False, max_length=60,
                                       help_text="For example PF/2026/14. Required when you approve, and with the "
                                       "meeting's date when you reject.")
    comments = forms.CharField(label="Comments or reasons", required=False, widget=forms.Textarea,
                               max_length=LONG_TEXT, help_text="Required when you reject.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The board this policy's risk tier goes to (reference data), named on the page.
        # The route of the risk tier the version was submitted with (issue 12), as the service records it.
        version = self.policy.current_version if self.policy is not None else None
        self.submitted_on = (timezone.localtime(version.submitted_at).date()
                             if version is not None and version.submitted_at is not None else None)
        self.version_number = version.number if version is not None else ""
        details = (version.details if version is not None else None) or {}
        self.approving_board = ApprovalRoute.board_for(
            risk_tier=details.get("risk_tier") or self.policy.risk_tier,
            business_group_id=self.policy.business_group_id,
        ) if self.policy is not None else None
        if self.approving_board is not None:
            field = self.fields["meeting_on"]
            # The messages were worded from the label as declared (GovUKForm): they name the board too.
            declared, named = field.label, f"Date of the {self.approving_board} meeting"
            field.label = named
            for code, message in field.error_messages.items():
                if isinstance(message, str):
                    field.error_messages[code] = message.replace(declared, named)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        meeting_on, minute = data.get("meeting_on"), (data.get("minute_reference") or "").strip()
        # A date typed but in error (not a real date, in the future) is still a date given: its minute goes with it.
        date_given = meeting_on is not None or "meeting_on" in self.errors
        if decision == "reject":
            self.require("comments", "Enter the reasons for rejecting")
        if decision == "approve":
            self.require("meeting_on", "Enter the date of the meeting that approved it")
            self.require("minute_reference", "Enter the minute reference")
        elif date_given and not minute:
            self.require("minute_reference", "Enter the minute reference, or leave the meeting's date empty")
        elif minute and not date_given:
            self.require("meeting_on", "Enter the date of the meeting, or leave the minute reference empty")
        if meeting_on is not None and self.submitted_on is not None and meeting_on < self.submitted_on:
            board = self.approving_board or "approving board's"
            self.add_error("meeting_on", f"The {board} meeting cannot be before version {self.version_number} was "
                                         f"submitted ({self.submitted_on:%-d %B %Y})")
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
