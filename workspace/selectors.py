"""My work: what waits for each person, across the cycle (lifecycle), the assessments (monitoring reports) and
publication. It sits above those apps, so that none of them imports another to build one person's queues."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from acknowledgements.selectors import outstanding_rows
from assessments.models import MonitoringReport, MonitoringResponse
from core.compiled import compiled_per_key
from core.models import Role
from core.templatetags.cached_urls import cached_reverser
from core.templatetags.glossary import lowerfirst
from lifecycle.due import MONITORING, MONITORING_REPORT_QA, REMEDIAL, REVIEW, DueStatus, stage_deadline_state
from lifecycle.duties import took_part_in_current_version
from lifecycle.gates import QUALITY_ASSURED_REPORT_STATUSES
from lifecycle.models import (
    AdviceComment,
    AdviceInvitation,
    ConsultationRecord,
    ConsulteeType,
    EmergencyRequest,
    Policy,
    PolicyVersion,
    QASignOff,
)
from lifecycle.permissions import managed_scope
from lifecycle.selectors import (
    Viewer,
    advice_teams,
    named_developer_policy_ids,
    pk_in_ids,
    policies_seen_by,
    viewer_of,
)
from lifecycle.states import (
    DRAFT_EDITABLE_STATUSES,
    EMERGENCY_SOURCES,
    PUBLISHED_STATUSES,
    Status,
    statuses_in_stage,
)
from lifecycle.workflow import AGREE_EMERGENCY_APPROVAL, START_REVIEW, WITHDRAW, way_on

# What My work shows of a policy in a queue (core/home.html, includes/status_tag.html, includes/due_state.html).
# Only these columns are read: not the statement-sized text of purpose and scope, nor the joined business
# group and unit that the register needs (make bench, PCU at 100,000 policies: 140 rows a page).
QUEUE_FIELDS = ("reference", "title", "status", "not_impact_assessed", "review_due_on", "monitoring_report_due_on",
                "first_published_on", "business_group_id", "status_changed_at", "kind")


# How many items a queue shows. One more is read: when it is there, the queue says that more are waiting than it
# shows (and where to see them all), rather than seeming to hold only what fits.
QUEUE_SHOWN = 20


# How many people's compiled statements of each queue every process keeps, the least recently used dropped first:
# about 11 KB of SQL a person and day for all their queues (make bench: 6 or 7 statements), so about 6 MB at most. One
# dropped is compiled again on that person's next request, as every one was before.
COMPILED_QUEUES = 512


def _queue(queryset: QuerySet[Policy], order: str = "updated_at", limit: int = QUEUE_SHOWN + 1) -> QuerySet[Policy]:
    return queryset.select_related(None).only(*QUEUE_FIELDS).order_by(order, "pk")[:limit]


class QueueItem:
    """A policy in a queue: its ``pk`` and QUEUE_FIELDS, and what My work adds to it (its due state, next step and by
    when). Not a model instance: nothing else of the policy is read here, and building some 170 instances a request
    (PCU's queues), each testing its fields for django-fsm's lock, took more Python than the statements took to run
    (make bench, 100,000 policies)."""

    __slots__ = ("pk", *QUEUE_FIELDS, "due_state", "due_label", "next_label", "expected_by", "expected_late",
                 "returned")

    def __init__(self, names: tuple[str, ...], row) -> None:
        for name, value in zip(names, row, strict=True):
            setattr(self, name, value)


def _compiled(build: Callable[..., QuerySet]) -> Callable[..., list[list]]:
    """The rows of ``build(*key)``'s queryset (a queue: ordered, cut), read through one statement compiled once per
    arguments in this process (core.compiled), each a list of its values converted as Django converts them.

    ``build`` reads nothing but its arguments (a Viewer, ids, a flag: hashable, all that decides the statement), as
    ``PolicyRows`` compiles the register once per Viewer. Django compiled every queue's visibility filter and
    conditions anew on each request: more Python than PostgreSQL took to answer them (make bench, 100,000 policies:
    a developer's due queues 8.3 ms of Python against 3.7 ms of SQL)."""

    compiled = compiled_per_key(COMPILED_QUEUES)(build)

    def read(*key) -> list[list]:
        statement = compiled(*key)
        return [] if statement is None else statement.rows()

    read.compiled = compiled
    return read


def _compiled_queue(build: Callable[..., QuerySet[Policy]]) -> Callable[..., list[QueueItem]]:
    """``_compiled`` for a queue of policies (``_queue``): each row a QueueItem."""
    compiled = _compiled(build).compiled

    def read(*key) -> list[QueueItem]:
        statement = compiled(*key)
        if statement is None:
            return []
        # Each column's attribute, in the statement's order: the primary key's is ``pk``.
        names = tuple("pk" if column == Policy._meta.pk.attname else column for column in statement.columns)
        return [QueueItem(names, row) for row in statement.rows()]

    read.compiled = compiled
    return read


# Every key the page reads of a queue (templates/core/home.html), with what a queue that does not set it means. A key
# missing from the dict is no error to the template engine, but each is a failed lookup (a KeyError, an AttributeError,
# dir() of the dict, a failed list index): 46 of them on PCU's page (make bench, issue 16).
QUEUE_DEFAULTS = {"hint": "", "policies": None, "reports": None, "entries": None, "acknowledgements": None,
                  "overdue": False, "more": "", "all_url": ""}


def _trimmed(queue: dict) -> dict:
    """The queue with every key the page reads, and at most QUEUE_SHOWN items; ``more`` says, when it had more,
    which of them it shows."""
    queue = {**QUEUE_DEFAULTS, **queue}
    for key in ("policies", "reports", "entries", "acknowledgements"):
        items = queue.get(key)
        if items is not None and len(items) > QUEUE_SHOWN:
            queue[key] = items[:QUEUE_SHOWN]
            queue["more"] = f"Only the {QUEUE_SHOWN} {queue.get('shown_first', 'waiting longest')} are shown."
    return queue


def _group_ids(roles, *wanted: str) -> set[int]:
    return {group for role, group in roles if role in wanted and group is not None}


def my_work(*, user, today=None) -> list[dict]:
    """What waits for this user, as titled queues. A fixed number of queries, whatever the data size."""
    today = today or timezone.localdate()
    viewer = viewer_of(user)
    if viewer is None:
        return []
    roles = viewer.roles
    overdue, due_soon = _due_queues(viewer, today)
    # A decided withdrawal first (the policy's work is then its withdrawal, not its reports), then what is overdue,
    # then the work waiting, then what falls due soon (issue 17).
    queues = [_trimmed(queue) for queue in (
        *_withdrawal_queues(viewer),
        *overdue,
        *_drafting_queues(user, viewer),
        *_submitted_queues(viewer),
        *_lead_queues(viewer),
        *_quality_assurance_queues(viewer),
        *_coordination_queues(viewer),
        *due_soon,
        *_report_queues(roles, today),
        *_advice_queues(user, roles),
        *_acknowledgement_queues(user),
        *_monitoring_action_queues(user, roles, today),
    )]
    # A report waiting for quality assurance or publication (and shown) is that policy's monitoring item: shown
    # there, once.
    in_hand = {("monitoring", report.policy_id) for queue in queues for report in queue.get("reports") or ()}
    # A policy PCU is to withdraw asks for no monitoring report of PCU.
    in_hand |= {("monitoring", policy.pk) for queue in queues if queue["title"] == WITHDRAWALS
                for policy in queue["policies"]}
    return _each_once(queues, today, seen=in_hand)


def _each_once(queues: list[dict], today, *, seen: set[tuple[str, int]]) -> list[dict]:
    """Each item once, in the first queue it appears in (a policy's work, its review among it, is one item; its
    monitoring report another), named with what to do next (the step that moves it on, as declared:
    ``workflow.way_on``) and its review's due state (``lifecycle.due``)."""
    for queue in queues:
        if queue.get("policies") is None:
            continue
        kind = "monitoring" if queue.get("due") == MONITORING.field else "policy"
        kept = []
        for policy in queue["policies"]:
            if (kind, policy.pk) in seen:
                continue
            seen.add((kind, policy.pk))
            if not hasattr(policy, "due_state"):
                state = REVIEW.state_of(policy, today)
                policy.due_state = state if state and state.status != DueStatus.IN_DATE else None
                policy.due_label = "review due"
            if not getattr(policy, "next_label", ""):
                step = way_on(policy.status, policy.kind)
                policy.next_label = step.page.title if step else ""
            # By when: work handed to someone is expected by its stage's declared deadline (lifecycle.due, which the
            # chase reads too: it reminds whoever holds the work from that day).
            waiting = stage_deadline_state(policy, today) if kind == "policy" else None
            if waiting is not None:
                policy.expected_by, policy.expected_late = waiting.due, waiting.is_overdue
            kept.append(policy)
        queue["policies"] = kept
    # An overdue queue is shown only while something in it is late and not shown in an earlier queue.
    return [queue for queue in queues if not (queue.get("overdue") and not queue["policies"])]


def _advice_queues(user, roles) -> list[dict]:
    """Issue 12: the drafts whose developers asked this person's team (DCFD, DOI, SHRMT) for advice, not yet given; and
    for SHRMT, the consultations awaiting its response (SOP stage 3: "always the Safety and Health Risk Management
    Team"). Each links to where the advice or response is recorded. One query each (the second only for SHRMT): an
    invitation was otherwise seen only as a notification."""
    teams = advice_teams(roles)
    if not teams:
        # A colleague invited by name is told by a notification, and sees the draft through the grant it gives.
        return []
    # Open for the cycle being drafted (its draft not yet submitted), as the team's sight of the draft is
    # (lifecycle.selectors.open_team_invitation_policy_ids).
    drafting = PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                            submitted_at__isnull=True)
    asked = (AdviceInvitation.objects
             .filter(team__in=teams, withdrawn_at__isnull=True)
             .filter(Exists(drafting))
             .exclude(Exists(AdviceComment.objects.filter(invitation=OuterRef("pk"))))
             .order_by("invited_at", "pk")
             .values_list("policy__reference", "policy__title", "cycle", "policy_id", "note")[:QUEUE_SHOWN + 1])
    advice_url = cached_reverser("lifecycle:advice", 1)
    queues = [{"title": "Advice asked of you", "hint": "Developers invited your team to comment on a draft.",
               "shown_first": "asked longest ago", "entries": [
                   {"url": advice_url(reference), "label": f"{reference} {title}"
                    + (f": {Truncator(note).chars(80)}" if note else ""), "state": None, "due_label": ""}
                   for reference, title, _, _, note in asked]}] if asked else []
    if Role.SHRMT in teams:
        awaiting = (ConsultationRecord.objects
                    .filter(consultee_type=ConsulteeType.SHRMT, response="", policy__status__in=DRAFT_EDITABLE_STATUSES)
                    .order_by("date_sent", "pk")
                    .values_list("pk", "policy__reference", "policy__title", "date_sent")[:QUEUE_SHOWN + 1])
        response_url = cached_reverser("lifecycle:consultation_response", 2)
        if awaiting:
            queues.append({"title": "Consultations to answer", "hint": "Drafts sent to SHRMT for its advice.",
                           "shown_first": "sent longest ago", "entries": [
                               {"url": response_url(reference, pk), "label": f"{reference} {title}: sent "
                                f"{sent:%-d %B %Y}", "state": None, "due_label": ""}
                               for pk, reference, title, sent in awaiting]})
    return queues


def _acknowledgement_queues(user) -> list[dict]:
    """Issue 14: the policies this person is asked to confirm they have read (everyone, roles or none)."""
    outstanding = outstanding_rows(user=user, limit=QUEUE_SHOWN + 1)
    if not outstanding:
        return []
    return [{"title": "Policies to read and confirm", "hint": "PCU asked you to confirm you have read these.",
             "acknowledgements": outstanding, "shown_first": "asked longest ago"}]


def _drafting_queues(user, viewer: Viewer) -> list[dict]:
    managed_units, managed_groups = managed_scope(user)
    if not (any(role == Role.DEVELOPER for role, _ in viewer.roles) or managed_units or managed_groups):
        return []
    return [{"title": "Drafts to finish", "hint": "Policies in scoping or development.",
             "policies": _drafts(viewer, managed_units, managed_groups)}]


@_compiled_queue
def _drafts(viewer: Viewer, managed_units: frozenset[int], managed_groups: frozenset[int]) -> QuerySet[Policy]:
    drafting = (_named_developer(viewer.user_id) if any(role == Role.DEVELOPER for role, _ in viewer.roles)
                else Q(pk__in=[]))
    if managed_units or managed_groups:
        drafting |= Q(owning_unit_id__in=managed_units) | Q(business_group_id__in=managed_groups)
    return _queue(policies_seen_by(viewer).filter(drafting, status__in=[Status.SCOPING, Status.DEVELOPMENT])
                  .annotate(returned=_returned()))


def _returned() -> Exists:
    """The policy's draft follows a submission of its own cycle: that submission came back, returned from quality
    assurance or rejected by the Lead, each of which starts a new draft of the same cycle (lifecycle.services).
    SOP stage 4: PCU "will return the submission to the policy developer" with what must change. Marked in My
    work, so that the developer knows to read why (the policy's overview shows the comments)."""
    submitted_in_cycle = PolicyVersion.objects.filter(policy_id=OuterRef(OuterRef("pk")), major=OuterRef("major"),
                                                      submitted_at__isnull=False)
    return Exists(PolicyVersion.objects.filter(policy_id=OuterRef("pk"), submitted_at__isnull=True)
                  .filter(Exists(submitted_in_cycle)))


# Issue 4: a developer sees a draft "only while the policy is in scoping or development"; from commissioning, and from
# submission to publication, it is with others. SUBMITTED names those statuses, for the developer's own list.
SUBMITTED = (Status.COMMISSIONING, *statuses_in_stage("approval"))
SUBMITTED_TITLE = "Your submitted drafts"


def _submitted_queues(viewer: Viewer) -> list[dict]:
    """The policies a developer is named on that are with others now: where each stands and since when. Not links: a
    draft out of their sight is not theirs to open (issue 4), save a policy in force whose review draft it is (its
    page shows the version in force). Before, a submitted policy simply left their My work. One query, for
    developers only."""
    developer_groups = frozenset(_group_ids(viewer.roles, Role.DEVELOPER))
    if not developer_groups:
        return []
    rows = _submitted(viewer.user_id, developer_groups)
    if not rows:
        return []
    url = cached_reverser("lifecycle:detail")
    entries = []
    for reference, title, status, changed_at, first_published_on in rows:
        since = f", since {timezone.localtime(changed_at):%-d %B %Y}" if changed_at else ""
        entries.append({"url": url(reference) if first_published_on else "", "state": None, "due_label": "",
                        "label": f"{reference} {title}: {lowerfirst(Status(status).label)}{since}"})
    return [{"title": SUBMITTED_TITLE, "entries": entries, "shown_first": "submitted longest ago",
             "hint": "With others to check, approve or publish. You see a draft again if it is returned to you, "
                     "and every policy once it is published."}]


@_compiled
def _submitted(user_id: int, developer_groups: frozenset[int]) -> QuerySet[Policy]:
    # As the visibility's own rule for a developer's drafts (lifecycle.selectors._reach): named on it, and holding the
    # developer role in its business group.
    return (Policy.objects.filter(_named_developer(user_id), business_group_id__in=developer_groups,
                                  status__in=SUBMITTED)
            .order_by("status_changed_at", "pk")
            .values_list("reference", "title", "status", "status_changed_at", "first_published_on")[:QUEUE_SHOWN + 1])


def _lead_queues(viewer: Viewer) -> list[dict]:
    if not _group_ids(viewer.roles, Role.LEAD):
        return []
    return [
        {"title": "Commissioning decisions", "hint": "Requests to commission development.",
         "policies": _leads_policies(viewer, Status.COMMISSIONING)},
        {"title": "Approvals to decide", "hint": "Quality-assured policies awaiting your approval.",
         "policies": _leads_policies(viewer, Status.WITH_LEAD)},
    ]


@_compiled_queue
def _leads_policies(viewer: Viewer, status: str) -> QuerySet[Policy]:
    return _queue(policies_seen_by(viewer).filter(business_group_id__in=_group_ids(viewer.roles, Role.LEAD),
                                                  status=status))


def _latest_version():
    """The id of the policy's newest version, as a subquery inside an EXISTS on the policy."""
    newest = PolicyVersion.objects.filter(policy_id=OuterRef(OuterRef("pk"))).order_by("-major", "-minor")
    return newest.values("pk")[:1]


def _disciplines(viewer: Viewer) -> list[str]:
    return [role for role in (Role.PCU, Role.DCFD, Role.DOI) if viewer.has_force_role(role)]


def _quality_assurance_queues(viewer: Viewer) -> list[dict]:
    disciplines = _disciplines(viewer)
    if not disciplines:
        return []
    title, hint = "Submissions to quality-assure", "Sign off, or return with comments."
    if Role.PCU in disciplines:
        title = "Submissions to quality-assure, and emergency approvals to answer"
        hint = "Sign off or return with comments; agree to or refuse the emergency route."
    policies = _awaiting_quality_assurance(viewer)
    for policy in policies:
        if policy.status in EMERGENCY_SOURCES:
            policy.next_label = AGREE_EMERGENCY_APPROVAL.page.title
    return [{"title": title, "hint": hint, "policies": policies}]


@_compiled_queue
def _awaiting_quality_assurance(viewer: Viewer) -> QuerySet[Policy]:
    disciplines = _disciplines(viewer)
    awaiting = Q(pk__in=[])
    for discipline in disciplines:
        awaiting |= ~Q(Exists(QASignOff.objects.filter(policy_version_id=Subquery(_latest_version()),
                                                       discipline=discipline)))
    # Those waiting longest, read in the order of policy_status_updated_idx and tested one by one until a queue is
    # full, then looked up by id (``pk_in_ids``) with the emergency requests: as one OR, PostgreSQL tested the
    # sign-offs of every submission before sorting them (make bench, PCU at 100,000 policies: 1,996 submissions,
    # 16 ms; 43 ms when the estimate set off JIT compilation).
    candidates = policies_seen_by(viewer).exclude(took_part_in_current_version(viewer.user_id))
    submitted = candidates.filter(Q(status=Status.SUBMITTED_FOR_QA) & awaiting).order_by("updated_at", "pk")
    waiting = pk_in_ids(submitted.values("pk")[:QUEUE_SHOWN + 1])
    if Role.PCU in disciplines:
        # The emergency route (issue 13): the Lead's request waits for a member of PCU to agree or refuse, in their
        # own name. In the same query as the submissions, so that My work's cost does not grow. The unanswered
        # requests are few: read once, and their policies looked up by id.
        emergency = pk_in_ids(EmergencyRequest.objects.filter(answered_at__isnull=True).values("policy_id"))
        waiting |= pk_in_ids(candidates.filter(emergency, status__in=EMERGENCY_SOURCES).order_by().values("pk"))
    return _queue(Policy.objects.filter(waiting))


def _coordination_queues(viewer: Viewer) -> list[dict]:
    queues = []
    if _group_ids(viewer.roles, Role.COORDINATOR):
        queues.append({"title": "To forward", "hint": "QA-passed submissions for the Lead, approved ones for PCU.",
                       "policies": _to_forward(viewer)})
    if viewer.has_force_role(Role.PCU):
        queues.append({"title": "To publish", "hint": "Approved policies sent to PCU for publication (not those whose "
                       "quality assurance you signed: another member of PCU publishes them).",
                       "policies": _to_publish(viewer)})
    dcfd = viewer.has_force_role(Role.DCFD)
    if dcfd or _group_ids(viewer.roles, Role.LEAD):
        awaiting_eia = _awaiting_eia(viewer)
        for policy in awaiting_eia:
            # The work here is the retrospective EIA (DCFD signs it off; the Lead, as risk owner, sees it done).
            policy.next_label = ("Sign off the retrospective EIA" if dcfd
                                 else "See that the retrospective EIA is completed")
        queues.append({"title": "Emergency approvals awaiting their EIA", "hint": "Not impact assessed.",
                       "policies": awaiting_eia})
    return queues


WITHDRAWALS = "Withdrawals to carry out"


def _withdrawal_queues(viewer: Viewer) -> list[dict]:
    """PCU: the withdrawals the Designated Lead or the owner decided and PCU has not yet carried out (SOP: they
    "retain ultimate ownership"; PCU takes the policy off the intranet and the Publication Scheme)."""
    if not viewer.has_force_role(Role.PCU):
        return []
    policies = _to_withdraw(viewer)
    for policy in policies:
        policy.next_label = WITHDRAW.page.title
    return [{"title": WITHDRAWALS, "hint": "Decided by the Designated Lead or the owner.",
             "policies": policies}]


@_compiled_queue
def _to_withdraw(viewer: Viewer) -> QuerySet[Policy]:
    return _queue(policies_seen_by(viewer).exclude(status=Status.WITHDRAWN).filter(
        withdrawal_decisions__isnull=False, withdrawal_decisions__carried_out_at__isnull=True))


@_compiled_queue
def _to_forward(viewer: Viewer) -> QuerySet[Policy]:
    return _queue(policies_seen_by(viewer).filter(business_group_id__in=_group_ids(viewer.roles, Role.COORDINATOR),
                                                  status__in=[Status.QA_PASSED, Status.APPROVED]))


@_compiled_queue
def _to_publish(viewer: Viewer) -> QuerySet[Policy]:
    return _queue(policies_seen_by(viewer).filter(status=Status.AWAITING_PUBLICATION)
                  .exclude(took_part_in_current_version(viewer.user_id)))


@_compiled_queue
def _awaiting_eia(viewer: Viewer) -> QuerySet[Policy]:
    return _queue(policies_seen_by(viewer).filter(not_impact_assessed=True))


def _due_queues(viewer: Viewer, today) -> tuple[list[dict], list[dict]]:
    """Reviews and monitoring reports overdue, and due soon (lifecycle.due: the same rule as the register's filter,
    the chase and the dashboard), as separate queues, the most overdue first. One query per rule. Each policy
    carries ``due_state`` and what to do next."""
    overdue, due_soon = [], []
    if not viewer.roles:
        # Staff with no role answer for no policy's review or report: no queue of them, not even an empty one.
        return overdue, due_soon
    for rule, kind, hint, label, register_filter in (
        (REVIEW, "Reviews", "SOP: allow at least 6 months for a basic review.", "review due", "review_status"),
        (MONITORING, "Monitoring reports", "Due every year.", "report due", "monitoring_status"),
    ):
        policies = _due_policies(viewer, today, rule.field)
        everything = reverse("lifecycle:register") + f"?{register_filter}="
        for policy in policies:
            policy.due_state = rule.state(getattr(policy, rule.field), today)
            policy.due_label = label
            if rule is MONITORING:
                policy.next_label = "Write the monitoring report"
            elif policy.status in PUBLISHED_STATUSES:
                policy.next_label = START_REVIEW.page.title
        late = [policy for policy in policies if policy.due_state.is_overdue]
        soon = [policy for policy in policies if not policy.due_state.is_overdue]
        if late:  # shown only when something is late, at the top of the page
            overdue.append({"title": f"{kind} overdue", "hint": hint, "policies": late, "due": rule.field,
                            "due_label": label, "overdue": True, "shown_first": "most overdue",
                            "all_url": everything + DueStatus.OVERDUE.value})
        due_soon.append({"title": f"{kind} due {rule.warning_label}", "hint": hint, "policies": soon,
                         "due": rule.field, "due_label": label, "shown_first": "due soonest",
                         "all_url": everything + DueStatus.DUE_SOON.value})
    return overdue, due_soon


@_compiled_queue
def _due_policies(viewer: Viewer, today, field: str) -> QuerySet[Policy]:
    rule = REVIEW if field == REVIEW.field else MONITORING
    # The most overdue and those due soonest, each up to one more than a queue shows: read as one list, these
    # filled it with overdue ones wherever more were overdue than it shows, and "due soon" said nothing was
    # (make bench: PCU and co-ordinators, thousands due within 6 months). Each part is a LIMIT read in the due
    # date's index order; the policies are then looked up by id.
    due = (policies_seen_by(viewer).filter(rule.due_or_overdue(today)).filter(_responsible(viewer))
           .order_by(rule.field, "pk"))
    # Overdue the day after (lifecycle.due.DueRule.is_overdue). Each a range of the date's index (an exclude()
    # of the first would be NOT (date < today AND date IS NOT NULL): read from the first overdue one on).
    past_due, not_yet = Q(**{f"{rule.field}__lt": today}), Q(**{f"{rule.field}__gte": today})
    return _queue(Policy.objects.filter(pk_in_ids(due.filter(past_due).values("pk")[:QUEUE_SHOWN + 1])
                                        | pk_in_ids(due.filter(not_yet).values("pk")[:QUEUE_SHOWN + 1])),
                  order=rule.field, limit=2 * (QUEUE_SHOWN + 1))


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


def _report_queues(roles, today) -> list[dict]:
    report_groups = frozenset(_group_ids(roles, Role.COORDINATOR))
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


@_compiled
def _reports(report_groups: frozenset[int], pcu: bool) -> QuerySet[MonitoringReport]:
    condition = Q(pk__in=[])
    if report_groups:
        condition |= Q(status=MonitoringReport.Status.SUBMITTED, policy__business_group_id__in=report_groups)
    if pcu:
        condition |= Q(status=MonitoringReport.Status.QA_PASSED)
    return (MonitoringReport.objects.filter(condition).order_by("submitted_at", "pk")
            .values_list("pk", "policy_id", "status", "period_end", "submitted_at", "policy__reference",
                         "policy__title")[:QUEUE_SHOWN + 1])


def _monitoring_action_queues(user, roles, today) -> list[dict]:
    """Issue 13: quality-assured monitoring reports awaiting this Lead's response (the policies naming them, or
    naming no Lead in their group), and the remedial actions a Lead has directed to this person, most overdue first
    (lifecycle.due.REMEDIAL). One query each."""
    queues = []
    report_url = cached_reverser("assessments:monitoring_report", 2)
    lead_groups = frozenset(_group_ids(roles, Role.LEAD))
    if lead_groups:
        queues.append({"title": "Monitoring reports to respond to", "hint": "Review the results: no action, a "
                       "remedial action, or an earlier review.", "shown_first": "quality-assured longest ago",
                       "entries": [
                           {"url": report_url(reference, pk),
                            "label": f"{reference} {title}: report to {period_end:%-d %B %Y}", "state": None,
                            "due_label": ""}
                           for pk, period_end, reference, title in _awaiting_response(lead_groups, user.pk)]})
    actions = _remedial_actions(user.pk)
    if actions:
        queues.append({"title": "Remedial actions for you", "hint": "Directed by the Designated Lead after a "
                       "monitoring report; record each as done on the report's page.", "shown_first": "due soonest",
                       "entries": [
                           {"url": report_url(reference, report_id),
                            "label": f"{reference} {title}: {Truncator(remedial_action).chars(80)}",
                            "state": REMEDIAL.state(due_on, today), "due_label": "due"}
                           for report_id, remedial_action, due_on, reference, title in actions]})
    return queues


@_compiled
def _awaiting_response(lead_groups: frozenset[int], user_id: int) -> QuerySet[MonitoringReport]:
    return (MonitoringReport.objects
            .filter(status__in=QUALITY_ASSURED_REPORT_STATUSES, response__isnull=True,
                    policy__business_group_id__in=lead_groups)
            .filter(Q(policy__designated_lead_id=user_id) | Q(policy__designated_lead__isnull=True))
            .exclude(policy__status=Status.WITHDRAWN).order_by("qa_at", "pk")
            .values_list("pk", "period_end", "policy__reference", "policy__title")[:QUEUE_SHOWN + 1])


@_compiled
def _remedial_actions(user_id: int) -> QuerySet[MonitoringResponse]:
    return (MonitoringResponse.objects.filter(REMEDIAL.applies(), remedial_owner_id=user_id)
            .order_by("remedial_due_on", "pk")
            .values_list("report_id", "remedial_action", "remedial_due_on", "policy__reference", "policy__title")
            [:QUEUE_SHOWN + 1])


def _named_developer(user_id: int) -> Q:
    """The policies naming the user as a developer, looked up by their ids in the primary key (``pk_in_ids``): a
    developer is named on a few policies, where a hashed IN made PostgreSQL read every policy due in the window and
    join them to those few (make bench, a developer named on 30 of 100,000 policies: each due queue 17 ms against
    1.2 ms)."""
    return pk_in_ids(named_developer_policy_ids(user_id))


def _responsible(viewer: Viewer) -> Q:
    """Policies this user answers for: named developer, or a manager/co-ordinator/Lead/owner of the group.
    PCU answers for all."""
    if viewer.has_force_role(Role.PCU):
        return Q()
    condition = _named_developer(viewer.user_id)
    groups = {group for role, group in viewer.roles if group is not None and role != Role.DEVELOPER}
    if groups:
        condition |= Q(business_group_id__in=groups)
    return condition
