"""Seeing policies, and the permission rules the matrix does not reach.

Lists (the register and ``policy_list``) show exactly what each persona may see, so that neither a list nor
its count reveals a policy; per-object grants show a draft only while it is a draft; separation of duties
holds through the service and over HTTP; a refused POST changes nothing; PCU administers reference data.

These tests share the world of ``test_matrix`` (see ``conftest``). Each is a scenario bound to a status, and
they run in the order of the cycle, so that the world walks through it once (once more, if the matrix has just
left it withdrawn). Anything a scenario changes is changed in a savepoint that is rolled
back (``sandboxed``).
"""

from __future__ import annotations

import dataclasses
import datetime

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import Http404
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from core.exceptions import ApplicationError
from core.models import AuditEvent, BusinessGroup, Role, Unit
from core.services import role_assign
from lifecycle import services
from lifecycle.models import ApprovalDecision, ConsultationRecord, QASignOff
from lifecycle.permissions import forget_roles
from lifecycle.selectors import access_policy, policy_list
from tests.factories import UserFactory
from tests.permissions import rules_table as spec
from tests.permissions.world import (
    BASE,
    OFFICIAL_SOP_TEXT,
    OTHER_GROUP,
    OWN_GROUP,
    SENSITIVE_SOP_TEXT,
    facts_for,
    sandboxed,
)

pytestmark = pytest.mark.usefixtures("db")

SCENARIOS: list[tuple[str, str, object]] = []


def at(*statuses: str):
    """Register the function as a scenario to run with the world in each of ``statuses``."""

    def register(function):
        for status in statuses:
            SCENARIOS.append((status, function.__name__, function))
        return function

    return register


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refuses(function, code: str, fragment: str = "") -> None:
    with pytest.raises(ApplicationError) as raised:
        function()
    assert raised.value.code == code, raised.value.message
    assert fragment in raised.value.message


# --- the world itself, and the lists ------------------------------------------------------------------------


@at(*spec.STATUSES)
def the_world_is_as_the_cases_describe_it(world):
    for (marking, group, author), policy in world.policies.items():
        facts = facts_for(world.status, marking, group, author)
        assert (policy.status, policy.protective_marking) == (world.status, marking)
        assert policy.business_group.name == (OWN_GROUP if group == spec.OWN else OTHER_GROUP)[0]
        expected_author = world.cast["developer_other"] if author == BASE else world.users[author]
        assert policy.current_version.author == expected_author
        named = {user.username for user in policy.developers.all()} & set(world.users)
        assert named == facts.named
        assert policy.consultations.filter(consultee_type="shrmt").exists() is facts.shrmt_consulted


@at(*spec.STATUSES)
def the_register_lists_exactly_what_each_persona_may_see(world):
    for persona in spec.PERSONAS:
        user = world.user(persona)
        expected = {
            policy.reference for (marking, group, author), policy in world.policies.items()
            if spec.expected(spec.VIEW, persona, facts_for(world.status, marking, group, author))
        }
        listed = set(policy_list(user=user).values_list("reference", flat=True))
        assert listed == expected, persona.label
        response = world.clients[persona.label].get("/policies/")
        if not persona.signed_in:
            assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
            continue
        content = response.content.decode()
        shown = {policy.reference for policy in world.policies.values() if policy.reference in content}
        assert shown == expected, persona.label


@at(spec.IMPLEMENTATION)
def signed_out_visitors_see_nothing_not_even_published_policies(world):
    assert not policy_list(user=AnonymousUser()).exists()
    policy = world.policy((spec.OFFICIAL, spec.OWN, "developer"))
    with pytest.raises(Http404):
        access_policy(user=AnonymousUser(), reference=policy.reference)
    response = Client().get(f"/policies/{policy.reference}/statement/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@at(spec.IMPLEMENTATION)
def staff_without_a_role_read_published_official_sops_but_not_sensitive_ones(world):
    client = world.clients["staff"]
    official = world.policy((spec.OFFICIAL, spec.OWN, "developer"))
    content = client.get(f"/policies/{official.reference}/statement/").content.decode()
    assert OFFICIAL_SOP_TEXT in content and SENSITIVE_SOP_TEXT not in content
    # An OFFICIAL-SENSITIVE policy is not theirs to see at all, and they cannot tell it exists.
    sensitive = world.policy((spec.OFFICIAL_SENSITIVE, spec.OWN, "developer"))
    assert client.get(f"/policies/{sensitive.reference}/").status_code == 404
    assert sensitive.reference not in client.get("/policies/").content.decode()
    # Anyone with a role on the group reads both.
    content = world.clients["owner"].get(f"/policies/{official.reference}/statement/").content.decode()
    assert OFFICIAL_SOP_TEXT in content and SENSITIVE_SOP_TEXT in content


@at(spec.IMPLEMENTATION)
def the_publication_scheme_shows_only_what_pcu_published_there(world):
    index = Client().get("/publication-scheme/").content.decode()
    for (marking, _group, _author), policy in world.policies.items():
        on_scheme = marking == spec.OFFICIAL  # the world publishes OFFICIAL policies there
        assert (f"/publication-scheme/{policy.reference}/" in index) is on_scheme, policy.reference
        page = Client().get(f"/publication-scheme/{policy.reference}/")
        assert page.status_code == (200 if on_scheme else 404), policy.reference
        assert SENSITIVE_SOP_TEXT not in page.content.decode()


DRAFT_WORDING = "Wording of the review draft, not yet in force."


@at(spec.MONITORING)
def under_review_staff_see_the_version_in_force_and_only_those_drafting_see_the_draft(world):
    """A policy under review is still a published policy ("They see published policies of the whole force"),
    but its new draft is seen only by those who see the policy by their part in it."""
    variants = [(marking, spec.OWN, "developer") for marking in spec.MARKINGS]

    def scenario():
        for variant in variants:
            policy = world.policy(variant)
            services.policy_start_review(policy=policy, actor=world.users["coordinator"], reason="Three-year review.")
            services.draft_update(policy=policy, actor=world.users["developer"], statement=f"<p>{DRAFT_WORDING}</p>")
        world.reload()
        wrong = []
        for persona in spec.PERSONAS:
            for variant in variants:
                policy = world.policy(variant)
                facts = dataclasses.replace(facts_for(spec.SCOPING, *variant), shrmt_consulted=True,
                                            under_review=True, on_scheme=variant[0] == spec.OFFICIAL)
                may_view = spec.expected(spec.VIEW, persona, facts)
                sees_draft = may_view and spec.sees_by_their_part(persona, facts)
                response = world.clients[persona.label].get(f"/policies/{policy.reference}/statement/")
                if not persona.signed_in:
                    continue
                listed = policy_list(user=world.user(persona)).filter(pk=policy.pk).exists()
                shown = DRAFT_WORDING in response.content.decode()
                answer = (response.status_code, listed, shown)
                if answer != (200 if may_view else 404, may_view, sees_draft):
                    wrong.append(f"{persona.label}-{variant[0]}: got (status, listed, draft shown) {answer}")
        assert wrong == [], "\n".join(wrong)

    sandboxed(world, scenario)


# --- managers see their unit, not the rest of the group -------------------------------------------------------


def _manager_of_another_unit(world):
    group = BusinessGroup.objects.get(name=OWN_GROUP[0])
    unit = Unit.objects.create(business_group=group, name="Roads and Transport")
    manager = UserFactory(username="manager_of_roads")
    role_assign(actor=None, user=manager, role=Role.MANAGER, business_group=group, unit=unit)
    forget_roles(manager)
    return manager


@at(spec.SCOPING, spec.WITH_LEAD, spec.IMPLEMENTATION)
def a_manager_sees_and_drafts_only_their_own_unit(world):
    policy = world.policy((spec.OFFICIAL, spec.OWN, "developer"))
    published = policy.status in spec.PUBLISHED

    def scenario():
        manager = _manager_of_another_unit(world)
        assert policy_list(user=manager).filter(pk=policy.pk).exists() is published
        assert not rules.has_perm("lifecycle.edit_draft", manager, policy)
        client = signed_in(manager)
        assert client.get(f"/policies/{policy.reference}/").status_code == (200 if published else 404)
        # No action's form is offered (a redirect refusing it, or 404 for a policy hidden from them).
        offered = [slug for slug in spec.ACTION_RULES if slug not in spec.OWN_PAGES
                   and client.get(f"/policies/{policy.reference}/actions/{slug}/").status_code == 200]
        assert offered == []

    sandboxed(world, scenario)


# --- per-object grants ---------------------------------------------------------------------------------------


@at(spec.SCOPING, spec.DEVELOPMENT, spec.SUBMITTED_FOR_QA, spec.IMPLEMENTATION)
def a_grant_shows_a_draft_only_while_it_is_a_draft(world):
    policy = world.policy((spec.OFFICIAL, spec.OWN, "developer"))
    sensitive = world.policy((spec.OFFICIAL_SENSITIVE, spec.OWN, "developer"))
    drafting = policy.status in spec.DRAFTING
    published = policy.status in spec.PUBLISHED

    def scenario():
        consultee, drafter = UserFactory(username="consultee"), UserFactory(username="drafter")
        for user, permission in ((consultee, "consult_policy"), (drafter, "draft_policy")):
            services.policy_grant_access(policy=policy, actor=world.users["coordinator"], user=user,
                                         permission=permission)
            # An OFFICIAL-SENSITIVE policy is not granted to someone not cleared for it (security probe F2) ...
            with pytest.raises(ApplicationError) as refusal:
                services.policy_grant_access(policy=sensitive, actor=world.users["coordinator"], user=user,
                                             permission=permission)
            assert refusal.value.code == "not_cleared", permission
            # ... and a grant recorded before that refusal existed shows it no more than none.
            assign_perm(f"lifecycle.{permission}", user, sensitive)
            forget_roles(user)
            # Everyone sees published policies; a grant shows the draft while it is one.
            assert policy_list(user=user).filter(pk=policy.pk).exists() is (drafting or published), permission
            expected = 200 if drafting or published else 404
            assert signed_in(user).get(f"/policies/{policy.reference}/").status_code == expected, permission
            # A grant is not a role on the group: an OFFICIAL-SENSITIVE policy stays hidden.
            assert not policy_list(user=user).filter(pk=sensitive.pk).exists(), permission
            assert signed_in(user).get(f"/policies/{sensitive.reference}/").status_code == 404, permission
        assert rules.has_perm("lifecycle.edit_draft", drafter, policy) is drafting
        assert not rules.has_perm("lifecycle.edit_draft", consultee, policy)

    sandboxed(world, scenario)


# --- SHRMT records its advice ----------------------------------------------------------------------------------


@at(spec.DEVELOPMENT)
def shrmt_records_its_advice_on_what_it_is_consulted_on(world):
    policy = world.policy((spec.OFFICIAL, spec.OWN, "developer"))
    shrmt, staff = world.users["shrmt"], world.users["staff"]

    def scenario():
        asked = ConsultationRecord.objects.filter(policy=policy, consultee_type="shrmt").first()
        services.consultation_record_response(record=asked, actor=shrmt, response="Risk assessment attached.")
        refuses(lambda: services.consultation_record_response(record=asked, actor=staff, response="Fine."),
                "forbidden")
        # Another consultee's line is not SHRMT's to answer.
        federation = services.consultation_record(
            policy=policy, actor=world.users["developer"], consultee="Federation representative",
            organisation="Police Federation", consultee_type="staff_association",
            date_sent=timezone.localdate() - datetime.timedelta(days=1),
        )
        refuses(lambda: services.consultation_record_response(record=federation, actor=shrmt, response="Fine."),
                "forbidden")

    sandboxed(world, scenario)


# --- separation of duties, through the service and over HTTP ----------------------------------------------------


@at(spec.SUBMITTED_FOR_QA)
def the_author_never_signs_off_their_own_version_whatever_roles_they_hold(world):
    author = world.users["pcu_dcfd_doi"]  # PCU, DCFD and DOI, and wrote this version
    own = world.policy((spec.OFFICIAL, spec.OTHER, "pcu_dcfd_doi"))
    somebody_elses = world.policy((spec.OFFICIAL, spec.OTHER, BASE))
    for discipline in ("pcu", "dcfd", "doi"):
        refuses(lambda d=discipline: services.policy_record_qa_signoff(policy=own, actor=author, discipline=d),
                "forbidden", "you wrote or submitted version")
        refuses(lambda d=discipline: services.policy_return_from_qa(policy=own, actor=author, discipline=d,
                                                                    comments="Needs work."),
                "forbidden", "you wrote or submitted version")
        # The same person signs off a version somebody else wrote.
        sandboxed(world, lambda d=discipline: services.policy_record_qa_signoff(
            policy=somebody_elses, actor=author, discipline=d))

    def over_http():
        client = signed_in(author)
        refused = client.get(f"/policies/{own.reference}/actions/quality-assurance/")
        assert refused.status_code == 302
        for discipline in ("pcu", "dcfd", "doi"):
            response = client.post(f"/policies/{own.reference}/actions/quality-assurance/", {
                "discipline": discipline, "outcome": "passed", "comments": "", "expected_status": own.status,
            })
            assert response.status_code in (302, 400)
        assert not QASignOff.objects.filter(policy_version__policy=own).exists()
        assert own.__class__.objects.get(pk=own.pk).status == spec.SUBMITTED_FOR_QA

    sandboxed(world, over_http)


@at(spec.WITH_LEAD)
def a_lead_who_wrote_the_version_can_neither_approve_nor_reject_it(world):
    lead = world.users["lead_developer"]  # Designated Lead of the group, and wrote this version
    policy = world.policy((spec.OFFICIAL, spec.OWN, "lead_developer"))
    refuses(lambda: services.policy_approve(policy=policy, actor=lead), "forbidden", "not allowed to approve")
    refuses(lambda: services.policy_reject(policy=policy, actor=lead, reasons="No."), "forbidden",
            "not allowed to reject")

    def over_http():
        client = signed_in(lead)
        for decision in ("approve", "reject"):
            response = client.post(f"/policies/{policy.reference}/actions/decide/", {
                "decision": decision, "comments": "Decided.", "expected_status": policy.status,
                # A complete decision (issue 13: the board's meeting and minute), refused for who posts it.
                "meeting_on": timezone.localdate().isoformat(), "minute_reference": "COG/1",
            })
            assert response.status_code == 302 and response["Location"] == f"/policies/{policy.reference}/"
            assert any("not allowed" in str(message) for message in get_messages(response.wsgi_request))
        assert not ApprovalDecision.objects.filter(policy_version__policy=policy).exists()

    sandboxed(world, over_http)
    # Another Lead of the group approves it.
    sandboxed(world, lambda: services.policy_approve(policy=policy, actor=world.users["lead"],
                                                     meeting_on=timezone.localdate(), minute_reference="COG/1"))


# --- a refused POST changes nothing, and a hidden policy is a 404 whatever the method ------------------------

POSTED = {
    "request-commissioning": {},
    "commission": {"comments": ""},
    "decline-commissioning": {"reasons": "Not a priority."},
    "submit-for-qa": {},
    "emergency-approve": {"risk_statement": "Needed now.", "eia_due_on": ""},
    "emergency-agreement": {"answer": "agree", "reason": ""},
    "quality-assurance": {"discipline": "pcu", "outcome": "passed", "comments": ""},
    "forward-to-lead": {},
    "decide": {"decision": "approve", "comments": "", "minute_reference": "COG/1"},
    "forward-for-publication": {},
    "publish": {"on_intranet": "on", "in_notices": "on"},
    "complete-implementation": {},
    "start-review": {"reason": "Legislation changed."},
    "conclude-no-change": {"reason": "Still right."},
    "confirm-eia": {"eia_outcome": "stands"},
    "republish": {"on_intranet": "on"},
    "set-review-date": {"reason": "A critical incident."},
    "decide-withdrawal": {"reason": "Superseded."},
    "withdraw": {"comments": ""},
    "respond-to-monitoring": {"outcome": "no_action", "reasons": "Fine.", "report": ""},
    "withdraw-review-draft": {"reason": "The review found nothing to change."},
}


def _posted(world, slug: str, policy) -> dict:
    data = {**POSTED[slug], "expected_status": policy.status}
    if slug == "set-review-date":
        data["review_due_on"] = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    return data


def refused_posts(world):
    """The owner sees every policy of the group and may take none of the actions but deciding a withdrawal (issue 13:
    the owner retains "ultimate ownership"; the matrix posts that one): each POST is refused."""
    policy = world.policy((spec.OFFICIAL, spec.OWN, "developer"))
    for slug, rule in spec.ACTION_RULES.items():
        if slug in spec.OWN_PAGES or slug == "decide-withdrawal" or policy.status not in rule.statuses:
            continue

        def post(slug=slug):
            events = AuditEvent.objects.count()
            response = world.clients["owner"].post(f"/policies/{policy.reference}/actions/{slug}/",
                                                   _posted(world, slug, policy))
            world.clients["owner"].cookies.pop("messages", None)
            # Refused as the wrong person (a redirect with the reason) or, for QA, offered no discipline (400).
            assert response.status_code in (302, 400), slug
            assert AuditEvent.objects.count() == events, slug
            assert policy.__class__.objects.get(pk=policy.pk).status == policy.status, slug

        sandboxed(world, post)
    # Someone who cannot see the policy gets a 404 for a POST too, and anonymous visitors are sent to sign in.
    hidden_from = "staff" if policy.status not in spec.PUBLISHED else None
    for slug in POSTED:
        url = f"/policies/{policy.reference}/actions/{slug}/"
        if hidden_from:
            assert world.clients[hidden_from].post(url, _posted(world, slug, policy)).status_code == 404, slug
        response = world.clients["anonymous"].post(url, _posted(world, slug, policy))
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/"), slug


at(*spec.STATUSES[:-1])(refused_posts)


# --- PCU administers reference data ---------------------------------------------------------------------------------


@at(spec.WITHDRAWN)
def only_pcu_administers_reference_data(world):
    def scenario():
        answers = {}
        for label in ("pcu", "coordinator", "lead", "staff"):
            user = world.users[label]
            user.is_staff = True  # may enter the admin site at all; the role decides the rest
            user.save(update_fields=["is_staff"])
            answers[label] = signed_in(user).get("/admin/core/businessgroup/").status_code
        assert answers == {"pcu": 200, "coordinator": 403, "lead": 403, "staff": 403}

    sandboxed(world, scenario)


# --- running them in the order of the cycle ------------------------------------------------------------------------

IN_CYCLE_ORDER = sorted(SCENARIOS, key=lambda item: spec.STATUSES.index(item[0]))


@pytest.mark.parametrize("status,name,scenario", IN_CYCLE_ORDER,
                         ids=[f"{status}-{name}" for status, name, _ in IN_CYCLE_ORDER])
def test_scenario(world, status, name, scenario):
    scenario(world.at(status))
