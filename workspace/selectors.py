"""My work: what waits for each person, across the cycle (lifecycle), the assessments (monitoring reports) and
publication. It sits above those apps, so that none of them imports another to build one person's queues.

Each concern builds its own queues (workspace.role_queues, workspace.due_queues, workspace.report_queues,
workspace.asked_queues, on workspace.queues' building blocks); here they are put in order, each item shown once."""

from __future__ import annotations

from django.utils import timezone

from lifecycle.deadlines import SCHEDULED_FOR, stage_deadline_state
from lifecycle.due import MONITORING, REVIEW, DueStatus
from lifecycle.selectors import drafts_kept_from, viewer_of
from lifecycle.workflow import way_on_of
from workspace.asked_queues import acknowledgement_queues, advice_queues
from workspace.due_queues import _due_policies as _due_policies
from workspace.due_queues import due_queues
from workspace.queues import NAMED_ONLY, next_of
from workspace.queues import QUEUE_SHOWN as QUEUE_SHOWN
from workspace.report_queues import monitoring_action_queues, report_queues
from workspace.role_queues import (
    WITHDRAWALS,
    authors_queues,
    coordination_queues,
    drafting_queues,
    lead_queues,
    quality_assurance_queues,
    submitted_queues,
    under_way_queues,
    withdrawal_queues,
)
from workspace.role_queues import _awaiting_eia as _awaiting_eia
from workspace.role_queues import _awaiting_quality_assurance as _awaiting_quality_assurance
from workspace.role_queues import _drafts as _drafts
from workspace.role_queues import _leads_policies as _leads_policies
from workspace.role_queues import _to_forward as _to_forward
from workspace.role_queues import _to_publish as _to_publish
from workspace.role_queues import _under_way as _under_way

# QUEUE_SHOWN and the queues' compiled statements are imported "as" themselves: re-exported for the tests that read
# them here (tests/workspace/test_compiled_queues.py, test_queue_overflow.py, tests/browser/test_my_work_overflow.py).


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


def my_work(*, user, today=None) -> list[dict]:
    """What waits for this user, as titled queues. A fixed number of queries, whatever the data size."""
    today = today or timezone.localdate()
    viewer = viewer_of(user)
    if viewer is None:
        return []
    roles = viewer.roles
    overdue, due_soon = due_queues(viewer, today)
    # A decided withdrawal first (the policy's work is then its withdrawal, not its reports), then what is overdue,
    # then the work waiting, then what falls due soon (issue 17).
    queues = [_trimmed(queue) for queue in (
        *withdrawal_queues(viewer),
        *overdue,
        *drafting_queues(user, viewer),
        *authors_queues(viewer),
        *submitted_queues(viewer),
        *lead_queues(viewer),
        *quality_assurance_queues(viewer),
        *under_way_queues(user, viewer),
        *coordination_queues(user, viewer),
        *due_soon,
        *report_queues(roles, today),
        *advice_queues(user, roles),
        *acknowledgement_queues(user),
        *monitoring_action_queues(user, viewer, today),
    )]
    # A report waiting for quality assurance or publication (and shown) is that policy's monitoring item: shown
    # there, once.
    in_hand = {("monitoring", report.policy_id) for queue in queues for report in queue.get("reports") or ()}
    # A policy PCU is to withdraw asks for no monitoring report of PCU.
    in_hand |= {("monitoring", policy.pk) for queue in queues if queue["title"] == WITHDRAWALS
                for policy in queue["policies"]}
    return _each_once(queues, today, seen=in_hand, viewer=viewer)


def _next_step(policy) -> tuple[str, str, str]:
    """What moves ``policy`` on, who takes it and who has done their part: the step a queue named for it, else the step
    a part under way waits for or the way on from its status, as declared (``workflow.way_on_of``, as the policy's
    overview asks it: a review concluded "no change" waits for DCFD's confirmation, then for PCU's re-publication, read
    with the row, no query), or work that falls due before it, as the policy's "What to do next" says
    (``queues.next_of``: of quality assurance, the disciplines still to sign off)."""
    if getattr(policy, "next_label", ""):
        return policy.next_label, getattr(policy, "next_by", ""), ""
    step = way_on_of(policy)
    return next_of(step, policy) if step else ("", "", "")


def _each_once(queues: list[dict], today, *, seen: set[tuple[str, int]], viewer) -> list[dict]:
    """Each item once, in the first queue it appears in (a policy's work, its review among it, is one item; its
    monitoring report another), named with what to do next (the step that moves it on, as declared:
    ``workflow.way_on``) and its review's due state (``lifecycle.due``).

    And whose step that is (QA crawl, finding 16: PCU's "Reviews overdue" said "Next: Submit for quality assurance",
    a developer's step, and "Next: Publish" to the member of PCU who could not publish it). The queues of the person's
    roles (drafts, decisions, quality assurance, forwarding, publishing, withdrawals, sign-offs) hold their own work:
    a policy in one of them is theirs to move on, by that queue's step, wherever it is shown. A review or report due of
    a policy they answer for, and in none of them, says who takes its next step (``next_by``) and who has done their
    part (``next_done``: "PCU has signed off."), as its overview does; nothing of a draft they are not shown
    (``drafts_kept_from``: a developer's review once submitted; a review draft of a policy whose developer role they
    hold in another group), of which its overview says nothing either, whichever queue lists it."""
    own = {policy.pk: _next_step(policy)[0] for queue in queues if queue.get("policies") and not queue.get("due")
           for policy in queue["policies"]}
    # The queue each item is shown in (QA walk 2026-12-05, 3: a review overdue, its re-publication waiting for PCU,
    # was under "Reviews overdue" and "To publish" said "0, Nothing waiting"). A queue of the person's own work counts
    # what is waiting in it but shown above, and says where (``shown_above``).
    shown_in: dict[tuple[str, int], str] = {}
    # Which rows' drafts are kept from the reader: asked of every row at once (one query at most), not of each.
    drafts_kept = drafts_kept_from(viewer, [policy for queue in queues for policy in queue.get("policies") or ()])
    for queue in queues:
        queue.setdefault("shown_above", [])
        queue.setdefault("waiting", None)
        if queue.get("policies") is None:
            continue
        kind = "monitoring" if queue.get("due") == MONITORING.field else "policy"
        kept = []
        for policy in queue["policies"]:
            if (kind, policy.pk) in seen:
                if not queue.get("due") and (kind, policy.pk) in shown_in:
                    queue["shown_above"].append((policy, shown_in[kind, policy.pk]))
                continue
            seen.add((kind, policy.pk))
            shown_in[kind, policy.pk] = queue["title"]
            if not hasattr(policy, "due_state"):
                state = REVIEW.state_of(policy, today)
                policy.due_state = state if state and state.status != DueStatus.IN_DATE else None
                policy.due_label = "review due"
            policy.next_done = ""
            kept_from = kind == "policy" and policy.pk in drafts_kept
            if kept_from or getattr(policy, NAMED_ONLY, False):  # a step that is not theirs (workspace.due_queues)
                policy.next_label, policy.next_by = "", ""
            elif kind == "policy" and policy.pk in own:
                policy.next_label, policy.next_by = own[policy.pk], ""
            else:
                label, by, done = _next_step(policy)
                policy.next_label = label
                policy.next_by, policy.next_done = (by, done) if queue.get("due") else ("", "")
            # By when: work handed to someone is expected by its stage's declared deadline (lifecycle.deadlines, which
            # the chase reads too: it reminds whoever holds the work from that day), a withdrawal decided by its own,
            # from the decision. A publication PCU scheduled waits on its date instead, which is said (QA walk: "To
            # publish" said "by 18 December 2026", then "Waiting too long", of a version scheduled for 4 January
            # 2027), as its overview says it; the dashboard and the chase do not count it stuck either
            # (lifecycle.deadlines.publication_scheduled). Neither date of a draft kept from the reader, as its
            # overview says no date of it (security probe F7).
            dated = kind == "policy" and not kept_from
            scheduled_for = getattr(policy, SCHEDULED_FOR, None) if dated else None
            setattr(policy, SCHEDULED_FOR, scheduled_for)
            waiting = stage_deadline_state(policy, today, scheduled=scheduled_for is not None) if dated else None
            if waiting is not None:
                policy.expected_by, policy.expected_late = waiting.due, waiting.is_overdue
            kept.append(policy)
        queue["policies"] = kept
        queue["waiting"] = len(kept) + len(queue["shown_above"])
    # An overdue queue is shown only while something in it is late and not shown in an earlier queue.
    return [queue for queue in queues if not (queue.get("overdue") and not queue["policies"])]
