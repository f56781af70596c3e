"""The reminders one policy's row calls for today, one kind per method (``PolicyChase``), and the stages in which
work counts as stuck. SOP, "Role of Business Group Policy Co-ordinator": "Ensure policy reviews and monitoring
reports are completed on time by the policy authors through employing a system of prompts and reminders"."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from assessments.models import MonitoringReport
from core.models import Role

# The stage deadlines (lifecycle.deadlines) say from when work waiting on someone is chased; the dashboard reads them
# too.
from lifecycle.deadlines import MONITORING_REPORT_QA, STAGE_DEADLINES, WITHDRAWAL, waiting_on
from lifecycle.due import (
    DEVELOPER_PART,
    MONITORING,
    NAMED_PARTS,
    REMEDIAL,
    REVIEW,
    DueState,
    DueStatus,
)
from lifecycle.emergency import SKIPPED_PARTS, authors_work_waiting
from lifecycle.selectors import Clearance, authors_of
from lifecycle.states import ProtectiveMarking, QADiscipline, Status, highest_marking
from notifications.models import ReminderKind
from notifications.services.people import People
from notifications.services.schedule import before_steps, latest_step


@dataclass(frozen=True)
class PlannedReminder:
    policy_id: int
    reference: str
    title: str
    cycle: int
    recipient_id: int
    kind: str
    due_on: datetime.date
    item_due_on: datetime.date | None
    step: str
    message: str
    # Which item of its kind (Reminder.chased_item): a remedial action's id, a review's date (``review_item``); 0 for a
    # kind with one per policy.
    chased_item: int = 0


def review_item(due: datetime.date) -> int:
    """A review reminder's item in the ledger's exactly-once key (``Reminder.chased_item``): the review date it chases,
    as the number 20260301 for 1 March 2026. A review brought forward is chased for its new date from that date's own
    schedule, whose steps may fall on a day the old date's used ("6 months before" 1 March 2026 is "3 months before" 1
    December 2025): told apart by the date, the new date's reminder is written, and the old one's, closed when the date
    changed (``reminders.review_reminders_close``), is not written again. (Migration 0014 numbered those written
    before.)"""
    return due.year * 10_000 + due.month * 100 + due.day


def due_words(state: DueState, *, ahead: str | None = None) -> str:
    """A reminder's words for its due date, as the day it is written sees it (lifecycle.due's one rule, as the
    register and My work say it): a date gone by "was due on 31 March 2026 and is overdue by 249 days", today's "is
    due today, 31 March 2026", one ahead "is due on 31 March 2026" with the schedule's step (``ahead``, "3 months
    before") or the days left. (QA crawl, finding 11: a date gone by read "is due on 31 March 2026 (overdue by 249
    days)".)"""
    on = f"{state.due:%-d %B %Y}"
    if state.is_overdue:
        return f"was due on {on} and is {state.phrase}"
    if state.days == 0:
        return f"is due today, {on}"
    if ahead:
        return f"is due on {on} ({ahead})"
    return f"is due on {on}, in {state.days} day{'s' if state.days != 1 else ''}"


# The statuses in which work waits on someone's stage deadline (lifecycle.deadlines.STAGE_DEADLINES: whom it chases,
# what for, and from when).
STUCK_STATUSES = {deadline.status: (deadline.chases, deadline.waiting_for) for deadline in STAGE_DEADLINES}
# The reminder of each deadline the chase reminds of (``PolicyChase.stuck``): a stage's "Work waiting too long", and a
# withdrawal decided, chased as its own kind. Its wait ends only when PCU withdraws the policy (which stops every
# reminder of it), not when a step moves the status (``reminders.stuck_reminders_close``) or a discipline signs off
# quality assurance (``reminders.qa_reminders_signed_off_close``), which close a stage's.
KIND_OF_DEADLINE = {WITHDRAWAL.key: ReminderKind.WITHDRAWAL}


@dataclass
class PolicyChase:
    """The reminders one policy's row calls for today, one kind per method.

    Of an OFFICIAL-SENSITIVE policy, only to those cleared for its business group's material (security probe F2, the
    chase's side of what the relay does in ``outbox._cleared``): every reminder names the policy's reference and
    title, in the inbox and the digest e-mail. The rule is ``Clearance``'s (``lifecycle.selectors.roles_cleared_for``),
    read from the role holders ``People`` loads anyway: no query per person. Someone named on the policy who is not
    cleared (their role removed since they were named, or the policy re-marked) is not reminded of it, and is passed
    over as a leaver is: a single named part falls to the business group's holders of its role (``named``), who are
    cleared by holding it; a developer is left out, the other authors chased; and ``orphans`` tells the co-ordinator
    weekly that the part needs reassigning, so that the work is not silently dropped (SOP, the co-ordinator's role:
    "Ensure policy reviews and monitoring reports are completed on time ... through employing a system of prompts and
    reminders"). ``reminders`` holds the rule for every kind, whoever a method chose."""

    row: dict
    today: datetime.date
    people: People
    config: dict
    reports_in_qa: dict
    submitted_on: dict
    missing_disciplines: dict
    remedial: list

    def __post_init__(self) -> None:
        self.group = self.row["business_group_id"]
        self.cycle = self.row["cycle"] or 1
        self.authors = {developer for developer in self.people.developers.get(self.row["pk"], set())
                        if self.cleared(developer)} | self.named("policy_manager_id", Role.MANAGER)
        self.every = self.config["overdue_every_days"]
        # The review's state by lifecycle.due's one rule: None where no review date applies.
        self.review_state = REVIEW.state_of(self.row, self.today)

    def cleared(self, user_id: int) -> bool:
        """Whether ``user_id`` may be reminded of this policy: anyone of an OFFICIAL one; of an OFFICIAL-SENSITIVE
        one, those cleared for its business group's material (``reminded_of``)."""
        return reminded_of(self.row, self.people.clearance, user_id)

    def named(self, column: str, role: str) -> set[int]:
        """The person named in ``column``, or, if they have left or are not cleared for the policy, the business
        group's holders of ``role``."""
        named_id = self.row[column]
        return self.people.named_or_group(named_id if named_id is None or self.cleared(named_id) else None,
                                          self.group, role)

    def of_report(self, marking: str) -> PolicyChase:
        """This chase as it reads the work of one of the policy's monitoring reports, marked ``marking`` (the report's
        own, kept as it was written: assessments.selectors): whoever it reminds, named or by role, is cleared for the
        stricter of that and the policy's marking now, as the pages read the report (``reports_readable_by``) and the
        relay tells of it (``outbox._cleared``), by the same rule (``reminded_of``). Review of 2026-12-05, finding 4:
        a remedial action directed after a report made OFFICIAL-SENSITIVE was chased, in its own words, with its
        owner no longer cleared for it once a review had re-marked the policy OFFICIAL."""
        stricter = highest_marking(self.row["protective_marking"], marking)
        if stricter == self.row["protective_marking"]:
            return self
        return dataclasses.replace(self, row={**self.row, "protective_marking": stricter})

    def answering_for_remedial(self) -> set[int]:
        """Who is reminded of a remedial action its owner may not be (left, or not cleared for its report): the Lead,
        who directed it and may record it done (SOP, the Lead's role: "Review monitoring and compliance results and
        direct appropriate remedial action"); with no Lead of the business group cleared, its co-ordinator(s), who
        "Ensure policy reviews and monitoring reports are completed on time ... through employing a system of prompts
        and reminders"; with none, PCU, as the orphan reminder does, rather than nobody."""
        return (self.named("designated_lead_id", Role.LEAD) or self.named("coordinator_id", Role.COORDINATOR)
                or self.people.force(Role.PCU))

    def reminders(self, kind, step, recipients, message, item_due=None, item=0) -> list[PlannedReminder]:
        row = self.row
        # Never to someone not cleared for an OFFICIAL-SENSITIVE policy, whichever way a method found them (the
        # methods pass over them already: this is the defence behind them).
        return [PlannedReminder(row["pk"], row["reference"], row["title"], self.cycle, recipient, kind, step[0],
                                item_due, step[1], message, item)
                for recipient in sorted(recipients) if self.cleared(recipient)]

    def escalated(self, due) -> set[int]:
        overdue = (self.today - due).days
        extra: set[int] = set()
        thresholds = self.config["escalate_after_days"]
        if overdue >= thresholds["coordinator"]:
            extra |= self.named("coordinator_id", Role.COORDINATOR)
        if overdue >= thresholds["lead"]:
            extra |= self.named("designated_lead_id", Role.LEAD)
        if overdue >= thresholds["owner"]:
            extra |= self.named("owner_id", Role.OWNER)
        return extra

    def review(self) -> list[PlannedReminder]:
        """The 3-yearly review: chased until the reviewed version is published, whatever stage the review is in
        (lifecycle.due.REVIEW)."""
        row, due = self.row, self.row["review_due_on"]
        if self.review_state is None:
            return []
        step = latest_step(self.today, before_steps(due, self.config["review_months_before"]), due=due,
                           every_days=self.every)
        if not step:
            return []
        # Once overdue, the ledger's step is weekly ("overdue by 28 days"), its words the day's (``due_words``). The
        # item is the date chased (``review_item``).
        return self.reminders(ReminderKind.REVIEW_DUE, step, self.authors | self.escalated(due),
                              f"Review of {row['reference']} {row['title']} "
                              f"{due_words(self.review_state, ahead=step[1])}.", due, item=review_item(due))

    def monitoring_report(self) -> list[PlannedReminder]:
        """The annual monitoring report, until a report reaches the co-ordinator. The published version stays in
        force during a review, so its report is chased through the review too (lifecycle.due.MONITORING)."""
        row, due = self.row, self.row["monitoring_report_due_on"]
        state = MONITORING.state_of(row, self.today)
        if state is None or row["pk"] in self.reports_in_qa:
            return []
        step = latest_step(self.today, before_steps(due, self.config["monitoring_months_before"]), due=due,
                           every_days=self.every)
        if not step:
            return []
        return self.reminders(ReminderKind.MONITORING_DUE, step, self.authors | self.escalated(due),
                              f"The annual monitoring report for {row['reference']} {row['title']} "
                              f"{due_words(state, ahead=step[1])}.", due)

    def monitoring_qa(self) -> list[PlannedReminder]:
        """A monitoring report sitting with the co-ordinator for QA."""
        report = self.reports_in_qa.get(self.row["pk"])
        if not (report and report["status"] == MonitoringReport.Status.SUBMITTED and report["submitted_at"]):
            return []
        submitted = timezone.localtime(report["submitted_at"])
        start = MONITORING_REPORT_QA.due_on(submitted.date())
        step = latest_step(self.today, [(start, "waiting for quality assurance")], due=start, every_days=self.every)
        if not step:
            return []
        # It tells of the report (that it exists, when it was submitted): only to those cleared for it (``of_report``).
        chase = self.of_report(report["report_marking"])
        return chase.reminders(ReminderKind.MONITORING_QA, step, chase.named("coordinator_id", Role.COORDINATOR),
                               f"A monitoring report for {self.row['reference']} has been waiting for your quality "
                               f"assurance since {submitted:%-d %B %Y}, expected by {start:%-d %B %Y}.")

    def remedial_actions(self) -> list[PlannedReminder]:
        """Remedial actions the Lead directed after a monitoring report: to whoever is named, from a fortnight
        before until recorded as done (lifecycle.due.REMEDIAL), then weekly while overdue, with the Lead who
        directed it once overdue and the usual escalation."""
        reminders = []
        for action in self.remedial:
            state = REMEDIAL.state_of(action, self.today)
            if state is None:
                continue
            due = state.due
            step = latest_step(self.today, [(due - REMEDIAL.warning, "a fortnight before"), (due, "due today")],
                               due=due, every_days=self.every)
            if not step:
                continue
            # It quotes what the Lead directed after the report: only to those cleared for the report (``of_report``).
            chase = self.of_report(action["report_marking"])
            owner = action["remedial_owner_id"]
            recipients = {owner} if owner in self.people.active and chase.cleared(owner) \
                else chase.answering_for_remedial()
            if state.is_overdue:
                recipients |= chase.named("designated_lead_id", Role.LEAD) | chase.escalated(due)
            what = " ".join(action["remedial_action"].split())
            what = what if len(what) <= 160 else what[:159] + "\u2026"
            reminders.extend(chase.reminders(
                ReminderKind.REMEDIAL_ACTION, step, recipients,
                f"Remedial action on {self.row['reference']} after its monitoring report {due_words(state)}: {what}",
                due, item=action["pk"]))
        return reminders

    def emergency_authors(self) -> set[int]:
        """The authors of what the emergency route skipped (lifecycle.selectors.emergency_authors, the one rule the
        policy's pages, its "What to do next" and My work read too), from the role holders loaded for the scan."""
        roles = self.people.group_roles
        return authors_of(developers=self.people.developers.get(self.row["pk"], set()),
                          manager=self.row["policy_manager_id"],
                          group_developers=roles.get((self.group, Role.DEVELOPER), set()),
                          group_managers=roles.get((self.group, Role.MANAGER), set()))

    def emergency_eia(self) -> list[PlannedReminder]:
        """Emergency approval: weekly to its authors while what they write of it is not signed off (the EIA, the
        Workbook's impact sections: lifecycle.emergency.authors_work_waiting, as their overview and My work say it),
        and to the Lead as risk owner once overdue, until nothing it skipped is outstanding."""
        row, due, today = self.row, self.row["emergency_eia_due_on"], self.today
        if not (row["not_impact_assessed"] and due):
            return []
        offset = (today - due).days % self.config["emergency_eia_every_days"]
        step_date = today - datetime.timedelta(days=offset)
        label = "overdue" if step_date > due else ("due today" if step_date == due else "weekly reminder")
        outstanding = self.missing_disciplines.get(row["pk"], set(QADiscipline.values))
        signed_off = set(QADiscipline.values) - outstanding
        recipients = self.emergency_authors() if authors_work_waiting(signed_off) else set()
        if today >= due:
            recipients |= self.named("designated_lead_id", Role.LEAD)
        # Once the date has passed, it says so and how late it is, counted on the day the reminder is written, as the
        # review and monitoring reminders do (``due_words``); the weekly step stays the ledger's. (QA walk: twelve
        # days after the date, the reminder still said "it is due by 21 December 2026".)
        by = (f"was due by {due:%-d %B %Y}: {DueState(DueStatus.OVERDUE, due, (today - due).days).phrase}"
              if today > due else f"is due by {due:%-d %B %Y}")
        # What is left, in the words and order of the policy's page (lifecycle.emergency.SKIPPED_PARTS): once DCFD had
        # signed off the EIA, the reminder still said it "was approved without an Equality Impact Assessment" while
        # only the Workbook's impact sections and DOI's quality assurance were left.
        left = "; ".join(part.label for discipline, part in SKIPPED_PARTS.items() if discipline in outstanding)
        return self.reminders(ReminderKind.EMERGENCY_EIA, (step_date, label), recipients,
                              f"{row['reference']} {row['title']} was approved by the emergency route, before its "
                              f"impact assessment. Still to be signed off: {left}. It {by}.", due)

    def stuck(self) -> list[PlannedReminder]:
        """Work waiting too long in a stage (QA, with the Lead, awaiting publication...), or a withdrawal decided and
        not yet carried out, from the decision whatever the status (lifecycle.deadlines.waiting_on: the rule the
        policy's page, My work and the dashboard read). A publication PCU scheduled waits on its date."""
        row = self.row
        waiting = waiting_on(row)
        if waiting is None or (row.get("scheduled") and waiting[0] is not WITHDRAWAL):
            return []
        deadline, since = waiting
        waiting_since = timezone.localtime(since).date()
        if deadline.status == Status.SUBMITTED_FOR_QA and self.submitted_on.get(row["pk"]):
            waiting_since = timezone.localtime(self.submitted_on[row["pk"]]).date()
        start = deadline.due_on(waiting_since)
        step = latest_step(self.today, [(start, "waiting too long")], due=start, every_days=self.every)
        if not step:
            return []
        who, what = deadline.chases, deadline.waiting_for
        # Issue 13, "Overdue is overdue": a review stalled past its date says so in every reminder about it.
        overdue = ""
        if self.review_state is not None and self.review_state.is_overdue:
            overdue = f"; its review {due_words(self.review_state)}"
        if who == "qa":
            recipients = set().union(*(self.people.force(d) for d in self.missing_disciplines.get(row["pk"], set())))
        elif who == "pcu":
            recipients = self.people.force(Role.PCU)
        elif who == "lead":
            recipients = self.named("designated_lead_id", Role.LEAD)
        else:
            recipients = self.named("coordinator_id", Role.COORDINATOR)
        return self.reminders(KIND_OF_DEADLINE.get(deadline.key, ReminderKind.STUCK), step, recipients,
                              f"{row['reference']} {row['title']} has been waiting for {what} since "
                              f"{waiting_since:%-d %B %Y}, expected by {start:%-d %B %Y}{overdue}.")

    def orphans(self) -> list[PlannedReminder]:
        """Someone named on the policy has left (inactive account) or, on an OFFICIAL-SENSITIVE policy, is not
        cleared for it and so is not reminded of it (see the class): the co-ordinator (PCU, when the group has none
        left) is told weekly to reassign the part, whatever else is or is not due (``orphaned_parts``, the reminder's
        own condition: the chase reads every policy it could hold for, ``plan._could_be_due``), until the gap is
        filled (a reassignment filling it stops it at once, ``reminders_hand_over``; any other way, the next chase,
        ``ledger._orphan_reminders_close``)."""
        row = self.row
        inactive, uncleared, lead_uncleared_for_instructions = orphaned_parts(
            row, active=self.people.active, developers=self.people.developers.get(row["pk"], set()),
            inactive_developers=self.people.inactive_developers.get(row["pk"], set()),
            clearance=self.people.clearance, instruction_groups=self.people.instruction_groups.get(row["pk"], ()))
        if not (inactive or uncleared or lead_uncleared_for_instructions):
            return []
        reasons = []
        if inactive:
            reasons.append(f"its {', '.join(inactive)} account is no longer active")
        if uncleared:
            are = "is" if len(uncleared) == 1 else "are"
            reasons.append(f"its {_in_words(uncleared)} {are} not cleared for its OFFICIAL-SENSITIVE material (no "
                           f"role in its business group) and {are} not reminded of it")
        if lead_uncleared_for_instructions:
            # By no reference or title: the co-ordinator told may not be cleared for the instructions either.
            reasons.append("its Designated Lead is not cleared for the OFFICIAL-SENSITIVE local work instructions "
                           "that supplement it, so cannot give them the \"prior agreement with the corporate lead\"")
        monday = self.today - datetime.timedelta(days=self.today.weekday())
        # Issue 12: the reminder points at the page where the gap is filled (the path comes first so that the
        # 400-character message never cuts it off); once filled, notifications.services.reminders_hand_over
        # supersedes the open reminder and the chase plans no new one.
        people_page = reverse("lifecycle:people", args=[row["reference"]])
        # The co-ordinator, else the group's co-ordinators; a group left with none (its only one has gone) has PCU
        # told, who name co-ordinators and are cleared for every group's material, rather than nobody.
        recipients = self.named("coordinator_id", Role.COORDINATOR) or self.people.force(Role.PCU)
        return self.reminders(ReminderKind.ORPHAN, (monday, "weekly"), recipients,
                              f"Reassign at {people_page}: {row['reference']} {row['title']} needs reassigning, "
                              f"{'; '.join(reasons)}.")


def reminded_of(row: dict, clearance: Clearance, user_id: int) -> bool:
    """Whether ``user_id`` may be reminded of the policy ``row`` (its ``protective_marking`` and
    ``business_group_id``): anyone of an OFFICIAL one; of anything else (treated as sensitive, as the relay does),
    those cleared for its business group's material (``Clearance``, the one rule)."""
    return row["protective_marking"] == ProtectiveMarking.OFFICIAL or clearance.cleared(user_id,
                                                                                        row["business_group_id"])


def orphaned_parts(row: dict, *, active, developers, inactive_developers, clearance: Clearance,
                   instruction_groups: Iterable[int] = ()) -> tuple[list[str], list[str], bool]:
    """The orphan reminder's own condition, the one rule for when it is sent and when it stops: (the parts whose
    named holder has left, the parts whose named holder is active but may not be reminded of the policy,
    ``reminded_of``, by label; and whether its Designated Lead, active and reminded of it, is not cleared for an
    OFFICIAL-SENSITIVE local work instruction that supplements it). ``row`` holds the policy's ``NAMED_PARTS``
    columns (lifecycle.due's one declaration, which the dashboard's "Orphaned" figure reads too),
    ``protective_marking`` and ``business_group_id``; ``active`` the ids of active people (of those named, at least);
    ``developers`` and ``inactive_developers`` its named developers' ids; ``instruction_groups`` the business groups
    of the instructions that supplement it (lifecycle.selectors.sensitive_instruction_groups). The chase asks it of
    the policies it reads (``PolicyChase.orphans``, and stops the open reminders of those it plans none for); a
    reassignment of the policies it changes (``reminders._orphan_reminders_resolve``), so that reassigning one part
    does not stop the reminder about another.

    The corporate Lead reads each such instruction to give it the "prior agreement with the corporate lead" (SOP,
    "Local Work Instructions"); one no longer cleared for it (a role taken away since: lifecycle.services.
    lead_clearance tells PCU and the co-ordinator at once) leaves that agreement waiting on someone who cannot read
    it, a gap in the policy's parts as a leaver's is, until PCU names a cleared Lead or the Lead is cleared again."""
    named = [(label, row[column]) for label, column in NAMED_PARTS if row[column] is not None]
    inactive = [label for label, user_id in named if user_id not in active]
    if inactive_developers:
        inactive.append(DEVELOPER_PART)
    uncleared = [label for label, user_id in named
                 if user_id in active and not reminded_of(row, clearance, user_id)]
    if not all(reminded_of(row, clearance, developer) for developer in developers):
        uncleared.append(DEVELOPER_PART)
    lead = row["designated_lead_id"]
    lead_uncleared_for_instructions = (
        lead is not None and lead in active and reminded_of(row, clearance, lead)
        and not all(clearance.cleared(lead, group_id) for group_id in instruction_groups))
    return inactive, uncleared, lead_uncleared_for_instructions


def _in_words(labels: list[str]) -> str:
    """["owner", "Designated Lead", "developer"] as "owner, Designated Lead and developer"."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
