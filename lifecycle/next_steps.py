"""What a person should do next on a policy, and by when, in words read from the declarations (issue 17).

- Readiness: a page's way-on step (its first declared step) is "not ready yet" while any of its gates is unmet;
  each missing item is named by the gate's checklist label and linked to where it is put right (``gate.fix``).
- The next step: the pages this person may take now, or, when none, the step that moves the policy on
  (``workflow.way_on``) and who takes it (``Step.taken_by``).
- By when: the review and monitoring dates, through the one rule of ``lifecycle.due``; and the day the work
  waiting on someone's stage (quality assurance, the Lead's decision, publication...) is expected by, its
  declared deadline (``lifecycle.deadlines.STAGE_DEADLINES``, which the chase reads too).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import rules
from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat
from django.urls import reverse

from core.dates import date_shown
from core.text import in_words
from lifecycle import workflow
from lifecycle.deadlines import stage_deadline_state
from lifecycle.due import MONITORING, REVIEW, RULES, DueState, DueStatus
from lifecycle.gates import Gate, reason_for, scheduled_publication_date
from lifecycle.models import NOT_WITHDRAWN, PolicyVersion, QAOutcome, QASignOff
from lifecycle.monitoring_reports import ReportUnderWay
from lifecycle.states import QADiscipline, Status
from lifecycle.steps import WorkFirst
from lifecycle.workflow_monitoring import report_work


class Fix(NamedTuple):
    """Where a kind of missing item is put right (``gate.fix``): a URL name taking the policy's reference, and whether
    that page edits the draft (then linked only for those who may edit it). The monitoring reports are read by
    everyone who sees the policy and put right by whoever the gate names (QA walk of 2026-12-06: the Lead was told
    "Respond to every monitoring report" with no link, as if it were a draft's item)."""

    url_name: str
    edits_draft: bool


FIXES = {
    "workbook": Fix("assessments:workbook", edits_draft=True),
    "eia": Fix("assessments:eia", edits_draft=True),
    "consultation": Fix("lifecycle:consultation", edits_draft=True),
    "statement": Fix("lifecycle:statement_edit", edits_draft=True),
    "monitoring": Fix("assessments:monitoring", edits_draft=False),
}


def fix_url(gate: Gate, policy) -> str | None:
    """Where ``gate`` is put right: its page, at the field it names (``gate.field``), by the id the form gives the
    field (Django's ``id_<name>``, which the error summary links to as well). The Workbook's items all opened the top
    of a form 4,500 px long (QA crawl)."""
    fix = FIXES.get(getattr(gate, "fix", ""))
    if fix is None:
        return None
    field = getattr(gate, "field", "")
    return reverse(fix.url_name, args=[policy.reference]) + (f"#id_{field}" if field else "")


@dataclass
class Item:
    label: str
    met: bool
    url: str | None = None
    # Whether ``url`` edits the draft (``Fix.edits_draft``): then linked only for those who may edit it.
    edits_draft: bool = True
    # What the gate lists under it (the monitoring reports a review must read), each with its page and whether done.
    items: list = field(default_factory=list)
    # While unmet, what to do in words, where the label alone does not say it (``gate.explained``: its reason), and
    # the other way to settle it (``gate.instead``), a step's page offered to the reader, or None.
    hint: str = ""
    instead: workflow.Page | None = None


@dataclass
class Readiness:
    page: workflow.Page
    step: workflow.Step
    items: list[Item] = field(default_factory=list)

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.items if not item.met]

    @property
    def ready(self) -> bool:
        return not self.missing


def checklist(step: workflow.Step, policy, *, asked: dict | None = None, reports_readable: Q | None = None,
              offered: list[workflow.Page] | None = None) -> list[Item]:
    """The step's gates as a checklist (those the step's own record satisfies left out). ``asked``: gates already
    asked of this policy in this request, and their answers (each gate is asked once per page).
    ``reports_readable``: for a checklist that lists what a gate lists under it (the monitoring reports a review must
    read), the Q a report must match for its reader to read it (lifecycle.selectors.frozen_marking_readable), so that
    one they may not read is listed without its period or link; None lists nothing under the gates (a readiness,
    whose page names only what is missing). ``offered``: the pages offered to the reader (``workflow.pages_offered``),
    for an unmet item to link the other way to settle it where the reader may take it (None: linked for nobody)."""
    asked = {} if asked is None else asked
    items = []
    for gate in step.gates:
        if gate in step.records or (getattr(gate, "applies", None) and not gate.applies(policy)):
            continue
        if gate not in asked:
            asked[gate] = bool(gate(policy))
        listing = (gate.listing(policy, reports_readable=reports_readable)
                   if reports_readable is not None and getattr(gate, "listing", None) else [])
        unmet = not asked[gate]
        instead = workflow.PAGES[gate.instead][0] if unmet and getattr(gate, "instead", "") else None
        items.append(Item(label=gate.label, met=asked[gate], url=fix_url(gate, policy), items=listing,
                          edits_draft=getattr(FIXES.get(getattr(gate, "fix", "")), "edits_draft", True),
                          hint=reason_for(gate, policy) if unmet and getattr(gate, "explained", False) else "",
                          instead=instead if instead is not None and instead in (offered or ()) else None))
    return items


def readiness(page: workflow.Page, policy, *, asked: dict | None = None,
              offered: list[workflow.Page] | None = None) -> Readiness:
    """Whether ``page``'s way-on step could succeed now (``offered``: as ``checklist``'s)."""
    step = workflow.PAGES[page.slug][1][0]
    return Readiness(page=page, step=step, items=checklist(step, policy, asked=asked, offered=offered))


@dataclass(frozen=True)
class NextWork:
    """What comes next on a policy, in words: a step's page title or work due on a date (``DueWork``), who does it,
    who has done their part, and the date it is due by, where it has one."""

    title: str
    by: str
    done: str = ""
    due: datetime.date | None = None
    # The step it is, None for work due on a date (``DueWork``) or done before the step (``WorkFirst``).
    step: workflow.Step | None = None


def _date_of(key: str, policy) -> datetime.date | None:
    """The policy's date of the rule ``key`` of ``lifecycle.due.RULES`` ("review"), None where it has none."""
    state = RULES[key].state_of(policy) if key else None
    return state.due if state is not None else None


def next_work(step: workflow.Step, policy, *, by: str = "", done: str = "", report: ReportUnderWay | None = None
              ) -> NextWork:
    """``step`` as what comes next, with its due date (``step.due``); or, when work that falls due meanwhile
    (``step.meanwhile``) is due earlier, that work: after "Move to monitoring" the annual monitoring report, due within
    the year, comes before a review due in three (QA walk: the confirmation said "Next: Start a review").
    ``report``: the policy's monitoring report submitted and not yet published, if any
    (``monitoring_reports.report_under_way``): the annual report is then the part that report waits for, its quality
    assurance or its publication, not a new one that cannot be started (QA walk of 2026-12-05, B). Work others do
    before the step (``step.first``), while it is still to be done, comes first: the drafters' update of the EIA DCFD
    reopened, before DCFD signs it off (QA walk: the developer's My work said "Next: Sign off the updated Equality
    Impact Assessment" as if nothing were theirs). Of a list's row, its column says (``workflow.first_due``)."""
    if workflow.first_due(step, policy):
        return NextWork(title=step.first.title, by=step.first.taken_by)
    own = NextWork(title=step.page.title, by=by or step.taken_by, done=done, due=_date_of(step.due, policy),
                   step=step)
    earlier = [NextWork(title=work.title, by=work.taken_by, due=day)
               for work in (report_work(work, report) for work in step.meanwhile)
               if (day := _date_of(work.due, policy)) is not None and (own.due is None or day < own.due)]
    return min(earlier, key=lambda work: work.due) if earlier else own


def explanation(page: workflow.Page, policy) -> str:
    """The page's explanation (``Page.explanation``) with the policy's own values in it: ``{review}`` and
    ``{monitoring}``, its dates (lifecycle.due.RULES); ``{version}``, the number of its current version."""
    if not page.explanation:
        return ""
    dates = {key: _date_of(key, policy) for key in RULES}
    version = policy.current_version
    return page.explanation.format(version=version.number if version is not None else "",
                                   **{key: date_shown(day) if day else "not yet set" for key, day in dates.items()})


@dataclass
class NextSteps:
    """The policy page's "What to do next": the pages this person may take (with readiness), else who acts next;
    and the dates that matter now (overdue or due soon)."""

    offered: list[Readiness]
    way_on: workflow.Step | None
    review: DueState | None
    monitoring: DueState | None
    # By when the stage's people are expected to act (None: the work waits on no one's stage deadline).
    waiting: DueState | None = None
    # The date PCU scheduled the version's publication for: it then waits on that date, not on PCU.
    scheduled_for: datetime.date | None = None
    # Who takes the way on, where that is narrower than its declaration (``taken_by``): the QA disciplines left;
    # and, a sentence of its own, those who have done their part ("PCU has signed off.").
    way_on_by: str = ""
    way_on_done: str = ""
    # The reader is not shown the policy's newest version (staff reading the version in force while its review is
    # drafted): nothing above is said of it (``next_steps``).
    draft_unseen: bool = False
    # What comes next, in words, with its date (``next_work``): the way on, or work due before it.
    work: NextWork | None = None

    @property
    def review_pressing(self) -> bool:
        return self.review is not None and self.review.status != DueStatus.IN_DATE

    @property
    def monitoring_pressing(self) -> bool:
        return self.monitoring is not None and self.monitoring.status != DueStatus.IN_DATE

    @property
    def review_taken_by(self) -> str:
        return workflow.START_REVIEW.taken_by

    @property
    def review_is_next(self) -> bool:
        """A review is still to be started: not while a part under way (a review concluded "no change" waiting for its
        re-publication, a decided withdrawal) is what the policy waits for."""
        return self.way_on is None or self.way_on.under_way is None

    @property
    def start_review_offered(self) -> bool:
        return any(item.page is workflow.START_REVIEW.page for item in self.offered)

    @property
    def way_on_elsewhere(self) -> bool:
        """Pages are offered, none of them the way on (a Lead offered only the decision to withdraw), or work falls due
        before it: what comes next is said as well, so that the stage deadline below it reads as the way on's, not as
        the offered page's."""
        if not self.offered or self.way_on is None or self.way_on.page is None:
            return False
        # Work due before the way on (the annual monitoring report before a review) is said beside the way on's page.
        return (self.work is not None and self.work.step is None) or not any(
            item.page is self.way_on.page for item in self.offered)


def next_steps(policy, pages: list[workflow.Page], *, shown, asked: dict | None = None,
               report: ReportUnderWay | None = None
               ) -> NextSteps:
    """The pages offered, each with its readiness. One that cannot succeed yet is listed only when its step is the
    way on from the status (with what is missing); any other (a withdrawal before anyone decided it, a re-publication
    before its confirmation) appears once it can be taken: "not ready yet" on it read as if it were due.

    ``shown``: the version the reader is shown (lifecycle.selectors.version_shown). When it is not the policy's
    newest, the newest is a draft kept from them (issue 4: staff "see the published policies"), and nothing is said of
    it: not the step that moves it on nor who takes it, not the day its stage's work is expected by, not the day PCU
    scheduled its publication for (security probe F7: staff read "Next: Publish, by PCU. Scheduled for publication on
    ..." of a version not yet published). The review and monitoring dates are the policy's in force, which its
    document control shows everyone (and the Scheme its review date). ``report``: the policy's
    monitoring report under way, if any (lifecycle.report_work, read with the reader's report work)."""
    asked = {} if asked is None else asked
    offered = [readiness(page, policy, asked=asked) for page in pages]
    if shown != policy.current_version:
        return NextSteps(offered=[item for item in offered if item.ready], way_on=None,
                         review=REVIEW.state_of(policy), monitoring=MONITORING.state_of(policy), draft_unseen=True)
    way_on = workflow.way_on_of(policy)
    # Publication scheduled: the policy waits on its date (the chase does not call it stuck either).
    scheduled_for = scheduled_publication_date(policy) if policy.status == Status.AWAITING_PUBLICATION else None
    by, done = taken_by(way_on, policy) if way_on is not None else ("", "")
    return NextSteps(
        offered=[item for item in offered if item.ready or item.step is way_on],
        way_on=way_on,
        review=REVIEW.state_of(policy),
        monitoring=MONITORING.state_of(policy),
        # A withdrawal decided is waited on from the decision, scheduled or not (lifecycle.deadlines.waiting_on).
        waiting=stage_deadline_state(policy, scheduled=scheduled_for is not None),
        scheduled_for=scheduled_for,
        way_on_by=by,
        way_on_done=done,
        work=next_work(way_on, policy, by=by, done=done, report=report) if way_on is not None else None,
    )


def work_first_for(user, policy, next_on: NextSteps) -> WorkFirst | None:
    """The work to be done first that comes next on ``policy`` (``next_on.work``, from the way on's ``Step.first``),
    when it is ``user``'s (its permission), else None: their overview says it waits for them, linked to its page."""
    step = next_on.way_on
    if step is None or step.first is None or next_on.work is None or next_on.work.title != step.first.title:
        return None
    return step.first if rules.has_perm(step.first.permission, user, policy) else None


def _report_under_way(step: workflow.Step | None, policy, report: Callable[[], ReportUnderWay | None]
                      ) -> ReportUnderWay | None:
    """The policy's monitoring report under way (``report()``: the one the reader may read, as the overview reads it,
    lifecycle.report_work.report_work_for: one query), asked only when ``step`` has work due meanwhile (the annual
    report before a review) on a policy published, which has reports. A report made OFFICIAL-SENSITIVE is not named to
    someone not cleared for it, nor its period (review of 2026-12-06, LOW: the step's confirmation read the report
    whatever its marking)."""
    if step is None or not step.meanwhile or policy.first_published_on is None:
        return None
    return report()


def taken_by(step: workflow.Step, policy) -> tuple[str, str]:
    """Who takes ``step`` on ``policy`` now, and who has done their part already ("" when no one has): its
    declaration's ``taken_by``, but for quality assurance the disciplines whose sign-off is still to be recorded on
    the version submitted (SOP stage 4: PCU "in conjunction with DCFD and DOI"), and "PCU has signed off."
    (``qa_signed_off``: one query, while the policy is in quality assurance; none for a list's row read with
    ``qa_signed_column``). A sentence of its own, not in brackets after the disciplines: a page spells each
    abbreviation out in brackets on its first use, and "DCFD and DOI (PCU has signed off)" read "... (Policy
    Co-ordination Unit (PCU) has signed off)" (QA crawl). The policy's overview and My work both say it from here (QA
    walk: My work named "PCU, DCFD and DOI, each for their part" whoever had signed)."""
    if step.page is not workflow.QA_PAGE or policy.status != Status.SUBMITTED_FOR_QA:
        return step.taken_by, ""
    passed = qa_signed_off(policy)
    if not passed:
        return step.taken_by, ""
    left = [NOTIFIED[discipline] for discipline in QADiscipline.values if discipline not in passed]
    done = [NOTIFIED[discipline] for discipline in QADiscipline.values if discipline in passed]
    return in_words(left), f"{in_words(done)} {'has' if len(done) == 1 else 'have'} signed off."


# The attribute a list's row holds ``qa_signed_column`` in (My work: workspace.queues.as_queue).
QA_SIGNED = "qa_signed"


def qa_signed_off(policy) -> set[str]:
    """The QA disciplines (lifecycle.states.QADiscipline) that have passed the policy's newest version: of a row read
    with ``qa_signed_column``, its answer (no query); else one query."""
    if hasattr(policy, QA_SIGNED):
        return set((getattr(policy, QA_SIGNED) or "").split())
    version = policy.current_version
    return (set(version.qa_signoffs.filter(outcome=QAOutcome.PASSED).values_list("discipline", flat=True)) if version
            else set())


def qa_signed_column() -> Case:
    """``qa_signed_off`` as a column of a query on policies (annotated as ``QA_SIGNED``): the disciplines that have
    passed the newest version, each followed by a space ("pcu dcfd "), asked only of a policy in quality assurance
    ("" for any other), so that a list says who is still to sign off as the overview does, with no query a row."""
    newest = (PolicyVersion.objects.filter(NOT_WITHDRAWN, policy_id=OuterRef(OuterRef("pk")))
              .order_by("-major", "-minor"))
    passed = [Case(When(Exists(QASignOff.objects.filter(policy_version_id=Subquery(newest.values("pk")[:1]),
                                                        discipline=discipline, outcome=QAOutcome.PASSED)),
                        then=Value(f"{discipline} ")), default=Value(""), output_field=CharField())
              for discipline in QADiscipline.values]
    return Case(When(status=Status.SUBMITTED_FOR_QA, then=Concat(*passed, output_field=CharField())),
                default=Value(""), output_field=CharField())


def after_qa_return(*, not_yet_checked, passed) -> str:
    """What a return from quality assurance leaves of the checks, for the developer: the disciplines that had not yet
    checked the submission returned (one return ends the round, SOP stage 4's checks "in conjunction with DCFD and
    DOI" included), those that had passed it, and that all three check the version submitted next: sign-offs belong
    to the version submitted (``gates.all_qa_signoffs_passed``), so a pass does not carry over. For example, after
    DCFD returned it: "DOI had not yet checked this submission; PCU had passed it. When the draft is submitted again,
    PCU, DCFD and DOI each check the new version.\""""
    unchecked = [NOTIFIED[discipline] for discipline in QADiscipline.values if discipline in set(not_yet_checked)]
    signed = [NOTIFIED[discipline] for discipline in QADiscipline.values if discipline in set(passed)]
    said = [f"{in_words(unchecked)} had not yet checked this submission"] if unchecked else []
    if signed:
        said.append(f"{in_words(signed)} had passed {'it' if unchecked else 'this submission'}")
    everyone = in_words([NOTIFIED[discipline] for discipline in QADiscipline.values])
    return " ".join([*([f"{'; '.join(said)}."] if said else []),
                     f"When the draft is submitted again, {everyone} each check the new version."])


# Whom a step's ``notify`` names, in words.
NOTIFIED = {
    "authors": "the policy's developers and manager",
    "coordinator": "the business group's co-ordinator",
    "lead": "the Designated Lead",
    "owner": "the Management Board owner",
    "pcu": "PCU",
    "dcfd": "DCFD",
    "doi": "DOI",
    # The person a remedial action names (notifications.services.outbox.NAMED_IN_CHANGES).
    "named_in_changes": "whoever is named to take a remedial action",
}


def after_step(step: workflow.Step, policy, *, report: Callable[[], ReportUnderWay | None]) -> str:
    """What the confirmation says after ``step`` was taken and ``policy`` (reloaded) moved on: what happens next
    and who is told, both from the declarations (the step's ``notify``, and a step taken inside it such as the
    pass of quality assurance on the last sign-off). ``report``: reads the policy's monitoring report under way that
    the reader may read (lifecycle.report_work, which builds on this module), asked only if what comes next needs
    it."""
    if step.target is not None and policy.status in step.source:
        # Taken, but its move waits on a date: PCU scheduled the publication (publication.services.policy_publish).
        # Scheduling tells no one; the step's event, and its notifications, come on that day.
        day = scheduled_publication_date(policy)
        if day is not None:
            on_the_day = in_words(list(dict.fromkeys(NOTIFIED.get(kind, kind) for kind in step.notify)))
            return (f"Scheduled for publication on {date_shown(day)}. No one is told now: on that day {on_the_day} "
                    "are told in their notifications and daily e-mail, and the staff chosen are asked to confirm "
                    "they have read it.")
    inside = [other for other in workflow.STEPS if other.page is None and other is not step
              and other.target == policy.status and set(other.source) & set(step.source)]
    told: list[str] = []
    for kind in (*step.notify, *(kind for other in inside for kind in other.notify)):
        words = NOTIFIED.get(kind, kind)
        if words not in told:
            told.append(words)
    if step.then:
        onward = workflow.STEPS_BY_NAME[step.then]
    elif step.target is None and not inside:
        # Recorded within the stage with no declared part to follow: the part under way that now waits (DCFD's
        # confirmation: PCU's re-publication, or DCFD's sign-off of the updated assessment), if any; not "Start a
        # review", the way on from the status.
        onward = workflow.awaited(policy)
    else:
        onward = workflow.way_on_of(policy)
    waiting = stage_deadline_state(policy)
    expected = f", expected by {date_shown(waiting.due)}" if waiting is not None else ""
    parts = []
    if onward is not None and onward is not step:
        by, done = taken_by(onward, policy)
        work = next_work(onward, policy, by=by, done=done, report=_report_under_way(onward, policy, report))
        due = f", due {date_shown(work.due)}" if work.due else ""
        parts.append(f"Next: {work.title}, by {work.by}{due}{expected}." if work.by
                     else f"Next: {work.title}{due}{expected}.")
        parts.append(work.done)
    parts.append(f"Told in their notifications and daily e-mail: {in_words(told)}." if told
                 else "No one else is notified.")
    return " ".join(part for part in parts if part)
