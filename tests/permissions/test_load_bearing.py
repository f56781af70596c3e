"""Every gate and every permission predicate is load-bearing (issue 10): replacing any one of them with "always
true" makes at least one check fail.

The mutants are found, not listed: every ``@gate`` function (it has a ``reason`` and a ``label``) of
``lifecycle.gates``, of ``lifecycle.gates_no_change`` or of a declared step, and every ``rules.Predicate`` defined in
``lifecycle.permissions``. Each is made "always true" in place: its function's ``__code__`` is swapped (for a
predicate, the code of its ``.fn``), so every reference to it sees the change: the steps' gate lists, django-fsm's
conditions, the rules permissions and their combinations, the views and selectors. Then the checks that should kill
it run, each in a savepoint that is rolled back, and at least one must fail; the code is restored afterwards.

``KILLERS`` names the checks that kill each mutant. A gate or predicate added later and not named there is tried
against every check (slower, but automatic): if none fails, ``test_replacing_it_with_always_true_fails_a_check``
fails, naming it. The checks are the SOP checklist of ``tests/lifecycle/test_gates_sop`` and the scenarios below,
each of which leaves exactly one rule standing between a person and a step, and most of which also show that the
right person may take it.

Three gates guard what the state machine already ensures (a policy in development was commissioned, one approved
or awaiting publication was approved, one in force was published). Through the services the states that would
break them cannot be reached, so their checks put a policy in such a status directly (``_put_in_status``), as a
hand edit of the database or a bad data import would, and expect the step to be refused.

The checks run on their own cast (``build_cast``): this package's tests share one transaction (see its
conftest), in which the permission matrix's world may already hold the usual usernames and business groups.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import re
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
import rules
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core.models import ApprovalRoute, Role
from lifecycle import gates, gates_no_change, permissions, services
from lifecycle.models import NoChangeReview, Policy, WithdrawalDecision
from lifecycle.permissions import forget_roles
from lifecycle.workflow import STEPS
from publication.services import policy_publish
from tests.factories import (
    ALL_IMPACTS,
    BoardFactory,
    BusinessGroupFactory,
    People,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    advance_to,
    emergency_approve,
    fill_development,
    fill_scoping,
    refused,
    the_year_due,
    user_with_role,
)
from tests.lifecycle import test_gates_sop as sop
from tests.lifecycle.test_gates_sop import assert_refused, assert_taken, post_step
from tests.permissions import load_bearing_eia_outcome as eia_outcome
from tests.permissions import load_bearing_review_draft as review_draft

pytestmark = pytest.mark.usefixtures("db")

# --- the mutants --------------------------------------------------------------------------------------------------


def gate_functions() -> dict[str, Callable]:
    found = {function for module in (gates, gates_no_change) for function in vars(module).values()
             if inspect.isfunction(function) and hasattr(function, "reason") and hasattr(function, "label")}
    found.update(gate for step in STEPS for gate in (*step.gates, *step.records, *step.only_if))
    return {f"gate:{function.__name__}": function for function in found}


def predicate_functions() -> dict[str, Callable]:
    """The predicates written in lifecycle.permissions (not their combinations, whose function is rules')."""
    return {f"predicate:{name}": value.fn for name, value in vars(permissions).items()
            if isinstance(value, rules.Predicate) and getattr(value.fn, "__module__", "") == permissions.__name__}


MUTANTS: dict[str, Callable] = dict(sorted({**gate_functions(), **predicate_functions()}.items()))


def _always_true(*args, **kwargs):
    return True


def _closing_over_one(value):
    def always_true(*args, **kwargs):
        return (value, True)[1]
    return always_true


def _closing_over_two(first, second):
    def always_true(*args, **kwargs):
        return (first, second, True)[2]
    return always_true


# A function's code may only be swapped for code with as many free variables as it has closure cells
# (``_free_for`` makes its predicates as closures over the duty).
ALWAYS_TRUE_CODE = {0: _always_true.__code__, 1: _closing_over_one(None).__code__,
                    2: _closing_over_two(None, None).__code__}


@contextmanager
def always_true(function: Callable):
    code = function.__code__
    function.__code__ = ALWAYS_TRUE_CODE[len(code.co_freevars)]
    try:
        yield
    finally:
        function.__code__ = code


# Defined but asked by nothing (no permission, selector, view, service or template): no check can kill them.
# ``test_unasked_predicates_are_still_unasked`` fails as soon as one is used, so that it gets a killing check.
# (is_group_owner was such a predicate: it was removed as a dead rule. The owner's rights are what they may see,
# GROUP_WIDE_ROLES in lifecycle.selectors.)
UNASKED: dict[str, str] = {}

# --- the cast -----------------------------------------------------------------------------------------------------


def build_cast() -> People:
    """``tests.factories.make_people``'s cast under names of its own (see the module's docstring)."""
    group = BusinessGroupFactory(name="Load-bearing Policing", code="lbp")
    group2 = BusinessGroupFactory(name="Load-bearing Operations", code="lbo")
    unit = UnitFactory(business_group=group, name="Load-bearing Patrol")
    unit2 = UnitFactory(business_group=group2, name="Load-bearing Crime")
    board = BoardFactory(name="Load-bearing Chief Officer Group", business_group=group)
    ApprovalRoute.objects.create(risk_tier="medium", business_group=group, board=board)

    def person(name: str, role: str, business_group=None):
        return user_with_role(role, business_group, username=f"lb_{name}")

    return People(
        group=group, unit=unit, group2=group2, unit2=unit2,
        developer=person("developer", Role.DEVELOPER, group), manager=person("manager", Role.MANAGER, group),
        coordinator=person("coordinator", Role.COORDINATOR, group), lead=person("lead", Role.LEAD, group),
        owner=person("owner", Role.OWNER, group), pcu=person("pcu", Role.PCU), pcu_qa=person("pcu_qa", Role.PCU),
        dcfd=person("dcfd", Role.DCFD), doi=person("doi", Role.DOI), shrmt=person("shrmt", Role.SHRMT),
        lead2=person("lead2", Role.LEAD, group2), developer2=person("developer2", Role.DEVELOPER, group2),
        coordinator2=person("coordinator2", Role.COORDINATOR, group2), board=board,
    )


@pytest.fixture(scope="module")
def cast(package_transaction, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_cast()
        transaction.set_rollback(True)


# --- scenario helpers ---------------------------------------------------------------------------------------------


def _reload(policy) -> Policy:
    return Policy.objects.get(pk=policy.pk)


def _get(user, url: str):
    client = Client()
    client.force_login(user)
    return client.get(url)


def _offered(user, policy, slug: str) -> bool:
    """Whether ``user`` is given the step's page (200) rather than sent back with a reason (302), or not shown
    the policy at all (404)."""
    response = _get(user, f"/policies/{policy.reference}/actions/{slug}/")
    assert response.status_code in (200, 302, 404), response.status_code
    return response.status_code == 200


def _put_in_status(policy, status: str) -> Policy:
    """A policy in ``status`` without having taken the steps to it, as a hand edit of the database or a bad
    import would leave it: for the gates that guard what the services already ensure."""
    Policy.objects.filter(pk=policy.pk).update(status=status)
    return _reload(policy)


def _published(people) -> Policy:
    return advance_to(people.policy(), "monitoring", people)


# --- the checks that are not the SOP checklist's ------------------------------------------------------------------

OWN_CHECKS: dict[str, Callable] = {}


def check(function):
    OWN_CHECKS[function.__name__] = function
    return function


# Role of the Policy Co-ordination Unit: PCU publishes, and withdraws from the intranet and the Scheme, once the Lead
# or the owner decided it (issue 13).
@check
def only_pcu_withdraws(people):
    policy = people.policy()
    services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="No longer needed.")
    for outsider in (people.lead, people.coordinator, people.owner, people.manager, people.developer):
        assert_refused(outsider, _reload(policy), "withdraw", (), {"comments": ""})
    assert_taken(people.pcu, _reload(policy), "withdraw", "withdrawn", {"comments": ""})


# SOP, role of the Designated Lead: "review monitoring results and direct remedial action" (issue 13). The page's
# form offers only the reports waiting, so the gate is what stands in the service's way of any other call.
@check
def the_lead_responds_only_to_a_report_waiting(people):
    from assessments import services as assessment_services
    from core.exceptions import ApplicationError

    policy = _published(people)
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=people.developer, **the_year_due(policy),
        compliance="Dip sample: 94% compliant.", benefits="Fewer complaints.", diversity_impact="None found.")
    assessment_services.monitoring_report_submit(report=report, actor=people.developer)  # not quality-assured
    try:
        assessment_services.monitoring_report_respond(policy=_reload(policy), actor=people.lead, report=report,
                                                      outcome="no_action", reasons="Fine.")
    except ApplicationError as error:
        assert "No quality-assured monitoring report is waiting" in str(error.message), error.message
    else:
        raise AssertionError("a response was recorded to a report not yet quality-assured")


# SOP: "This monitoring data then feeds into future policy reviews" (issue 13): a review leaves scoping only once
# it has read the monitoring reports since the last review.
@check
def a_review_reads_its_monitoring_reports_before_commissioning(people):
    from assessments import services as assessment_services

    policy = _published(people)
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=people.developer, **the_year_due(policy),
        compliance="Dip sample: 94% compliant.", benefits="Fewer complaints.", diversity_impact="None found.")
    assessment_services.monitoring_report_submit(report=report, actor=people.developer)
    assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    services.policy_start_review(policy=_reload(policy), actor=people.coordinator, reason="Monitoring results.")
    fill_scoping(_reload(policy), people, omit=("monitoring_reports_read",))
    assert_refused(people.developer, _reload(policy), "request-commissioning",
                   ("monitoring reports since the last review",), {})


@check
def pcu_withdraws_only_what_was_decided(people):
    policy = people.policy()
    assert_refused(people.pcu, policy, "withdraw", ("decided to withdraw",), {"comments": ""})


@check
def only_the_lead_or_the_owner_decides_a_withdrawal(people):
    policy = people.policy()
    for outsider in (people.pcu, people.coordinator, people.manager, people.developer, people.lead2):
        assert_refused(outsider, policy, "decide-withdrawal", (), {"reason": "No longer needed."})
    # The decision leaves the status as it is: that nobody recorded one is what shows the refusals held.
    assert not WithdrawalDecision.objects.filter(policy=policy).exists()
    post_step(people.owner, policy, "decide-withdrawal", {"reason": "No longer needed."})
    assert WithdrawalDecision.objects.get(policy=policy).decided_by == people.owner
    # Once decided, no step but PCU's withdrawal is taken (lifecycle.steps.HALTS), a second decision included.
    assert_refused(people.lead, _reload(policy), "decide-withdrawal", ("its withdrawal was decided by",),
                   {"reason": "Again."})
    assert_refused(people.developer, _reload(policy), "request-commissioning", ("its withdrawal was decided by",))


DISCIPLINE_RADIO = re.compile(r"<input\b[^>]*\bname=\"discipline\"[^>]*>")
VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")


def _disciplines_offered(user, policy) -> set[str]:
    response = _get(user, f"/policies/{policy.reference}/actions/quality-assurance/")
    if response.status_code != 200:
        return set()
    return {VALUE.search(tag).group(1) for tag in DISCIPLINE_RADIO.findall(response.content.decode())}


# SOP stage 4: PCU "in conjunction with DCFD and DOI": each signs for its own discipline.
@check
def the_qa_page_offers_each_holder_only_their_discipline(people):
    policy = advance_to(people.policy(), "submitted_for_qa", people)
    for user, discipline in ((people.pcu_qa, "pcu"), (people.dcfd, "dcfd"), (people.doi, "doi")):
        assert _disciplines_offered(user, policy) == {discipline}, user
    for outsider in (people.developer2, people.shrmt, people.lead):
        assert not _offered(outsider, policy, "quality-assurance"), outsider


# SOP stage 3: "The Safety and Health Risk Management Team must be consulted"; SHRMT records its own advice on a
# consultation addressed to it, and nobody else but the drafters records a response.
@check
def shrmt_answers_only_its_own_consultation(people):
    policy = people.policy()
    sop._consult_shrmt(policy, people)
    services.consultation_record(
        policy=_reload(policy), actor=people.developer, consultee="Staff association", organisation="Police Federation",
        consultee_type="staff_association", date_sent=timezone.localdate(),
    )
    shrmt_record, other_record = policy.consultations.order_by("pk")
    for user, record in ((people.dcfd, shrmt_record), (people.shrmt, other_record), (people.owner, shrmt_record)):
        with refused("forbidden"):
            services.consultation_record_response(record=record, actor=user, response="Fine.")
    services.consultation_record_response(record=shrmt_record, actor=people.shrmt, response="No H&S concerns.")


# Who may give one person access to one policy: its manager, co-ordinator, Lead, PCU or a named developer.
@check
def only_the_policys_people_grant_access(people):
    policy = people.policy()
    for outsider in (people.owner, people.developer2, people.lead2, people.coordinator2, people.dcfd):
        with refused("forbidden"):
            services.policy_grant_access(policy=policy, actor=outsider, user=UserFactory(),
                                         permission="consult_policy")
    for granter in (people.lead, people.coordinator, people.manager, people.pcu, people.developer):
        services.policy_grant_access(policy=policy, actor=granter, user=UserFactory(), permission="consult_policy")


# Co-ordinator: "only documents that have successfully completed the quality assurance process ... may be
# submitted" to the Lead: the co-ordinator of the policy's own business group forwards them.
@check
def only_the_groups_coordinator_forwards(people):
    policy = advance_to(people.policy(), "qa_passed", people)
    for outsider in (people.developer, people.coordinator2, people.lead, people.pcu):
        assert_refused(outsider, policy, "forward-to-lead", ())
    assert_taken(people.coordinator, policy, "forward-to-lead", "with_lead")


def _post_statement(user, policy, text: str) -> None:
    client = Client()
    client.force_login(user)
    version = _reload(policy).current_version
    client.post(f"/policies/{policy.reference}/statement/edit/",
                {"statement": text, "summary_of_changes": "", "base_revision": version.draft_revision})


# Drafting is the named developers' and the unit's policy manager's work; the rest of the group reads.
@check
def only_drafters_edit_the_draft(people):
    policy = people.policy()
    before = policy.current_version.statement
    for outsider in (people.owner, people.coordinator, people.lead, people.pcu, people.developer2):
        _post_statement(outsider, policy, "<p>Changed by someone who does not draft.</p>")
        assert _reload(policy).current_version.statement == before, outsider
    for drafter in (people.developer, people.manager):
        _post_statement(drafter, policy, f"<p>Changed by {drafter.username}.</p>")
        assert drafter.username in _reload(policy).current_version.statement, drafter


@check
def only_developers_managers_and_pcu_start_a_policy(people):
    for outsider in (people.shrmt, people.owner, people.dcfd, UserFactory()):
        assert _get(outsider, "/policies/new/").status_code == 302, outsider
    for starter in (people.developer, people.manager, people.pcu):
        assert _get(starter, "/policies/new/").status_code == 200, starter


CANARY = "Dormouse-canary clause"


# Issue 11: staff see the version in force; the working draft of a review only those with a part in it, or a grant.
@check
def a_draft_under_review_is_shown_only_to_its_people(people):
    policy = _published(people)
    services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    services.draft_update(policy=_reload(policy), actor=people.developer, statement=f"<p>{CANARY}.</p>")
    staff = UserFactory()
    url = f"/policies/{policy.reference}/statement/"
    page = _get(staff, url)
    assert page.status_code == 200 and CANARY not in page.content.decode()
    services.policy_grant_access(policy=_reload(policy), actor=people.developer, user=staff,
                                 permission="consult_policy")
    assert CANARY in _get(staff, url).content.decode()


def _dual_role(name: str, role: str, business_group, also: str):
    user = user_with_role(role, business_group, username=f"lb_{name}")
    RoleAssignmentFactory(user=user, role=also, business_group=None)
    return user


# Issue 11, separation of duties: one person may not hold two parts in the same version. The services re-check
# what people did under the row lock (lifecycle.duties); these predicates decide what the pages offer.
@check
def the_author_is_not_offered_quality_assurance(people):
    author = _dual_role("author_dcfd", Role.DEVELOPER, people.group, also=Role.DCFD)
    policy = advance_to(people.policy(actor=author), "submitted_for_qa", people)
    assert not _offered(author, policy, "quality-assurance")
    assert_refused(author, policy, "quality-assurance", ("separation of duties",),
                   {"discipline": "dcfd", "outcome": "passed"})
    assert _offered(people.dcfd, policy, "quality-assurance")


@check
def a_lead_who_quality_assured_is_not_offered_the_decision(people):
    lead = _dual_role("lead_dcfd", Role.LEAD, people.group, also=Role.DCFD)
    crew = dataclasses.replace(people, lead=lead, dcfd=lead)
    policy = advance_to(people.policy(designated_lead=lead), "with_lead", crew)
    assert not _offered(lead, policy, "decide")
    assert_refused(lead, policy, "decide", ("separation of duties",), {"decision": "approve", "comments": ""})


@check
def pcu_who_quality_assured_is_not_offered_publication(people):
    policy = advance_to(people.policy(), "awaiting_publication", people)  # PCU's QA signed by pcu_qa
    assert not _offered(people.pcu_qa, policy, "publish")
    assert _offered(people.pcu, policy, "publish")


# SOP stage 4: the submitted package is evidence; the policy manager (who drafts and still sees the policy) is no
# longer offered the consultation log's form.
@check
def consultation_is_not_offered_on_a_frozen_draft(people):
    drafting = people.policy()
    frozen = advance_to(people.policy(), "submitted_for_qa", people)
    pages = {policy: _get(people.manager, f"/policies/{policy.reference}/consultation/")
             for policy in (drafting, frozen)}
    assert [page.status_code for page in pages.values()] == [200, 200]
    assert 'name="consultee"' in pages[drafting].content.decode()
    assert 'name="consultee"' not in pages[frozen].content.decode()


# SOP, stage 3: after an emergency approval "the impact assessment must be completed as soon as reasonably
# practicable": no review may start on a policy that still is not impact assessed.
@check
def no_review_before_the_retrospective_eia(people):
    policy = advance_to(people.policy(), "development", people)
    sop._statement(policy, people)
    emergency_approve(_reload(policy), people)
    services.policy_forward_for_publication(policy=_reload(policy), actor=people.coordinator)
    policy_publish(policy=_reload(policy), actor=people.pcu)
    assert_refused(people.coordinator, _reload(policy), "start-review", ("retrospective",),
                   {"reason": "Three-year review."})


# SOP, stage 4: a reviewed policy is submitted with a summary note of the changes.
@check
def a_review_without_a_summary_of_changes_is_not_submitted(people):
    policy = _published(people)
    services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    policy = advance_to(policy, "development", people)
    fill_development(policy, people, omit=("summary_of_changes_for_review",))
    assert_refused(people.developer, _reload(policy), "submit-for-qa", ("summary",))
    services.draft_update(policy=_reload(policy), actor=people.developer,
                          statement=_reload(policy).current_version.statement,
                          summary_of_changes="Updated for the 2024 legislation.")
    assert_taken(people.developer, _reload(policy), "submit-for-qa", "submitted_for_qa")


# The three gates that guard what the services already ensure (see the module's docstring).
@check
def a_policy_never_commissioned_is_not_submitted(people):
    policy = people.policy()
    fill_scoping(policy, people)
    policy = _put_in_status(policy, "development")
    fill_development(policy, people)
    assert_refused(people.developer, _reload(policy), "submit-for-qa", ("commissioning",))


@check
def a_policy_never_approved_is_not_sent_for_publication(people):
    policy = _put_in_status(people.policy(), "approved")
    assert_refused(people.coordinator, policy, "forward-for-publication", ("approval",))


@check
def a_policy_never_published_is_not_concluded_unchanged(people):
    policy = _put_in_status(people.policy(), "monitoring")
    assert_refused(people.lead, policy, "conclude-no-change", ("never been published",), {"reason": "Still fit."})


# Issue 13, a review that concludes no change: each part waits for the one before, and it opens only near the date.
def _published_and_brought_forward(people) -> Policy:
    policy = advance_to(people.policy(), "monitoring", people)
    services.policy_set_review_date(policy=policy, actor=people.coordinator,
                                    review_due_on=timezone.localdate() + datetime.timedelta(days=700),
                                    reason="Monitoring results.")
    return _reload(policy)


@check
def a_review_already_due_is_not_brought_forward(people):
    """SOP: reviews at least every 3 years, earlier if prompted: a date still to come is brought forward; a review
    already due is started (QA crawl, finding 2: the step was offered and no date could be accepted)."""
    policy = _published(people)
    Policy.objects.filter(pk=policy.pk).update(review_due_on=timezone.localdate())
    assert_refused(people.coordinator, _reload(policy), "set-review-date", ("no earlier date to bring it forward to",),
                   {"review_due_on": timezone.localdate().isoformat(), "reason": "A critical incident."})


@check
def no_change_is_too_early_the_day_after_publication(people):
    policy = advance_to(people.policy(), "monitoring", people)
    assert_refused(people.lead, policy, "conclude-no-change", ("too early",), {"reason": "Still fit."})


@check
def no_change_is_concluded_once(people):
    policy = _published_and_brought_forward(people)
    assert_refused(people.coordinator, policy, "conclude-no-change", (), {"reason": "Still fit."})
    services.policy_conclude_no_change(policy=policy, actor=people.lead, reason="Still fit.")
    # Said as done, by whom and when (Step.done_by), not as not yet possible.
    assert_refused(people.lead, _reload(policy), "conclude-no-change", ("already done by you",), {"reason": "Again."})


@check
def no_change_is_not_concluded_while_a_review_draft_is_open(people):
    """A review concludes with no change instead of drafting a new version: with a draft open it goes on in it."""
    policy = _published_and_brought_forward(people)
    services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    assert_refused(people.lead, _reload(policy), "conclude-no-change", ("a review draft (version 2.0) is open",),
                   {"reason": "Still fit."})
    assert not NoChangeReview.objects.filter(policy=policy).exists()


def _reported_on(people) -> tuple[Policy, object]:
    """A policy whose review may be concluded, in force for a year, with its annual report submitted to the
    co-ordinator (its next due date a year on)."""
    from assessments import services as assessment_services

    policy = _published_and_brought_forward(people)
    today = timezone.localdate()
    Policy.objects.filter(pk=policy.pk).update(first_published_on=today - datetime.timedelta(days=365),
                                               monitoring_report_due_on=today + datetime.timedelta(days=10))
    policy = _reload(policy)
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=people.developer, **the_year_due(policy), compliance="Dip sample: 94% compliant.",
        benefits="Fewer complaints.", diversity_impact="None found.")
    return _reload(policy), assessment_services.monitoring_report_submit(report=report, actor=people.developer)


@check
def no_change_waits_for_the_annual_report_due(people):
    """QA walk: POL-0002 concluded with its next report 658 days overdue (SOP stage 6: reports "on an annual basis ...
    This monitoring data then feeds into future policy reviews")."""
    policy = _published_and_brought_forward(people)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Policy.objects.filter(pk=policy.pk).update(monitoring_report_due_on=yesterday)
    assert_refused(people.lead, _reload(policy), "conclude-no-change", ("annual monitoring report is overdue",),
                   {"reason": "Still fit."})


@check
def no_change_waits_for_the_leads_response_to_each_report(people):
    """QA walk: POL-0002 and POL-0003 concluded with a report the Lead had not responded to."""
    policy, _report = _reported_on(people)
    assert_refused(people.lead, policy, "conclude-no-change", ("has not responded to every monitoring report",),
                   {"reason": "Still fit."})


@check
def no_change_waits_for_the_remedial_actions_directed(people):
    """QA walk: POL-0003 concluded with a remedial action directed after its 2024-25 report still open."""
    from assessments import services as assessment_services

    policy, report = _reported_on(people)
    report = assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assessment_services.monitoring_report_respond(
        policy=policy, actor=people.lead, report=report, outcome="remedial", reasons="Compliance too low.",
        remedial_action="Brief every borough again.", remedial_owner=people.developer,
        remedial_due_on=timezone.localdate() + datetime.timedelta(days=60))
    assert_refused(people.lead, _reload(policy), "conclude-no-change", ("remedial action",), {"reason": "Still fit."})


@check
def dcfd_confirms_only_a_concluded_review(people):
    policy = _published_and_brought_forward(people)
    assert_refused(people.dcfd, policy, "confirm-eia", ("concluded with no change",), {"eia_outcome": "stands"})
    services.policy_conclude_no_change(policy=policy, actor=people.lead, reason="Still fit.")
    assert_refused(people.pcu, _reload(policy), "confirm-eia", (), {"eia_outcome": "stands"})
    post_step(people.dcfd, _reload(policy), "confirm-eia", {"eia_outcome": "stands"})
    assert NoChangeReview.objects.get(policy=policy).waits_for == "pcu"


@check
def pcu_republishes_only_after_dcfd(people):
    policy = _published_and_brought_forward(people)
    services.policy_conclude_no_change(policy=policy, actor=people.lead, reason="Still fit.")
    assert_refused(people.pcu, _reload(policy), "republish", ("nothing to re-publish",), {"on_intranet": "on"})


# Issue 13, the emergency route: the Lead asks once; PCU answers only what was asked.
def _urgent(people) -> Policy:
    policy = advance_to(people.policy(), "development", people)
    sop._statement(policy, people)
    return _reload(policy)


@check
def pcu_agrees_only_to_what_the_lead_asked(people):
    policy = _urgent(people)
    assert_refused(people.pcu, policy, "emergency-agreement", ("has not asked",), {"answer": "agree", "reason": ""})
    services.policy_request_emergency_approval(policy=policy, actor=people.lead, risk_statement="Live operation.")
    assert_taken(people.pcu, _reload(policy), "emergency-agreement", "approved", {"answer": "agree", "reason": ""})


@check
def the_emergency_route_is_asked_once(people):
    policy = _urgent(people)
    services.policy_request_emergency_approval(policy=policy, actor=people.lead, risk_statement="Live operation.")
    assert_refused(people.lead, _reload(policy), "emergency-approve", ("already been asked",),
                   {"risk_statement": "Again.", "eia_due_on": ""})


@check
def the_draft_waits_for_pcus_answer_before_submission(people):
    policy = _urgent(people)
    fill_development(policy, people)
    services.policy_request_emergency_approval(policy=_reload(policy), actor=people.lead,
                                               risk_statement="Live operation.")
    assert_refused(people.developer, _reload(policy), "submit-for-qa", ("must agree or refuse",))
    services.policy_refuse_emergency_approval(policy=_reload(policy), actor=people.pcu, reason="Full route.")
    assert_taken(people.developer, _reload(policy), "submit-for-qa", "submitted_for_qa")


# Issue 13, local work instructions (SOP: not "to supplement ... Corporate Policy, unless there is prior agreement
# with the corporate lead"; "still required to complete an Equality Impact Assessment"): one of the second group,
# supplementing a corporate policy of the first, drafted by the second group's developer.
def _local_instruction(people, *, supports: bool = True, assessed: bool = True) -> Policy:
    from assessments.services import eia_update

    corporate = _published(people) if supports else None
    policy = services.policy_create(
        actor=people.developer2, title="Local booking-in", purpose="Purpose.", relevant_to="Custody staff.",
        business_group=people.group2, owning_unit=people.unit2, kind="local",
        supports=corporate.reference if corporate else None, designated_lead=people.lead2)
    services.draft_update(policy=policy, actor=people.developer2, statement="<p>Book detainees in promptly.</p>")
    eia = {"aims": "Consistent booking in.", "impacts": ALL_IMPACTS}
    if assessed:
        eia.update(decision="no_major_change", decision_rationale="No adverse impact.")
    eia_update(policy=policy, actor=people.developer2, **eia)
    return _reload(policy)


def _agreements(policy) -> int:
    from lifecycle.models import LocalAgreement

    return LocalAgreement.objects.filter(policy=policy).count()


@check
def only_the_corporate_policys_lead_agrees_to_a_local_instruction(people):
    policy = _local_instruction(people)
    for outsider in (people.lead2, people.pcu, people.coordinator):
        post_step(outsider, _reload(policy), "agree-local-instruction", {"comments": ""})
    assert _agreements(policy) == 0
    post_step(people.lead, _reload(policy), "agree-local-instruction", {"comments": ""})
    assert _agreements(policy) == 1


@check
def a_local_instruction_is_agreed_to_once(people):
    policy = _local_instruction(people)
    services.policy_agree_local_supplement(policy=policy, actor=people.lead)
    post_step(people.lead, _reload(policy), "agree-local-instruction", {"comments": ""})
    assert _agreements(policy) == 1


@check
def a_local_instruction_is_approved_only_after_the_corporate_lead_agrees(people):
    policy = _local_instruction(people)
    assert_refused(people.lead2, policy, "approve-local-instruction", ("prior agreement with the corporate lead",),
                   {"comments": ""})
    services.policy_agree_local_supplement(policy=policy, actor=people.lead)
    assert_taken(people.lead2, _reload(policy), "approve-local-instruction", "implementation", {"comments": ""})


@check
def a_local_instruction_is_approved_only_with_its_eia(people):
    policy = _local_instruction(people, supports=False, assessed=False)
    assert_refused(people.lead2, policy, "approve-local-instruction", ("equality impact assessment",),
                   {"comments": ""})


# Issue 13: the EIA DCFD says must be updated at a review concluding no change is reopened; DCFD signs off only that,
# and only once it is complete.
def _eia_reopened(people) -> Policy:
    policy = _published_and_brought_forward(people)
    services.policy_conclude_no_change(policy=policy, actor=people.lead, reason="Still fit.")
    services.policy_confirm_eia(policy=_reload(policy), actor=people.dcfd, eia_outcome="updated",
                                eia_comments="Refresh the data.")
    return _reload(policy)


@check
def dcfd_signs_off_only_an_eia_it_reopened(people):
    policy = _published_and_brought_forward(people)
    services.policy_conclude_no_change(policy=policy, actor=people.lead, reason="Still fit.")
    services.policy_confirm_eia(policy=_reload(policy), actor=people.dcfd, eia_outcome="stands")
    # A member of DCFD who took no part in the version in force (the cast's signed its quality assurance).
    other_dcfd = user_with_role(Role.DCFD, username="lb_dcfd_other")
    post_step(other_dcfd, _reload(policy), "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is None


@check
def dcfd_signs_off_an_updated_eia_only_once_complete(people):
    from assessments.services import eia_update

    policy = _eia_reopened(people)
    eia_update(policy=policy, actor=people.developer, decision="")
    post_step(people.dcfd, _reload(policy), "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is None
    eia_update(policy=_reload(policy), actor=people.developer, decision="no_major_change")
    post_step(people.dcfd, _reload(policy), "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is not None


# SOP, "Definitions": "A Standard Operating Procedure details the actions to be taken to achieve the policy": a
# package is not frozen for quality assurance with an SOP whose procedure is not written (gates.sops_written).
@check
def an_unwritten_sop_is_not_submitted(people):
    policy = advance_to(people.policy(), "development", people)
    fill_development(policy, people)
    services.sop_create(policy=_reload(policy), actor=people.developer, title="Briefing the pilots", text="<p></p>")
    assert_refused(people.developer, _reload(policy), "submit-for-qa", ("no procedure written",))


EVERY_CHECK: dict[str, Callable] = {**sop.CHECKS, **OWN_CHECKS, **review_draft.CHECKS, **eia_outcome.CHECKS}

# Which checks kill which mutant: the check where only that rule stands between a person and a step. An entry for a
# gate or predicate that no longer exists is not an error (its checks still run as tests of behaviour).
KILLERS: dict[str, tuple[str, ...]] = {
    "gate:need_recorded": ("scoping_to_commissioning_need",),
    "gate:monitoring_report_awaits_response": ("the_lead_responds_only_to_a_report_waiting",),
    "gate:monitoring_reports_read": ("a_review_reads_its_monitoring_reports_before_commissioning",),
    "gate:legislation_recorded": ("scoping_to_commissioning_legislation",),
    "gate:data_recorded": ("scoping_to_commissioning_data",),
    "gate:costs_recorded": ("scoping_to_commissioning_costs",),
    "gate:benefits_recorded": ("scoping_to_commissioning_benefits",),
    "gate:eia_started": ("scoping_to_commissioning_eia_begun",),
    "gate:commissioning_recorded": ("a_policy_never_commissioned_is_not_submitted",),
    "gate:statement_written": ("development_to_qa_statement",),
    "gate:sops_written": ("an_unwritten_sop_is_not_submitted",),
    "gate:shrmt_consulted": ("development_to_qa_shrmt",),
    "gate:health_and_safety_statement": ("development_to_qa_health_and_safety",),
    "gate:eia_consultation_summary": ("development_to_qa_eia_feedback",),
    "gate:workbook_consultation_summary": ("development_to_qa_workbook_feedback",),
    "gate:implementation_plan": ("development_to_qa_implementation_plan",),
    "gate:monitoring_process": ("development_to_qa_monitoring",),
    "gate:summary_of_changes_for_review": ("a_review_without_a_summary_of_changes_is_not_submitted",),
    "gate:impact_assessed": ("development_to_qa_impact_assessed",),
    "gate:all_qa_signoffs_passed": ("qa_to_lead_without_pcu",),
    "gate:approval_recorded": ("a_policy_never_approved_is_not_sent_for_publication",),
    "gate:retrospective_eia_signed_off": ("no_review_before_the_retrospective_eia",),
    "gate:has_been_published": ("a_policy_never_published_is_not_concluded_unchanged",),
    "gate:withdrawal_decided": ("pcu_withdraws_only_what_was_decided",),
    "gate:withdrawal_not_decided": ("only_the_lead_or_the_owner_decides_a_withdrawal",),
    "predicate:is_policy_owner": ("only_the_lead_or_the_owner_decides_a_withdrawal",),
    "gate:emergency_requested": ("pcu_agrees_only_to_what_the_lead_asked",),
    "gate:emergency_not_requested": ("the_emergency_route_is_asked_once",),
    "gate:no_emergency_request_waiting": ("the_draft_waits_for_pcus_answer_before_submission",),
    "gate:review_window_open": ("no_change_is_too_early_the_day_after_publication",),
    "gate:review_date_ahead": ("a_review_already_due_is_not_brought_forward",),
    "gate:no_change_review_not_open": ("no_change_is_concluded_once",),
    "gate:annual_report_not_overdue": ("no_change_waits_for_the_annual_report_due",),
    "gate:monitoring_reports_answered": ("no_change_waits_for_the_leads_response_to_each_report",),
    "gate:remedial_actions_closed": ("no_change_waits_for_the_remedial_actions_directed",),
    "gate:no_review_draft_open": ("no_change_is_not_concluded_while_a_review_draft_is_open",),
    "gate:no_change_awaits_eia": ("dcfd_confirms_only_a_concluded_review",),
    "gate:no_change_awaits_publication": ("pcu_republishes_only_after_dcfd",),
    "predicate:is_pcu": ("only_pcu_withdraws",),
    "predicate:is_dcfd": ("the_qa_page_offers_each_holder_only_their_discipline",),
    "predicate:is_doi": ("the_qa_page_offers_each_holder_only_their_discipline",),
    "predicate:is_shrmt": ("shrmt_answers_only_its_own_consultation",),
    "predicate:is_group_lead": ("only_the_policys_people_grant_access",),
    "predicate:is_group_coordinator": ("only_the_groups_coordinator_forwards",),
    "predicate:is_group_manager": ("only_drafters_edit_the_draft",),
    "predicate:is_assigned_developer": ("only_drafters_edit_the_draft",),
    "predicate:has_consultee_grant": ("a_draft_under_review_is_shown_only_to_its_people",),
    "predicate:free_for_qa": ("the_author_is_not_offered_quality_assurance",),
    "predicate:free_to_approve": ("a_lead_who_quality_assured_is_not_offered_the_decision",),
    "predicate:free_to_publish": ("pcu_who_quality_assured_is_not_offered_publication",),
    "predicate:is_policy_lead": ("commissioning_only_by_the_designated_lead",),
    "predicate:draft_is_editable": ("consultation_is_not_offered_on_a_frozen_draft",),
    "predicate:may_start_policy": ("only_developers_managers_and_pcu_start_a_policy",),
    "predicate:may_respond_to_consultation": ("shrmt_answers_only_its_own_consultation",),
    "predicate:is_supported_policy_lead": ("only_the_corporate_policys_lead_agrees_to_a_local_instruction",),
    "gate:corporate_lead_not_yet_agreed": ("a_local_instruction_is_agreed_to_once",),
    "gate:corporate_lead_agreed": ("a_local_instruction_is_approved_only_after_the_corporate_lead_agrees",),
    "gate:local_eia_complete": ("a_local_instruction_is_approved_only_with_its_eia",),
    "gate:no_change_awaits_updated_eia": ("dcfd_signs_off_only_an_eia_it_reopened",),
    "gate:updated_eia_complete": ("dcfd_signs_off_an_updated_eia_only_once_complete",),
    # A review draft withdrawn (tests/permissions/load_bearing_review_draft.py).
    **review_draft.KILLERS,
    # The EIA's outcome (tests/permissions/load_bearing_eia_outcome.py).
    **eia_outcome.KILLERS,
}


def _failure(check: Callable, people) -> str | None:
    """Run ``check`` in a savepoint that is rolled back; return how it failed, or None if it passed."""
    try:
        with transaction.atomic():
            try:
                check(people)
            except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001 - any failure of a check kills
                return f"{type(error).__name__}: {str(error)[:300]}"
            finally:
                transaction.set_rollback(True)
    finally:
        for user in vars(people).values():
            if hasattr(user, "_state") and hasattr(user, "is_authenticated"):
                forget_roles(user)
    return None


# --- the tests ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted({name for names in KILLERS.values() for name in names} | set(OWN_CHECKS)))
def test_each_killing_check_passes_as_the_code_stands(cast, name):
    """Without this a broken check would "kill" every mutant it is asked about."""
    failure = _failure(EVERY_CHECK[name], cast)
    assert failure is None, failure


@pytest.mark.parametrize("name", [name for name in MUTANTS if name not in UNASKED])
def test_replacing_it_with_always_true_fails_a_check(cast, name):
    checks = KILLERS.get(name) or tuple(EVERY_CHECK)  # a new one: any check that kills it will do
    with always_true(MUTANTS[name]):
        for check_name in checks:
            if _failure(EVERY_CHECK[check_name], cast) is not None:
                return
    which = ", ".join(checks) if name in KILLERS else f"every one of the {len(checks)} checks"
    pytest.fail(f"{name} is not load-bearing: with it always true, {which} still passes. Add a check where only it "
                "stands between a person and a step, and name it in KILLERS.")


def test_the_mutants_are_found_and_the_killers_exist():
    assert {"gate:need_recorded", "gate:all_qa_signoffs_passed", "gate:approval_recorded"} <= set(MUTANTS)
    assert {"predicate:is_pcu", "predicate:is_policy_lead", "predicate:may_start_policy"} <= set(MUTANTS)
    assert {name for names in KILLERS.values() for name in names} <= set(EVERY_CHECK)


def _closure_predicate(answer):
    def decide(user, policy):
        return answer
    return decide


@pytest.mark.parametrize("function", [gates.need_recorded, _closure_predicate(False)], ids=["plain", "closure"])
def test_always_true_is_restored(function):
    code = function.__code__
    with always_true(function):
        assert function(None, None) is True
    assert function.__code__ is code


APP_SOURCES = ("core", "lifecycle", "assessments", "publication", "notifications", "workspace", "demo", "policyhub",
               "templates")


@pytest.mark.parametrize("name", sorted(UNASKED))
def test_unasked_predicates_are_still_unasked(name):
    """A predicate nobody asks cannot be killed; once something asks it, it needs a check in KILLERS."""
    word = re.compile(rf"\b{name.split(':')[1]}\b")
    root = Path(settings.BASE_DIR)
    uses = [
        str(path.relative_to(root))
        for folder in APP_SOURCES if (root / folder).is_dir()
        for path in (root / folder).rglob("*") if path.suffix in (".py", ".html")
        for line in path.read_text(encoding="utf-8").splitlines()
        if word.search(line) and not line.lstrip().startswith("def ")
    ]
    assert uses == [], f"{name} is now asked ({uses}): give it a killing check in KILLERS. Why it was not: " \
                       f"{UNASKED[name]}"
