"""My work's queues of the cycle's work, by the roles the person holds: the drafts to finish and those submitted
(developers and managers), the Lead's decisions, quality assurance (PCU, DCFD, DOI), what co-ordinators forward and
PCU publishes, the emergency approvals awaiting the sign-off of what the route skipped, and the withdrawals PCU is
to carry out.

A policy whose withdrawal is decided is in none of them but PCU's withdrawals: every other step is closed while it
waits for PCU (lifecycle.steps.HALTS, asked of each queue as a query: ``not_halted``; found with the demo, the
co-ordinator's "To forward" still listed POL-0010 once its Lead had decided to withdraw it)."""

from __future__ import annotations

import rules
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from core.models import Role
from core.templatetags.cached_urls import cached_reverser
from core.templatetags.glossary import lowerfirst
from lifecycle.duties import took_part_in_current_version
from lifecycle.emergency import RISK_OWNER_WATCH, WRITTEN_BY_AUTHORS
from lifecycle.emergency import SKIPPED_PARTS as EMERGENCY_SKIPPED_PARTS
from lifecycle.models import NOT_WITHDRAWN, EmergencyRequest, Policy, PolicyVersion, QAOutcome, QASignOff
from lifecycle.permissions import managed_scope
from lifecycle.selectors import Viewer, authored_by, pk_in_ids, policies_seen_by
from lifecycle.states import APPROVAL_PIPELINE, EMERGENCY_SOURCES, Duty, Status
from lifecycle.steps import not_halted
from lifecycle.workflow import (
    AGREE_EMERGENCY_APPROVAL,
    CYCLE,
    SIGN_OFF_UPDATED_EIA,
    STEPS_BY_NAME,
    WITHDRAW,
    awaiting,
    awaiting_taker,
)
from lifecycle.workflow_monitoring import UPDATE_REOPENED_EIA
from workspace.queues import QUEUE_SHOWN, as_queue, compiled_queue, compiled_rows, group_ids, named_developer


def drafting_queues(user, viewer: Viewer) -> list[dict]:
    managed_units, managed_groups = managed_scope(user)
    if not (any(role == Role.DEVELOPER for role, _ in viewer.roles) or managed_units or managed_groups):
        return []
    return [{"title": "Drafts to finish",
             "hint": "Policies in scoping or development, and Equality Impact Assessments reopened at a review for "
                     "you to update.",
             "policies": _drafts(viewer, managed_units, managed_groups)}]


@compiled_queue
def _drafts(viewer: Viewer, managed_units: frozenset[int], managed_groups: frozenset[int]) -> QuerySet[Policy]:
    # Issue 4: a developer's drafts are those of the policies they are named on in a group they hold the developer role
    # in, as the visibility's own rule (lifecycle.selectors._reach) and ``is_assigned_developer``. One named on a
    # policy of another group sees it in force, as all staff do, and not its review draft, nor its next step on its
    # overview: it is not theirs to finish.
    developer_groups = group_ids(viewer.roles, Role.DEVELOPER)
    drafting = (named_developer(viewer.user_id) & Q(business_group_id__in=developer_groups) if developer_groups
                else Q(pk__in=[]))
    if managed_units or managed_groups:
        drafting |= Q(owning_unit_id__in=managed_units) | Q(business_group_id__in=managed_groups)
    # And the drafters' update of an EIA DCFD reopened at a review concluding no change, until they have revised it
    # (lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA: what comes next on it meanwhile; QA walk). Not a policy whose
    # withdrawal is decided (``not_halted``).
    drafted = (Q(status__in=[Status.SCOPING, Status.DEVELOPMENT])
               | awaiting(SIGN_OFF_UPDATED_EIA) & UPDATE_REOPENED_EIA.due.where())
    return as_queue(policies_seen_by(viewer).filter(drafting, not_halted()).filter(drafted)
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
# submission to publication (lifecycle.states.APPROVAL_PIPELINE, not a stage), it is with others. SUBMITTED names those
# statuses, for the developer's own list.
SUBMITTED = (Status.COMMISSIONING, *APPROVAL_PIPELINE)
SUBMITTED_TITLE = "Your submitted drafts"


def submitted_queues(viewer: Viewer) -> list[dict]:
    """The policies a developer is named on that are with others now: where each stands and since when. Not links: a
    draft out of their sight is not theirs to open (issue 4), save a policy in force whose review draft it is (its
    page shows the version in force). Before, a submitted policy simply left their My work. One query, for
    developers only."""
    developer_groups = frozenset(group_ids(viewer.roles, Role.DEVELOPER))
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


@compiled_rows
def _submitted(user_id: int, developer_groups: frozenset[int]) -> QuerySet[Policy]:
    # As the visibility's own rule for a developer's drafts (lifecycle.selectors._reach): named on it, and holding the
    # developer role in its business group. Not one approved by the emergency route whose EIA or Workbook they still
    # write: it is in their "Emergency approvals to complete" (``authors_queues``), with its link, not with others.
    return (Policy.objects.filter(named_developer(user_id), business_group_id__in=developer_groups,
                                  status__in=SUBMITTED)
            .exclude(Q(not_impact_assessed=True) & _authors_work_open())
            .order_by("status_changed_at", "pk")
            .values_list("reference", "title", "status", "status_changed_at", "first_published_on")[:QUEUE_SHOWN + 1])


AUTHORS_WORK = "Emergency approvals to complete"


def authors_queues(viewer: Viewer) -> list[dict]:
    """The policies approved by the emergency route whose retrospective EIA or Workbook impact sections the person
    writes (issue 13; SOP stage 3: "the impact assessment must be completed as soon as reasonably practicable"), as
    the chase reminds them and the policy's "What to do next" says it: the authors, by the one rule
    (lifecycle.selectors.emergency_authors), until DCFD and PCU have signed their parts off. QA walk: a developer named
    on POL-0014 in implementation, and its policy manager, had it on no list. One query, for developers and managers
    only (the rule reads no one else)."""
    if not group_ids(viewer.roles, Role.DEVELOPER, Role.MANAGER):
        return []
    policies = _authors_work(viewer)
    for policy in policies:
        policy.next_label = WRITTEN_BY_AUTHORS[policy.skipped_part].title
    return [{"title": AUTHORS_WORK, "policies": policies,
             "hint": "Approved by the emergency route before they were done: complete the Equality Impact Assessment "
                     "for DCFD to sign off, and the Workbook's impact sections for PCU, as soon as reasonably "
                     "practicable."}]


def _authors_parts_open() -> dict[str, Q]:
    """Of each part the authors write (lifecycle.emergency.WRITTEN_BY_AUTHORS), the condition that its discipline has
    not signed it off on the policy's newest version, as lifecycle.selectors.emergency_outstanding reads it."""
    return {discipline: ~Q(Exists(QASignOff.objects.filter(
        policy_version_id=Subquery(_latest_version()), discipline=discipline, outcome=QAOutcome.PASSED)))
        for discipline in WRITTEN_BY_AUTHORS}


def _authors_work_open() -> Q:
    conditions = list(_authors_parts_open().values())
    waiting = conditions[0]
    for condition in conditions[1:]:
        waiting |= condition
    return waiting


@compiled_queue
def _authors_work(viewer: Viewer) -> QuerySet[Policy]:
    # The first of their parts still open, to name it (``skipped_part``), as the overview names each.
    part = Case(*(When(condition, then=Value(discipline)) for discipline, condition in _authors_parts_open().items()),
                default=None, output_field=CharField())
    return as_queue(policies_seen_by(viewer).filter(authored_by(viewer.user_id, viewer.roles))
                    .filter(_authors_work_open()).annotate(skipped_part=part))


def lead_queues(viewer: Viewer) -> list[dict]:
    if not group_ids(viewer.roles, Role.LEAD):
        return []
    return [
        {"title": "Commissioning decisions", "hint": "Requests to commission development.",
         "policies": _leads_policies(viewer, Status.COMMISSIONING)},
        {"title": "Approvals to decide", "hint": "Quality-assured policies awaiting your approval.",
         "policies": _leads_policies(viewer, Status.WITH_LEAD)},
    ]


@compiled_queue
def _leads_policies(viewer: Viewer, status: str) -> QuerySet[Policy]:
    return as_queue(policies_seen_by(viewer).filter(not_halted(),
                                                  business_group_id__in=group_ids(viewer.roles, Role.LEAD),
                                                  status=status))


def _latest_version():
    """The id of the policy's newest version, as a subquery inside an EXISTS on the policy."""
    newest = (PolicyVersion.objects.filter(NOT_WITHDRAWN, policy_id=OuterRef(OuterRef("pk")))
              .order_by("-major", "-minor"))
    return newest.values("pk")[:1]


def _disciplines(viewer: Viewer) -> list[str]:
    return [role for role in (Role.PCU, Role.DCFD, Role.DOI) if viewer.has_force_role(role)]


def quality_assurance_queues(viewer: Viewer) -> list[dict]:
    disciplines = _disciplines(viewer)
    if not disciplines:
        return []
    # Issue 13 (QA crawl, finding 4): what an emergency approval skipped is each discipline's quality assurance, given
    # late; PCU also answers the Lead's request for the emergency route.
    title = "Submissions to quality-assure, and emergency approvals to sign off"
    hint = "Sign off or return with comments; sign off your part of what an emergency approval skipped."
    if Role.PCU in disciplines:
        title = "Submissions to quality-assure, and emergency approvals to answer or sign off"
        hint = ("Sign off or return with comments; agree to or refuse the emergency route; sign off your part of what "
                "an emergency approval skipped.")
    policies = _awaiting_quality_assurance(viewer)
    for policy in policies:
        if policy.skipped_part:
            policy.next_label = SKIPPED_PARTS[policy.skipped_part]
        elif policy.status in EMERGENCY_SOURCES:
            policy.next_label = AGREE_EMERGENCY_APPROVAL.page.title
    return [{"title": title, "hint": hint, "policies": policies}]


# What the emergency route skipped, each part signed off late by its discipline, named as declared
# (lifecycle.emergency.SKIPPED_PARTS: the policy's "What to do next" names it the same way).
SKIPPED_PARTS = {discipline: part.title for discipline, part in EMERGENCY_SKIPPED_PARTS.items()}


@compiled_queue
def _awaiting_quality_assurance(viewer: Viewer) -> QuerySet[Policy]:
    disciplines = _disciplines(viewer)
    outstanding = {discipline: ~Q(Exists(QASignOff.objects.filter(
        policy_version_id=Subquery(_latest_version()), discipline=discipline, outcome=QAOutcome.PASSED)))
        for discipline in disciplines}
    awaiting = Q(pk__in=[])
    for condition in outstanding.values():
        awaiting |= condition
    # Those waiting longest, read in the order of policy_status_updated_idx and tested one by one until a queue is
    # full, then looked up by id (``pk_in_ids``) with the emergency requests: as one OR, PostgreSQL tested the
    # sign-offs of every submission before sorting them (make bench, PCU at 100,000 policies: 1,996 submissions,
    # 16 ms; 43 ms when the estimate set off JIT compilation).
    candidates = policies_seen_by(viewer).filter(not_halted()).exclude(took_part_in_current_version(viewer.user_id))
    submitted = candidates.filter(Q(status=Status.SUBMITTED_FOR_QA) & awaiting).order_by("updated_at", "pk")
    waiting = pk_in_ids(submitted.values("pk")[:QUEUE_SHOWN + 1])
    # What an emergency approval skipped, not yet signed off by one of the viewer's disciplines on the version approved
    # (issue 13; QA crawl, finding 4: only DCFD's My work listed it). In the same query, so that My work's cost does not
    # grow; the policies not impact assessed are few, and looked up by id.
    skipped = candidates.filter(awaiting, not_impact_assessed=True).order_by("updated_at", "pk")
    waiting |= pk_in_ids(skipped.values("pk")[:QUEUE_SHOWN + 1])
    if Role.PCU in disciplines:
        # The emergency route (issue 13): the Lead's request waits for a member of PCU to agree or refuse, in their
        # own name. In the same query as the submissions, so that My work's cost does not grow. The unanswered
        # requests are few: read once, and their policies looked up by id.
        emergency = pk_in_ids(EmergencyRequest.objects.filter(answered_at__isnull=True).values("policy_id"))
        waiting |= pk_in_ids(candidates.filter(emergency, status__in=EMERGENCY_SOURCES).order_by().values("pk"))
    # The first of the viewer's parts an emergency approval skipped that is outstanding, to name it.
    skipped_part = Case(*(When(Q(not_impact_assessed=True) & condition, then=Value(discipline.value))
                          for discipline, condition in outstanding.items()), default=None, output_field=CharField())
    return as_queue(Policy.objects.filter(waiting).annotate(skipped_part=skipped_part))


def coordination_queues(user, viewer: Viewer) -> list[dict]:
    queues = []
    if group_ids(viewer.roles, Role.COORDINATOR):
        queues.append({"title": "To forward", "hint": "QA-passed submissions for the Lead, approved ones for PCU.",
                       "policies": _to_forward(viewer)})
    if viewer.has_force_role(Role.PCU):
        queues.append({"title": "To publish", "hint": "Approved policies sent to PCU for publication, and those to "
                       "re-publish unchanged once a review concluded no change is needed (not those whose quality "
                       "assurance you signed: another member of PCU publishes them). One scheduled for a later date "
                       "waits on that date: publish it sooner, or cancel the schedule, on its Publication page.",
                       "policies": _to_publish(viewer, _under_way_steps(user, publishing=True))})
    if group_ids(viewer.roles, Role.LEAD):
        awaiting_eia = _awaiting_eia(viewer)
        for policy in awaiting_eia:
            # The Lead, as risk owner, sees done what the emergency route skipped (each discipline signs its own part
            # off from its quality assurance queue).
            policy.next_label = RISK_OWNER_WATCH
        queues.append({"title": "Emergency approvals awaiting sign-off", "policies": awaiting_eia,
                       "hint": "Not impact assessed until what the emergency route skipped is signed off: the EIA by "
                               "DCFD, the Workbook's impact sections by PCU and information management by DOI."})
    return queues


WITHDRAWALS = "Withdrawals to carry out"


def withdrawal_queues(viewer: Viewer) -> list[dict]:
    """PCU: the withdrawals the Designated Lead or the owner decided and PCU has not yet carried out (SOP: they
    "retain ultimate ownership"; PCU takes the policy off the intranet and the Publication Scheme)."""
    if not viewer.has_force_role(Role.PCU):
        return []
    policies = _to_withdraw(viewer)
    for policy in policies:
        policy.next_label = WITHDRAW.page.title
    return [{"title": WITHDRAWALS, "hint": "Decided by the Designated Lead or the owner.",
             "policies": policies}]


@compiled_queue
def _to_withdraw(viewer: Viewer) -> QuerySet[Policy]:
    return as_queue(policies_seen_by(viewer).exclude(status=Status.WITHDRAWN).filter(
        withdrawal_decisions__isnull=False, withdrawal_decisions__carried_out_at__isnull=True))


@compiled_queue
def _to_forward(viewer: Viewer) -> QuerySet[Policy]:
    return as_queue(policies_seen_by(viewer).filter(not_halted(),
                                                  business_group_id__in=group_ids(viewer.roles, Role.COORDINATOR),
                                                  status__in=[Status.QA_PASSED, Status.APPROVED]))


@compiled_queue
def _to_publish(viewer: Viewer, republishing: tuple[str, ...]) -> QuerySet[Policy]:
    """Awaiting their publication, or a publisher's part under way (``republishing``: PCU's re-publication of a review
    concluded "no change", once DCFD has confirmed its EIA). In the one statement: PCU's My work costs no more."""
    # Its parts under way are not halted (``awaiting`` asks the step's halts); a first publication is asked here.
    waiting = Q(status=Status.AWAITING_PUBLICATION) & not_halted()
    for name in republishing:
        waiting |= awaiting_taker(STEPS_BY_NAME[name])
    return as_queue(policies_seen_by(viewer).filter(waiting).exclude(took_part_in_current_version(viewer.user_id)))


def _under_way_steps(user, *, publishing: bool) -> tuple[str, ...]:
    """The steps a part under way waits for (``Step.under_way``) that the person's force-wide role takes (their
    permission, asked without a policy: a group's role answers for none), by name: the publisher's
    (``Duty.PUBLISHER``, in "To publish") or the others. Detours aside: a decided withdrawal has its own queue."""
    return tuple(step.name for step in CYCLE.steps if step.under_way is not None and step not in CYCLE.detours
                 and (step.duty == Duty.PUBLISHER) == publishing and rules.has_perm(step.permission, user))


UNDER_WAY = "Reviews concluded with no change"


def under_way_queues(user, viewer: Viewer) -> list[dict]:
    """The parts under way that wait for the person's role, publication aside (in "To publish"): DCFD's confirmation
    of the Equality Impact Assessment once the Designated Lead concluded a review needs no change, and its sign-off of
    the update where DCFD said the assessment must be updated. Each says its step, from its row (``AWAITS``). Reached
    only through the inbox before (QA walk). One query, for those whose role takes such a step."""
    steps = _under_way_steps(user, publishing=False)
    if not steps:
        return []
    return [{"title": UNDER_WAY, "policies": _under_way(viewer, steps),
             "hint": "The Designated Lead concluded that the policy needs no change: confirm that its Equality Impact "
                     "Assessment still stands, or sign off the update you asked for. PCU then re-publishes it."}]


@compiled_queue
def _under_way(viewer: Viewer, steps: tuple[str, ...]) -> QuerySet[Policy]:
    # Not before the work its step waits for is done (``Step.first``: DCFD's sign-off of the updated EIA once the
    # drafters have revised it; QA walk: offered before any revision).
    waiting = Q(pk__in=[])
    for name in steps:
        waiting |= awaiting_taker(STEPS_BY_NAME[name])
    return as_queue(policies_seen_by(viewer).filter(waiting))


@compiled_queue
def _awaiting_eia(viewer: Viewer) -> QuerySet[Policy]:
    # The Lead's own business groups' (they are its risk owner, as the overview says: next_steps.risk_owner_watches);
    # another group's, which every member of staff sees in force, is not theirs to watch (review of 2026-12-05, 2).
    return as_queue(policies_seen_by(viewer).filter(not_halted(), not_impact_assessed=True,
                                                    business_group_id__in=group_ids(viewer.roles, Role.LEAD)))
