"""The emergency route stalled when the draft changed while the Lead's request waited for PCU (found by the tenth
session's role walk): the developer could still edit the statement, SOPs and details after the Lead asked, PCU's
agreement was then refused, and neither the overview nor the edit pages said that a request was waiting. The Lead asks
PCU to agree to the draft as read (SOP stage 3: "with the approval of the appropriate policy lead ... in consultation
with the Policy Co-ordination Unit"), so while the request waits the draft it names is held: every edit that would
change it is refused with the reason, and the pages say so before anything is typed."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages

from lifecycle import services as s
from lifecycle.models import SOPVersion
from lifecycle.services import policy_submit_for_qa
from lifecycle.states import Status
from tests.factories import fill_development, refused, reload, what_was_read
from workspace.selectors import my_work

RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


@pytest.fixture
def asked(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    s.policy_request_emergency_approval(policy=reload(policy), actor=people.lead, risk_statement=RISK)
    return reload(policy)


def test_the_draft_asked_for_cannot_change_while_pcu_has_not_answered(asked, people):
    hash_asked = asked.current_version.binding_hash
    with refused("held", "asked for emergency approval"):
        s.draft_update(policy=asked, actor=people.developer, statement="<p>Changed after the request.</p>")
    details = {**reload(asked).details_snapshot(), "title": "A new title", "expected_details": None}
    with refused("held", "asked for emergency approval"):
        s.policy_update_details(policy=reload(asked), actor=people.developer, **details)
    assert reload(asked).current_version.binding_hash == hash_asked
    # PCU can still agree to what the Lead asked for.
    s.policy_agree_emergency_approval(policy=reload(asked), actor=people.pcu)
    assert reload(asked).status == Status.APPROVED


def test_once_refused_the_draft_can_be_changed_again(client, asked, people):
    s.policy_refuse_emergency_approval(policy=asked, actor=people.pcu, reason="Not urgent: in force in six months.")
    # The developer is told why on the overview (found by the eleventh session's walk: only in the timeline).
    client.force_login(people.developer)
    overview = client.get(f"/policies/{asked.reference}/").content.decode()
    assert "Emergency approval refused" in overview and "Not urgent: in force in six months." in overview
    s.draft_update(policy=reload(asked), actor=people.developer, statement="<p>Rewritten for the full process.</p>")
    assert "Rewritten" in reload(asked).current_version.statement


def test_the_pages_say_a_request_waits_and_keep_what_was_typed(client, asked, people):
    client.force_login(people.developer)
    overview = client.get(f"/policies/{asked.reference}/").content.decode()
    assert "asked for emergency approval" in overview
    assert "waits for a member of the Policy Co-ordination Unit" in overview
    # Nor offered: no edit link on the overview or the statement page while the draft is held.
    statement = client.get(f"/policies/{asked.reference}/statement/").content.decode()
    for page in (overview, statement):
        assert "/statement/edit/" not in page and "/sops/new/" not in page and "/details/" not in page
    assert "asked for emergency approval" in statement
    # Said before anything is typed: the editors send the developer back with the reason.
    for editor in ("statement/edit/", "sops/new/", "details/"):
        edit = client.get(f"/policies/{asked.reference}/{editor}", follow=True)
        assert "asked for emergency approval" in edit.content.decode(), editor
        assert edit.redirect_chain and "edit" not in edit.redirect_chain[-1][0], editor
    # A form posted from a page opened before the Lead asked is refused and keeps what was typed.
    version = asked.current_version
    response = client.post(f"/policies/{asked.reference}/statement/edit/", {
        "statement": "<p>Typed while the request waits.</p>", "summary_of_changes": "",
        "base_revision": version.draft_revision})
    body = response.content.decode()
    assert response.status_code == 400 and "Typed while the request waits." in body
    assert "asked for emergency approval" in body
    assert "Typed" not in reload(asked).current_version.statement
    # PCU's answer page shows what the Lead asked, and why, and takes the agreement.
    client.force_login(people.pcu)
    answer_page = client.get(f"/policies/{asked.reference}/actions/emergency-agreement/").content.decode()
    assert "The Lead's request" in answer_page and RISK in answer_page
    response = client.post(f"/policies/{asked.reference}/actions/emergency-agreement/",
                           {**what_was_read(asked), "answer": "agree"})
    assert response.status_code == 302
    assert "You agreed: the policy is approved by the emergency route" in " ".join(
        str(m) for m in get_messages(response.wsgi_request))
    assert reload(asked).status == Status.APPROVED
    assert not SOPVersion.objects.filter(policy_version=version, text__contains="Typed").exists()


def test_the_draft_is_not_submitted_for_quality_assurance_while_the_request_waits(client, policy_in, people):
    """Found by the eleventh session's walk: the developer completed the checklist and submitted the draft while the
    Lead's request waited; it left development, and the request was left unanswered for ever (PCU could no longer
    answer it, and nobody was told). The submission waits for PCU's answer, and the checklist says so."""
    asked = policy_in(Status.DEVELOPMENT)
    fill_development(asked, people)
    s.policy_request_emergency_approval(policy=reload(asked), actor=people.lead, risk_statement=RISK)
    with refused("gate", "must agree or refuse before it can go any other way"):
        policy_submit_for_qa(policy=reload(asked), actor=people.developer)
    client.force_login(people.developer)
    overview = client.get(f"/policies/{asked.reference}/").content.decode()
    assert "answer to the Lead&#x27;s request for emergency approval" in overview
    s.policy_refuse_emergency_approval(policy=reload(asked), actor=people.pcu, reason="Take the full route.")
    policy_submit_for_qa(policy=reload(asked), actor=people.developer)
    assert reload(asked).status == Status.SUBMITTED_FOR_QA
    assert "answer to the Lead" not in client.get(f"/policies/{asked.reference}/").content.decode()


def test_the_timeline_words_the_request_and_its_answer(client, asked, people):
    """Found by the eleventh session's walk: the timeline showed "Asked by: lead" (a sign-in name), "Emergency request:
    2" (an internal id) and "Eia due on" (a field's name)."""
    s.policy_refuse_emergency_approval(policy=asked, actor=people.pcu, reason="Not urgent: in force in six months.")
    client.force_login(people.pcu)
    page = client.get(f"/policies/{asked.reference}/timeline/").content.decode()
    changes = page.split('id="main-content"')[1]
    assert people.lead.get_full_name() in changes
    assert "Eia due on" not in changes and "Emergency request</dt>" not in changes
    assert ">Asked by</dt>" in changes and ">EIA due by</dt>" in changes.replace("<abbr title=\"Equality Impact "
                                                                                   "Assessment\">EIA</abbr>", "EIA")


def test_a_refusal_is_confirmed_as_a_refusal(client, asked, people):
    """Found by the eleventh session's walk: agreeing and refusing were both confirmed as "Your answer has been
    recorded."."""
    client.force_login(people.pcu)
    response = client.post(f"/policies/{asked.reference}/actions/emergency-agreement/",
                           {**what_was_read(asked), "answer": "refuse", "reason": "Take the full route."})
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert response.status_code == 302 and "You refused the emergency approval" in said


def _what_to_do_next(client, user, policy) -> str:
    """The overview's "What to do next" column, as text."""
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    column = page[page.index("What to do next"):page.index("</div>\n</div>", page.index("What to do next"))]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", column)).split())


def test_what_comes_next_while_the_request_waits_is_pcus_answer(client, asked, people):
    """QA walk (LOW): while the Lead's request waited for PCU, the overview told PCU and the Lead "Next on the policy:
    Submit for quality assurance, by the policy's developers", though the draft was held for PCU's answer. What comes
    next is PCU's agreement (AGREE_EMERGENCY_APPROVAL's ``under_way``), on the overview and in My work alike."""
    pcu = _what_to_do_next(client, people.pcu, asked)
    assert "Submit for quality assurance" not in pcu and "Next on the policy" not in pcu, pcu
    assert "Agree to emergency approval" in pcu, pcu
    for person in (people.lead, people.developer, people.coordinator):
        column = _what_to_do_next(client, person, asked)
        assert "Submit for quality assurance" not in column, (person.username, column)
        # "Next:", or "Next on the policy:" beside a page offered that is not the way on (the Lead's withdrawal).
        assert re.search(r"Next( on the policy)?: Agree to emergency approval ?, by a member of the Policy "
                         r"Co-ordination Unit", column), (person.username, column)
    # My work says the same of it (the developer's drafts, the Lead's and PCU's lists read its way on from the row).
    labels = {policy.next_label for queue in my_work(user=people.developer) for policy in queue["policies"] or ()
              if policy.reference == asked.reference}
    assert labels == {"Agree to emergency approval"}, labels
    # Answered, the draft's way on is its submission again.
    s.policy_refuse_emergency_approval(policy=reload(asked), actor=people.pcu, reason="Take the full route.")
    assert "Submit for quality assurance" in _what_to_do_next(client, people.lead, reload(asked))
