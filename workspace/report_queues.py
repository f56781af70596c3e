"""My work's monitoring reports (assessments): those a co-ordinator is to quality-assure and PCU to publish, those a
Designated Lead is to respond to, and the remedial actions a Lead directed to the person."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import Truncator

from assessments.models import MonitoringReport, MonitoringReportAwaitingResponse, MonitoringResponse
from assessments.selectors import reports_readable_by
from core.models import Role
from core.templatetags.cached_urls import cached_reverser
from lifecycle.deadlines import MONITORING_REPORT_QA
from lifecycle.due import REMEDIAL
from lifecycle.models import Policy
from lifecycle.selectors import Viewer
from lifecycle.states import Status
from lifecycle.steps import not_halted
from workspace.queues import QUEUE_SHOWN, compiled_rows, group_ids


class ReportItem:
    """A monitoring report in My work: what it shows of it and its policy, and by when it is expected."""

    __slots__ = ("pk", "policy_id", "status", "period_end", "submitted_at", "reference", "title", "waiting")

    def __init__(self, pk, policy_id, status, period_end, submitted_at, reference, title) -> None:
        self.pk, self.policy_id, self.status, self.period_end = pk, policy_id, status, period_end
        self.submitted_at, self.reference, self.title = submitted_at, reference, title
        self.waiting = None

    @property
    def status_label(self) -> str:
        return MonitoringReport.Status(self.status).label


def report_queues(roles, today) -> list[dict]:
    report_groups = frozenset(group_ids(roles, Role.COORDINATOR))
    pcu = (Role.PCU, None) in roles
    if not (report_groups or pcu):
        return []
    reports = [ReportItem(*row) for row in _reports(report_groups, pcu)]
    for report in reports:
        # By when the co-ordinator is expected to quality-assure it: its declared deadline, which the chase reads.
        if report.status == MonitoringReport.Status.SUBMITTED and report.submitted_at:
            report.waiting = MONITORING_REPORT_QA.state(timezone.localtime(report.submitted_at).date(), today)
    return [{"title": "Monitoring reports to quality-assure or publish", "hint": "", "reports": reports,
             "shown_first": "submitted longest ago"}]


@compiled_rows
def _reports(report_groups: frozenset[int], pcu: bool) -> QuerySet[MonitoringReport]:
    condition = Q(pk__in=[])
    if report_groups:
        condition |= Q(status=MonitoringReport.Status.SUBMITTED, policy__business_group_id__in=report_groups)
    if pcu:
        condition |= Q(status=MonitoringReport.Status.QA_PASSED)
    # Not of a withdrawn policy: its report stops where it stood (assessments.services.report_halted), so no one may
    # quality-assure or publish it, and its reminders stopped with the withdrawal (notifications: POLICY_WITHDRAWN);
    # nor of one whose withdrawal is decided, whose report is refused from the decision (lifecycle.steps.HALTS).
    return (MonitoringReport.objects.filter(condition, not_halted("policy_id"))
            .exclude(policy__status=Status.WITHDRAWN)
            .order_by("submitted_at", "pk")
            .values_list("pk", "policy_id", "status", "period_end", "submitted_at", "policy__reference",
                         "policy__title")[:QUEUE_SHOWN + 1])


def monitoring_action_queues(user, viewer: Viewer, today) -> list[dict]:
    """Issue 13: quality-assured monitoring reports awaiting this Lead's response (the policies naming them, or
    naming no Lead in their group), and the remedial actions a Lead has directed to this person, most overdue first
    (lifecycle.due.REMEDIAL). One query each."""
    queues = []
    report_url = cached_reverser("assessments:monitoring_report", 2)
    lead_groups = frozenset(group_ids(viewer.roles, Role.LEAD))
    if lead_groups:
        queues.append({"title": "Monitoring reports to respond to", "hint": "Review the results: no action, a "
                       "remedial action, or an earlier review.", "shown_first": "quality-assured longest ago",
                       "entries": [
                           {"url": report_url(reference, pk),
                            "label": f"{reference} {title}: report to {period_end:%-d %B %Y}", "state": None,
                            "due_label": ""}
                           for pk, period_end, reference, title in _awaiting_response(lead_groups, user.pk)]})
    actions = _remedial_actions(viewer)
    if actions:
        queues.append({"title": "Remedial actions for you", "hint": "Directed by the Designated Lead after a "
                       "monitoring report; record each as done on the report's page.", "shown_first": "due soonest",
                       "entries": [
                           {"url": report_url(reference, report_id),
                            "label": f"{reference} {title}: {Truncator(remedial_action).chars(80)}",
                            "state": REMEDIAL.state(due_on, today), "due_label": "due"}
                           for report_id, remedial_action, due_on, reference, title in actions]})
    return queues


@compiled_rows
def _awaiting_response(lead_groups: frozenset[int], user_id: int) -> QuerySet[MonitoringReportAwaitingResponse]:
    """The reports awaiting a response (assessments.MonitoringReportAwaitingResponse, kept by the database), read in
    the queue's order from its index, each one's policy tested as it comes (the Lead's, or naming no Lead, in the
    Lead's groups; not withdrawn) from an index alone (lifecycle's policy_lead_check_idx), stopped at the page. The
    policy's reference and title are asked per row (a subquery each), which PostgreSQL evaluates after the LIMIT: for
    the 21 rows shown, and the test of every other report stays in that index.

    Testing each quality-assured report for a response instead read every report of the Lead's policies, answered or
    not, and sorted them (make bench, 100,000 policies: 10,127 reports, 35-98 ms of a Lead's My work; now 1-2 ms);
    read in the queue's order, it read every report answered before the first still waiting (simulated with 97%
    answered: 540-970 ms; this way 1-2 ms). A Lead with few reports waiting among many of others' is served from
    their policies' side, as PostgreSQL chooses from the statistics of the Lead and the group together."""
    policy = Policy.objects.filter(pk=OuterRef("policy_id")).order_by()
    return (MonitoringReportAwaitingResponse.objects
            .filter(policy__business_group_id__in=lead_groups)
            .filter(Q(policy__designated_lead_id=user_id) | Q(policy__designated_lead__isnull=True))
            .exclude(policy__status=Status.WITHDRAWN)
            .annotate(reference=Subquery(policy.values("reference")), title=Subquery(policy.values("title")))
            .order_by("qa_at", "report_id")
            .values_list("report_id", "report__period_end", "reference", "title")[:QUEUE_SHOWN + 1])


@compiled_rows
def _remedial_actions(viewer: Viewer) -> QuerySet[MonitoringResponse]:
    """The remedial actions directed to the person. Whoever is named holds a role in the policy's business group
    (assessments.services.responses), so is cleared for its OFFICIAL-SENSITIVE material then; a role since taken away
    is not, and no other condition here asks whether they see the policy: the report's marking and the policy's
    marking now are asked here (``reports_readable_by``), tested on the person's few rows. The other queues here are
    of those whose role (co-ordinator, Lead, PCU) clears them for the reports they list."""
    return (MonitoringResponse.objects.filter(REMEDIAL.applies(), remedial_owner_id=viewer.user_id)
            .filter(reports_readable_by(viewer, report="report__"))
            .order_by("remedial_due_on", "pk")
            .values_list("report_id", "remedial_action", "remedial_due_on", "policy__reference", "policy__title")
            [:QUEUE_SHOWN + 1])
