"""The permission matrix: every persona x status x marking x group x authorship x action of ``rules_table``,
each asked over HTTP (and, for seeing a policy, of the service layer). The status axis has the eleven statuses of a
first cycle and then a policy under review ("under_review:<status of its new version>", the version in force
staying in force). The test id names the combination, e.g.
``test_permission[lead-with_lead-official-own-notauthor-decide]``, and a failure says what disagreed.

Seeing: ``access_policy`` and ``policy_list`` (the policy), ``sop_versions_for`` (OFFICIAL-SENSITIVE SOPs) and
``scheme_entry`` (the public Publication Scheme). Over HTTP, with the test client: a policy the user may not see
is a 404 on every one of its pages (never a 403: its existence must not leak); on one they may see, an action
they may take shows its form (200) and one they may not redirects to the policy with "is not available to you".
Anonymous visitors are sent to sign in, whatever they ask, and see only the Publication Scheme.

Acting, for every action case of an OFFICIAL policy, the real form is posted, in a savepoint that is rolled back:
* allowed: the form page's hidden inputs (expected status, version, version hash, whatever the form carries) are
  copied from the page and the visible fields the step needs added; the POST must move the policy to the status
  ``rules_table.EFFECTS`` declares and write exactly the audit events it lists;
* refused: the hidden fields the page would have carried (the current status, version id and hash) and valid
  visible fields are posted; the POST must change nothing (the policy row, its versions, the audit trail).

Cases where the application does not yet do what the table says are marked ``xfail(strict=True)`` with the
reason (``known_gap``): they fail the run the moment the application is fixed, so that the mark is removed.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from collections import Counter
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from lifecycle import services
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import access_policy, sop_versions_for
from publication.selectors import scheme_entry
from tests.permissions import rules_table as spec
from tests.permissions.world import SENSITIVE_SOP_TEXT, generate_cases

pytestmark = pytest.mark.usefixtures("db")

# The first cycle here; a policy under review in test_matrix_under_review (the two files run on two workers).
CASES = [case for case in generate_cases() if case.status in spec.STATUSES]
ACTING = frozenset(spec.ACTION_RULES)


def acts_for_real(case) -> bool:
    """Posted: every action case of an OFFICIAL policy the person may see. (A policy hidden from them is a 404
    for a POST as for a GET, and anonymous visitors are sent to sign in: test_visibility.refused_posts.)"""
    return case.action in ACTING and case.marking == spec.OFFICIAL and case.persona.signed_in and case.may_see


# Cases where the application does not yet do what the table says: {case id: reason}. Each is marked
# xfail(strict=True), so it fails the run the moment the application is fixed and the entry must go. Empty: the
# drift of issue 10 (bringing a review forward while one is open) and the separation of duties of issue 11 (a
# Lead role holder who is not the policy's designated Lead; the author publishing) hold on main now.
KNOWN_GAPS: dict[str, str] = {}


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


def seen_by_the_services(world, visible_ids, case, policy) -> bool:
    """Whether the service layer lets the persona see what the (viewing) case asks about."""
    user = world.user(case.persona)
    if case.action == spec.VIEW_ON_SCHEME:
        try:
            scheme_entry(reference=policy.reference)
        except Http404:
            return False
        return True
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


def http_mismatch(case, policy, response) -> str | None:
    """What the answer to the GET got wrong, or None."""
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


# --- posting the real form -------------------------------------------------------------------------------------

HIDDEN_INPUT = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"\b(name|value)=\"([^\"]*)\"")


def hidden_inputs(html: str) -> dict[str, str]:
    """Every ``<input type="hidden">`` of the page, as the browser would post it."""
    fields = {}
    for tag in HIDDEN_INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = unescape(attributes.get("value", ""))
    return fields


def hidden_inputs_of_the_current_version(action: str, policy) -> dict[str, str]:
    """What the form page would have carried, for someone who never got it."""
    version = policy.current_version
    fields = {"expected_status": policy.status, "version": str(version.pk), "version_hash": version.content_hash or ""}
    if action == "edit_draft":
        fields["base_revision"] = str(version.draft_revision)
    return fields


def qa_discipline_of(persona) -> str:
    return next((role for role in ("pcu", "dcfd", "doi") if role in persona.force_roles), "pcu")


def visible_fields(world, case) -> dict[str, str]:
    """Valid values for the fields the person fills in on the step's form."""
    soon = timezone.localdate() + datetime.timedelta(days=30)
    return {
        "edit_draft": {"statement": "<p>Officers will act fairly and lawfully.</p>",
                       "summary_of_changes": "Reworded the duties."},
        "commission": {"comments": "Agreed."},
        "decline-commissioning": {"reasons": "Not a priority this year."},
        "quality-assurance": {"discipline": qa_discipline_of(case.persona), "outcome": "passed", "comments": ""},
        "decide": {"decision": "approve", "comments": ""},
        "emergency-approve": {"risk_statement": "Needed at once for a live operation; I own the risk.",
                              "pcu_agreed_by": str(world.cast["pcu_clerk"].pk), "eia_due_on": ""},
        "publish": {"on_intranet": "on", "in_notices": "on"},
        "start-review": {"reason": "Legislation changed."},
        "confirm-no-change": {"reason": "Monitoring shows the policy works as intended."},
        "set-review-date": {"review_due_on": soon.isoformat(), "reason": "A critical incident."},
        "withdraw": {"reason": "Superseded by national guidance."},
    }.get(case.action, {})


def sign_the_other_disciplines(world, case, policy) -> None:
    """So that the persona's sign-off is the one that completes QA."""
    signers = {"pcu": world.cast["pcu_qa_clerk"], "dcfd": world.users["dcfd"], "doi": world.users["doi"]}
    mine = qa_discipline_of(case.persona)
    for discipline, signer in signers.items():
        if discipline != mine:
            services.policy_record_qa_signoff(policy=policy, actor=signer, discipline=discipline)


def snapshot(policy) -> tuple:
    """What a refused POST must leave as it was."""
    row = Policy.objects.filter(pk=policy.pk).values(
        "status", "review_due_on", "monitoring_report_due_on", "first_published_on", "last_published_on",
        "not_impact_assessed", "designated_lead_id").get()
    versions = list(PolicyVersion.objects.filter(policy_id=policy.pk).order_by("pk").values_list(
        "pk", "statement", "summary_of_changes", "draft_revision", "submitted_at", "content_hash"))
    return row, versions, AuditEvent.objects.count()


def post_mismatch(world, case, policy, page) -> str | None:
    """POST the step's form in a savepoint that is rolled back: what it got wrong, or None."""
    client = world.clients[case.persona.label]
    url = url_for(case.action, policy.reference)
    with transaction.atomic():
        try:
            if case.allowed:
                return _allowed_post_mismatch(world, case, policy, client, url, page)
            before = snapshot(policy)
            data = {**hidden_inputs_of_the_current_version(case.action, policy), **visible_fields(world, case)}
            response = client.post(url, data)
            after = snapshot(policy)
            if after != before:
                return f"a refused POST ({response.status_code}) changed something: {_difference(before, after)}"
            return None
        finally:
            client.cookies.pop("messages", None)
            transaction.set_rollback(True)


def _allowed_post_mismatch(world, case, policy, client, url, page) -> str | None:
    if case.action == "quality-assurance":
        sign_the_other_disciplines(world, case, policy)
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    data = {**hidden_inputs(page.content.decode()), **visible_fields(world, case)}
    response = client.post(url, data)
    if response.status_code != 302:
        errors = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</', response.content.decode(), re.DOTALL)
        return f"the POST answered {response.status_code}: {[unescape(e).strip() for e in errors]}"
    effects = spec.EFFECTS_UNDER_REVIEW if case.facts.under_review else spec.EFFECTS
    target, expected_events = effects[case.action]
    status = Policy.objects.values_list("status", flat=True).get(pk=policy.pk)
    if status != (target or policy.status):
        return f"the policy is {status!r} after the POST, not {target or policy.status!r}"
    written = list(AuditEvent.objects.filter(pk__gt=last_event).order_by("pk").values_list("action", flat=True))
    if len(written) != len(expected_events) or not all(
            fnmatch.fnmatchcase(action, pattern) for action, pattern in zip(written, expected_events, strict=False)):
        return f"audit events {written}, expected {list(expected_events)}"
    return None


def _difference(before, after) -> str:
    labels = ("the policy", "its versions", "the number of audit events")
    return "; ".join(f"{label}: {old} -> {new}" for label, old, new in zip(labels, before, after, strict=True)
                     if old != new)


def _param(case):
    gap = KNOWN_GAPS.get(case.id)
    marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_permission(world, visible_ids, case):
    check_case(world, visible_ids, case)


def check_case(world, visible_ids, case) -> None:
    policy = world.at(case.status).policy(case.variant)
    expected = "allowed" if case.allowed else "refused"
    problems = []
    if case.action not in ACTING:
        service = "allowed" if seen_by_the_services(world, visible_ids, case, policy) else "refused"
        if service != expected:
            problems.append(f"service layer: {service}")
    client = world.clients[case.persona.label]
    page = client.get(url_for(case.action, policy.reference))
    client.cookies.pop("messages", None)  # nothing carries over to the next case
    http = http_mismatch(case, policy, page)
    if http is not None:
        problems.append(f"HTTP: {http}")
    if acts_for_real(case) and not problems:
        posted = post_mismatch(world, case, policy, page)
        if posted is not None:
            problems.append(f"POST: {posted}")
    assert not problems, f"{case.id}: expected {expected}; " + "; ".join(problems)


def test_every_allowed_action_is_really_taken_somewhere():
    acting = [case for case in CASES if acts_for_real(case)]
    assert {case.action for case in acting if case.allowed} == ACTING
    assert {case.persona.label for case in acting} == {persona.label for persona in spec.PERSONAS}
