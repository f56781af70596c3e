"""Monitoring and review, one declaration per step: the SOP's "6. Monitoring and review" ("Monitoring of compliance,
benefits and impact should be carried out continuously throughout the lifetime of a policy"; "This monitoring data then
feeds into future policy reviews"), and withdrawal. Each is open from statuses of more than one stage (a policy in
force may still be in implementation, one under review has its new version's status), so each declares its stage.
They join the one cycle in ``lifecycle.workflow.STEPS``, which
everything reads, and are imported from there as before (``from lifecycle.workflow import START_REVIEW``)."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count, Q

from core.dates import date_shown
from core.events import AuditAction
from lifecycle import forms, gates, gates_eia, gates_no_change, gates_review_draft
from lifecycle.monitoring_reports import AWAITING_COUNTED, ReportUnderWay, reports_awaiting_response
from lifecycle.report_duties import reports_free_for
from lifecycle.states import PUBLISHED_STATUSES, Duty, PolicyKind, Stage, Status
from lifecycle.steps import DueWork, Page, Step, WorkFirst

IN_FORCE = tuple(sorted(PUBLISHED_STATUSES))
ALL_BUT_WITHDRAWN = tuple(status for status in Status.values if status != Status.WITHDRAWN)
# Steps both kinds take once in force: implementation, monitoring, review, withdrawal.
EVERY_KIND = (PolicyKind.CORPORATE, PolicyKind.LOCAL)

# The annual monitoring report: no step of the cycle (it moves no status, and is written on its own pages), but work
# that falls due while the policy waits for its review, and comes first while its date does.
MONITORING_REPORT = DueWork(
    title="Write the annual monitoring report", taken_by="the policy's developers or manager", due="monitoring",
    page="assessments:monitoring",
    doc="SOP stage 6: \"The results of this monitoring must be recorded in a Monitoring Report template on an annual "
        "basis, and submitted to the Business Group Policy Co-ordinator for quality assurance\"; the policy "
        "developer will \"Compile monitoring reports\".",
)
# QA walk of 2026-12-05 (B): once the report is submitted, no other can be started until it is published (one report
# is worked on at a time: assessments.services.monitoring_report_create), so what comes next is the part it waits for,
# read from the report's own state: SOP stage 6, "submitted to the Business Group Policy Co-ordinator for quality
# assurance. Once satisfied, the Business Group Policy Co-ordinator will send the report to the Policy Co-ordination
# Unit to arrange for it to be published on the MPS Publication Scheme".
MONITORING_REPORT_QA = DueWork(
    title="Quality-assure the monitoring report", taken_by="the business group's co-ordinator", due="monitoring",
    page="assessments:monitoring",
    doc="SOP stage 6: \"submitted to the Business Group Policy Co-ordinator for quality assurance\".",
)
MONITORING_REPORT_PUBLICATION = DueWork(
    title="Publish the monitoring report", taken_by="the Policy Co-ordination Unit", due="monitoring",
    page="assessments:monitoring",
    doc="SOP stage 6: the co-ordinator \"will send the report to the Policy Co-ordination Unit to arrange for it to be "
        "published on the MPS Publication Scheme\".",
)
# The report in progress, by its status (assessments' MonitoringReport.Status values, read through the policy's
# relation: lifecycle.monitoring_reports.REPORT_UNDER_WAY_STATUSES): the part of the annual report it waits for.
REPORT_UNDER_WAY = {"submitted": MONITORING_REPORT_QA, "qa_passed": MONITORING_REPORT_PUBLICATION}


def report_work(work: DueWork, under_way: ReportUnderWay | None) -> DueWork:
    """``work``, or, when it is the annual monitoring report and the policy has a report in progress (``under_way``;
    None: none), the part that report waits for (``REPORT_UNDER_WAY``), naming the report by the end of its period:
    "Quality-assure the monitoring report to 1 April 2025". The report due next, whose date the page shows beside
    it, cannot be started until that one is published (QA walk of 2026-12-06: My work's "Monitoring reports overdue"
    said "Quality-assure the monitoring report ... report due 1 April 2026" of the report to 1 April 2025)."""
    part = REPORT_UNDER_WAY.get(under_way.status) if work is MONITORING_REPORT and under_way is not None else None
    if part is None:
        return work
    return replace(part, title=f"{part.title} to {date_shown(under_way.period_end)}")


START_REVIEW = Step(
    done="Review started",
    taken_by="the policy's developers or manager, the co-ordinator or the Designated Lead",
    kinds=EVERY_KIND,
    name="start_review", source=IN_FORCE, target=Status.SCOPING, stage=Stage.MONITORING,
    permission="lifecycle.start_review", label="start a review of", audit=AuditAction.POLICY_REVIEW_STARTED,
    doc="SOP stage 1: \"If this is a policy review ... see whether there are any changes\".",
    gates=(gates.retrospective_eia_signed_off, gates_no_change.no_change_review_not_open),
    page=Page(slug="start-review", title="Start a review", form=forms.ReasonForm,
              success="Review started: a new draft version is open in scoping. The published version stays in "
              "force.",
              # {version}: the version in force, its number (lifecycle.next_steps.explanation).
              explanation="Starting a review opens a new major version of the policy as a draft at stage 1, "
              "scoping, for its developers to revise and take through commissioning, development, quality "
              "assurance and approval again. Version {version} stays published and in force until the reviewed "
              "version is published. SOP, stage 1: \"If this is a policy review (rather than new policy), conduct "
              "some research to see whether there are any changes to the above.\" If the review finds that the "
              "policy is still needed and needs no change, the Designated Lead uses \"Conclude the review: no change "
              "needed\" instead: no new version is drafted; DCFD confirms its Equality Impact Assessment and PCU "
              "re-publishes it."),
    notify=("authors", "coordinator"), notice="Review started",
    # SOP: "All policies will be reviewed at least every 3 years"; the annual report falls due meanwhile.
    due="review", meanwhile=(MONITORING_REPORT,),
)
# A review that concludes no change is needed (issue 13): a real, short review outcome in three steps, each its own
# person's. The policy stays in force and in its status throughout; the open NoChangeReview says whose turn it is.
# Each its own person's by their duties (lifecycle.duties; integrity review of 2026-12-06: one person holding the
# Lead, DCFD and PCU roles took all three): the SOP gives each check to its own role. The Designated Lead will
# "Approve new and reviewed policy and SOPs" (the conclusion, held as the Lead's decision, Duty.APPROVER); DCFD will
# "Quality assure Policy, SOPs, and Equality Impact Assessments" (Duty.REVIEW_EIA); the documents are sent to PCU "to
# arrange publication" (Duty.PUBLISHER). One person may not hold two of them, as for any version: the SOP's stage 4
# has PCU "co-ordinate the quality assurance process in conjunction with DCFD and DOI", then the documents "sent ...
# to the relevant Designated Business Group Policy Lead", and, "If approval for publication is given", to PCU.
CONCLUDE_NO_CHANGE = Step(
    done="Review concluded with no change needed",
    taken_by="the Designated Lead",
    # From any status but withdrawn, open only on a policy in force with no review draft (``only_if``): asked from
    # a review draft's status, its address says why, rather than that it is not available (QA walk).
    name="conclude_no_change", source=ALL_BUT_WITHDRAWN, target=None, stage=Stage.MONITORING,
    permission="lifecycle.conclude_no_change", label="conclude with no change the review of",
    who="the Designated Lead the policy names", audit=AuditAction.POLICY_REVIEW_CONCLUDED_NO_CHANGE,
    # No duty of its own to ask: it is the review's first part, so nobody holds another of its parts yet, and the
    # Lead of an emergency-approved version is its submitter too (the Lead's request). What it records is held as the
    # Lead's decision (lifecycle.duties: ``concluded``), which bars DCFD's check and PCU's re-publication.
    doc="SOP: the Designated Lead will \"Approve new and reviewed policy and SOPs\"; reviews \"at least every 3 "
        "years\" (\"allow at least 6 months for a basic review\"), and \"Equality Impact Assessments ... on existing "
        "policies every 3 years\": the Lead concludes, DCFD confirms the EIA, PCU re-publishes.",
    only_if=(gates.has_been_published, gates_no_change.no_review_draft_open),
    gates=(gates.retrospective_eia_signed_off, gates_no_change.review_window_open,
           gates_no_change.no_change_review_not_open, gates_no_change.annual_report_not_overdue,
           gates_no_change.monitoring_reports_answered, gates_no_change.remedial_actions_closed),
    done_by=gates_no_change.concluded_by,
    page=Page(
        slug="conclude-no-change", title="Conclude the review: no change needed", form=forms.ReasonForm,
        success="Review concluded with no change. DCFD has been asked to confirm the Equality Impact Assessment; "
        "PCU will then re-publish the policy.",
        explanation="The review found that the policy is still needed and needs no change. DCFD will confirm that "
        "its Equality Impact Assessment still stands, and PCU will re-publish it; its next review falls due 3 years "
        "from that publication.",
        shows_version=True,
    ),
    notify=("dcfd", "coordinator", "authors"), notice="Review concluded with no change: EIA to be confirmed",
    then="confirm_eia",
)
CONFIRM_EIA = Step(
    done="Equality Impact Assessment confirmed for the review",
    taken_by="the Diversity and Citizen Focus Directorate",
    name="confirm_eia", source=IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.confirm_eia", label="confirm the Equality Impact Assessment of", duty=Duty.REVIEW_EIA,
    who="the Diversity and Citizen Focus Directorate", audit=AuditAction.POLICY_REVIEW_EIA_CONFIRMED,
    doc="SOP: Equality Impact Assessments are required \"on existing policies every 3 years\"; DCFD quality-assures "
        "them.",
    gates=(gates_no_change.no_change_awaits_eia,), under_way=gates_no_change.no_change_awaits_eia,
    done_by=gates_no_change.eia_confirmed_by,
    page=Page(slug="confirm-eia", title="Confirm the Equality Impact Assessment", form=forms.EIAConfirmationForm,
              explanation="The Designated Lead concluded that the policy needs no change. Confirm that its Equality "
              "Impact Assessment still stands, or say what must be updated: the assessment is then reopened for "
              "revision, and the re-publication waits until you sign the updated assessment off.", shows_version=True),
    notify=("pcu", "lead", "coordinator", "authors"), notice="EIA confirmed, or reopened to be updated",
    notice_by_answer=("eia_outcome", {
        "stands": "EIA confirmed: ready to re-publish",
        "updated": "EIA reopened to be updated: re-publish once DCFD signs it off",
    }),
    success_by_answer=("eia_outcome", {
        "stands": "Recorded. The assessment stands: PCU has been asked to re-publish the policy.",
        "updated": "Recorded. The assessment is reopened for the policy's developers to update; you sign the update "
                   "off before PCU re-publishes the policy.",
    }),
)
# QA walk: the drafters' part of the update was nobody's. Once DCFD reopens the assessment (CONFIRM_EIA, "updated"), the
# policy's developers revise it on its EIA tab (SOP, Role of Policy Developers: "Conduct impact assessments (using
# Equality Impact Assessment Form 6119A(x)) on new policies and procedures under development, on existing policies
# every 3 years"); until they have, that is what comes next, and DCFD's sign-off waits for it.
# DCFD is told once it is revised (QA of the reopened EIA: its My work listed the sign-off, but no inbox item or e-mail
# said so, where every other part of the review tells whoever it waits for). Revised means what DCFD's sign-off asks
# for (gates_no_change.reopened_eia_revised): the EIA saved with a change since it was reopened. The EIA's page offers
# only "Save the EIA", no "ready for DCFD", so the drafters' first save that changes it is the revision that opens the
# sign-off, and tells DCFD (its event, written by that save: assessments.services.eia_update); their later saves of the
# same reopened EIA tell nobody again (DCFD signs off the EIA as it stands then, bound to what it reads: rule 17). One
# revision round per reopening: DCFD reopens a new minor version's copy, unsaved, at each review.
UPDATE_REOPENED_EIA = WorkFirst(
    title="Update the Equality Impact Assessment", taken_by="the policy's developers or manager",
    page="assessments:eia", permission="lifecycle.revise_reopened_eia",
    due=gates_no_change.reopened_eia_awaits_revision,
    doc="SOP, Role of Policy Developers: \"Conduct impact assessments ... on existing policies every 3 years\".",
    audit=AuditAction.POLICY_REVIEW_EIA_REVISED,
    done="Equality Impact Assessment reopened for the review revised: DCFD asked to sign it off",
    notify=("dcfd",), notice="Updated EIA waiting for your sign-off",
)
SIGN_OFF_UPDATED_EIA = Step(
    done="Updated Equality Impact Assessment signed off for the review",
    taken_by="the Diversity and Citizen Focus Directorate",
    name="sign_off_updated_eia", source=IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.confirm_eia", label="sign off the updated Equality Impact Assessment of",
    # DCFD's part in the review, as its confirmation (CONFIRM_EIA): whoever reopened the assessment signs it off.
    duty=Duty.REVIEW_EIA,
    who="the Diversity and Citizen Focus Directorate", audit=AuditAction.POLICY_REVIEW_EIA_UPDATE_SIGNED_OFF,
    doc="SOP: Equality Impact Assessments are required \"on existing policies every 3 years\"; DCFD quality-assures "
        "them. The assessment DCFD reopened at a review concluding no change is re-published only once signed off.",
    # Not an assessment concluding that the policy must stop (lifecycle.gates_eia): DCFD signs off no such one.
    # Revised first (``first``): nothing is signed off as an update while nothing in it has changed (QA walk).
    gates=(gates_no_change.no_change_awaits_updated_eia, gates_no_change.reopened_eia_revised,
           gates_no_change.updated_eia_complete, gates_eia.updated_eia_not_concluding_stop),
    under_way=gates_no_change.no_change_awaits_updated_eia, done_by=gates_no_change.updated_eia_signed_off_by,
    first=UPDATE_REOPENED_EIA,
    # The explanation is shown once the gates hold (the page's "Not ready yet" says what is missing before).
    page=Page(slug="sign-off-updated-eia", title="Sign off the updated Equality Impact Assessment",
              form=forms.CommentsForm, button="Sign it off", shows_version=True,
              success="Signed off. PCU has been asked to re-publish the policy with its updated assessment.",
              explanation="You said the Equality Impact Assessment must be updated, and the policy's developers have "
              "revised it since (EIA tab; what changed is shown below, document by document). Once you sign it off it "
              "is frozen, and PCU re-publishes the policy with it."),
    notify=("pcu", "lead", "coordinator", "authors"), notice="Updated EIA signed off: ready to re-publish",
    then="republish_no_change",
)
REPUBLISH_NO_CHANGE = Step(
    done="Re-published after a review with no change",
    taken_by="the Policy Co-ordination Unit",
    name="republish_no_change", source=IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.publish", label="re-publish", duty=Duty.PUBLISHER,
    who="the Policy Co-ordination Unit", audit=AuditAction.POLICY_REPUBLISHED_NO_CHANGE,
    doc="SOP stage 5: PCU publishes \"on the Corporate Policy Intranet, in Notices, on the MPS Publication "
        "Scheme\"; \"Ensure policies are reviewed and published at least once every 3 years\".",
    gates=(gates_no_change.no_change_awaits_publication,), under_way=gates_no_change.no_change_awaits_publication,
    done_by=gates_no_change.republished_by,
    page=Page(slug="republish", title="Re-publish unchanged", form=forms.RepublishForm,
              success="Re-published, with a notice. The next review is due in 3 years.", shows_version=True,
              explanation="The review concluded with no change and DCFD confirmed the Equality Impact Assessment. "
              "The version in force is re-published as it stands, with a notice; its next review falls due 3 years "
              "from today. Where DCFD had the assessment updated, the version re-published is the minor version that "
              "holds the update: the staff asked to confirm they had read the version in force are asked the same of "
              "it, and a confirmation they gave still counts, the policy itself unchanged."),
    notify=("authors", "coordinator", "lead", "owner"), notice="Re-published after review: no change",
)
# QA walk: once a review draft was open nothing let anyone abandon it, and a review concludes with no change only
# without one (gates_no_change.no_review_draft_open): a Lead who started a draft and then found no change was needed
# was forced through the whole cycle. The Lead the policy names withdraws it, before approving it: its versions are
# kept, marked withdrawn, and the version in force stays in force. Who: the review is the Lead's to drive and decide
# (SOP, the Designated Business Group Policy Lead will "Drive policy review, implementation and monitoring programmes"
# and "Approve new and reviewed policy and SOPs"); PCU's part in reviews is support and oversight ("Provide advice and
# support to all involved in the policy development and review process"; "Gather information on the status of policy
# reviews"), so PCU is told, and does not decide (lifecycle.permissions).
REVIEW_DRAFT_WITHDRAWAL_DOC = (
    "SOP, role of the Designated Business Group Policy Lead: \"Drive policy review, implementation and monitoring "
    "programmes\"; \"Approve new and reviewed policy and SOPs\". Policy developers \"Retain an audit trail of all "
    "versions of policy statements and SOPs\": the draft is kept, marked withdrawn."
)
REVIEW_DRAFT_WITHDRAWN = "Review draft withdrawn: the version in force stays in force"
WITHDRAW_REVIEW_DRAFT = Step(
    done=REVIEW_DRAFT_WITHDRAWN,
    taken_by="the Designated Lead",
    kinds=EVERY_KIND,
    # From any status but withdrawn, open only on a review draft not yet approved (``only_if``): asked from any other
    # status, its address says why. The policy goes back to the status it had when the review started, which one
    # declaration cannot name: the service takes one of the two steps below, each declaring its status, inside its
    # own transaction (as the last QA sign-off takes PASS_QA).
    name="withdraw_review_draft", source=ALL_BUT_WITHDRAWN, target=None, stage=Stage.MONITORING,
    permission="lifecycle.withdraw_review_draft", label="withdraw the review draft of",
    who="the Designated Lead the policy names", audit=AuditAction.POLICY_REVIEW_DRAFT_WITHDRAWN,
    doc=REVIEW_DRAFT_WITHDRAWAL_DOC,
    only_if=(gates.has_been_published, gates_review_draft.review_draft_open,
             gates_review_draft.review_draft_not_approved),
    gates=(gates_review_draft.no_emergency_request_waiting_on_draft,),
    page=Page(
        slug="withdraw-review-draft", title="Withdraw the review draft", form=forms.ReviewDraftWithdrawalForm,
        warning=True,
        success="Review draft withdrawn: its versions are kept, marked withdrawn, and the version in force stays in "
        "force.",
        # {version}: the draft's number (lifecycle.next_steps.explanation).
        explanation="Withdraw the review's draft (version {version}) when the review finds it is not needed. Every "
        "version of the draft is kept as evidence, marked withdrawn, and can still be read from the Versions tab; the "
        "version in force stays in force, unchanged, and the policy goes back to where it was when the review "
        "started. Invitations to advise on the draft are withdrawn and reminders of its stage stop. The review itself "
        "is still due: conclude it with no change, or start it again.",
    ),
    notify=("authors", "coordinator", "pcu"), notice="Review draft withdrawn: the version in force stays in force",
)
# The two moves back, one per status a review starts from (lifecycle.gates_review_draft.status_before_review): no page
# of their own, taken inside WITHDRAW_REVIEW_DRAFT's service and recorded by its event.
WITHDRAW_REVIEW_DRAFT_TO_IMPLEMENTATION = Step(
    done=REVIEW_DRAFT_WITHDRAWN,
    kinds=EVERY_KIND,
    name="withdraw_review_draft_to_implementation", source=gates_review_draft.NOT_YET_APPROVED,
    target=Status.IMPLEMENTATION, stage=Stage.MONITORING,
    permission="lifecycle.withdraw_review_draft", label="withdraw the review draft of",
    audit=AuditAction.POLICY_REVIEW_DRAFT_WITHDRAWN, doc=REVIEW_DRAFT_WITHDRAWAL_DOC,
    gates=(gates_review_draft.review_started_in_implementation,),
)
WITHDRAW_REVIEW_DRAFT_TO_MONITORING = Step(
    done=REVIEW_DRAFT_WITHDRAWN,
    kinds=EVERY_KIND,
    name="withdraw_review_draft_to_monitoring", source=gates_review_draft.NOT_YET_APPROVED,
    target=Status.MONITORING, stage=Stage.MONITORING,
    permission="lifecycle.withdraw_review_draft", label="withdraw the review draft of",
    audit=AuditAction.POLICY_REVIEW_DRAFT_WITHDRAWN, doc=REVIEW_DRAFT_WITHDRAWAL_DOC,
    gates=(gates_review_draft.review_started_in_monitoring,),
)
# Only while the policy is in force and no review is open (a policy under review has its new version's
# status): bringing forward a review that has already started means nothing. Nor one already due: no date is left.
SET_REVIEW_DATE = Step(
    done="Review date brought forward",
    taken_by="the Designated Lead or the co-ordinator",
    kinds=EVERY_KIND,
    name="set_review_date", source=IN_FORCE, target=None, stage=Stage.MONITORING, only_if=(gates.review_date_ahead,),
    permission="lifecycle.set_review_date", label="bring forward the review of",
    who="the Designated Lead or the co-ordinator of its business group",
    audit=AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD,
    doc="SOP: reviews at least every 3 years, \"if no earlier review has been prompted by monitoring results, or "
        "external factors e.g. legislation, critical incidents\".",
    page=Page(slug="set-review-date", title="Bring the review forward", form=forms.ReviewDateForm,
              success="The review date has been brought forward."),
    notify=("authors",), notice="Review brought forward",
    # What the earlier date is for: the review itself, started by then (in implementation the way on from the
    # status would be "Move to monitoring", which bringing a review forward does not ask for).
    then="start_review",
)


def _a_report_left_to_respond_to(user, policy) -> bool:
    """Separation of duties (lifecycle.report_duties): not offered to a Lead who wrote, submitted, quality-assured or
    published every report awaiting a response. With none awaiting, offered: the page says what it waits for."""
    awaiting = reports_awaiting_response(policy)
    counts = awaiting.aggregate(awaiting=Count("pk"), free=Count("pk", filter=Q(
        pk__in=reports_free_for(awaiting, user, Duty.APPROVER).values("pk"))))
    # Its gate, asked next on the same page, reads the count (monitoring_reports.AWAITING_COUNTED).
    setattr(policy, AWAITING_COUNTED, counts["awaiting"])
    return counts["awaiting"] == 0 or counts["free"] > 0


RESPONSE_NOT_OFFERED = ("you wrote, submitted, quality-assured or published each monitoring report awaiting a "
                        "response, and one person may not hold two parts in the same report (separation of duties).")
# Issue 13: the Lead acts on monitoring results. Open whatever stage a review is in (the published version stays in
# force, and its reports keep coming), on a policy published at least once.
RESPOND_TO_MONITORING = Step(
    done="The Designated Lead responded to a monitoring report",
    taken_by="the Designated Lead",
    kinds=EVERY_KIND,
    name="respond_to_monitoring", source=ALL_BUT_WITHDRAWN, target=None, stage=Stage.MONITORING,
    permission="lifecycle.respond_to_monitoring", label="respond to a monitoring report of",
    who="the Designated Lead it names", audit=AuditAction.MONITORING_REPORT_RESPONDED,
    doc="SOP, role of the Designated Business Group Policy Lead: \"review monitoring results and direct remedial "
        "action\"; \"This monitoring data then feeds into future policy reviews\". After the co-ordinator's quality "
        "assurance, the Lead records no action, a remedial action (what, who, by when) or an earlier review.",
    gates=(gates.monitoring_report_awaits_response,), only_if=(gates.has_been_published,),
    offered_if=_a_report_left_to_respond_to, not_offered=RESPONSE_NOT_OFFERED,
    page=Page(
        slug="respond-to-monitoring", title="Respond to a monitoring report", form=forms.MonitoringResponseForm,
        button="Record your response", success="Your response to the monitoring report has been recorded.",
        explanation="Read the quality-assured report below: your response is bound to it as shown (if it changes "
        "before you record your response, you are asked to read it again). Record that no action is needed, direct a "
        "remedial action (what, who, by when: it is chased until done), or bring the review forward.",
    ),
    # "named_in_changes": whoever a remedial action names (notifications.services.NAMED_IN_CHANGES).
    notify=("authors", "coordinator", "named_in_changes"),
    notice="The Designated Lead responded to a monitoring report",
)
DECIDE_WITHDRAWAL = Step(
    done="Withdrawal decided",
    taken_by="the Designated Lead or the owner",
    kinds=EVERY_KIND,
    name="decide_withdrawal", source=ALL_BUT_WITHDRAWN, target=None, stage=Stage.MONITORING,
    permission="lifecycle.decide_withdrawal", label="decide to withdraw",
    who="the Designated Lead or the Management Board owner the policy names",
    audit=AuditAction.POLICY_WITHDRAWAL_DECIDED,
    doc="SOP: the Management Board member and the Designated Lead \"retain ultimate ownership\" of their policies; "
        "PCU is the \"gateway\" for publication, and so for taking a policy down.",
    # A second decision while one is open is refused by the cycle's halt, as every step is (lifecycle.steps.HALTS:
    # gates.withdrawal_not_decided), naming who decided and when.
    page=Page(slug="decide-withdrawal", title="Decide to withdraw the policy", form=forms.WithdrawalDecisionForm,
              warning=True, success="Withdrawal decided. The Policy Co-ordination Unit has been asked to carry it out.",
              explanation="The policy will be taken off the Corporate Policy Intranet and the Publication Scheme by "
              "PCU, and kept in the archive. From your decision nothing else moves it on: no step is taken on it but "
              "PCU's withdrawal, a publication scheduled for it is cancelled, and only the withdrawal is chased."),
    notify=("pcu", "authors", "coordinator", "lead", "owner"), notice="Withdrawal decided: PCU to carry it out",
    then="withdraw",
)
WITHDRAW = Step(
    done="Withdrawn",
    taken_by="the Policy Co-ordination Unit",
    kinds=EVERY_KIND,
    name="withdraw", source=ALL_BUT_WITHDRAWN, target=Status.WITHDRAWN, stage=Stage.MONITORING,
    permission="lifecycle.withdraw", label="withdraw", who="the Policy Co-ordination Unit",
    audit=AuditAction.POLICY_WITHDRAWN,
    doc="PCU carries out a withdrawal the Lead or the owner decided: off the intranet and the Publication Scheme; "
        "it stays in the archive.",
    gates=(gates.withdrawal_decided,), under_way=gates.withdrawal_decided,
    # The one step a decided withdrawal leaves open (lifecycle.steps.HALTS): it ends the halt.
    taken_while_halted=True,
    page=Page(slug="withdraw", title="Carry out the withdrawal", form=forms.CommentsForm, warning=True,
              success="The policy has been withdrawn: it is off the intranet and the Publication Scheme, kept in the "
              "archive, and its reminders have stopped.",
              explanation="The Designated Lead or the owner decided to withdraw this policy. It will be taken off "
              "the Corporate Policy Intranet and the Publication Scheme and kept in the archive; any scheduled "
              "publication is cancelled and its reminders stop."),
    notify=("authors", "coordinator", "lead", "owner"), notice="Withdrawn",
)
