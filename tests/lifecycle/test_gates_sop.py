"""The gates of each transition, checked against a checklist written here from the SOP
(../shared/reference/mps-sop-management-of-policy-development.txt), never from ``lifecycle.gates``' own lists.

For every condition the SOP sets on a step: a policy where only that condition is unmet is refused when the step's
form is posted over HTTP, with a message naming what is missing; with every condition met, the same POST succeeds.
Deleting a gate from the code therefore leaves its test here failing (and
``tests/permissions/test_load_bearing.py`` replaces each gate with "always true" to prove it).

Each ``Condition`` says how to meet it, with the Workbook and EIA sections named by their fields, so a builder
can meet every condition but one. ``CHECKS`` lists every check as a plain function of ``people``, for
``tests/permissions/test_load_bearing.py`` to run in-process.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from assessments.services import eia_update, workbook_update
from lifecycle import services
from lifecycle.models import ConsulteeType, Policy
from tests.factories import advance_to

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Condition:
    name: str
    sop: str                              # the SOP's words the condition comes from
    workbook: dict | None = None          # Workbook sections that meet it
    eia: dict | None = None               # EIA sections that meet it
    call: Callable | None = None          # or a service call (policy, people) that meets it
    says: tuple[str, ...] = ()            # what the refusal must mention (case-insensitive)


def _statement(policy, people):
    services.draft_update(policy=policy, actor=people.developer,
                          statement="<p>Officers will act lawfully and proportionately.</p>")


def _consult_shrmt(policy, people):
    services.consultation_record(
        policy=policy, actor=people.developer, consultee="Health and safety adviser",
        organisation="Safety and Health Risk Management Team", consultee_type=ConsulteeType.SHRMT,
        date_sent=timezone.localdate() - datetime.timedelta(days=1),
    )


EVERY_CHARACTERISTIC = (
    "age", "disability", "gender_reassignment", "marriage_civil_partnership", "pregnancy_maternity", "race",
    "religion_belief", "sex", "sexual_orientation",
)

def _health_and_safety(policy, people):
    services.draft_update(policy=policy, actor=people.developer, statement=policy.current_version.statement,
                          health_and_safety="identified",
                          health_and_safety_statement="Officers wear protective gloves when handling exhibits.")


# SOP, "1. Identification and scoping": "Carry out initial research into the issue to identify: ..."
SCOPING = [
    Condition("need", "the scope of the problem to be addressed - what is the need?",
              workbook={"need": "Inconsistent practice across boroughs."}, says=("need",)),
    Condition("legislation", "relevant legislation / strategies / priorities",
              workbook={"legislation": "Police and Criminal Evidence Act 1984."}, says=("legislation",)),
    Condition("data", "any relevant data / statistics (e.g. monitoring results for existing policy)",
              workbook={"data_and_statistics": "1,200 incidents a year."}, says=("data",)),
    Condition("costs", "cost or resources implications",
              workbook={"costs_and_resources": "Within existing budgets."}, says=("cost",)),
    Condition("benefits", "benefits analysis", workbook={"benefits": "Consistent, lawful practice."},
              says=("benefits",)),
    Condition("eia_begun", "It is at this stage work should begin on completing the Equality Impact Assessment",
              eia={"aims": "Fair and consistent treatment of the public."}, says=("Equality Impact Assessment",)),
]

# SOP, "3. Development" and "4. Approval": what must be in the package submitted to PCU.
SUBMISSION = [
    Condition("statement", "the following documents should be submitted ...: Policy Statement",
              call=_statement, says=("Policy Statement",)),
    Condition("shrmt", "N.B. The Safety and Health Risk Management Team must be consulted.",
              call=_consult_shrmt, says=("Safety and Health Risk Management Team",)),
    Condition("health_and_safety", "It is expected that all MPS policies will contain an explicit health and "
              "safety impact statement ... Where there is no health and safety impact, a statement to this effect "
              "must be included.",
              # Issue 13: in the policy itself, a section of the Policy Statement published with it.
              call=_health_and_safety, says=("health and safety",)),
    Condition("eia_feedback", "Update the Equality Impact Assessment ... following receipt of consultation "
              "responses with a summary of the feedback.",
              eia={"consultation_summary": "Staff associations agreed."},
              says=("Equality Impact Assessment", "feedback")),
    Condition("workbook_feedback", "Update the ... Corporate Policy Workbook / Checklist following receipt of "
              "consultation responses with a summary of the feedback.",
              workbook={"consultation_summary": "Feedback incorporated."}, says=("Workbook", "feedback")),
    Condition("implementation_plan", "Develop an appropriate implementation plan",
              workbook={"implementation_plan": "Briefings in month one."}, says=("implementation plan",)),
    Condition("monitoring", "Identify and/or develop effective and proportionate monitoring processes",
              workbook={"monitoring_process": "Quarterly dip sampling."}, says=("monitoring",)),
    Condition("impact_assessed", "Any proposed corporate policy that has not been impact assessed using the "
              "Policy Workbook/Checklist and Equality Impact Assessment (Form 6119a) is not considered fit for "
              "purpose and consequently will not be approved",
              eia={"impacts": {c: {"impact": "neutral", "notes": ""} for c in EVERY_CHARACTERISTIC},
                   "decision": "no_major_change", "decision_rationale": "No adverse impact identified."},
              says=("impact assessed",)),
]


def meet(policy, people, conditions, *, unmet: str | None = None) -> Policy:
    """Meet every condition but ``unmet``: one Workbook update and one EIA update for all their sections."""
    workbook, eia = {}, {}
    for condition in conditions:
        if condition.name == unmet:
            continue
        if condition.call:
            condition.call(Policy.objects.get(pk=policy.pk), people)
        workbook.update(condition.workbook or {})
        eia.update(condition.eia or {})
    if workbook:
        workbook_update(policy=Policy.objects.get(pk=policy.pk), actor=people.developer, **workbook)
    if eia:
        eia_update(policy=Policy.objects.get(pk=policy.pk), actor=people.developer, **eia)
    return Policy.objects.get(pk=policy.pk)


# --- posting a step over HTTP ------------------------------------------------------------------------------------

HIDDEN = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>")
ATTRIBUTE = re.compile(r"\b(name|value)=\"([^\"]*)\"")


def post_step(user, policy, slug: str, fields: dict | None = None) -> tuple[str, str]:
    """POST the step's form as ``user`` would (its page's hidden inputs, else those the page would have carried)
    and return (the policy's status afterwards, everything the user was told, in lower case)."""
    client = Client()
    client.force_login(user)
    url = f"/policies/{policy.reference}/actions/{slug}/"
    page = client.get(url)
    version = policy.current_version
    data = {"expected_status": policy.status, "version": str(version.pk), "version_hash": version.content_hash or ""}
    if page.status_code == 200:
        for tag in HIDDEN.findall(page.content.decode()):
            attributes = dict(ATTRIBUTE.findall(tag))
            if "name" in attributes:
                data[attributes["name"]] = unescape(attributes.get("value", ""))
    response = client.post(url, {**data, **(fields or {})})
    told = " ".join([str(message) for message in get_messages(response.wsgi_request)])
    if response.status_code != 302:
        told += " " + unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return Policy.objects.get(pk=policy.pk).status, " ".join(told.lower().split())


def assert_refused(user, policy, slug, says, fields=None):
    status, told = post_step(user, policy, slug, fields)
    assert status == policy.status, f"{slug} was taken"
    for fragment in says:
        assert fragment.lower() in told, f"{fragment!r} not in what the user was told: {told[:2000]}"


def assert_taken(user, policy, slug, target, fields=None):
    status, told = post_step(user, policy, slug, fields)
    assert status == target, f"{slug}: still {status}; told: {told[:2000]}"


# --- the checks ------------------------------------------------------------------------------------------------

CHECKS: dict[str, Callable] = {}


def check(function):
    CHECKS[function.__name__] = function
    return function


def _scoping_check(unmet: str | None):
    def run(people):
        policy = meet(people.policy(), people, SCOPING, unmet=unmet)
        if unmet is None:
            assert_taken(people.developer, policy, "request-commissioning", "commissioning")
        else:
            says = next(condition.says for condition in SCOPING if condition.name == unmet)
            assert_refused(people.developer, policy, "request-commissioning", says)
    run.__name__ = f"scoping_to_commissioning_{unmet or 'all_met'}"
    return check(run)


def _submission_check(unmet: str | None):
    def run(people):
        policy = meet(advance_to(people.policy(), "development", people), people, SUBMISSION, unmet=unmet)
        if unmet is None:
            assert_taken(people.developer, policy, "submit-for-qa", "submitted_for_qa")
        else:
            says = next(condition.says for condition in SUBMISSION if condition.name == unmet)
            assert_refused(people.developer, policy, "submit-for-qa", says)
    run.__name__ = f"development_to_qa_{unmet or 'all_met'}"
    return check(run)


for _condition in [*SCOPING, None]:
    _scoping_check(_condition.name if _condition else None)
for _condition in [*SUBMISSION, None]:
    _submission_check(_condition.name if _condition else None)


# SOP, role of the Diversity and Citizen Focus Directorate: "Quality assure Policy, SOPs, and Equality Impact
# Assessments, to ensure that all corporate policies seek to eliminate discrimination": a package whose EIA concludes
# "Stop and remove the policy" does not go to quality assurance, DCFD's sign-off of it being one it cannot give.
@check
def development_to_qa_eia_concludes_stop(people):
    policy = meet(advance_to(people.policy(), "development", people), people, SUBMISSION)
    eia_update(policy=policy, actor=people.developer, decision="stop",
               decision_rationale="The policy discriminates and no mitigation removes it.")
    assert_refused(people.developer, Policy.objects.get(pk=policy.pk), "submit-for-qa",
                   ("Stop and remove the policy",))


# An outcome "Continue despite potential adverse impact (justified)" gives its justification. The EIA's form and
# service ask for it; a draft saved without it before they did is not submitted without it.
@check
def development_to_qa_continue_without_its_justification(people):
    from assessments.models import EqualityImpactAssessment

    policy = meet(advance_to(people.policy(), "development", people), people, SUBMISSION)
    EqualityImpactAssessment.objects.filter(policy_version=policy.current_version).update(
        decision="continue", decision_rationale="")
    assert_refused(people.developer, Policy.objects.get(pk=policy.pk), "submit-for-qa", ("justification",))


# SOP, "2. Commissioning": "seek formal agreement to progress the work, through the relevant Designated Business
# Group Policy Lead"; the co-ordinator's role: "Ensure new policy is commissioned formally before it is developed."
@check
def commissioning_only_by_the_designated_lead(people):
    policy = advance_to(people.policy(), "commissioning", people)
    assert_refused(people.coordinator, policy, "commission", ("not",), {"comments": ""})
    assert_refused(people.lead2, policy, "commission", (), {"comments": ""})
    assert_taken(people.lead, policy, "commission", "development", {"comments": "Agreed."})


def _qa_signers(people):
    return {"pcu": getattr(people, "pcu_qa", people.pcu), "dcfd": people.dcfd, "doi": people.doi}


def _forward_check(missing: str | None):
    # Co-ordinator: "only documents that have successfully completed the quality assurance process, as advised by
    # the Policy Co-ordination Unit, may be submitted"; SOP stage 4: "The Policy Co-ordination Unit will
    # co-ordinate the quality assurance process in conjunction with DCFD and DOI".
    def run(people):
        policy = advance_to(people.policy(), "submitted_for_qa", people)
        for discipline, signer in _qa_signers(people).items():
            if discipline != missing:
                services.policy_record_qa_signoff(policy=Policy.objects.get(pk=policy.pk), actor=signer,
                                                  discipline=discipline)
        policy = Policy.objects.get(pk=policy.pk)
        if missing is None:
            assert_taken(people.coordinator, policy, "forward-to-lead", "with_lead")
        else:
            assert_refused(people.coordinator, policy, "forward-to-lead", ("quality assurance",))
    run.__name__ = f"qa_to_lead_{'without_' + missing if missing else 'all_signed'}"
    return check(run)


for _discipline in ("pcu", "dcfd", "doi", None):
    _forward_check(_discipline)


# SOP, Designated Business Group Policy Lead: "Approve new and reviewed policy and SOPs"; issue 11: the Lead the
# policy names, not any holder of the role, and never the author or submitter.
@check
def approval_only_by_the_policys_designated_lead(people):
    from tests.factories import user_with_role

    policy = advance_to(people.policy(), "with_lead", people)
    another_lead = user_with_role("lead", people.group, username="another_lead")
    # Issue 13, tiered approval: taken at the approving board's meeting, minuted.
    approve = {"decision": "approve", "comments": "", "meeting_on": timezone.localdate().isoformat(),
               "minute_reference": "COG/2026/5"}
    assert_refused(another_lead, policy, "decide", (), approve)
    assert_refused(people.lead2, policy, "decide", (), approve)
    assert_taken(people.lead, policy, "decide", "approved", approve)


def _emergency_fields(people, **overrides):
    fields = {"risk_statement": "Needed at once for a live operation; I own the risk.", "eia_due_on": ""}
    return {**fields, **overrides}


# SOP, "3. Development": "exceptional circumstances such as where a policy has to be introduced to meet immediate
# operational needs. Such exceptions must be made with the approval of the appropriate policy lead (ACPO level or
# equivalent - who will be responsible for any associated risks), in consultation with the Policy Co-ordination
# Unit. In these circumstances, the impact assessment must be completed as soon as reasonably practicable."
EMERGENCY = {
    "risk_owner_statement": ({"risk_statement": ""}, ("risk statement",)),
    "eia_as_soon_as_practicable": (
        {"eia_due_on": (timezone.localdate() + datetime.timedelta(days=400)).isoformat()}, ("as soon as",)),
}


def _emergency_check(unmet: str | None):
    def run(people):
        policy = advance_to(people.policy(), "development", people)
        if unmet != "statement":  # something to approve: the Policy Statement
            _statement(policy, people)
        policy = Policy.objects.get(pk=policy.pk)
        if unmet is None:
            # Issue 13: the Lead asks, and PCU agrees in its own name ("in consultation with the Policy
            # Co-ordination Unit"): only then is it approved.
            assert_taken(people.lead, policy, "emergency-approve", "development", _emergency_fields(people))
            assert_taken(people.pcu, Policy.objects.get(pk=policy.pk), "emergency-agreement", "approved",
                         {"answer": "agree", "reason": ""})
        elif unmet == "statement":
            assert_refused(people.lead, policy, "emergency-approve", ("policy statement",), _emergency_fields(people))
        elif unmet == "appropriate_lead":
            assert_refused(people.lead2, policy, "emergency-approve", (), _emergency_fields(people))
        else:
            fields, says = EMERGENCY[unmet]
            assert_refused(people.lead, policy, "emergency-approve", says, _emergency_fields(people, **fields))
    run.__name__ = f"emergency_{unmet or 'all_met'}"
    return check(run)


for _unmet in (*EMERGENCY, "statement", "appropriate_lead", None):
    _emergency_check(_unmet)


@pytest.mark.parametrize("name", list(CHECKS))
def test_sop_checklist(people, name):
    CHECKS[name](people)
