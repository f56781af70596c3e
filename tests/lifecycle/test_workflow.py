"""The step declarations (lifecycle.workflow) and what reads them: the README's diagram, the services, the outbox
routing, the import direction; and the integrity findings of issue 11 that the declarations close: a decision
bound to the version read, and separation of duties by what people did, whatever roles they hold."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.events import AuditAction
from core.models import AuditEvent, OutboxEvent, Role
from core.services import role_assign
from lifecycle import services as s
from lifecycle import workflow
from lifecycle.diagram import readme_section
from lifecycle.models import ApprovalDecision, Policy, QASignOff
from lifecycle.permissions import forget_roles
from lifecycle.states import Status
from notifications.services import EVENT_RECIPIENTS, outbox_relay
from tests.factories import advance_to, fill_development, refused, reload, user_with_role, what_was_read

ROOT = Path(settings.BASE_DIR)


def grant(people, user, role, business_group=None):
    role_assign(actor=people.pcu, user=user, role=role, business_group=business_group)
    forget_roles(user)


def test_the_readme_diagram_is_the_one_the_declarations_draw():
    assert readme_section() in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "README.md's workflow diagram is out of date: run `manage.py workflow_diagram --write`."
    )


def test_every_page_step_has_its_service_and_a_real_permission():
    import rules

    for step in workflow.STEPS:
        assert rules.perm_exists(step.permission), step.name
        assert all(gate.reason and gate.label for gate in step.gates), step.name
        if step.page is not None:
            assert step.service.step is step


def test_every_audit_action_has_a_routing_entry_and_steps_route_as_declared():
    assert set(EVENT_RECIPIENTS) == set(AuditAction)
    for step in workflow.STEPS:
        if step.notify:
            assert EVENT_RECIPIENTS[step.audit] == (step.notify, step.notice)


@pytest.mark.django_db
def test_an_unknown_topic_is_logged_and_left_waiting_not_marked_done(people, caplog):
    policy = people.policy()
    OutboxEvent.objects.all().update(handled_at=None)
    unknown = OutboxEvent.objects.get(audit_event__action=AuditAction.POLICY_CREATED)
    OutboxEvent.objects.filter(pk=unknown.pk).update(topic="policy.creatd")
    with caplog.at_level(logging.ERROR, logger="notifications.services"):
        outbox_relay()
    unknown.refresh_from_db()
    assert unknown.handled_at is None and unknown.attempts == 1
    assert "unknown topic 'policy.creatd'" in caplog.text
    assert not OutboxEvent.objects.filter(handled_at__isnull=True).exclude(pk=unknown.pk).exists()
    outbox_relay()
    unknown.refresh_from_db()
    assert unknown.handled_at is None and unknown.attempts == 2, policy


# --- imports run one way (rule 20) ------------------------------------------------------------------------------

# core <- lifecycle <- assessments, acknowledgements, guidance <- publication, notifications, library <- workspace
# (My work, across them all) <- oversight (the dashboards, indicators and board reports; My work links to it by URL
# name only). Publication records the audience it asks to acknowledge (issue 14), so acknowledgements sit below it;
# the library reads what assessments and publication record. Guidance (help and the public information pages)
# reads the step declarations.
LAYERS = {"core": 0, "lifecycle": 1, "assessments": 2, "acknowledgements": 2, "guidance": 2, "publication": 3,
          "notifications": 3, "library": 3, "workspace": 4, "oversight": 5}
# Loaded late on purpose, not to dodge a cycle: WeasyPrint takes seconds to import.
LATE_IMPORTS_ALLOWED = {"publication.pdf", "oversight.pdf"}


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name


def test_imports_run_one_way_and_none_hides_in_a_function():
    wrong_way, hidden = [], []
    for app, layer in LAYERS.items():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            functions = [node for node in ast.walk(tree)
                         if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready"]
            in_function = {id(node) for func in functions for node in ast.walk(func) if node is not func}
            for node, module in _imports(tree):
                top = module.split(".")[0]
                if top in LAYERS and top != app and LAYERS[top] >= layer:
                    wrong_way.append(f"{path.relative_to(ROOT)} imports {module}")
                if top in LAYERS and id(node) in in_function and module not in LATE_IMPORTS_ALLOWED:
                    hidden.append(f"{path.relative_to(ROOT)} imports {module} inside a function")
    assert wrong_way == [], "\n".join(wrong_way)
    assert hidden == [], "\n".join(hidden)


# --- a decision binds to the version read (rule 17; issue 11, finding 1) ---------------------------------------


@pytest.mark.django_db
def test_a_qa_sign_off_from_a_page_opened_on_an_earlier_version_is_refused(client, people):
    """DCFD opens the QA form for v1.0; PCU returns v1.0; the developer rewrites it as v1.1 and resubmits. DCFD's
    old form must not become a sign-off of v1.1."""
    policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    client.force_login(people.dcfd)
    stale_page = what_was_read(policy)
    assert client.get(f"/policies/{policy.reference}/actions/quality-assurance/").status_code == 200

    s.policy_return_from_qa(policy=policy, actor=people.pcu_qa, discipline="pcu", comments="Fix the SOP.")
    s.draft_update(policy=reload(policy), actor=people.developer, statement="<p>Rewritten for 1.1.</p>")
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)
    events = AuditEvent.objects.count()

    response = client.post(f"/policies/{policy.reference}/actions/quality-assurance/", {
        **stale_page, "expected_status": Status.SUBMITTED_FOR_QA, "discipline": "dcfd", "outcome": "passed",
        "comments": "Comments written for 1.0."}, follow=True)

    assert "You read version 1.0" in response.content.decode()
    assert "version 1.1" in response.content.decode()
    assert not QASignOff.objects.filter(discipline="dcfd").exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_decision_on_content_changed_since_it_was_read_is_refused(people):
    policy = advance_to(people.policy(), Status.WITH_LEAD, people)
    read = what_was_read(policy)
    with refused("stale", "has changed since you opened the page"):
        s.policy_approve(policy=policy, actor=people.lead, version=read["version"], version_hash="0" * 64)
    with refused("stale", "does not say which version you read"):
        s.policy_approve(policy=policy, actor=people.lead, version="", version_hash="")
    s.policy_approve(policy=policy, actor=people.lead, meeting_on=timezone.localdate(), minute_reference="COG/1",
                     **read)
    assert reload(policy).status == Status.APPROVED


# --- separation of duties across roles (issue 11, finding 2) ------------------------------------------------------


@pytest.mark.django_db
def test_one_person_holding_pcu_dcfd_doi_and_lead_signs_one_discipline_and_approves_nothing(people):
    many = user_with_role(Role.PCU, None, username="many_hats")
    for role in (Role.DCFD, Role.DOI):
        grant(people, many, role)
    grant(people, many, Role.LEAD, people.group)
    policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)

    s.policy_record_qa_signoff(policy=policy, actor=many, discipline="pcu")
    for discipline in ("dcfd", "doi"):
        with refused("forbidden", "separation of duties"):
            s.policy_record_qa_signoff(policy=policy, actor=many, discipline=discipline)
    s.policy_record_qa_signoff(policy=policy, actor=people.dcfd, discipline="dcfd")
    s.policy_record_qa_signoff(policy=policy, actor=people.doi, discipline="doi")
    s.policy_forward_to_lead(policy=policy, actor=people.coordinator)
    Policy.objects.filter(pk=policy.pk).update(designated_lead=None)
    with refused("forbidden", "recorded the quality assurance"):
        s.policy_approve(policy=reload(policy), actor=many)
    assert not ApprovalDecision.objects.exists()


@pytest.mark.django_db
def test_a_superuser_who_gave_himself_the_lead_role_cannot_approve_for_the_designated_lead(people):
    boss = user_with_role(Role.LEAD, people.group, username="boss", is_superuser=True, is_staff=True)
    policy = advance_to(people.policy(), Status.WITH_LEAD, people)
    assert policy.designated_lead == people.lead
    with refused("forbidden", "not allowed to approve"):
        s.policy_approve(policy=policy, actor=boss)
    assert reload(policy).status == Status.WITH_LEAD


@pytest.mark.django_db
def test_a_lead_who_wrote_the_statement_as_manager_cannot_approve_it(people):
    grant(people, people.lead, Role.MANAGER, people.group)
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    s.draft_update(policy=reload(policy), actor=people.lead, statement="<p>The Lead's own words.</p>")
    policy = advance_to(reload(policy), Status.WITH_LEAD, people)
    assert policy.current_version.submitted_by == people.developer
    with refused("forbidden", "you wrote or submitted version 1.0"):
        s.policy_approve(policy=policy, actor=people.lead)
    assert reload(policy).status == Status.WITH_LEAD


@pytest.mark.django_db
def test_a_role_that_makes_a_conflict_possible_is_flagged_to_pcu(people):
    from notifications.models import Notification

    grant(people, people.pcu_qa, Role.DCFD)
    flagged = AuditEvent.objects.get(action=AuditAction.ROLE_CONFLICT_FLAGGED)
    assert flagged.changes["also_holds"] == ["pcu"] and flagged.changes["role"] == "dcfd"
    grant(people, people.developer, Role.SHRMT)
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_CONFLICT_FLAGGED).count() == 1
    outbox_relay()
    told = set(Notification.objects.filter(source_event__audit_event=flagged).values_list("recipient__username",
                                                                                         flat=True))
    # PCU is told, except the member of PCU who made the assignment.
    assert told == {"pcu_qa"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Smith\u202e netsrE", "Poli\u200bcy"])
def test_names_with_hidden_characters_are_refused_by_form_and_service(client, people, name):
    client.force_login(people.developer)
    response = client.post("/policies/new/", {"title": name, "purpose": "Why.", "relevant_to": "All staff",
                                              "business_group": people.group.pk, "owning_unit": people.unit.pk,
                                              "kind": "corporate", "risk_tier": "medium",
                                              "protective_marking": "official"})
    assert response.status_code == 400 and "change how it reads without being seen" in response.content.decode()
    with refused("invalid", "without being seen"):
        s.policy_create(actor=people.developer, title=name, purpose="Why.", relevant_to="All staff",
                        business_group=people.group, owning_unit=people.unit)
    assert not Policy.objects.exists()


def test_every_way_on_names_who_takes_it():
    """Found by the eleventh session's walk: "Next: Record quality assurance, by ." on a submitted policy's overview
    and in the developer's confirmation. The way on from a submission is the QA page's return step, which named no one.
    Every step that is the way on from some status says who takes it."""
    from lifecycle.states import PolicyKind, Status
    unnamed = {(status, kind, step.name) for status in Status.values for kind in PolicyKind.values
               if (step := workflow.way_on(status, kind)) is not None and not step.taken_by}
    assert not unnamed
