"""What a step of the policy cycle is, and what is read from a cycle of them (``lifecycle.workflow`` declares the
steps themselves).

- ``Page`` and ``Step``: one declaration per step (house style, rule 16);
- ``performs``: the registry of the services that perform the steps;
- ``may_take``: whether a user may take a step on a policy now, for its page and button;
- ``Cycle``: a tuple of steps in order, and what the rest of the app reads from it: its pages, the way on from a
  status, the steps and pages offered to a user, and Policy's django-fsm transitions.

Nothing here names a step: the declarations do, in ``lifecycle.workflow``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import rules
from django.db.models import BooleanField, Case, CharField, Q, Value, When
from django_fsm import can_proceed, transition

from core.events import AuditAction
from lifecycle import forms, permissions
from lifecycle.gates import Gate, reason_for, withdrawal_not_decided
from lifecycle.states import STAGE_OF, Duty, PolicyKind

# What stops the whole cycle, whatever the step: a withdrawal the Designated Lead or the Management Board owner decided
# (they "retain ultimate ownership" of their policies, SOP) and PCU has not yet carried out. From the decision the
# policy waits for PCU's withdrawal alone (lifecycle.deadlines.WITHDRAWAL): found with the demo, the co-ordinator could
# still forward POL-0010 to the Lead, the Lead approve it, PCU publish it, and POL-0004's publication scheduled for 16
# December would have gone out before the withdrawal was due on 18 December, a policy its Lead decided to withdraw
# published to staff, in Notices and on the public Scheme. Declared once, here: every step is closed while one of these
# fails (``Step.halts``, asked before its own conditions: its page is not offered, its address and its service refuse
# with the condition's sentence, naming who decided and when, and its fsm transition does not fire), but a step
# declared ``taken_while_halted`` (PCU's withdrawal, which ends it). Lists read each as a query (its gate's ``where``):
# the part a policy waits for (``Cycle.awaited``), My work's queues (``not_halted``). The publication scheduled
# before the decision is cancelled by it (publication.services.scheduling), and the scheduler asks this rule too.
HALTS: tuple[Gate, ...] = (withdrawal_not_decided,)


def halted_by_any(policy) -> Gate | None:
    """The first of the cycle's halts (``HALTS``) that fails on the policy, or None. Asked by every step but those
    taken while halted (``Step.halted_by``), and by the work outside the steps that stops with them, in the same words
    (lifecycle.gates.reason_for): the emergency route's late sign-offs (assessments.services.retrospective) and the
    annual monitoring report's own small cycle (assessments.services.monitoring), which move no status but sign off
    and publish."""
    return next((halt for halt in HALTS if not halt(policy)), None)


def halt_refusal(policy, label: str) -> str | None:
    """Why ``label`` (a verb with its object: "start a monitoring report of") cannot be done to the policy while the
    cycle is halted, in the words a step's refusal says (lifecycle.services.base.check_step_allowed); None if it is
    not halted."""
    halt = halted_by_any(policy)
    return None if halt is None else f"Cannot {label} {policy.reference}: {reason_for(halt, policy)}"


def not_halted(column: str = "pk") -> Q:
    """The policies no halt stops (``HALTS``), as a condition on a query of policies: those whose steps may be
    offered and taken. ``column``: on a query of records of policies instead, by their column of the policy's id
    ("policy_id"): a monitoring report waiting for its co-ordinator or PCU is not theirs to take while its policy's
    cycle is halted (assessments.services.report_halted), and My work's queue of them leaves it out
    (workspace.report_queues), with no join to the policies."""
    condition = Q()
    for halt in HALTS:
        condition &= halt.where() if column == "pk" else halt.where(column)
    return condition


@dataclass(frozen=True, eq=False)
class Page:
    """The action page that offers one or more steps: ``/policies/<ref>/actions/<slug>/``. A page with more
    than one step lets the form choose: ``choice`` names the form field whose value picks the step."""

    slug: str
    title: str
    form: type[forms.GovUKForm] = forms.NoFieldsForm
    button: str = ""
    success: str = ""
    explanation: str = ""
    warning: bool = False
    choice: str = ""
    # Shows the version under decision (its redlines and QA sign-offs) above the form.
    shows_version: bool = False

    @property
    def button_label(self) -> str:
        return self.button or self.title

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, eq=False)
class DueWork:
    """Work that falls due on one of the policy's dates rather than at a status: the annual monitoring report,
    written on its own pages while the policy is in force. ``due`` names the date's rule in ``lifecycle.due.RULES``
    ("monitoring"); ``page`` the URL name of the page it is done on (taking the policy's reference)."""

    title: str
    taken_by: str
    due: str
    page: str
    doc: str


@dataclass(frozen=True, eq=False)
class WorkFirst:
    """Work others do on their own page before a step a part under way waits for can be taken: the revision of the
    Equality Impact Assessment DCFD reopened at a review concluding no change, by the policy's drafters, before DCFD
    signs the update off. While ``due`` holds (a gate, with the ``where`` lists read), what comes next on the policy is
    this work, by ``taken_by`` (lifecycle.next_steps.next_work), not the step; the step's gates ask for it done, and the
    lists that offer the step leave the policy out until it is (``Cycle.awaiting_taker``). ``page``: the URL name of the
    page it is done on (taking the policy's reference); ``permission``: a rules permission of lifecycle.permissions,
    who does it, for their overview to say it waits for them."""

    title: str
    taken_by: str
    page: str
    permission: str
    due: Gate
    doc: str
    # The event of the work done, as a step's (``Step.audit``, ``done``, ``notify``, ``notice``): written by the save
    # that does it (``due`` held before that save, and no longer holds after it: lifecycle.services.base.work_first),
    # in its transaction, once; it tells those whose step it waited for that the step is theirs now. Empty: none.
    audit: AuditAction | None = None
    done: str = ""
    notify: tuple[str, ...] = ()
    notice: str = ""


@dataclass(frozen=True, eq=False)
class Step:
    name: str  # the django-fsm transition's name on Policy
    source: tuple[str, ...]
    target: str | None  # None: recorded within the stage, the status does not move
    permission: str  # a rules permission of lifecycle.permissions
    label: str  # what the step does, for sentences: "You are not allowed to <label> POL-0001"
    audit: AuditAction
    doc: str  # the SOP's words for this step
    gates: tuple[Gate, ...] = ()
    # Gates the step's own record satisfies (the Lead's decision, the commissioning decision): not asked
    # before the service records it, and asked by the transition after.
    records: tuple[Gate, ...] = ()
    duty: Duty | None = None
    page: Page | None = None
    choice_value: str = ""  # the value of page.choice that picks this step
    # Whom the audit event notifies: authors (named developers and the manager), coordinator, lead, owner
    # (the policy's named holders), pcu, dcfd, doi (force-wide roles). Empty: nobody.
    notify: tuple[str, ...] = ()
    notice: str = ""
    # What happened, for the timeline read by people (lifecycle.timeline): "Commissioning requested" by <who>.
    done: str = ""
    # Who takes it, for others reading the page ("Next: Forward to the Designated Lead, by the co-ordinator").
    taken_by: str = ""
    # Who may take it, for the refusal ("Only <who> can <label> POL-0001."); empty: "You are not allowed to ...".
    who: str = ""
    # The form's fields the service takes under another name: {"comments": "reasons"}.
    arguments: dict[str, str] = field(default_factory=dict)
    # Conditions on the policy beyond its status for the step to be offered at all (its page and button), each a
    # gate with its reason, said when the step's address is opened or posted: a step that belongs to policies
    # published at least once, whatever stage a review is in; one not open while a review draft is.
    only_if: tuple[Gate, ...] = ()
    # The confirmation after this step, where the page's (``Page.success``) is shared by steps that differ: PCU's
    # answer to the Lead's request for emergency approval is an agreement or a refusal.
    success: str = ""
    # The confirmation where it depends on the answer given on the step's form: (field, {answer: sentence}), so it
    # says what happened rather than every outcome (DCFD's "the assessment stands" or "must be updated").
    success_by_answer: tuple[str, dict[str, str]] | tuple = ()
    # The inbox item's title where it depends on that answer, read from the step's audit event's changes: (key,
    # {recorded value: title}); ``notice`` where the event records none of them. DCFD's "the assessment stands" tells
    # PCU to re-publish, "must be updated" that the re-publication waits (QA walk: one title for both, and PCU could
    # not tell which had happened).
    notice_by_answer: tuple[str, dict[str, str]] | tuple = ()
    # A condition on the person beyond the permission for the page to be offered to them (``may_take``), and the
    # sentence said when it does not hold: quality assurance is offered to those with a discipline left to record.
    # The service keeps its own, fuller checks and reasons.
    offered_if: Callable[[object, object], bool] | None = None
    not_offered: str = ""
    # The step that follows this one, by name, where that is not the way on from the status: a step recorded
    # within the stage ("conclude no change" is followed by DCFD's confirmation of the EIA, not a new review).
    then: str = ""
    # The kinds of policy the step belongs to (issue 13): the corporate process's steps are not a local work
    # instruction's, which "sit outside of the corporate policy development process" (SOP), and the reverse.
    kinds: tuple[str, ...] = (PolicyKind.CORPORATE,)
    # The SOP stage the step is taken in (lifecycle.states.Stage), for a step open from statuses of more than one:
    # a review, the Lead's response to a monitoring report and a withdrawal belong to "6. Monitoring and review"
    # (SOP: "This monitoring data then feeds into future policy reviews"), though a policy in force may still be
    # in implementation, and one under review has its new version's status. Empty: the stage of its statuses
    # (lifecycle.states.STAGE_OF).
    stage: str = ""
    # The policy's date the step is due by, as the key of its rule in ``lifecycle.due.RULES`` ("review"): "what to
    # do next" says it beside the step.
    due: str = ""
    # Work that falls due while the policy waits for this step, and comes first when its date is earlier: the annual
    # monitoring report before a review due years later (lifecycle.next_steps.next_work).
    meanwhile: tuple[DueWork, ...] = ()
    # The gate that holds while a part already under way waits for this step (a no-change review concluded by the
    # Lead waits for DCFD's confirmation, then for PCU's re-publication): the policy's way on is then this step,
    # not the way on from its status (``Cycle.way_on_of``).
    under_way: Gate | None = None
    # Who took this step and when, when its gates refuse it because it was taken already and not yet to be taken
    # again (a second "conclude with no change" while the first conclusion is open; PCU's second re-publication):
    # ``done_by(policy) -> (user, moment) | None``, or (user, moment, what they did) where that was not the step's
    # own words (a reopening of the EIA, not its confirmation), for the refusal to say it as done
    # (core.submissions.already_done_said: "Already done by ... at ... Nothing more was done."), not as "Cannot ...
    # yet" (QA walk of 2026-12-06). None, or None returned: the gates' own reasons.
    done_by: Callable[[object], tuple | None] | None = None
    # Work others do first, while the part under way waits for this step (``WorkFirst``): what comes next until it is
    # done.
    first: WorkFirst | None = None
    # Taken while the cycle is halted (``HALTS``: a withdrawal decided, not yet carried out): only the step that ends
    # the halt, PCU's withdrawal. Every other step is closed then, with the halt's sentence.
    taken_while_halted: bool = False

    def __str__(self) -> str:
        return self.name

    @property
    def halts(self) -> tuple[Gate, ...]:
        """The conditions on the whole cycle that close this step while they fail (``HALTS``), none for a step taken
        while halted."""
        return () if self.taken_while_halted else HALTS

    @property
    def in_stage(self) -> str:
        """The SOP stage the step is taken in: its declared ``stage``, or the one stage of its source statuses."""
        stages = {self.stage} if self.stage else {STAGE_OF[status] for status in self.source}
        if len(stages) != 1:
            raise ImproperlyDeclared(f"{self.name} is taken from statuses of several stages: declare its stage.")
        return stages.pop()

    def applies_to(self, policy) -> bool:
        return policy.kind in self.kinds

    def halted_by(self, policy) -> Gate | None:
        """The first of the cycle's halts on this step (``halts``) that fails on the policy, or None."""
        return None if self.taken_while_halted else halted_by_any(policy)

    def closed_by(self, policy) -> Gate | None:
        """The first of its conditions on the policy that does not hold, the cycle's halts first (``halts``), then
        its own (``only_if``), or None: its reason says why the step is not open (lifecycle.gates.reason_for)."""
        return next((condition for condition in (*self.halts, *self.only_if) if not condition(policy)), None)

    def not_applicable(self, policy) -> str:
        """Why the step is not one of this kind of policy's, for the refusal."""
        if policy.kind == PolicyKind.LOCAL:
            return (f"Cannot {self.label} {policy.reference}: it is a local work instruction, approved within its "
                    "business group by its Designated Lead without the Policy Co-ordination Unit (SOP: \"Local work "
                    "instructions are not the responsibility of the Policy Co-ordination Unit\").")
        return f"Cannot {self.label} {policy.reference}: it is a corporate policy, not a local work instruction."

    @property
    def service(self) -> Callable:
        """The service that performs this step (declared with ``@performs``). A step without a page (``pass_qa``)
        is taken inside another step's service and has none."""
        try:
            return _SERVICES[self.name]
        except KeyError:
            raise LookupError(f"No service performs the step {self.name!r}: decorate it with @performs.") from None

    def success_for(self, cleaned_data: dict) -> str:
        """The confirmation after the step, for the answers given on its form."""
        if self.success_by_answer:
            field_name, by_answer = self.success_by_answer
            if cleaned_data.get(field_name) in by_answer:
                return by_answer[cleaned_data[field_name]]
        return self.success or self.page.success

    def service_arguments(self, cleaned_data: dict) -> dict:
        """The form's cleaned data as the service's keyword arguments (the page's choice field left out)."""
        skip = {self.page.choice} if self.page and self.page.choice else set()
        return {self.arguments.get(key, key): value for key, value in cleaned_data.items() if key not in skip}


_SERVICES: dict[str, Callable] = {}


def performs(step: Step) -> Callable[[Callable], Callable]:
    """Mark the service function that performs ``step``: the action view calls it through the step."""

    def register(function: Callable) -> Callable:
        if step.name in _SERVICES and _SERVICES[step.name] is not function:
            raise ImproperlyDeclared(f"Two services perform {step.name!r}.")
        _SERVICES[step.name] = function
        function.step = step
        return function

    return register


class ImproperlyDeclared(Exception):
    pass


def permits(user, policy, step: Step) -> bool:
    """Whether ``step`` is open to ``user`` on ``policy`` now, separation of duties aside: its kind of policy, its
    source status, its conditions on the policy (``only_if``) and its permission. Gates aside too: the page shows what
    is missing; the service refuses with the gates' reasons."""
    return (step.applies_to(policy) and can_proceed(getattr(policy, step.name), check_conditions=False)
            and step.closed_by(policy) is None
            and rules.has_perm(step.permission, user, policy))


def may_take(user, policy, step: Step) -> bool:
    """Whether ``user`` may take ``step`` on ``policy`` now: ``permits``, and its duty (separation of duties)."""
    return (permits(user, policy, step) and (step.duty is None or permissions.free_for(user, policy, step.duty))
            and (step.offered_if is None or step.offered_if(user, policy)))


def transition_permission(perm: str) -> Callable:
    """Adapter: django-fsm calls ``permission(instance, user)``; rules wants ``(user, obj)``."""

    def check(policy, user) -> bool:
        return rules.has_perm(perm, user, policy)

    check.perm = perm
    return check


def _transition(field_name: str, step: Step) -> Callable:
    """Policy's django-fsm transition for ``step``: the guards (source, kind, the cycle's halts and its conditions on
    the policy, gates, permission) from its declaration; the effects are its service's."""

    def take(self) -> None:
        pass

    def of_its_kind(policy) -> bool:
        return step.applies_to(policy)

    take.__name__ = take.__qualname__ = step.name
    take.__doc__ = step.doc
    return transition(
        field=field_name, source=list(step.source), target=step.target,
        conditions=[of_its_kind, *step.halts, *step.only_if, *step.gates],
        permission=transition_permission(step.permission),
        custom={"step": step},
    )(take)


# The attribute a list's row holds ``Cycle.awaited_column`` in; and ``Cycle.first_due_column``.
AWAITS = "awaits"
FIRST_DUE = "first_due"


class Cycle:
    """The steps of a cycle, in order, and what is read from them.

    ``detours`` are steps that leave a status but are exceptions, not the way on from it (the emergency route,
    withdrawal): neither the drafting checklist nor "Next:" points at them."""

    def __init__(self, steps: tuple[Step, ...], *, detours: tuple[Step, ...] = ()) -> None:
        self.steps = steps
        self.detours = detours
        self.by_name: dict[str, Step] = {step.name: step for step in steps}
        for step in steps:
            if step.then and (step.then not in self.by_name or self.by_name[step.then].page is None):
                raise ImproperlyDeclared(f"{step.name} is followed by {step.then!r}, which is no step with a page.")
            if PolicyKind.CORPORATE in step.kinds:
                step.in_stage  # noqa: B018 -- a corporate step is taken in one of the six stages, or is refused here
            if step.under_way is not None and getattr(step.under_way, "where", None) is None:
                raise ImproperlyDeclared(f"{step.name}'s under_way gate declares no where: lists cannot read it.")
            if step.first is not None and (step.under_way is None or getattr(step.first.due, "where", None) is None):
                raise ImproperlyDeclared(f"{step.name}'s work first needs a part under way and a due gate's where.")
            work = step.first
            if work is not None and ((work.notify and not (work.audit and work.notice))
                                     or (work.audit and not work.done)):
                raise ImproperlyDeclared(f"{step.name}'s work first tells of an event it does not declare or word.")
            if any(getattr(halt, "where", None) is None for halt in step.halts):
                raise ImproperlyDeclared(f"A halt of {step.name} declares no where: lists cannot read it.")
        # The work done first before the steps that declare some (``Step.first``), each once.
        self.works_first: tuple[WorkFirst, ...] = tuple(dict.fromkeys(step.first for step in steps
                                                                      if step.first is not None))
        # status -> the steps out of it, in order: the only ones a policy in that status may be offered.
        self.from_status: dict[str, tuple[Step, ...]] = {}
        for step in steps:
            for status in step.source:
                self.from_status[status] = (*self.from_status.get(status, ()), step)
        # slug -> (page, the steps it offers), in the order of the steps.
        self.pages: dict[str, tuple[Page, tuple[Step, ...]]] = {}
        for step in steps:
            if step.page is not None:
                page, offered = self.pages.get(step.page.slug, (step.page, ()))
                if page is not step.page:
                    raise ImproperlyDeclared(f"Two pages are declared with the slug {page.slug!r}.")
                self.pages[page.slug] = (page, (*offered, step))

    def step_for_choice(self, slug: str, cleaned_data: dict) -> Step:
        """The step a page's submitted form asks for."""
        page, steps = self.pages[slug]
        if not page.choice:
            return steps[0]
        value = cleaned_data.get(page.choice)
        return next(step for step in steps if step.choice_value == value)

    def _onward(self, status: str, kind: str) -> list[Step]:
        """The steps with a page that move a policy of ``kind`` out of ``status``, detours aside, in order."""
        return [step for step in self.steps if status in step.source and kind in step.kinds and step.page
                and step.target is not None and step not in self.detours]

    def next_gated_step(self, status: str, kind: str = PolicyKind.CORPORATE) -> Step | None:
        """The step out of ``status`` whose gates make the drafting checklist: request commissioning from scoping,
        submission for QA from development; a local work instruction's approval (withdrawal, open to both kinds
        from any status, came first for it)."""
        return next((step for step in self._onward(status, kind) if step.gates), None)

    def way_on(self, status: str, kind: str = PolicyKind.CORPORATE) -> Step | None:
        """The step that moves a policy of ``kind`` on from ``status`` along the cycle: the first declared with a
        page (not a detour, nor a step that records without moving the policy, such as a no-change review's
        parts). Its page's title names what to do next."""
        return next(iter(self._onward(status, kind)), None)

    def awaited(self, policy) -> Step | None:
        """The step a part already under way waits for (``under_way``), or None: DCFD's confirmation and then PCU's
        re-publication after a review the Lead concluded "no change", PCU's withdrawal once it is decided. Not a step
        the cycle's halts close (``Step.halts``): once a withdrawal is decided the policy waits for it alone, a review
        concluded "no change" before it included (found with the demo: "Next:" named the re-publication while the
        deadline was the withdrawal's). Of a row read with ``awaited_column`` (My work's queues), its answer: no
        query."""
        if hasattr(policy, AWAITS):
            return self.by_name.get(getattr(policy, AWAITS) or "")
        return next((step for step in self.from_status.get(policy.status, ()) if step.under_way is not None
                     and step.applies_to(policy) and step.under_way(policy) and step.halted_by(policy) is None),
                    None)

    def awaiting(self, step: Step) -> Q:
        """The policies whose part under way waits for ``step``, as a condition on a query of policies: its statuses,
        its kinds, its ``under_way`` gate's ``where`` (the gate itself, as a query, for lists) and its halts' (none of
        them stopping it)."""
        condition = Q(status__in=step.source, kind__in=step.kinds) & step.under_way.where()
        for halt in step.halts:
            condition &= halt.where()
        return condition

    def awaiting_taker(self, step: Step) -> Q:
        """``awaiting(step)``, less the policies where work is still to be done first (``Step.first``): the policies
        whose part under way waits for the taker of ``step`` now (the lists of those who take it)."""
        waiting = self.awaiting(step)
        return waiting if step.first is None else waiting & ~step.first.due.where()

    def first_due(self, step: Step, policy) -> bool:
        """Whether work is still to be done first (``Step.first``) before ``step``, on a policy whose part under way
        waits for it: of a row read with ``first_due_column`` (My work's queues), its answer (no query)."""
        if step.first is None:
            return False
        if hasattr(policy, FIRST_DUE):
            return bool(getattr(policy, FIRST_DUE))
        return step.first.due(policy)

    def first_due_column(self) -> Case:
        """``first_due`` of the step a part under way waits for, as a column of a query on policies (annotated as
        ``FIRST_DUE``): True where that step's work first is still to be done."""
        due = [When(self.awaiting(step) & step.first.due.where(), then=Value(True)) for step in self.steps
               if step.under_way is not None and step.first is not None]
        return Case(*due, default=Value(False), output_field=BooleanField())

    def awaited_column(self) -> Case:
        """``awaited`` as a column of a query on policies (annotated as ``AWAITS``): the name of the step a part under
        way waits for, or NULL; the first in the cycle's order, as ``awaited`` asks them."""
        return Case(*(When(self.awaiting(step), then=Value(step.name)) for step in self.steps
                      if step.under_way is not None), default=Value(None), output_field=CharField())

    def way_on_of(self, policy) -> Step | None:
        """The step the policy waits for now: the one a part under way waits for (``awaited``), else the way on from
        its status. A review concluded "no change" waits for PCU's re-publication, not for a new review."""
        return self.awaited(policy) or self.way_on(policy.status, policy.kind)

    def steps_offered(self, user, policy, slug: str) -> tuple[Step, ...]:
        """The steps of page ``slug`` that ``user`` may take on ``policy`` now."""
        _, steps = self.pages[slug]
        return tuple(step for step in steps if may_take(user, policy, step))

    def steps_permitted(self, user, policy) -> tuple[Step, ...]:
        """The steps out of the policy's status that ``user`` may take on it now, separation of duties aside
        (``permits``): a page asks them first, to know whether it must read the user's part in the current version
        with it (lifecycle.selectors.read_versions), and passes them to ``pages_offered``."""
        return tuple(step for step in self.from_status.get(policy.status, ()) if permits(user, policy, step))

    def pages_offered(self, user, policy, *, permitted: tuple[Step, ...] | None = None) -> list[Page]:
        """The action pages to offer ``user`` on ``policy``, in the order of the cycle: those with a step ``user`` may
        take (``may_take``). ``permitted``: ``steps_permitted(user, policy)``, when the page already asked it."""
        permitted = self.steps_permitted(user, policy) if permitted is None else permitted
        taken = {step for step in permitted if (step.duty is None or permissions.free_for(user, policy, step.duty))
                 and (step.offered_if is None or step.offered_if(user, policy))}
        return [page for page, steps in self.pages.values() if not taken.isdisjoint(steps)]

    def fsm_transitions(self, field_name: str) -> type:
        """A mixin of Policy's django-fsm transitions, one per step: the guards (source, gates, permission) come
        from the declarations, and the effects from the services."""
        return type("PolicyTransitions", (), {step.name: _transition(field_name, step) for step in self.steps})
