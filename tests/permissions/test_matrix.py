"""The permission matrix: every persona x status x marking x group x authorship x action of ``rules_table``,
each asked of the service layer and over HTTP. The test id names the combination, e.g.
``test_permission[lead-with_lead-official-own-notauthor-decide]``, and a failure says which layer disagreed.

For a representative subset (every action, every persona, OFFICIAL policies: in the status where the action
applies, and in the next status where it does not for those who could otherwise take it) the service is
really called, in a savepoint that is rolled back: it must succeed exactly when allowed, and otherwise refuse
with ``ApplicationError`` code "forbidden" (the wrong person) or "stale" (the policy is not, or no longer,
where the action applies; "frozen" for the draft).

The service layer is asked through the interfaces the application itself uses: ``access_policy`` and
``policy_list`` (seeing a policy), ``sop_versions_for`` (OFFICIAL-SENSITIVE SOPs), ``rules.has_perm``
("lifecycle.edit_draft") and ``PolicyAction.is_allowed`` (each lifecycle action). Over HTTP, with the test
client: a policy the user may not see is a 404 on every one of its pages (never a 403: its existence must
not leak); on one they may see, an action they may take shows its form (200) and one they may not redirects
to the policy with "is not available to you". Anonymous visitors are sent to sign in, whatever they ask, and
see only the Publication Scheme (``scheme_entry``; /publication-scheme/<ref>/); it is public, the same for
everyone, so only they are asked about it.
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
import rules
from django.contrib.messages import get_messages
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from lifecycle import services
from lifecycle.actions import ACTIONS_BY_SLUG
from lifecycle.selectors import access_policy, policy_list, sop_versions_for
from publication.selectors import scheme_entry
from tests.permissions import rules_table as spec
from tests.permissions.world import SENSITIVE_SOP_TEXT, generate_cases

pytestmark = pytest.mark.usefixtures("db")

CASES = generate_cases()


def _statuses_for_acting(action: str) -> tuple[str, str]:
    """The first status where the action applies, and the first after it where it does not."""
    applies = spec.ACTION_RULES[action].statuses
    natural = next(status for status in spec.STATUSES if status in applies)
    later = spec.STATUSES[spec.STATUSES.index(natural):]
    return natural, next(status for status in later if status not in applies)


ACTING_STATUSES = {action: _statuses_for_acting(action) for action in spec.ACTION_RULES}


def acts_for_real(case) -> bool:
    if case.action not in spec.ACTION_RULES or case.marking != spec.OFFICIAL:
        return False
    natural, unavailable = ACTING_STATUSES[case.action]
    return case.status == natural or (
        case.status == unavailable and spec.may_in_principle(case.action, case.persona, case.facts)
    )


def test_the_matrix_is_large_enough_and_covers_every_dimension():
    assert len(CASES) >= 2000
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.action for case in CASES} == set(spec.ACTIONS)
    assert {case.persona.label for case in CASES if case.action == spec.VIEW_ON_SCHEME} == {"anonymous"}
    assert {case.status for case in CASES} == set(spec.STATUSES)
    assert {case.persona.label for case in CASES} == {persona.label for persona in spec.PERSONAS}
    assert {(case.marking, case.group) for case in CASES} == {
        (marking, group) for marking in spec.MARKINGS for group in (*spec.GROUPS, spec.ANY)
    }
    assert {case.relation for case in CASES} == {"author", "notauthor", "consulted", "notconsulted"}
    # Every action is allowed to someone somewhere, and refused to someone somewhere.
    answers = Counter((case.action, case.allowed) for case in CASES)
    for action in spec.ACTIONS:
        assert answers[(action, True)] and answers[(action, False)], action


def test_whoever_may_act_on_a_policy_may_see_it():
    """The table is consistent with itself: nobody may act on a policy hidden from them."""
    public = (spec.VIEW_ON_SCHEME,)
    assert [case.id for case in CASES if case.allowed and not case.may_see and case.action not in public] == []


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


def service_answer(world, visible_ids, case, policy) -> bool:
    user = world.user(case.persona)
    if case.action == spec.VIEW_ON_SCHEME:
        try:
            scheme_entry(reference=policy.reference)
        except Http404:
            return False
        return True
    if case.action in (spec.VIEW, spec.VIEW_SENSITIVE_SOP):
        try:
            access_policy(user=user, reference=policy.reference)
        except Http404:
            seen = False
        else:
            seen = True
        assert seen == (policy.pk in visible_ids(case.persona)), f"{case.id}: access_policy and policy_list disagree"
        if case.action == spec.VIEW or not seen:
            return seen
        readable = sop_versions_for(user=user, version=policy.current_version)
        return world.sensitive_sops[policy.pk] in {sop_version.sop_id for sop_version in readable}
    if case.action == "edit_draft":
        return rules.has_perm("lifecycle.edit_draft", user, policy)
    return ACTIONS_BY_SLUG[case.action].is_allowed(user, policy)


def form_data(world, case, policy) -> dict:
    """Valid form data for the action, as its page would post it."""
    discipline = next((role for role in ("pcu", "dcfd", "doi") if role in case.persona.force_roles), "pcu")
    data = {
        "commission": {"comments": ""},
        "decline-commissioning": {"reasons": "Not a priority this year."},
        "quality-assurance": {"discipline": discipline, "outcome": "passed", "comments": ""},
        "decide": {"decision": "approve", "comments": ""},
        "emergency-approve": {"risk_statement": "Needed at once for a live operation; I own the risk.",
                              "pcu_agreed_by": world.cast["pcu_clerk"], "eia_due_on": None},
        "publish": {"on_intranet": True, "in_notices": True, "on_publication_scheme": False, "publish_on": None},
        "start-review": {"reason": "Legislation changed."},
        "confirm-no-change": {"reason": "Monitoring shows the policy works as intended."},
        "set-review-date": {"review_due_on": timezone.localdate() + datetime.timedelta(days=30),
                            "reason": "A critical incident."},
        "withdraw": {"reason": "Superseded by national guidance."},
    }.get(case.action, {})
    return {**data, "expected_status": policy.status}


def acting_mismatch(world, case, policy) -> str | None:
    """Really take the action through its service, in a savepoint: what it got wrong, or None."""
    user = world.user(case.persona)
    if case.action == "edit_draft":
        def act():
            return services.draft_update(policy=policy, actor=user, statement="<p>Officers will act fairly.</p>")
        refusal = "frozen"
    else:
        action = ACTIONS_BY_SLUG[case.action]

        def act():
            return action.perform(policy, user, form_data(world, case, policy))
        refusal = "stale"
    outcome, value = world.attempt(act)
    if outcome == "error" and not isinstance(value, ApplicationError):
        raise value
    if case.allowed:
        return None if outcome == "ok" else f"refused ({value.code}: {value.message})"
    if outcome == "ok":
        return "it succeeded"
    wanted = "forbidden" if case.status == ACTING_STATUSES[case.action][0] else refusal
    return None if value.code == wanted else f"refused as {value.code!r}, not {wanted!r}: {value.message}"


def url_for(action: str, reference: str) -> str:
    if action == spec.VIEW_ON_SCHEME:
        return f"/publication-scheme/{reference}/"
    if action == spec.VIEW:
        return f"/policies/{reference}/"
    if action == spec.VIEW_SENSITIVE_SOP:
        return f"/policies/{reference}/statement/"
    if action == "edit_draft":
        return f"/policies/{reference}/statement/edit/"
    return f"/policies/{reference}/actions/{action}/"


def http_mismatch(world, case, policy) -> str | None:
    """What the HTTP answer got wrong, or None."""
    client = world.clients[case.persona.label]
    response = client.get(url_for(case.action, policy.reference))
    client.cookies.pop("messages", None)  # nothing carries over to the next case
    status, location = response.status_code, response.get("Location", "")
    if case.action == spec.VIEW_ON_SCHEME:  # public: the same for everyone, signed in or not
        if status != (200 if case.allowed else 404):
            return f"{status} on the Publication Scheme"
        if SENSITIVE_SOP_TEXT in response.content.decode():
            return "the OFFICIAL-SENSITIVE SOP is on the public scheme"
        return None
    if not case.persona.signed_in:
        return None if status == 302 and location.startswith("/sign-in/") else f"{status} {location}, not sign-in"
    if not case.may_see:
        return None if status == 404 else f"{status}, expected 404 for a policy hidden from them"
    if case.action in (spec.VIEW, spec.VIEW_SENSITIVE_SOP):
        if status != 200:
            return f"{status}, expected 200 for a policy they may see"
        shown = SENSITIVE_SOP_TEXT in response.content.decode()
        if case.action == spec.VIEW_SENSITIVE_SOP and shown is not case.allowed:
            return f"the OFFICIAL-SENSITIVE SOP is {'shown' if shown else 'hidden'}"
        return None
    if case.allowed:
        return None if status == 200 else f"{status} {location}, expected the form (200)"
    if status != 302:
        return f"{status}, expected a redirect refusing it"
    if case.action == "edit_draft":
        return None if location == f"/policies/{policy.reference}/statement/" else f"redirected to {location}"
    if location != f"/policies/{policy.reference}/":
        return f"redirected to {location}"
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    return None if any("is not available to you" in message for message in messages) else f"messages {messages}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission(world, visible_ids, case):
    policy = world.at(case.status).policy(case.variant)
    expected = "allowed" if case.allowed else "refused"
    problems = []
    service = "allowed" if service_answer(world, visible_ids, case, policy) else "refused"
    if service != expected:
        problems.append(f"service layer: {service}")
    http = http_mismatch(world, case, policy)
    if http is not None:
        problems.append(f"HTTP: {http}")
    if acts_for_real(case):
        acted = acting_mismatch(world, case, policy)
        if acted is not None:
            problems.append(f"service call: {acted}")
    assert not problems, f"{case.id}: expected {expected}; " + "; ".join(problems)


def test_a_representative_subset_really_acts():
    acting = [case for case in CASES if acts_for_real(case)]
    assert {case.action for case in acting} == set(spec.ACTION_RULES)
    assert {case.persona.label for case in acting} == {persona.label for persona in spec.PERSONAS}
    assert {case.allowed for case in acting} == {True, False}
