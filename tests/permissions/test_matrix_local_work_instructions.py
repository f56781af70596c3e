"""The permission matrix of the local work instruction route (issue 13), from ``rules_table.LOCAL_ACTION_RULES``.

A local work instruction of one business group (the "own" group here) supplements a corporate policy in force of
another group. Every persona below is asked, at every point of its route (drafted and not yet agreed to by the
corporate Lead, drafted and agreed to, in force in implementation and monitoring, withdrawn), about every action of
the table: whether the page is offered to them (``workflow.steps_offered``: status, permission, separation of duties,
what decides between the form and "is not available to you"). Then the route's own two steps are posted over HTTP by
every persona at every point, and the corporate process's steps by PCU, the Lead and the unit head (drafted, and in
force): allowed with its
gates met, the POST takes the step (the status and audit events of ``LOCAL_EFFECTS``); otherwise it changes nothing.

The capacities of each persona towards the local work instruction are written out here by hand (``CAPACITIES``),
not computed from the application's predicates. Each point's world is built in a savepoint that is rolled back.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client

from assessments.services import eia_update
from core.models import ApprovalRoute, AuditEvent, BusinessGroup, Role, Unit
from lifecycle import services, workflow
from lifecycle.models import ApprovalDecision, LocalAgreement, Policy
from lifecycle.states import PolicyKind
from publication.services import policy_approve_local
from tests.factories import (
    ALL_IMPACTS,
    BoardFactory,
    RoleAssignmentFactory,
    UserFactory,
    advance_to,
    reload,
    what_was_read,
)
from tests.permissions import rules_table as spec

pytestmark = pytest.mark.usefixtures("savepoint")

# What each persona is to the local work instruction (own group) and the corporate policy it supplements (other).
CAPACITIES: dict[str, frozenset[str]] = {
    "unit_head": frozenset({spec.STAFF, spec.UNIT_MANAGER}),   # manager of its unit; drafted it (its author)
    "developer": frozenset({spec.STAFF, spec.NAMED_DEVELOPER}),
    "coordinator": frozenset({spec.STAFF, spec.COORDINATOR}),
    "lead": frozenset({spec.STAFF, spec.LEAD, spec.NAMED_LEAD}),
    "owner": frozenset({spec.STAFF, spec.OWNER}),
    "corporate_lead": frozenset({spec.STAFF, spec.CORPORATE_LEAD}),  # the other group's Lead the corporate policy names
    "other_lead": frozenset({spec.STAFF}),  # a Lead of the other group the corporate policy does not name
    "pcu": frozenset({spec.STAFF, spec.PCU}),
    "dcfd": frozenset({spec.STAFF, spec.DCFD}),
    "doi": frozenset({spec.STAFF, spec.DOI}),
    "shrmt": frozenset({spec.STAFF}),
    "staff": frozenset({spec.STAFF}),
}
AUTHOR = "unit_head"
# The points of its route: (status, whether the corporate Lead has agreed to the draft).
POINTS = [(spec.SCOPING, False), (spec.SCOPING, True), (spec.IMPLEMENTATION, True), (spec.MONITORING, True),
          (spec.WITHDRAWN, True)]
# Where the corporate process's steps are posted too.
CORPORATE_POSTED_AT = {(spec.SCOPING, False), (spec.IMPLEMENTATION, True)}
STATEMENT = "<p>Book every detainee in within 20 minutes of arrival at the Lambeth suite.</p>"
EIA = {"aims": "A local briefing for one custody suite.", "impacts": ALL_IMPACTS, "decision": "no_major_change",
       "decision_rationale": "No adverse impact identified."}


def expected(action: str, persona: str, status: str) -> bool:
    rule = spec.LOCAL_ACTION_RULES[action]
    if status not in rule.statuses or not (CAPACITIES[persona] & rule.capacities):
        return False
    if rule.once_published and status not in spec.PUBLISHED:
        return False
    # Its points are a first draft and the instruction in force, never under review: a review draft's withdrawal is
    # asked of a local work instruction in tests/lifecycle/test_withdraw_review_draft.py.
    if rule.under_review_only:
        return False
    return not (rule.author_barred and persona == AUTHOR)


def build(status: str, agreed: bool) -> SimpleNamespace:
    """The two groups, the cast, the corporate policy in force and the local work instruction at the point asked."""
    own = BusinessGroup.objects.create(name="Local matrix: Custody", code="lm-custody")
    other = BusinessGroup.objects.create(name="Local matrix: Criminal Justice", code="lm-justice")
    own_unit = Unit.objects.create(business_group=own, name="Lambeth custody suite")
    other_unit = Unit.objects.create(business_group=other, name="Criminal justice policy")
    ApprovalRoute.objects.create(risk_tier="medium", business_group=other,
                                 board=BoardFactory(name="Local matrix COG", business_group=other))

    def person(label: str, role: str | None = None, group=None, unit=None):
        user = UserFactory(username=f"lm_{label}", unit=unit)
        if role:
            # A manager heads the unit; the other roles are held in the group, or force-wide.
            RoleAssignmentFactory(user=user, role=role, business_group=group,
                                  unit=unit if role == Role.MANAGER else None)
        return user

    users = {
        "unit_head": person("unit_head", Role.MANAGER, own, own_unit),
        "developer": person("developer", Role.DEVELOPER, own),
        "coordinator": person("coordinator", Role.COORDINATOR, own),
        "lead": person("lead", Role.LEAD, own),
        "owner": person("owner", Role.OWNER, own),
        "corporate_lead": person("corporate_lead", Role.LEAD, other),
        "other_lead": person("other_lead", Role.LEAD, other),
        "pcu": person("pcu", Role.PCU),
        "dcfd": person("dcfd", Role.DCFD),
        "doi": person("doi", Role.DOI),
        "shrmt": person("shrmt", Role.SHRMT),
        "staff": person("staff", unit=own_unit),
    }
    other_cast = SimpleNamespace(
        developer=person("other_developer", Role.DEVELOPER, other), lead=users["corporate_lead"],
        coordinator=person("other_coordinator", Role.COORDINATOR, other), pcu=users["pcu"],
        pcu_qa=person("pcu_qa", Role.PCU), dcfd=users["dcfd"], doi=users["doi"], shrmt=users["shrmt"])
    corporate = services.policy_create(
        actor=other_cast.developer, title="Detention and treatment of detainees", purpose="Force-wide standards.",
        relevant_to="All custody staff.", business_group=other, owning_unit=other_unit,
        designated_lead=users["corporate_lead"], coordinator=other_cast.coordinator,
        developers=[other_cast.developer])
    corporate = advance_to(corporate, spec.IMPLEMENTATION, other_cast)
    instruction = services.policy_create(
        actor=users["unit_head"], title="Booking in at the Lambeth suite", purpose="How detainees are booked in.",
        relevant_to="Lambeth custody staff.", business_group=own, owning_unit=own_unit, kind=PolicyKind.LOCAL,
        supports=corporate.reference, designated_lead=users["lead"], coordinator=users["coordinator"],
        owner=users["owner"], policy_manager=users["unit_head"], developers=[users["developer"]])
    services.draft_update(policy=instruction, actor=users["unit_head"], statement=STATEMENT)
    eia_update(policy=instruction, actor=users["unit_head"], **EIA)
    if agreed:
        services.policy_agree_local_supplement(policy=reload(instruction), actor=users["corporate_lead"])
    if status != spec.SCOPING:
        policy_approve_local(policy=reload(instruction), actor=users["lead"])
    if status in (spec.MONITORING, spec.WITHDRAWN):
        services.policy_complete_implementation(policy=reload(instruction), actor=users["coordinator"])
    if status == spec.WITHDRAWN:
        services.policy_decide_withdrawal(policy=reload(instruction), actor=users["lead"], reason="Suite closed.")
        services.policy_withdraw(policy=reload(instruction), actor=users["pcu"])
    instruction = reload(instruction)
    assert instruction.status == status
    return SimpleNamespace(users=users, policy=instruction, corporate=corporate)


def snapshot(policy: Policy) -> tuple:
    return (reload(policy).status, AuditEvent.objects.filter(policy_id=policy.pk).count(),
            LocalAgreement.objects.filter(policy=policy).count(),
            ApprovalDecision.objects.filter(policy_version__policy=policy).count())


def post(world, persona: str, action: str):
    """POST the step's form as ``persona`` in a savepoint that is rolled back: what it got wrong, or None."""
    policy = reload(world.policy)
    before = snapshot(policy)
    gates_met = {"agree-local-instruction": policy.status == spec.SCOPING and not before[2],
                 "approve-local-instruction": policy.status == spec.SCOPING and bool(before[2])}.get(action, True)
    should_act = expected(action, persona, policy.status) and gates_met and action in spec.LOCAL_EFFECTS
    client = Client()
    client.force_login(world.users[persona])
    with transaction.atomic():
        response = client.post(f"/policies/{policy.reference}/actions/{action}/", {
            **what_was_read(policy), "comments": "As read.", "discipline": "pcu", "outcome": "passed",
            "on_intranet": "on", "on_publication_scheme": "on", "reason": "Posted by the matrix."})
        after = snapshot(policy)
        new_actions = list(AuditEvent.objects.filter(policy_id=policy.pk).order_by("sequence")
                           .values_list("action", flat=True)[before[1]:])
        transaction.set_rollback(True)
    if should_act:
        status, actions = spec.LOCAL_EFFECTS[action]
        if response.status_code != 302:
            return f"{response.status_code}, expected the step taken"
        if after[0] != (status or before[0]) or tuple(new_actions) != actions:
            return f"status {after[0]}, events {new_actions}"
        return None
    return None if after == before else f"changed {before} -> {after} ({response.status_code})"


@pytest.mark.parametrize(("status", "agreed"), POINTS, ids=[f"{s}{'-agreed' if a else ''}" for s, a in POINTS])
def test_local_work_instruction_route(status, agreed):
    world = build(status, agreed)
    policy = world.policy
    wrong = []
    for persona, user in world.users.items():
        for action in spec.LOCAL_ACTION_RULES:
            offered = bool(workflow.steps_offered(user, reload(policy), action))
            if offered != expected(action, persona, status):
                wrong.append(f"{persona}-{status}-{action}: offered={offered}")
    for persona in world.users:
        for action in spec.LOCAL_EFFECTS:
            problem = post(world, persona, action)
            if problem:
                wrong.append(f"POST {persona}-{status}-{action}: {problem}")
    # The corporate steps posted by whom they would be for, drafted and in force (refused in the same way at every
    # point: the steps_offered check above covers the rest).
    for persona in ("pcu", "lead", "unit_head") if (status, agreed) in CORPORATE_POSTED_AT else ():
        for action in spec.CORPORATE_ONLY_ACTIONS:
            problem = post(world, persona, action)
            if problem:
                wrong.append(f"POST {persona}-{status}-{action}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_the_table_allows_each_step_of_the_route_to_someone_and_refuses_it_to_the_rest():
    allowed = {action: {(persona, status) for persona in CAPACITIES for status in spec.LOCAL_STATUSES
                        if expected(action, persona, status)} for action in spec.LOCAL_ACTION_RULES}
    assert allowed["agree-local-instruction"] == {("corporate_lead", spec.SCOPING)}
    assert allowed["approve-local-instruction"] == {("lead", spec.SCOPING)}
    assert all(not allowed[action] for action in spec.CORPORATE_ONLY_ACTIONS)
