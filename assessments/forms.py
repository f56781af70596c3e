from django import forms

from assessments import scheme_sections
from assessments.models import EqualityImpactAssessment, Impact, PolicyWorkbook, ProtectedCharacteristic
from core import submissions
from core.forms import DateField, GovUKForm

SECTION = 50_000


def _text(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea, max_length=SECTION,
                           help_text=help_text)


class EIAForm(GovUKForm):
    """Form 6119a. Each protected characteristic of the Equality Act 2010 gets an impact and notes."""

    aims = _text("Aims and objectives of the policy")
    evidence_and_data = _text("Evidence and data", "What data, research and monitoring results inform the assessment.")
    consultation_summary = _text("Summary of consultation feedback",
                                 "SOP stage 3: update the EIA with a summary of the feedback received.")
    mitigation = _text("Mitigation", "How any adverse impact will be removed or reduced.")
    decision = forms.ChoiceField(label="Outcome of the assessment", required=False, widget=forms.RadioSelect,
                                 choices=EqualityImpactAssessment.Decision.choices)
    decision_rationale = _text("Reasons for the outcome", "Required when the policy is to continue despite potential "
                               "adverse impact (the justification), or to stop.")
    base_revision = forms.IntegerField(widget=forms.HiddenInput)

    def add_fields(self) -> None:
        for characteristic in ProtectedCharacteristic:
            self.fields[f"impact_{characteristic.value}"] = forms.ChoiceField(
                label=f"{characteristic.label}: impact", required=False, widget=forms.RadioSelect,
                choices=Impact.choices,
            )
            self.fields[f"notes_{characteristic.value}"] = forms.CharField(
                label=f"{characteristic.label}: notes", required=False, max_length=SECTION,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def initial_from(eia: EqualityImpactAssessment) -> dict:
        initial = {field: getattr(eia, field) for field in
                   ["aims", "evidence_and_data", "consultation_summary", "mitigation", "decision",
                    "decision_rationale"]}
        initial["base_revision"] = eia.draft_revision
        for characteristic in ProtectedCharacteristic:
            entry = (eia.impacts or {}).get(characteristic.value, {})
            initial[f"impact_{characteristic.value}"] = entry.get("impact", "")
            initial[f"notes_{characteristic.value}"] = entry.get("notes", "")
        return initial

    def clean(self):
        data = super().clean()
        required = EqualityImpactAssessment.REASONS_REQUIRED.get(data.get("decision"))
        if required:
            self.require("decision_rationale", required)
        return data

    def section_values(self) -> dict:
        data = self.cleaned_data
        values = {field: data[field] for field in
                  ["aims", "evidence_and_data", "consultation_summary", "mitigation", "decision",
                   "decision_rationale"]}
        values["impacts"] = {
            characteristic.value: {"impact": data.get(f"impact_{characteristic.value}") or "",
                                   "notes": data.get(f"notes_{characteristic.value}") or ""}
            for characteristic in ProtectedCharacteristic
        }
        return values

    def characteristic_rows(self):
        return [(characteristic.label, self[f"impact_{characteristic.value}"], self[f"notes_{characteristic.value}"])
                for characteristic in ProtectedCharacteristic]

    def main_fields(self):
        return [self[name] for name in ["aims", "evidence_and_data", "consultation_summary"]]

    def closing_fields(self):
        return [self[name] for name in ["mitigation", "decision", "decision_rationale", "base_revision"]]


class WorkbookForm(GovUKForm):
    need = _text("The need", "Stage 1: the scope of the problem to be addressed.")
    legislation = _text("Relevant legislation, strategies and priorities")
    data_and_statistics = _text("Relevant data and statistics",
                                "For example monitoring results for an existing policy.")
    costs_and_resources = _text("Cost and resource implications")
    benefits = _text("Benefits analysis")
    health_and_safety_impact = forms.ChoiceField(
        label="Health and safety impact", required=False, widget=forms.RadioSelect,
        choices=PolicyWorkbook.HealthAndSafetyImpact.choices,
        help_text="Every policy states its health and safety impact, or states explicitly that there is none.",
    )
    health_and_safety_statement = _text("Health and safety impact statement")
    information_management = _text("Information management")
    consultation_summary = _text("Summary of consultation feedback")
    implementation_plan = _text("Implementation plan", "How the policy will be communicated, and any resources and "
                                "training it needs.")
    monitoring_process = _text("Monitoring process", "How diversity impact, compliance, performance and benefits will "
                               "be measured.")
    base_revision = forms.IntegerField(widget=forms.HiddenInput)

    SECTIONS = ["need", "legislation", "data_and_statistics", "costs_and_resources", "benefits",
                "health_and_safety_impact", "health_and_safety_statement", "information_management",
                "consultation_summary", "implementation_plan", "monitoring_process"]


# A report's performance section is not published on the Publication Scheme with the rest (SOP, stage 6): its hint
# says so in the Scheme page's words (assessments.scheme_sections).
PERFORMANCE_NOT_ON_THE_SCHEME = scheme_sections.ON_THE_FORM


class MonitoringReportForm(submissions.OneTimeSubmissionForm):
    submission_purpose = submissions.MONITORING_REPORT_CREATE
    period_start = DateField(label="Period start", error_messages={"required": "Enter the start of the period"})
    period_end = DateField(label="Period end", error_messages={"required": "Enter the end of the period"})
    compliance = _text("Compliance")
    benefits = _text("Benefits")
    performance = _text("Performance", PERFORMANCE_NOT_ON_THE_SCHEME)
    diversity_impact = _text("Diversity impact")


class MonitoringPeriodForm(GovUKForm):
    """A draft's period corrected (assessments.services.monitoring_report_correct_period)."""

    period_start = DateField(label="Period start", error_messages={"required": "Enter the start of the period"})
    period_end = DateField(label="Period end", error_messages={"required": "Enter the end of the period"})


class DiscardReportForm(GovUKForm):
    """A draft started by mistake discarded by its author or PCU (assessments.services.monitoring_report_discard)."""

    reason = forms.CharField(label="Why are you discarding it?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, error_messages={"required": "Say why you are discarding this report"})


class MonitoringSectionsForm(GovUKForm):
    compliance = _text("Compliance")
    benefits = _text("Benefits")
    performance = _text("Performance", PERFORMANCE_NOT_ON_THE_SCHEME)
    diversity_impact = _text("Diversity impact")
    base_revision = forms.IntegerField(widget=forms.HiddenInput)


class CoordinatorQAForm(GovUKForm):
    outcome = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect,
        choices=[("passed", "Fit for purpose: send to PCU for publication"),
                 ("returned", "Return to the author with comments")],
        error_messages={"required": "Choose whether the report passes or is returned"},
    )
    comments = forms.CharField(label="Comments", required=False, widget=forms.Textarea, max_length=SECTION)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "returned":
            self.require("comments", "Enter comments explaining what must change")
        return data


class RetrospectiveQAForm(GovUKForm):
    discipline = forms.ChoiceField(label="Signing off for", widget=forms.RadioSelect,
                                   error_messages={"required": "Choose what you sign off"})
    comments = forms.CharField(label="Comments (optional)", required=False, widget=forms.Textarea,
                               max_length=SECTION)

    def __init__(self, *args, disciplines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discipline"].choices = list(disciplines)
        if len(disciplines) == 1:
            self.fields["discipline"].initial = disciplines[0][0]


class RetrospectiveEIAForm(GovUKForm):
    comments = forms.CharField(label="Comments (optional)", required=False, widget=forms.Textarea,
                               max_length=SECTION)


class RemedialActionDoneForm(GovUKForm):
    outcome = forms.CharField(label="What was done", widget=forms.Textarea, max_length=SECTION,
                              error_messages={"required": "Enter what was done"})


class ReviewReadingForm(GovUKForm):
    changes_in_response = forms.CharField(
        label="What the review changes in response to this report",
        help_text="The sections you will change and why, or why the results call for no change.",
        widget=forms.Textarea, max_length=SECTION,
        error_messages={"required": "Enter what the review changes in response to this report (or why nothing)"},
    )
