"""The permission matrix: every persona x status x marking x group x authorship x action of ``rules_table``.
The status axis has the eleven statuses of a first cycle and then a policy under review
("under_review:<status of its new version>", the version in force staying in force; ``test_matrix_under_review``).

The issue's unit is (role, state, action). One test per persona and point of the axis
(``test_permission[lead-with_lead]``) asks every case of that pair, and a failure lists each case that disagreed by
its id (``lead-with_lead-official-own-notauthor-decide``) and what disagreed.

Every case, whatever the marking, group and authorship, is asked what is cheap to ask:
* seeing (``view``, ``view_sensitive_sop``, ``view_on_scheme``): the service layer (``access_policy`` and
  ``policy_list``, ``sop_versions_for``, ``scheme_entry``) and a GET of the page: a policy the user may not see is a
  404 (never a 403: its existence must not leak), one they may see is a 200; anonymous visitors are sent to sign in
  and see only the Publication Scheme;
* acting: the declaration the action view asks, in-process: ``workflow.steps_offered`` (status and permission,
  what decides between the form and "is not available to you"), and, where the policy is in a status the action
  applies to, the rules permission alone (``rules.has_perm`` of the page's steps; ``lifecycle.edit_draft`` for
  the draft editor). Anonymous visitors' GETs are asked over HTTP (they are sent to sign in).

Then, once per (persona, status, action), the real form is posted over HTTP, on a representative policy the person
may see: OFFICIAL, the persona's own group before another's, and a policy on which the action is allowed whenever
the table allows it on any. Each POST runs in a savepoint that is rolled back:
* allowed: the form page is fetched (200) and its hidden inputs (expected status, version, version hash, whatever
  the form carries) copied, the visible fields the step needs added; the POST must move the policy to the status
  ``rules_table.EFFECTS`` declares and write exactly the audit events it lists;
* refused: the hidden fields the page would have carried (the current status, version id and hash) and valid
  visible fields are posted; the POST must change nothing (the policy row, its versions, the audit trail).

Cases where the application does not yet do what the table says are listed in ``KNOWN_GAPS`` with the reason:
their disagreement is tolerated, and their agreement fails the test (the entry must then go), as a strict xfail.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from collections import Counter
from html import unescape

import pytest
import rules
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from lifecycle import services, workflow
from lifecycle.details import details_hash
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import access_policy, sop_versions_for
from publication.selectors import scheme_entry
from tests.factories import report_hashes_shown, the_year_due
from tests.permissions import rules_table as spec
from tests.permissions.world import SENSITIVE_SOP_TEXT, generate_cases

pytestmark = pytest.mark.usefixtures("db")

# The first cycle here; a policy under review in test_matrix_under_review (the two files run on two workers).
CASES = [case for case in generate_cases() if case.status in spec.STATUSES]
ACTING = frozenset(spec.ACTION_RULES)


def acts_for_real(case) -> bool:
    """May be the one posted for its (persona, status, action): an action case of an OFFICIAL policy the person
    may see. (A policy hidden from them is a 404 for a POST as for a GET, and anonymous visitors are sent to sign
    in: test_visibility.refused_posts.)"""
    return case.action in ACTING and case.marking == spec.OFFICIAL and case.persona.signed_in and case.may_see


# Cases where the application does not yet do what the table says: {case id: reason}. Like xfail(strict=True), one
# case at a time: its disagreement is tolerated, and its agreement fails the test, so that the entry goes. Empty: the
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
    # Every action is allowed to someone somewhere, and refused to someone somewhere (those taken only on a policy
    # under review: refused everywhere on the first cycle's axis, allowed on test_matrix_under_review's).
    answers = Counter((case.action, case.allowed) for case in CASES)
    for action in spec.ACTIONS:
        assert (answers[(action, True)] or action in spec.UNDER_REVIEW_ONLY) and answers[(action, False)], action
    assert not any(answers[(action, True)] for action in spec.UNDER_REVIEW_ONLY)


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
    if action in spec.OWN_PAGES:  # issue 12's pages: /policies/<ref>/details/, advice/, people/
        return f"/policies/{reference}/{action}/"
    return f"/policies/{reference}/actions/{action}/"


def http_mismatch(case, policy, response) -> str | None:
    """What the answer to the GET got wrong, or None."""
    status, location = response.status_code, response.get("Location", "")
    if case.action == spec.VIEW_ON_SCHEME:  # public: the same for everyone, signed in or not
        # A policy withdrawn after it was on the Scheme: its page says so (410), its title alone; else not found.
        facts = case.facts
        withdrawn_from_scheme = facts.on_scheme and facts.status == spec.WITHDRAWN and facts.marking == spec.OFFICIAL
        if status != (200 if case.allowed else 410 if withdrawn_from_scheme else 404):
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
    """What the form page would have carried, for someone who never got it: the refusal must then come from who
    they are, not from a stale binding (the services check the version read after the permission, and separation
    of duties after that). The allowed POSTs check that their pages carry exactly this."""
    version = policy.current_version
    if action == "edit_draft":  # the draft editor binds to the revision it was opened on
        return {"base_revision": str(version.draft_revision)}
    if action == "details":  # the details page binds to the details it showed
        return {"expected_details": details_hash(policy.details_snapshot())}
    if action in spec.OWN_PAGES:  # the advice and people pages bind to nothing of the version
        return {}
    return {"expected_status": policy.status, "version": str(version.pk), "version_hash": version.read_hash}


def qa_discipline_of(persona) -> str:
    return next((role for role in ("pcu", "dcfd", "doi") if role in persona.force_roles), "pcu")


def visible_fields(world, case, policy) -> dict[str, str]:
    """Valid values for the fields the person fills in on the step's form."""
    soon = timezone.localdate() + datetime.timedelta(days=30)
    if case.action == "details":  # a review re-routes the policy: its risk tier changes, the rest as it stands
        details = policy.details_snapshot()
        fields = {name: details[name] for name in ("title", "purpose", "relevant_to", "protective_marking",
                                                    "registered_file_reference")}
        fields.update({"risk_tier": "high" if details["risk_tier"] != "high" else "low", "legislation_links": ""})
        if details["suitable_for_publication_scheme"]:
            fields["suitable_for_publication_scheme"] = "on"
        return fields
    if case.action == "people":  # a developer of the policy's group, not named on it, added
        spare = world.users["developer_unnamed"] if case.facts.group == spec.OWN else world.cast["developer_spare"]
        return {"part": "developer", "developer-old": "", "developer-new": spare.username,
                "developer-reason": "More hands for the review."}
    return {
        "edit_draft": {"statement": "<p>Officers will act fairly and lawfully.</p>",
                       "summary_of_changes": "Reworded the duties."},
        "commission": {"comments": "Agreed."},
        "decline-commissioning": {"reasons": "Not a priority this year."},
        "quality-assurance": {"discipline": qa_discipline_of(case.persona), "outcome": "passed", "comments": ""},
        "decide": {"decision": "approve", "comments": "", "meeting_on": timezone.localdate().isoformat(),
                   "minute_reference": "COG/2026/03"},
        "emergency-approve": {"risk_statement": "Needed at once for a live operation; I own the risk.",
                              "eia_due_on": ""},
        "emergency-agreement": {"answer": "agree", "reason": ""},
        "publish": {"on_intranet": "on", "in_notices": "on"},
        "start-review": {"reason": "Legislation changed."},
        "conclude-no-change": {"reason": "Monitoring shows the policy works as intended."},
        "withdraw-review-draft": {"reason": "The review found nothing to change."},
        "confirm-eia": {"eia_outcome": "stands", "eia_comments": ""},
        "republish": {"on_intranet": "on"},
        "set-review-date": {"review_due_on": soon.isoformat(), "reason": "A critical incident."},
        "decide-withdrawal": {"reason": "Superseded by national guidance.", "replaced_by": ""},
        "withdraw": {"comments": ""},
        "advice": {"action": "invite", "who": "dcfd", "note": "Is the EIA right?"},
        "respond-to-monitoring": {"outcome": "no_action", "reasons": "Results within tolerance.", "report": ""},
    }.get(case.action, {})


def monitoring_report_awaiting_response(world, case, policy) -> dict[str, str]:
    """A quality-assured monitoring report awaiting the Lead's response (the step's gate), written by the policy's
    developer and quality-assured by its co-ordinator, so that the form is posted on a real report: the field to
    post. Only a policy in force has reports; elsewhere nothing is written."""
    if case.action != "respond-to-monitoring" or policy.first_published_on is None or policy.status == spec.WITHDRAWN:
        return {}
    from assessments import services as assessment_services

    crew = world.crews[case.variant[1]]
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=crew.developer, **the_year_due(policy),
        compliance="Dip sample: 94% compliant.", benefits="Fewer complaints.", diversity_impact="None found.")
    assessment_services.monitoring_report_submit(report=report, actor=crew.developer)
    assessment_services.monitoring_report_pass_qa(report=report, actor=crew.coordinator)
    # The report chosen, and its content hash as the page shows it (rule 17): a refusal comes from who posts it.
    return {"report": str(report.pk), **report_hashes_shown(report)}


NO_CHANGE_REVIEW = ("conclude-no-change", "confirm-eia", "republish")


def the_earlier_parts_of_a_no_change_review(world, case, policy) -> None:
    """So that the review's part the persona takes is the next one: the review brought forward (documented, so
    that it may be concluded now), then the Lead's conclusion and DCFD's confirmation, as far as the case needs."""
    crew = world.crews[case.variant[1]]
    services.policy_set_review_date(policy=policy, actor=crew.coordinator,
                                    review_due_on=timezone.localdate() + datetime.timedelta(days=700),
                                    reason="Monitoring results.")
    earlier = NO_CHANGE_REVIEW[:NO_CHANGE_REVIEW.index(case.action)]
    if "conclude-no-change" in earlier:
        services.policy_conclude_no_change(policy=policy, actor=crew.lead, reason="Still fit for purpose.")
    if "confirm-eia" in earlier:
        services.policy_confirm_eia(policy=policy, actor=world.users["dcfd"], eia_outcome="stands")


def sign_the_other_disciplines(world, case, policy) -> None:
    """So that the persona's sign-off is the one that completes QA."""
    signers = {"pcu": world.cast["pcu_qa_clerk"], "dcfd": world.users["dcfd"], "doi": world.users["doi"]}
    mine = qa_discipline_of(case.persona)
    for discipline, signer in signers.items():
        if discipline != mine:
            services.policy_record_qa_signoff(policy=policy, actor=signer, discipline=discipline)


SNAPSHOT = f"""
    SELECT policy::text,
           (SELECT md5(string_agg(version::text, ',' ORDER BY version.id)) FROM {PolicyVersion._meta.db_table} version
             WHERE version.policy_id = policy.id),
           (SELECT max(id) FROM {AuditEvent._meta.db_table})
      FROM {Policy._meta.db_table} policy WHERE policy.id = %s
"""


def snapshot(policy) -> tuple:
    """What a refused POST must leave as it was, in one query: the policy's row, every column of its versions'
    rows (as a digest) and the last audit event's id (the trail is append-only: a new event moves it)."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT, [policy.pk])
        return cursor.fetchone()


def post_mismatch(world, case, policy, page, before=None) -> str | None:
    """POST the step's form in a savepoint that is rolled back: what it got wrong, or None. ``before``: the
    policy's ``snapshot`` as it stands, if already taken."""
    client = world.clients[case.persona.label]
    url = url_for(case.action, policy.reference)
    with transaction.atomic():
        try:
            if case.allowed:
                return _allowed_post_mismatch(world, case, policy, client, url, page)
            report = monitoring_report_awaiting_response(world, case, policy)
            # Writing the report moves the policy's monitoring date and the trail: compare with what follows it.
            before = snapshot(policy) if report else before or snapshot(policy)
            data = {**hidden_inputs_of_the_current_version(case.action, policy),
                    **visible_fields(world, case, policy), **report}
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
    if case.action in NO_CHANGE_REVIEW:
        the_earlier_parts_of_a_no_change_review(world, case, policy)
    if case.action == "emergency-agreement":  # PCU answers what the Lead asked
        services.policy_request_emergency_approval(policy=policy, actor=world.crews[case.variant[1]].lead,
                                                   risk_statement="Needed at once for a live operation.")
    if case.action == "withdraw":  # PCU carries out what the Lead decided
        services.policy_decide_withdrawal(policy=policy, actor=world.crews[case.variant[1]].lead,
                                          reason="Superseded by national guidance.")
    report = monitoring_report_awaiting_response(world, case, policy)
    if case.action in (*NO_CHANGE_REVIEW, "emergency-agreement", "withdraw") or report:
        # The page as it stands once its earlier parts are done (before them it says "Not ready yet", no form).
        page = client.get(url)
    carried = hidden_inputs(page.content.decode())
    stands = hidden_inputs_of_the_current_version(case.action, policy)
    if {name: carried.get(name) for name in stands} != stands:
        return f"the page carries {carried}, not the current version's {stands} (which the refused POSTs send)"
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    data = {**carried, **visible_fields(world, case, policy), **report}
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
    labels = ("the policy's row", "the digest of its versions' rows", "the last audit event id")
    return "; ".join(f"{label}: {old} -> {new}" for label, old, new in zip(labels, before, after, strict=True)
                     if old != new)


# --- the cheap checks, for every case -------------------------------------------------------------------

# The rules permissions each action's page asks (the draft editor's is the one its view asks).
OWN_PAGE_PERMISSIONS = {"edit_draft": "lifecycle.edit_draft", "details": "lifecycle.edit_details",
                        "advice": "lifecycle.invite_advice", "people": "lifecycle.reassign_people"}
PERMISSIONS = {
    action: (OWN_PAGE_PERMISSIONS[action],) if action in spec.OWN_PAGES
    else tuple(dict.fromkeys(step.permission for step in workflow.PAGES[action][1]))
    for action in ACTING
}


def declaration_mismatch(world, case, policy) -> str | None:
    """What the declarations the action view asks say about an action case, against the table, or None."""
    user = world.user(case.persona)
    if case.action in spec.OWN_PAGES:
        offered = rules.has_perm(OWN_PAGE_PERMISSIONS[case.action], user, policy)
    else:
        offered = bool(workflow.steps_offered(user, policy, case.action))
    if offered is not case.allowed:
        return f"workflow.steps_offered: {'offered' if offered else 'not offered'}"
    facts = case.facts
    if facts.status in spec.ACTION_RULES[case.action].statuses:
        # Where the action applies, the permission decides who may take it: it holds for everyone the table allows,
        # and for nobody without a capacity for it. (Separation of duties, the author barred, may be asked by the
        # permission or beside it, by the step's duty: steps_offered above answers for it either way.)
        permitted = any(rules.has_perm(permission, user, policy) for permission in PERMISSIONS[case.action])
        if permitted is not case.allowed and permitted is not spec.holds_capacity(case.action, case.persona, facts):
            return f"rules.has_perm{PERMISSIONS[case.action]}: {permitted}"
    return None


def cheap_mismatches(world, visible_ids, case, policy) -> list[str]:
    """What the service layer, a GET (seeing; anonymous visitors) or the declarations got wrong."""
    problems = []
    if case.action not in ACTING:
        service = seen_by_the_services(world, visible_ids, case, policy)
        if service is not case.allowed:
            problems.append(f"service layer: {'allowed' if service else 'refused'}")
    if case.action not in ACTING or not case.persona.signed_in:
        client = world.clients[case.persona.label]
        page = client.get(url_for(case.action, policy.reference))
        client.cookies.pop("messages", None)  # nothing carries over to the next case
        if (http := http_mismatch(case, policy, page)) is not None:
            problems.append(f"HTTP: {http}")
    elif (declared := declaration_mismatch(world, case, policy)) is not None:
        problems.append(declared)
    return problems


# --- the real form, once per (persona, status, action) ----------------------------------------------------


def representatives(cases) -> list:
    """For each action, the case whose policy the form is posted on: one the person may see and OFFICIAL
    (``acts_for_real``); allowed if any is; then the persona's own group before another's; then the first."""
    chosen = {}
    for case in cases:
        if acts_for_real(case):
            rank = (not case.allowed, case.group == spec.OTHER)
            if case.action not in chosen or rank < chosen[case.action][0]:
                chosen[case.action] = (rank, case)
    return [case for _, case in chosen.values()]


def posted_mismatch(world, case, policy, before) -> str | None:
    """GET the form page (allowed) and POST it: what either got wrong, or None. ``before``: the policy's
    ``snapshot`` as it stands (every POST is rolled back, so one serves them all)."""
    page = None
    if case.allowed:
        client = world.clients[case.persona.label]
        page = client.get(url_for(case.action, policy.reference))
        client.cookies.pop("messages", None)
        if (http := http_mismatch(case, policy, page)) is not None:
            return f"HTTP: {http}"
    if (posted := post_mismatch(world, case, policy, page, before)) is not None:
        return f"POST: {posted}"
    return None


# --- one test per persona and point of the axis ----------------------------------------------------------


def cases_by_point(cases) -> dict[tuple[str, str], list]:
    """{(status, persona label): its cases}, in the order of the axis, so that the world walks forward."""
    points: dict[tuple[str, str], list] = {}
    for case in cases:
        points.setdefault((case.status, case.persona.label), []).append(case)
    return points


def point_params(cases) -> list:
    return [pytest.param(point_cases, id=f"{persona}-{status}")
            for (status, persona), point_cases in cases_by_point(cases).items()]


def check_point(world, visible_ids, cases) -> None:
    """Every case of one persona at one point of the axis: the cheap checks for each, then the real forms."""
    world.at(cases[0].status)
    problems: dict[str, list[str]] = {}
    for case in cases:
        problems[case.id] = cheap_mismatches(world, visible_ids, case, world.policy(case.variant))
    snapshots = {}
    for case in representatives(cases):
        policy = world.policy(case.variant)
        if policy.pk not in snapshots:
            snapshots[policy.pk] = snapshot(policy)
        if posted := posted_mismatch(world, case, policy, snapshots[policy.pk]):
            problems[case.id].append(posted)
    report = []
    for case in cases:
        gap = KNOWN_GAPS.get(case.id)
        if gap and not problems[case.id]:
            report.append(f"{case.id}: agrees with the table now; remove it from KNOWN_GAPS ({gap})")
        elif problems[case.id] and not gap:
            expected = "allowed" if case.allowed else "refused"
            report.append(f"{case.id}: expected {expected}; " + "; ".join(problems[case.id]))
    assert not report, f"{len(report)} of {len(cases)} cases disagree:\n" + "\n".join(report)


@pytest.mark.parametrize("cases", point_params(CASES))
def test_permission(world, visible_ids, cases):
    check_point(world, visible_ids, cases)


def test_every_allowed_action_is_really_taken_somewhere():
    posted = [case for cases in cases_by_point(CASES).values() for case in representatives(cases)]
    # Those taken only on a policy under review are asked there (test_matrix_under_review).
    assert {case.action for case in posted if case.allowed} == ACTING - spec.UNDER_REVIEW_ONLY
    # Everyone who signs in; anonymous visitors are sent to sign in (test_visibility.refused_posts).
    assert {case.persona.label for case in posted} == {persona.label for persona in spec.PERSONAS
                                                       if persona.signed_in}
    # Once per (persona, status, action) the person may see a policy for.
    assert len(posted) == len({(case.persona.label, case.status, case.action) for case in CASES
                               if acts_for_real(case)})
