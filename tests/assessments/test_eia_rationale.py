"""An Equality Impact Assessment's outcome that keeps a policy despite its potential adverse impact ("Continue despite
potential adverse impact (justified)") or stops it ("Stop and remove the policy") says why: the reasons for the outcome
are required with either. Before, both were saved, and submitted, with no reasons at all: "justified" with no
justification.

The EIA's form says so at the field, keeping what was typed; the service refuses it too (a restore, a script); and a
draft saved so before this rule is not submitted until its reasons are written."""

from __future__ import annotations

import re
from html import unescape

import pytest

from assessments.models import EqualityImpactAssessment
from assessments.services import eia_update
from lifecycle import gates_eia
from lifecycle import services as s
from tests.factories import refused, reload
from tests.lifecycle.test_gates_sop import assert_refused

pytestmark = pytest.mark.django_db

TYPED_AIMS = "Fair, lawful and consistent use of search powers across every borough."


def _post(client, person, policy, **fields):
    client.force_login(person)
    eia = reload(policy).current_version.eia
    return client.post(f"/policies/{policy.reference}/eia/",
                       {"aims": TYPED_AIMS, "base_revision": eia.draft_revision, **fields})


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="govuk-error-message" id="id_{field}-error">(.*?)</p>', html, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


@pytest.mark.parametrize(("decision", "says"), [
    ("continue", "Enter the justification for continuing despite the potential adverse impact"),
    ("stop", "Enter the reasons the policy should stop"),
])
def test_the_form_asks_for_the_reasons_at_the_field_and_keeps_what_was_typed(
        client, ready_to_submit, people, decision, says):
    response = _post(client, people.developer, ready_to_submit, decision=decision, decision_rationale="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert says in _field_error(html, "decision_rationale")
    assert 'href="#id_decision_rationale"' in html
    assert TYPED_AIMS in html
    assert re.search(rf'value="{decision}" checked', html)
    assert reload(ready_to_submit).current_version.eia.decision == "no_major_change"

    response = _post(client, people.developer, ready_to_submit, decision=decision,
                     decision_rationale="Weighed against the operational need; recorded in full.")
    assert response.status_code == 302
    assert reload(ready_to_submit).current_version.eia.decision == decision


@pytest.mark.parametrize("decision", ["no_major_change", "adjust"])
def test_other_outcomes_may_be_saved_without_reasons_while_drafting(client, ready_to_submit, people, decision):
    response = _post(client, people.developer, ready_to_submit, decision=decision, decision_rationale="")
    assert response.status_code == 302


@pytest.mark.parametrize("decision", ["continue", "stop"])
def test_the_service_refuses_it_too(ready_to_submit, people, decision):
    with refused("invalid") as refusal:
        eia_update(policy=ready_to_submit, actor=people.developer, decision=decision, decision_rationale="")
    assert refusal.error.field == "decision_rationale"
    # The reasons cleared from an outcome that needs them, alone.
    eia_update(policy=ready_to_submit, actor=people.developer, decision=decision, decision_rationale="Because.")
    with refused("invalid"):
        eia_update(policy=reload(ready_to_submit), actor=people.developer, decision_rationale="")


def test_a_draft_saved_without_its_justification_before_the_rule_is_not_submitted(client, ready_to_submit, people):
    EqualityImpactAssessment.objects.filter(policy_version=ready_to_submit.current_version).update(
        decision="continue", decision_rationale="")
    policy = reload(ready_to_submit)
    assert_refused(people.developer, policy, "submit-for-qa", ("justification",))
    client.force_login(people.developer)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'href="/policies/{policy.reference}/eia/#id_decision_rationale"' in overview
    assert gates_eia.eia_outcome_justified.label in unescape(overview)

    eia_update(policy=policy, actor=people.developer, decision_rationale="Needed for public safety; monitored.")
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)
