"""The permission matrix: every persona x status x marking x group x authorship x action of
``rules_table``, asked of the service layer and over HTTP. A failure's test id names the combination, e.g.
``test_over_http[lead-with_lead-official-own-notauthor-decide]``.

The service layer is asked through the interfaces the application itself uses: ``access_policy`` and
``policy_list`` (seeing a policy), ``sop_versions_for`` (OFFICIAL-SENSITIVE SOPs), ``rules.has_perm``
("lifecycle.edit_draft") and ``PolicyAction.is_allowed`` (each lifecycle action). Over HTTP, a policy
the user may not see is a 404 on every page; one they may see answers 200 for an action they may take
and redirects with "is not available to you" for one they may not.
"""

from __future__ import annotations

from collections import Counter

import pytest
import rules
from django.contrib.messages import get_messages
from django.http import Http404

from lifecycle.actions import ACTIONS_BY_SLUG
from lifecycle.selectors import access_policy, policy_list, sop_versions_for
from tests.permissions import rules_table as spec
from tests.permissions.world import SENSITIVE_SOP_TEXT, generate_cases

pytestmark = pytest.mark.usefixtures("db")

CASES = generate_cases()


def test_the_matrix_is_large_enough_and_covers_every_dimension():
    assert len(CASES) >= 2000
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.action for case in CASES} == set(spec.ACTIONS)
    assert {case.status for case in CASES} == set(spec.STATUSES)
    assert {case.persona.label for case in CASES} == {persona.label for persona in spec.PERSONAS}
    assert {(case.marking, case.group) for case in CASES} == {(m, g) for m in spec.MARKINGS for g in spec.GROUPS}
    assert {case.relation for case in CASES} == {"author", "notauthor", "consulted", "notconsulted"}
    # Every action is allowed to someone somewhere, and refused to someone somewhere.
    answers = Counter((case.action, case.allowed) for case in CASES)
    for action in spec.ACTIONS:
        assert answers[(action, True)] and answers[(action, False)], action


def test_whoever_may_act_on_a_policy_may_see_it():
    """The table is consistent with itself: no action on a policy hidden from the actor."""
    acting_blind = [case.id for case in CASES if case.allowed and not case.may_see]
    assert acting_blind == []


# --- the service layer ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def visible_ids(world):
    """policy_list's answer per persona and status, asked once (it is one query)."""
    answers = {}

    def visible(persona):
        key = (persona.label, world.status)
        if key not in answers:
            answers[key] = set(policy_list(user=world.user(persona)).values_list("pk", flat=True))
        return answers[key]

    return visible


def service_answer(world, visible_ids, case) -> bool:
    user = world.user(case.persona)
    policy = world.at(case.status).policy(case.variant)
    if case.action in (spec.VIEW, spec.VIEW_SENSITIVE_SOP):
        try:
            access_policy(user=user, reference=policy.reference)
        except Http404:
            seen = False
        else:
            seen = True
        assert seen == (policy.pk in visible_ids(case.persona)), "access_policy and policy_list disagree"
        if case.action == spec.VIEW or not seen:
            return seen
        return world.sensitive_sops[policy.pk] in {
            sop_version.sop_id for sop_version in sop_versions_for(user=user, version=policy.current_version)
        }
    if case.action == "edit_draft":
        return rules.has_perm("lifecycle.edit_draft", user, policy)
    return ACTIONS_BY_SLUG[case.action].is_allowed(user, policy)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_service_layer(world, visible_ids, case):
    assert service_answer(world, visible_ids, case) is case.allowed, (
        f"{case.id}: expected {'allowed' if case.allowed else 'refused'}"
    )


# --- over HTTP --------------------------------------------------------------------------------------------


def url_for(case, reference: str) -> str:
    if case.action == spec.VIEW:
        return f"/policies/{reference}/"
    if case.action == spec.VIEW_SENSITIVE_SOP:
        return f"/policies/{reference}/statement/"
    if case.action == "edit_draft":
        return f"/policies/{reference}/statement/edit/"
    return f"/policies/{reference}/actions/{case.action}/"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_over_http(world, case):
    policy = world.at(case.status).policy(case.variant)
    client = world.clients[case.persona.label]
    url = url_for(case, policy.reference)
    response = client.get(url)
    client.cookies.pop("messages", None)  # nothing carries over to the next case

    if not case.persona.signed_in:
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/"), case.id
        return
    if not case.may_see:
        assert response.status_code == 404, f"{case.id}: {response.status_code} for a policy hidden from them"
        return
    if case.action in (spec.VIEW, spec.VIEW_SENSITIVE_SOP):
        assert response.status_code == 200, f"{case.id}: {response.status_code} for a policy they may see"
        if case.action == spec.VIEW_SENSITIVE_SOP:
            shown = SENSITIVE_SOP_TEXT in response.content.decode()
            assert shown is case.allowed, f"{case.id}: OFFICIAL-SENSITIVE SOP {'shown' if shown else 'hidden'}"
        return
    if case.allowed:
        assert response.status_code == 200, f"{case.id}: {response.status_code}, expected the form"
        return
    assert response.status_code == 302, f"{case.id}: {response.status_code}, expected a refusal"
    if case.action == "edit_draft":
        assert response["Location"] == f"/policies/{policy.reference}/statement/", case.id
        return
    assert response["Location"] == f"/policies/{policy.reference}/", case.id
    assert any("is not available to you" in str(message) for message in get_messages(response.wsgi_request)), case.id
