"""An Equality Impact Assessment that concludes "Stop and remove the policy" (Form 6119a's fourth outcome) is not let
through in silence.

Before, a developer could record that outcome and submit the package; DCFD's and PCU's quality assurance and the
Designated Lead's decision page showed nothing special, and the Lead could approve a policy its own assessment said
must stop. Now:

- the package is not submitted for quality assurance: the checklist says why, and what to do (change the outcome with
  its reasons if the assessment has changed, or have the policy withdrawn, linked for the Lead or the owner who decides
  it);
- DCFD does not sign off such an assessment, on any route: SOP, role of the Diversity and Citizen Focus Directorate:
  "Quality assure Policy, SOPs, and Equality Impact Assessments, to ensure that all corporate policies seek to
  eliminate discrimination" (quality assurance, the retrospective EIA of the emergency route, a review concluding no
  change);
- versions submitted or frozen before this rule (existing data), and the emergency route's draft, show a GOV.UK
  warning with the assessment's reasons on every page where someone quality-assures, approves or publishes them.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction

from assessments.models import EqualityImpactAssessment
from assessments.services import eia_complete_retrospective, eia_update, workbook_update
from core.models import AuditEvent
from lifecycle import gates_eia
from lifecycle import services as s
from lifecycle.models import QASignOff
from lifecycle.states import Status
from tests.clock import travel
from tests.factories import emergency_approve, monitoring_up_to_date, refused, reload, what_was_read
from tests.lifecycle.test_gates_sop import assert_refused

pytestmark = pytest.mark.django_db

STOP_REASONS = "Searches under it fall on disabled people three times as often, and no mitigation removes that."
WARNING = "concludes that the policy should stop"


def concludes_stop(policy, people, reasons: str = STOP_REASONS):
    eia_update(policy=reload(policy), actor=people.developer, decision="stop", decision_rationale=reasons)
    return reload(policy)


def frozen_before_the_rule(policy, **fields):
    """``policy``'s current version as if frozen with these EIA fields before this rule existed. A frozen EIA is
    evidence (append-only trigger, assessments 0003): its trigger is switched off for the statement
    (``session_replication_role = replica``), as a data fix of the past by a database administrator would."""
    version = reload(policy).current_version
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        EqualityImpactAssessment.objects.filter(policy_version=version).update(**fields)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    return reload(policy)


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def warnings_on(html: str) -> list[str]:
    return [text(found) for found in re.findall(r'<div class="govuk-warning-text[^"]*">(.*?)</div>', html, re.S)]


def page(client, user, url: str):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


def error_summary(html: str) -> str:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return text(summary.group(1)) if summary else ""


# --- submission ------------------------------------------------------------------------------------------------------


def test_a_package_whose_eia_concludes_stop_is_not_submitted(ready_to_submit, people):
    policy = concludes_stop(ready_to_submit, people)
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    assert_refused(people.developer, policy, "submit-for-qa",
                   ("Stop and remove the policy", "cannot go to quality assurance",
                    "If the assessment has changed, record its new outcome", "withdraw"))
    assert reload(policy).current_version.eia.frozen_at is None
    assert AuditEvent.objects.filter(policy_id=policy.pk).count() == events
    with refused("gate", "Stop and remove the policy"):
        s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)


def test_the_checklist_says_why_and_what_to_do(client, ready_to_submit, people):
    ref = ready_to_submit.reference
    # Not asked of an assessment with any other outcome: not listed as "Done" on every draft.
    assert gates_eia.eia_not_concluding_stop.label not in text(page(client, people.developer, f"/policies/{ref}/"))

    policy = concludes_stop(ready_to_submit, people)
    overview = page(client, people.developer, f"/policies/{ref}/")
    said = text(overview)
    label = gates_eia.eia_not_concluding_stop.label
    assert label in said and said.index("To do", said.index(label)) < said.index("Document control")
    assert "If the assessment has changed, record its new outcome and the reasons for it." in said
    assert "the Designated Lead or the policy's owner decides to withdraw it" in said
    # The item opens the outcome on the EIA's form; the developer, who may not decide a withdrawal, is not linked to it.
    assert f'href="/policies/{ref}/eia/#id_decision"' in overview
    assert f"/policies/{ref}/actions/decide-withdrawal/" not in overview

    # The Lead, who decides withdrawals, is linked to it from the item; so is the owner.
    for decider in (people.lead, people.owner):
        overview = page(client, decider, f"/policies/{ref}/")
        assert re.search(rf'<a class="govuk-link" href="/policies/{ref}/actions/decide-withdrawal/">'
                         r"Decide to withdraw the policy</a>", overview), decider

    # The EIA's page warns of it, with what follows.
    eia = page(client, people.developer, f"/policies/{ref}/eia/")
    assert any(WARNING in said and "the package cannot be submitted for quality assurance" in said
               for said in warnings_on(eia))

    # The submission page lists it with the same reason.
    action = text(page(client, people.developer, f"/policies/{ref}/actions/submit-for-qa/"))
    assert "Not ready yet" in action and "If the assessment has changed" in action
    assert reload(policy).status == Status.DEVELOPMENT


def test_with_another_outcome_the_package_is_submitted(ready_to_submit, people):
    policy = concludes_stop(ready_to_submit, people)
    eia_update(policy=policy, actor=people.developer, decision="adjust",
               decision_rationale="The search grounds are rewritten; the disparity is removed.")
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)
    assert reload(policy).status == Status.SUBMITTED_FOR_QA


# --- quality assurance and approval of a version frozen before the rule ---------------------------------------------


@pytest.fixture
def submitted_before_the_rule(policy_in):
    return frozen_before_the_rule(policy_in(Status.SUBMITTED_FOR_QA), decision="stop",
                                  decision_rationale=STOP_REASONS)


def test_the_quality_assurance_page_warns_each_discipline(client, submitted_before_the_rule, people):
    url = f"/policies/{submitted_before_the_rule.reference}/actions/quality-assurance/"
    for person in (people.pcu_qa, people.doi, people.dcfd):
        html = page(client, person, url)
        warning = [said for said in warnings_on(html) if WARNING in said]
        assert warning, (person, warnings_on(html))
        assert "Stop and remove the policy" in warning[0]
        assert STOP_REASONS in text(html)
    # DCFD is told before choosing that it may only return it.
    assert "return it to the developer with comments" in text(page(client, people.dcfd, url))


def test_dcfd_cannot_pass_a_submission_whose_eia_concludes_stop(client, submitted_before_the_rule, people):
    policy = submitted_before_the_rule
    client.force_login(people.dcfd)
    response = client.post(f"/policies/{policy.reference}/actions/quality-assurance/", {
        **what_was_read(policy), "discipline": "dcfd", "outcome": "passed", "comments": "Seen and understood."})
    assert response.status_code == 400
    html = response.content.decode()
    # Said at the decision, what was typed kept.
    assert 'href="#id_outcome"' in html and "Stop and remove the policy" in error_summary(html)
    assert "Seen and understood." in html
    assert not QASignOff.objects.filter(policy_version=policy.current_version, discipline="dcfd").exists()
    with refused("gate", "Stop and remove the policy"):
        s.policy_record_qa_signoff(policy=reload(policy), actor=people.dcfd, discipline="dcfd")

    # PCU's and DOI's parts are their own (the warning told them); DCFD returns it, and the draft goes back.
    s.policy_record_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu")
    s.policy_return_from_qa(policy=reload(policy), actor=people.dcfd, discipline="dcfd",
                            comments="The assessment says the policy must stop: change it or withdraw it.")
    assert reload(policy).status == Status.DEVELOPMENT


def test_the_leads_decision_page_warns_with_the_reasons(client, policy_in, people):
    policy = frozen_before_the_rule(policy_in(Status.WITH_LEAD), decision="stop", decision_rationale=STOP_REASONS)
    html = page(client, people.lead, f"/policies/{policy.reference}/actions/decide/")
    assert any(WARNING in said and "Stop and remove the policy" in said for said in warnings_on(html))
    assert STOP_REASONS in text(html)


def test_no_warning_for_any_other_outcome(client, policy_in, people):
    policy = policy_in(Status.WITH_LEAD)
    html = page(client, people.lead, f"/policies/{policy.reference}/actions/decide/")
    assert not any(WARNING in said for said in warnings_on(html))


# --- the emergency route: the EIA comes after ------------------------------------------------------------------------


@pytest.fixture
def emergency_approved(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Searches under the new Act.</p>")
    emergency_approve(reload(policy), people)
    return reload(policy)


def test_the_lead_asking_for_emergency_approval_is_warned(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Searches under the new Act.</p>")
    policy = concludes_stop(policy, people)
    html = page(client, people.lead, f"/policies/{policy.reference}/actions/emergency-approve/")
    assert any(WARNING in said for said in warnings_on(html)) and STOP_REASONS in text(html)


def test_dcfd_does_not_sign_off_a_retrospective_eia_concluding_stop(client, emergency_approved, people):
    from tests.factories import ALL_IMPACTS

    policy = emergency_approved
    eia_update(policy=policy, actor=people.developer, aims="Lawful, fair searches.", impacts=ALL_IMPACTS,
               decision="stop", decision_rationale=STOP_REASONS)
    with refused("gate", "Stop and remove the policy"):
        eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    assert reload(policy).current_version.eia.frozen_at is None and reload(policy).not_impact_assessed

    # The EIA page says it, with the reasons and what follows, to DCFD (offered no sign-off) and to the Lead, the risk
    # owner, who may decide the withdrawal.
    for person in (people.dcfd, people.lead):
        html = page(client, person, f"/policies/{policy.reference}/eia/")
        warning = [said for said in warnings_on(html) if WARNING in said]
        assert warning and "Diversity and Citizen Focus Directorate does not sign it off" in warning[0], person
        assert STOP_REASONS in text(html)
    assert f"/policies/{policy.reference}/eia/sign-off/" not in page(client, people.dcfd,
                                                                     f"/policies/{policy.reference}/eia/")
    # PCU and DOI, signing off their parts of what the emergency route skipped, are warned too (DOI's part is offered
    # once the Workbook's information management section is written).
    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.")
    html = page(client, people.doi, f"/policies/{policy.reference}/emergency/sign-off/")
    assert any(WARNING in said for said in warnings_on(html)) and STOP_REASONS in text(html)
    client.force_login(people.dcfd)
    response = client.get(f"/policies/{policy.reference}/eia/sign-off/", follow=True)
    assert "Stop and remove the policy" in text(response.content.decode())

    # Once the assessment changes, DCFD signs it off.
    eia_update(policy=reload(policy), actor=people.developer, decision="adjust",
               decision_rationale="Search grounds narrowed; the disparity is removed.")
    eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    assert reload(policy).current_version.eia.frozen_at is not None


# --- a review concluding no change -----------------------------------------------------------------------------------

PUBLISHED_ON = datetime.date(2024, 1, 15)
REVIEW_DAY = datetime.date(2026, 8, 3)  # within 6 months of the review due on 15 January 2027


def _post(client, user, policy, slug, data):
    client.force_login(user)
    return client.post(f"/policies/{policy.reference}/actions/{slug}/", {**what_was_read(policy), **data})


def test_dcfd_does_not_sign_off_an_updated_eia_concluding_stop(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with travel(REVIEW_DAY):
        monitoring_up_to_date(policy, people)
        s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="The law is unchanged.")
        s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="updated",
                             eia_comments="Add the 2025 search data.")
        policy = concludes_stop(policy, people)
        response = _post(client, people.dcfd, policy, "sign-off-updated-eia", {"comments": "Fine."})
        assert reload(policy).current_version.eia.frozen_at is None
        told = text(response.content.decode()) + " ".join(
            str(message) for message in get_messages(response.wsgi_request))
        assert "Stop and remove the policy" in told
        html = page(client, people.dcfd, f"/policies/{policy.reference}/actions/sign-off-updated-eia/")
        assert any(WARNING in said for said in warnings_on(html)) and STOP_REASONS in text(html)


def test_dcfd_does_not_confirm_that_an_eia_concluding_stop_stands(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    policy = frozen_before_the_rule(policy, decision="stop", decision_rationale=STOP_REASONS)
    with travel(REVIEW_DAY):
        monitoring_up_to_date(policy, people)
        s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="The law is unchanged.")
        response = _post(client, people.dcfd, reload(policy), "confirm-eia", {"eia_outcome": "stands"})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'href="#id_eia_outcome"' in html and "Stop and remove the policy" in error_summary(html)
        assert any(WARNING in said for said in warnings_on(html))
        # Saying it must be updated reopens it for the developers.
        response = _post(client, people.dcfd, reload(policy), "confirm-eia",
                         {"eia_outcome": "updated", "eia_comments": "The outcome must be reconsidered."})
        assert response.status_code == 302
