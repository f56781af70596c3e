"""Hard gates of the cycle: conditions on django-fsm transitions, each with a reason fit to show a user.

Each gate is a plain function of the policy. ``gate`` attaches the sentence shown when it fails, and ``unmet_gates``
lists those sentences for a transition so a service (or the submission checklist) can say exactly what is missing.

The gates of a review concluding no change are ``lifecycle.gates_no_change``, which builds on this module (never the
reverse)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from core.compiled import CompiledRead
from core.dates import moment_shown
from lifecycle.monitoring_reports import report_awaits_response, reports_since_last_review
from lifecycle.sop_text import has_sops, sops_without_text
from lifecycle.states import PAGE_READS

Gate = Callable[[object], bool]


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a gate lists on the checklist (a monitoring report to read), with its page ("": none its reader may
    open) and whether it is done."""

    label: str
    url: str
    done: bool


def gate(reason: str, *, label: str, fix: str = "", field: str = "", listing: Callable | None = None,
         applies: Callable | None = None, where: Callable | None = None, explained: bool = False,
         instead: str = "", said: Callable | None = None) -> Callable[[Gate], Gate]:
    """``reason``: the sentence shown when the gate fails; ``label``: what it asks for, as a checklist item;
    ``fix``: the page where it is put right; ``field``: the field of that page's form it names, which the checklist's
    link opens (lifecycle.next_steps.fix_url); ``listing``: the items the checklist lists under it, as its reader may
    read them, ``listing(policy, reports_readable=Q) -> [ChecklistItem]`` (``reports_readable``: the Q a monitoring
    report must match for the reader to read it, lifecycle.selectors.frozen_marking_readable, which the page gives:
    the selectors build on this module); ``applies``: whether it asks anything of this policy at all,
    ``applies(policy) -> bool`` (a gate that does not apply holds, and the checklist leaves it out rather than list it
    as done); ``where``: the same condition as a Q on policies, ``where() -> Q``, for lists (a part under way, in My
    work's queues: ``Step.under_way``); ``explained``: the checklist says the reason under the item while it is unmet,
    where its label alone would not tell the reader what to do; ``instead``: the slug of a step's page that is the
    other way to settle it, linked from the item for those it is offered to (lifecycle.next_steps.checklist);
    ``said``: the sentence said when it fails on a policy where that must name what only the policy's records hold,
    ``said(policy) -> str`` (who decided the withdrawal, and when), in place of ``reason`` (``reason_for``)."""

    def decorate(function: Gate) -> Gate:
        function.reason, function.label, function.fix, function.field = reason, label, fix, field
        function.listing, function.applies, function.where = listing, applies, where
        function.explained, function.instead, function.said = explained, instead, said
        return function

    return decorate


def reason_for(check: Gate, policy) -> str:
    """The sentence said when ``check`` fails on ``policy``: what its ``said`` says of the policy, where it has one;
    else its ``reason``, where ``{version}`` is the number of the policy's current version (as a page's explanation
    names it, lifecycle.next_steps.explanation)."""
    if getattr(check, "said", None) is not None:
        return check.said(policy)
    if "{version}" not in check.reason:
        return check.reason
    version = policy.current_version
    return check.reason.replace("{version}", version.number if version is not None else "")


def _workbook(policy):
    version = policy.current_version
    return getattr(version, "workbook", None) if version else None


def _eia(policy):
    version = policy.current_version
    return getattr(version, "eia", None) if version else None


def _filled(value) -> bool:
    return bool(value and str(value).strip())


# --- Stage 1, scoping: "Carry out initial research into the issue to identify: the scope of the problem
# to be addressed - what is the need? relevant legislation / strategies / priorities; any relevant data /
# statistics; cost or resources implications; benefits analysis" ... "It is at this stage work should
# begin on completing the Equality Impact Assessment and Corporate Policy Workbook".


@gate("The need for the policy is not recorded in the Workbook.",
      label="Record the need in the Workbook", fix="workbook", field="need")
def need_recorded(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.need)


@gate("Relevant legislation, strategies and priorities are not recorded in the Workbook.",
      label="Record relevant legislation, strategies and priorities", fix="workbook", field="legislation")
def legislation_recorded(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.legislation)


@gate("Relevant data and statistics are not recorded in the Workbook.",
      label="Record relevant data and statistics", fix="workbook", field="data_and_statistics")
def data_recorded(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.data_and_statistics)


@gate("Cost and resource implications are not recorded in the Workbook.",
      label="Record cost and resource implications", fix="workbook", field="costs_and_resources")
def costs_recorded(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.costs_and_resources)


@gate("The benefits analysis is not recorded in the Workbook.", label="Record the benefits analysis", fix="workbook",
      field="benefits")
def benefits_recorded(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.benefits)


@gate("The Equality Impact Assessment has not been started (record its aims).",
      label="Start the Equality Impact Assessment", fix="eia", field="aims")
def eia_started(policy) -> bool:
    eia = _eia(policy)
    return eia is not None and _filled(eia.aims)


# --- Stage 2, commissioning: "seek formal agreement to progress the work, through the relevant
# Designated Business Group Policy Lead."


@gate("The Designated Lead's commissioning decision for this cycle is not recorded.",
      label="Commissioning decision by the Designated Lead", fix="commissioning")
def commissioning_recorded(policy) -> bool:
    return policy.commissioning_decisions.filter(cycle=policy.current_cycle, decision="commissioned").exists()


# --- Stage 3, development.


@gate("The Safety and Health Risk Management Team has not been consulted (SOP: \"The Safety and Health "
      "Risk Management Team must be consulted\").",
      label="Consult the Safety and Health Risk Management Team", fix="consultation")
def shrmt_consulted(policy) -> bool:
    return policy.consultations.filter(cycle=policy.current_cycle, consultee_type="shrmt").exists()


# SOP: the policy states its health and safety implications, "or none" (issue 13: a section of the statement,
# published with it).
@gate("The Policy Statement has no health and safety statement (state the implications, or state explicitly that "
      "none were identified).", label="Write the health and safety statement", fix="statement",
      field="health_and_safety")
def health_and_safety_statement(policy) -> bool:
    version = policy.current_version
    return version is not None and version.has_health_and_safety_statement


@gate("The Equality Impact Assessment has not been updated with a summary of consultation feedback.",
      label="Summarise consultation feedback in the EIA", fix="eia", field="consultation_summary")
def eia_consultation_summary(policy) -> bool:
    eia = _eia(policy)
    return eia is not None and _filled(eia.consultation_summary)


@gate("The Workbook has not been updated with a summary of consultation feedback.",
      label="Summarise consultation feedback in the Workbook", fix="workbook", field="consultation_summary")
def workbook_consultation_summary(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.consultation_summary)


@gate("There is no implementation plan (SOP: \"Develop an appropriate implementation plan\").",
      label="Write the implementation plan", fix="workbook", field="implementation_plan")
def implementation_plan(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.implementation_plan)


@gate("There is no monitoring process (SOP: \"Identify and/or develop effective and proportionate "
      "monitoring processes\").", label="Describe the monitoring process", fix="workbook", field="monitoring_process")
def monitoring_process(policy) -> bool:
    workbook = _workbook(policy)
    return workbook is not None and _filled(workbook.monitoring_process)


@gate("The Policy Statement is empty.", label="Write the Policy Statement", fix="statement")
def statement_written(policy) -> bool:
    version = policy.current_version
    return version is not None and _filled(version.statement_text)


# SOP, "Definitions": "A Standard Operating Procedure details the actions to be taken to achieve the policy"; stage 4:
# "Once satisfied the documents are ready for approval", the Policy Statement, the SOPs, the EIA and the Workbook are
# submitted. A draft may hold an SOP still being written (added by its title first), so the SOP pages accept one; the
# package is frozen for quality assurance, or by the emergency route, only once each of its SOPs says what is done.
@gate("An SOP in the draft has no procedure written (SOP: \"A Standard Operating Procedure details the actions to be "
      "taken to achieve the policy\"): write its procedure, or remove the SOP from the draft.",
      label="Write the procedure of every SOP in the draft", fix="statement", applies=has_sops)
def sops_written(policy) -> bool:
    return not sops_without_text(policy)


def _is_a_review(policy) -> bool:
    """The version drafted revises a published one: there is a last review (or first publication) to read since, and
    changes to summarise."""
    version = policy.current_version
    return version is not None and version.revises_published


# SOP, stage 4: "if a reviewed document, this should include a summary note of changes". A first version revises
# nothing: the checklist leaves the note out rather than list it as done (a user walk found it "Done" on version 1.0).
@gate("This version revises a published policy: record a summary note of changes (SOP, stage 4).",
      label="Summarise the changes (reviewed policies)", fix="statement", field="summary_of_changes",
      applies=_is_a_review)
def summary_of_changes_for_review(policy) -> bool:
    version = policy.current_version
    return version is not None and (not version.revises_published or _filled(version.summary_of_changes))


# --- Stage 4, approval.


@gate("Quality assurance has not passed: PCU, DCFD and DOI must each record a sign-off.",
      label="Quality assurance by PCU, DCFD and DOI", fix="qa")
def all_qa_signoffs_passed(policy) -> bool:
    version = policy.current_version
    if version is None:
        return False
    passed = set(version.qa_signoffs.filter(outcome="passed").values_list("discipline", flat=True))
    return passed >= {"pcu", "dcfd", "doi"}


# "Any proposed corporate policy that has not been impact assessed using the Policy Workbook/Checklist and
# Equality Impact Assessment (Form 6119a) is not considered fit for purpose and consequently will not be
# approved for internal or external publication."
@gate("The Equality Impact Assessment has no recorded decision, so the policy has not been impact "
      "assessed and cannot be approved (use the emergency route only for immediate operational needs).",
      label="Complete the Equality Impact Assessment", fix="eia")
def impact_assessed(policy) -> bool:
    eia = _eia(policy)
    return eia is not None and eia.is_complete


@gate("The Lead's approval of this version is not recorded.", label="The Lead's approval", fix="approval")
def approval_recorded(policy) -> bool:
    version = policy.current_version
    return version is not None and version.approval_decisions.filter(
        decision__in=["approved", "emergency_approved"]
    ).exists()


# The retrospective EIA belongs to the emergency-approved version. A review's new draft would become the current
# version, strand that EIA, and have its own EIA frozen by DCFD's sign-off mid-review.
@gate("The policy was approved by the emergency route and is not yet impact assessed: DCFD must sign off the "
      "retrospective Equality Impact Assessment before a review can start.",
      label="DCFD's sign-off of the retrospective Equality Impact Assessment", fix="eia")
def retrospective_eia_signed_off(policy) -> bool:
    return not policy.not_impact_assessed


@gate("The policy has never been published.", label="Published at least once")
def has_been_published(policy) -> bool:
    return policy.first_published_on is not None


def scheduled_publication_date(policy):
    """The date PCU scheduled the policy's publication for, or None. A schedule outlives no move of the policy (the
    scheduler cancels it), so any is the current version's. Read through the policy's relation (the status is
    publication's ``Publication.Status``), once per policy object: the overview asks it both for the Publish step's
    offer and for what it says comes next."""
    if "_scheduled_publication_date" not in policy.__dict__:
        policy.__dict__["_scheduled_publication_date"] = (
            policy.publications.filter(status="scheduled").values_list("scheduled_for", flat=True).first())
    return policy.__dict__["_scheduled_publication_date"]


# --- Monitoring feeds the review (issue 13): the reports read through lifecycle.monitoring_reports.


@gate("No quality-assured monitoring report is waiting for the Designated Lead's response.",
      label="A quality-assured monitoring report to respond to", fix="monitoring")
def monitoring_report_awaits_response(policy) -> bool:
    return report_awaits_response(policy)


# Said on the checklist of a report its reader may not read (one made OFFICIAL-SENSITIVE, a reader not cleared for
# it): neither its period nor its link, which would answer 404, as its Monitoring tab and the timeline leave it out.
# The gate waits on it all the same, read by those who may.
REPORT_NOT_READABLE = "A monitoring report you are not cleared to read"


def _reports_to_read(policy, *, reports_readable: Q) -> list[ChecklistItem]:
    version = policy.current_version
    if version is None or not version.revises_published:
        return []
    cycle = policy.current_cycle
    # Whether the reader may read each, by the report's own marking, in the query that reads them.
    reports = (reports_since_last_review(policy)
               .annotate(reader_may_read=ExpressionWrapper(reports_readable, output_field=BooleanField()))
               .prefetch_related("readings"))
    return [ChecklistItem(
        label=(f"Monitoring report {report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}"
               if report.reader_may_read else REPORT_NOT_READABLE),
        url=(reverse("assessments:monitoring_report", args=[policy.reference, report.pk])
             if report.reader_may_read else ""),
        done=any(reading.cycle == cycle for reading in report.readings.all()),
    ) for report in reports]


@gate("The monitoring reports since the last review have not all been read: for each, record what the review "
      "changes in response (SOP: \"This monitoring data then feeds into future policy reviews\").",
      label="Read the monitoring reports since the last review and record what the review changes",
      fix="monitoring", listing=_reports_to_read, applies=_is_a_review)
def monitoring_reports_read(policy) -> bool:
    if not _is_a_review(policy):
        return True
    return not reports_since_last_review(policy).exclude(readings__cycle=policy.current_cycle).exists()


SCOPING_GATES = [need_recorded, legislation_recorded, data_recorded, costs_recorded, benefits_recorded, eia_started,
                 monitoring_reports_read]


# --- Stage 6: the open records a part under way waits on (a no-change review, lifecycle.gates_no_change; a decided
# withdrawal, below), and bringing a review forward.


@functools.cache
def _open_record(model_name: str, closed_by: str) -> CompiledRead:
    """A policy's open record of ``model_name`` (``closed_by`` not yet set; one at most, by the model's constraint),
    compiled once per process (core.compiled) on first use (the models load after this module)."""
    model = apps.get_model("lifecycle", model_name)

    def build(*, policy_id):
        return model.objects.filter(policy_id=policy_id, **{f"{closed_by}__isnull": True}).order_by()[:1]

    return CompiledRead(model, build, ints=("policy_id",))


def read_once_for_page(policy, model_name: str, closed_by: str):
    """``_open_record``'s read, kept on a page's policy for the request (``PAGE_READS``); afresh on any other."""
    reads = policy.__dict__.get(PAGE_READS)
    if reads is not None and model_name in reads:
        return reads[model_name]
    record = next(_open_record(model_name, closed_by).read(policy_id=policy.pk), None)
    if reads is not None:
        reads[model_name] = record
    return record


def policies_decided(model_name: str, *waiting, column: str = "pk") -> Q:  # a gate's ``where``: its record's own
    # condition on policies (``column``: on records of policies, by their column of the policy's id, where it says so)
    model = apps.get_model("lifecycle", model_name)
    return model.policies_where(*waiting) if column == "pk" else model.policies_where(*waiting, column=column)


# SOP: "Ensure policies are reviewed ... at least once every 3 years, if no earlier review has been prompted by
# monitoring results, or external factors": an earlier review moves a date still to come. A new date must be today or
# later and before the one due (policy_set_review_date), so from the review date on none can be: the review is started.
@gate("the review is already due, so there is no earlier date to bring it forward to. Start the review instead.",
      label="The review date is still to come")
def review_date_ahead(policy) -> bool:
    return policy.review_due_on is None or policy.review_due_on > timezone.localdate()


# --- Withdrawal (issue 13): decided by the Lead or the owner, who "retain ultimate ownership", carried out by PCU.


def open_withdrawal_decision(policy):  # the decided withdrawal PCU has not yet carried out, or None
    return read_once_for_page(policy, "WithdrawalDecision", "carried_out_at")


def open_withdrawal_decision_column():
    """The id of the policy's open withdrawal decision, as a column of a query on policies (NULL where none is open):
    from the open decisions' partial unique index (lifecycle.models.WithdrawalDecision.Meta)."""
    model = apps.get_model("lifecycle", "WithdrawalDecision")
    return Subquery(model.objects.filter(policy_id=OuterRef("pk"), carried_out_at__isnull=True).order_by()
                    .values("pk")[:1])


def page_read_withdrawal(policy, decision_id) -> None:
    """Keep on a page's policy (``PAGE_READS``) what its read said of an open withdrawal decision
    (``open_withdrawal_decision_column``): none, so that the halt every step asks (lifecycle.steps.HALTS) costs the
    page no query; one, read when first asked (it names who decided and when)."""
    reads = policy.__dict__.get(PAGE_READS)
    if reads is not None and decision_id is None:
        reads["WithdrawalDecision"] = None


def _withdrawal_decided_said(policy) -> str:
    """Who decided the open withdrawal, and when: said of every step it closes (lifecycle.steps.HALTS)."""
    decision = open_withdrawal_decision(policy)
    if decision is None:  # carried out meanwhile: the policy is withdrawn, which its status says
        return withdrawal_not_decided.reason
    return (f"its withdrawal was decided by {decision.decided_by} {moment_shown(decision.decided_at)}, and the Policy "
            "Co-ordination Unit is to carry it out; nothing else moves it on until then.")


# The one condition that stops the whole cycle (lifecycle.steps.HALTS): once the Lead or the owner has decided to
# withdraw the policy, no step moves it on but PCU's withdrawal.
@gate("The withdrawal of this policy has already been decided: PCU is to carry it out.",
      label="No withdrawal decided", said=_withdrawal_decided_said,
      where=lambda column="pk": ~policies_decided("WithdrawalDecision", column=column))
def withdrawal_not_decided(policy) -> bool:
    return open_withdrawal_decision(policy) is None


@gate("Neither the Designated Lead nor the Management Board owner has decided to withdraw this policy (they retain "
      "ultimate ownership of it): PCU carries out a withdrawal once it is decided.",
      label="The Lead's or the owner's decision to withdraw", where=lambda: policies_decided("WithdrawalDecision"))
def withdrawal_decided(policy) -> bool:
    return open_withdrawal_decision(policy) is not None


# --- Local work instructions (issue 13). SOP, "Local Work Instructions": they "sit outside of the corporate policy
# development process"; "They must not be produced to supplement, or as an alternative to Corporate Policy, unless
# there is prior agreement with the corporate lead"; "Local work instructions are not the responsibility of the Policy
# Co-ordination Unit. People developing 'local policy' and guidance ... are still required to complete an Equality
# Impact Assessment".


def current_local_agreement(policy):
    """The corporate Lead's agreement to the draft as it now stands (its content hash), or None."""
    version = policy.current_version
    if version is None or policy.supports_id is None:
        return None
    return (policy.local_agreements.filter(policy_version=version, content_hash=version.binding_hash,
                                           supported_policy_id=policy.supports_id)
            .select_related("agreed_by").first())


@gate("It supplements a corporate policy whose Designated Lead has not agreed to this draft (SOP: local work "
      "instructions \"must not be produced to supplement, or as an alternative to Corporate Policy, unless there is "
      "prior agreement with the corporate lead\").",
      label="The agreement of the corporate policy's Designated Lead")
def corporate_lead_agreed(policy) -> bool:
    return policy.supports_id is None or current_local_agreement(policy) is not None


@gate("The Equality Impact Assessment has no recorded decision: a local work instruction still needs one (SOP: people "
      "developing local policy \"are still required to complete an Equality Impact Assessment\").",
      label="Complete the Equality Impact Assessment", fix="eia")
def local_eia_complete(policy) -> bool:
    return impact_assessed(policy)


@gate("The corporate policy's Designated Lead has already agreed to this draft.",
      label="Not yet agreed by the corporate policy's Lead")
def corporate_lead_not_yet_agreed(policy) -> bool:
    return current_local_agreement(policy) is None


SUBMISSION_GATES = [
    statement_written,
    shrmt_consulted,
    health_and_safety_statement,
    eia_consultation_summary,
    workbook_consultation_summary,
    implementation_plan,
    monitoring_process,
    summary_of_changes_for_review,
    # Checked again at approval; asked here so DCFD quality-assures a finished assessment and a review (whose
    # EIA decision is cleared) cannot travel all the way to the Lead to be refused there.
    impact_assessed,
]
APPROVAL_GATES = [all_qa_signoffs_passed, impact_assessed, summary_of_changes_for_review]


def unmet_gates(gates: list[Gate], policy) -> list[Gate]:
    return [check for check in gates if not check(policy)]
