"""Equality Impact Assessment (Form 6119a), Corporate Policy Workbook, and annual Monitoring Reports.

SOP, stage 3: "Any proposed corporate policy that has not been impact assessed using the Policy
Workbook/Checklist and Equality Impact Assessment (Form 6119a) is not considered fit for purpose".
The EIA and Workbook belong to a policy version package and are frozen with it on submission.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from core.fsm import ConcurrentTransitions
from lifecycle.states import ProtectiveMarking, highest_marking


class ProtectedCharacteristic(models.TextChoices):
    # Equality Act 2010, section 4.
    AGE = "age", "Age"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
    MARRIAGE = "marriage_civil_partnership", "Marriage and civil partnership"
    PREGNANCY = "pregnancy_maternity", "Pregnancy and maternity"
    RACE = "race", "Race"
    RELIGION = "religion_belief", "Religion or belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"


class Impact(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "No impact identified"
    NEGATIVE = "negative", "Negative (adverse)"


class EqualityImpactAssessment(models.Model):
    class Decision(models.TextChoices):
        NO_MAJOR_CHANGE = "no_major_change", "No major change needed"
        ADJUST = "adjust", "Adjust the policy to remove barriers"
        CONTINUE = "continue", "Continue despite potential adverse impact (justified)"
        # The assessment's conclusion that the policy must not go ahead: a package saying so is not submitted for
        # quality assurance, nor signed off by DCFD on any route (lifecycle.gates.eia_not_concluding_stop; SOP, role
        # of DCFD: "Quality assure ... Equality Impact Assessments, to ensure that all corporate policies seek to
        # eliminate discrimination").
        STOP = "stop", "Stop and remove the policy"

    # The outcomes that keep a policy despite its potential adverse impact ("justified"), or stop it, say why: what is
    # said when their reasons are missing (the EIA's form, at the field, and assessments.services.eia_update).
    REASONS_REQUIRED = {
        Decision.CONTINUE: "Enter the justification for continuing despite the potential adverse impact",
        Decision.STOP: "Enter the reasons the policy should stop",
    }

    policy_version = models.OneToOneField(
        "lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="eia"
    )
    aims = models.TextField(blank=True, verbose_name="Aims and objectives of the policy")
    evidence_and_data = models.TextField(blank=True)
    consultation_summary = models.TextField(blank=True, verbose_name="Summary of consultation feedback")
    # {characteristic: {"impact": Impact, "notes": str}} for each ProtectedCharacteristic.
    impacts = models.JSONField(default=dict, blank=True, verbose_name="Impact on each protected characteristic")
    mitigation = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_rationale = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the package is submitted (or, after an emergency approval, when DCFD signs off the
    # retrospective EIA). From then on the row is evidence: PostgreSQL refuses UPDATE and DELETE.
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    draft_revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "equality impact assessment"

    def __str__(self) -> str:
        return f"EIA for {self.policy_version}"

    @property
    def missing_characteristics(self) -> list[str]:
        return [
            characteristic.label
            for characteristic in ProtectedCharacteristic
            if (self.impacts or {}).get(characteristic.value, {}).get("impact") not in Impact.values
        ]

    @property
    def concludes_stop(self) -> bool:
        return self.decision == self.Decision.STOP

    @property
    def reasons_missing(self) -> bool:
        """An outcome that must say why (``REASONS_REQUIRED``) with no reasons recorded."""
        return self.decision in self.REASONS_REQUIRED and not self.decision_rationale.strip()

    @property
    def is_complete(self) -> bool:
        """Impact assessed: every protected characteristic considered and a decision recorded."""
        return bool(self.aims.strip() and self.decision and not self.missing_characteristics)

    # Its sections: what its form writes and its revisions keep (assessments.receivers.EIA_FIELDS), and what a reader
    # reads of it (its page, DCFD's sign-off page).
    SECTIONS = ("aims", "evidence_and_data", "consultation_summary", "impacts", "mitigation", "decision",
            "decision_rationale")

    @property
    def content_hash(self) -> str:
        """Rule 17, like HTTP If-Match: what DCFD's sign-off of the emergency route's retrospective EIA is bound to
        (assessments.services.eia_complete_retrospective): ``sections_hash`` of every section its reader reads
        (``SECTIONS``). It changes with every save until DCFD signs it off, and then cannot change (its append-only
        trigger once frozen)."""
        return sections_hash(self, self.SECTIONS)


def sections_hash(document, sections) -> str:
    """Rule 17, like HTTP If-Match: what a sign-off of a version's EIA or Workbook is bound to. SHA-256 over the
    ``sections`` of ``document`` its sign-off page shows, and the version it belongs to. Worked out from the row, as a
    monitoring report's is, not stored: the row changes with every save until it is signed off and frozen, and a
    stored copy would only be one more thing to keep in step."""
    content = {"version": document.policy_version_id,
               "sections": {field: getattr(document, field) for field in sections}}
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class PolicyWorkbook(models.Model):
    class HealthAndSafetyImpact(models.TextChoices):
        IMPACT = "impact", "The policy has a health and safety impact"
        NONE = "none", "There is no health and safety impact"

    policy_version = models.OneToOneField(
        "lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="workbook"
    )
    # Stage 1, scoping.
    need = models.TextField(blank=True, verbose_name="The need: scope of the problem to be addressed")
    legislation = models.TextField(blank=True, verbose_name="Relevant legislation, strategies and priorities")
    data_and_statistics = models.TextField(blank=True, verbose_name="Relevant data and statistics")
    costs_and_resources = models.TextField(blank=True, verbose_name="Cost and resource implications")
    benefits = models.TextField(blank=True, verbose_name="Benefits analysis")
    # SOP, "Role of Policy Developers": "all MPS policies will contain an explicit health and safety impact
    # statement ... Where there is no health and safety impact, a statement to this effect must be included."
    health_and_safety_impact = models.CharField(max_length=8, choices=HealthAndSafetyImpact.choices, blank=True)
    health_and_safety_statement = models.TextField(blank=True)
    information_management = models.TextField(blank=True)
    consultation_summary = models.TextField(blank=True, verbose_name="Summary of consultation feedback")
    implementation_plan = models.TextField(blank=True)
    monitoring_process = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the package is submitted (or, after an emergency approval, when DCFD signs off the
    # retrospective EIA). From then on the row is evidence: PostgreSQL refuses UPDATE and DELETE.
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    draft_revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "corporate policy workbook"

    def __str__(self) -> str:
        return f"Workbook for {self.policy_version}"

    # Issue 13: what an emergency approval skips in the Workbook, completed afterwards by the policy's authors and
    # signed off late: by PCU, which then freezes the Workbook, and, for information management, by DOI (SOP, role of
    # the Directorate of Information: "Audit policies, SOPs, and Workbook/Checklist from an information management
    # perspective"). The rest of the Workbook was approved as it stands.
    IMPACT_SECTIONS = ("health_and_safety_impact", "health_and_safety_statement", "information_management",
                       "consultation_summary")

    @property
    def has_health_and_safety_statement(self) -> bool:
        return bool(self.health_and_safety_impact and self.health_and_safety_statement.strip())

    @property
    def impact_sections_hash(self) -> str:
        """Rule 17: what PCU's and DOI's late sign-off of what the emergency route skipped is bound to
        (assessments.services.retrospective_qa_signoff): ``sections_hash`` of the impact sections their page shows
        (``IMPACT_SECTIONS``)."""
        return sections_hash(self, self.IMPACT_SECTIONS)


class MonitoringReport(ConcurrentTransitions, models.Model):
    """SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on an
    annual basis, and submitted to the Business Group Policy Co-ordinator for quality assurance. Once
    satisfied, the Business Group Policy Co-ordinator will send the report to the Policy Co-ordination Unit
    to arrange for it to be published on the MPS Publication Scheme." """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "With the co-ordinator for quality assurance"
        QA_PASSED = "qa_passed", "Quality assured: with PCU for publication"
        PUBLISHED = "published", "Published"
        # Started by mistake and discarded by its author or PCU before it was submitted (or once returned):
        # kept, not deleted, for its events name it and a returned one carries the co-ordinator's comments
        # (assessments.services.monitoring_drafts). It holds no period and is no longer listed.
        DISCARDED = "discarded", "Discarded"

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="monitoring_reports")
    period_start = models.DateField()
    period_end = models.DateField()
    compliance = models.TextField(blank=True)
    benefits = models.TextField(blank=True)
    performance = models.TextField(blank=True)
    diversity_impact = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Issue 13: the due date this report answers, set when it is submitted (the policy's next report then falls
    # due 12 months after it) and cleared if the co-ordinator returns it (the date is due again, and late).
    answers_due_on = models.DateField(null=True, blank=True, editable=False)
    qa_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    qa_at = models.DateTimeField(null=True, blank=True)
    qa_comments = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The protective marking the report was written under, frozen with it as a version's is with the version: the
    # policy's marking in force when it was written, raised (never lowered) to the policy's when it is submitted and
    # when it is published (assessments.services.monitoring). A report written or published while the policy was
    # OFFICIAL-SENSITIVE stays so once a review's downgrade is published; the stricter of it and the policy's marking
    # now decides who reads it (assessments.selectors).
    protective_marking = models.CharField(max_length=20, choices=ProtectiveMarking.choices, editable=False)
    # Raised by every save of the draft's sections: a save from a page drawn before another is refused
    # (core.stale_saves, as the EIA's and the Workbook's are).
    draft_revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["policy", "-period_end"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")),
                                   name="monitoring_period_is_positive"),
            models.CheckConstraint(condition=models.Q(protective_marking__in=ProtectiveMarking.values),
                                   name="monitoring_report_is_marked"),
        ]
        indexes = [
            # My work's queue of reports to quality-assure or publish (workspace.selectors): the oldest submitted
            # first, read in this index's order and stopped at the page's 20, not every report of a status
            # sorted (make bench, PCU at 72,000 reports: 36 ms).
            models.Index(fields=["status", "submitted_at"], name="monitoring_report_queue_idx"),
            # Notices and both feeds (publication.notices): the reports published, newest first, read in this
            # index's order and stopped at the page of 50, not every report ever published sorted.
            models.Index(fields=["published_at", "id"], condition=models.Q(status="published"),
                         name="monitoring_published_idx"),
        ]

    def __str__(self) -> str:
        return (f"Monitoring report {self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y} for "
                f"{self.policy.reference}")

    # The sections of the Monitoring Report template, in order; those it must have written before it is submitted,
    # by field: their labels.
    SECTIONS = ("compliance", "benefits", "performance", "diversity_impact")
    REQUIRED_SECTIONS = {"compliance": "Compliance", "benefits": "Benefits", "diversity_impact": "Diversity impact"}

    @property
    def marking_read(self) -> str:
        """The marking the report is read under now, and would be published under: the stricter of its own and its
        policy's now (assessments.selectors; the services raise its own to it when it is submitted and published)."""
        return highest_marking(self.protective_marking, self.policy.protective_marking)

    @property
    def marking_read_label(self) -> str:
        return ProtectiveMarking(self.marking_read).label

    @property
    def content_hash(self) -> str:
        """Rule 17, like HTTP If-Match: what the co-ordinator's quality assurance, PCU's publication and the Lead's
        response are bound to. SHA-256 over everything the decision-maker reads of the report: its period, its
        sections, the marking it is read under (``marking_read``) and the co-ordinator's comments (``qa_comments``,
        shown with it on its page and on the Lead's response page: a return's, read again when it is resubmitted; the
        quality assurance's, which PCU and the Lead read). Worked out from the row, not stored: every part of it is on
        the row a page reads anyway (its policy too, reached through ``policy.monitoring_reports``), a report changes
        until it is submitted and again once returned, and a published one cannot change at all (its append-only
        trigger, migration 0004), so a stored copy would only be one more thing to keep in step."""
        content = {"period": [self.period_start.isoformat(), self.period_end.isoformat()],
                   "sections": {field: getattr(self, field) for field in self.SECTIONS},
                   "marking": self.marking_read, "qa_comments": self.qa_comments}
        encoded = json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    @property
    def missing_sections(self) -> list[str]:
        return [label for field, label in self.REQUIRED_SECTIONS.items() if not getattr(self, field).strip()]

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.DRAFT)
    def return_to_author(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.QA_PASSED)
    def pass_qa(self) -> None:
        pass

    @transition(field=status, source=Status.QA_PASSED, target=Status.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=status, source=Status.DRAFT, target=Status.DISCARDED)
    def discard(self) -> None:
        pass


class MonitoringResponse(models.Model):
    """The Designated Lead's response to a quality-assured monitoring report. SOP, role of the Designated Business
    Group Policy Lead: "review monitoring results and direct remedial action"; and "This monitoring data then feeds
    into future policy reviews". One response per report: no action, remedial action (what, who, by when: chased
    until it is recorded as done, ``lifecycle.due.REMEDIAL``), or bringing the review forward."""

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", "No action needed"
        REMEDIAL = "remedial", "Remedial action"
        BRING_FORWARD = "bring_forward", "Bring the review forward"

    report = models.OneToOneField(MonitoringReport, on_delete=models.PROTECT, related_name="response")
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="monitoring_responses")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    # Remedial action: what, who, by when.
    remedial_action = models.TextField(blank=True)
    remedial_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="remedial_actions")
    remedial_due_on = models.DateField(null=True, blank=True, db_index=True)
    remedial_completed_at = models.DateTimeField(null=True, blank=True)
    remedial_completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                              blank=True, related_name="+")
    remedial_outcome = models.TextField(blank=True)
    # Bringing the review forward: the date it was brought forward to (lifecycle's set_review_date step).
    review_due_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="monitoring_response_remedial_has_what_who_when",
                condition=~models.Q(outcome="remedial") | (
                    ~models.Q(remedial_action="") & models.Q(remedial_owner__isnull=False,
                                                            remedial_due_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="monitoring_response_bring_forward_has_date",
                condition=~models.Q(outcome="bring_forward") | models.Q(review_due_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: response to {self.report}"

    @property
    def remedial_open(self) -> bool:
        return self.outcome == self.Outcome.REMEDIAL and self.remedial_completed_at is None


class MonitoringReportReading(models.Model):
    """A review reads the monitoring reports since the last review, and the developer records what the review
    changes in response (SOP: "This monitoring data then feeds into future policy reviews"; stage 1: "If this is
    a policy review ... see whether there are any changes"). A gate of the review's scoping
    (``lifecycle.gates.monitoring_reports_read``)."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.PROTECT, related_name="readings")
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="monitoring_readings")
    cycle = models.PositiveIntegerField(help_text="The review's cycle (its version's major number).")
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField()
    changes_in_response = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "cycle"], name="monitoring_report_read_once_per_review"),
        ]

    def __str__(self) -> str:
        return f"{self.report} read for review {self.cycle}"


class MonitoringReportAwaitingResponse(models.Model):
    """A quality-assured monitoring report the Designated Lead has not yet responded to (SOP, role of the Designated
    Business Group Policy Lead: "review monitoring results and direct remedial action"), with its policy and when it
    was quality-assured: My work's queue of them (workspace.report_queues) is read from here, in that order, and
    stops at the page. Testing each quality-assured report for a response read every report a Lead's policies ever
    had (make bench, 100,000 policies: 10,127 read and sorted to show 21), or, read in the queue's order, every
    report answered before the first still waiting: years of them, once Leads respond.

    Written by the database alone, from assessments_monitoringreport and assessments_monitoringresponse, by triggers
    (migration assessments 0008) that fire whatever writes a report or a response: the services, the admin, the
    factories, the bench's COPY, plain SQL. The app never writes it (on PostgreSQL its role may only read it:
    ``manage.py db_roles``). A published report is never rewritten (its append-only trigger), so whether it awaits
    a response cannot be a column of its own."""

    report = models.OneToOneField(MonitoringReport, on_delete=models.DO_NOTHING, primary_key=True,
                                  related_name="awaiting_response")
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.DO_NOTHING, related_name="+")
    qa_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            # The queue's order, the report's (qa_at, id): read from here and stopped at the page's 21.
            models.Index(fields=["qa_at", "report"], name="monitoring_awaiting_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Report {self.report_id} awaiting the Lead's response"
