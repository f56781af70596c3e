"""An SOP with no procedure written is not submitted (found by a user walk: an SOP added by its title alone went to
quality assurance empty).

SOP, "Definitions": "A Standard Operating Procedure details the actions to be taken to achieve the policy"; stage 4:
"Once satisfied the documents are ready for approval", the Policy Statement, the SOPs, the EIA and the Workbook are
submitted to PCU. A draft may hold an SOP still being written (added by its title first); the package is not
submitted, by either route, until each of its SOPs says what must be done."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from core.submissions import SOP_CREATE
from lifecycle import gates
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, fill_development, refused, reload
from tests.lifecycle.test_gates_sop import assert_refused, assert_taken
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db

RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- the gate -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", ["", "   ", "<p></p>", "<p>&nbsp;</p>", "<p>\u00a0</p>", "<p><br></p>",
                                   "<p>\n</p>\n<p> </p>", "<p>&#160; &#xA0;</p>"])
def test_an_sop_with_no_procedure_written_holds_the_submission(ready_to_submit, people, empty):
    sop = s.sop_create(policy=ready_to_submit, actor=people.developer, title="Searching vehicles", text=empty)

    assert gates.sops_without_text(reload(ready_to_submit)) == ["Searching vehicles"]
    with refused("gate", gates.sops_written.reason):
        s.policy_submit_for_qa(policy=reload(ready_to_submit), actor=people.developer)
    policy = reload(ready_to_submit)
    assert policy.status == Status.DEVELOPMENT
    assert not policy.current_version.is_frozen

    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Search only with a recorded reason.</p>")
    s.policy_submit_for_qa(policy=reload(ready_to_submit), actor=people.developer)
    assert reload(ready_to_submit).status == Status.SUBMITTED_FOR_QA


def test_only_the_sops_without_text_are_named_in_the_drafts_order(ready_to_submit, people):
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Stopping vehicles", text="<p>Stop safely.</p>")
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Searching vehicles")
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Seizing", text="<ul><li>Bag it</li></ul>")
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Returning",
                 text="<p>&nbsp;</p><p>&nbsp;Return it.</p>")
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Recording searches", text="<p></p>")

    assert gates.sops_without_text(reload(ready_to_submit)) == ["Searching vehicles", "Recording searches"]


def test_a_draft_without_sops_or_with_every_sop_written_is_submitted(ready_to_submit, people):
    assert gates.sops_written(ready_to_submit)
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Stopping vehicles", text="<p>Stop safely.</p>")

    s.policy_submit_for_qa(policy=reload(ready_to_submit), actor=people.developer)

    assert reload(ready_to_submit).status == Status.SUBMITTED_FOR_QA


def test_removing_the_unwritten_sop_from_the_draft_lets_it_be_submitted(ready_to_submit, people):
    sop = s.sop_create(policy=ready_to_submit, actor=people.developer, title="Searching vehicles")
    assert not gates.sops_written(reload(ready_to_submit))

    s.sop_remove_from_draft(sop=sop, actor=people.developer,
                            base_revision=reload(ready_to_submit).current_version.draft_revision)

    s.policy_submit_for_qa(policy=reload(ready_to_submit), actor=people.developer)
    assert reload(ready_to_submit).status == Status.SUBMITTED_FOR_QA


def test_the_emergency_route_does_not_freeze_an_unwritten_sop_either(policy_in, people):
    """The emergency route freezes the statement and the SOPs as submission does (services.approval)."""
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    sop = s.sop_create(policy=policy, actor=people.developer, title="Searching vehicles")

    with refused("gate", gates.sops_written.reason):
        s.policy_request_emergency_approval(policy=reload(policy), actor=people.lead, risk_statement=RISK)
    assert not reload(policy).emergency_requests.exists()

    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Search only with a recorded reason.</p>")
    s.policy_request_emergency_approval(policy=reload(policy), actor=people.lead, risk_statement=RISK)
    s.policy_agree_emergency_approval(policy=reload(policy), actor=people.pcu)
    assert reload(policy).status == Status.APPROVED


# --- over HTTP ----------------------------------------------------------------------------------------------------


def test_the_walk_an_sop_added_by_its_title_alone_is_kept_but_not_submitted(ready_to_submit, people):
    client = Client()
    client.force_login(people.developer)
    response = client.post(f"/policies/{ready_to_submit.reference}/sops/new/",
                           {"title": "Searching vehicles", "text": "", "protective_marking": "official",
                            **sent_once(people.developer, SOP_CREATE)})
    assert response.status_code == 302  # a draft may hold an SOP still being written

    overview = _text(client.get(f"/policies/{ready_to_submit.reference}/").content.decode())
    assert f"{gates.sops_written.label} To do" in overview

    assert_refused(people.developer, reload(ready_to_submit), "submit-for-qa",
                   ("An SOP in the draft has no procedure written", "remove the SOP from the draft"))

    sop = reload(ready_to_submit).sops.get()
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Search only with a recorded reason.</p>")
    overview = _text(client.get(f"/policies/{ready_to_submit.reference}/").content.decode())
    assert f"{gates.sops_written.label} Done" in overview
    assert_taken(people.developer, reload(ready_to_submit), "submit-for-qa", Status.SUBMITTED_FOR_QA)


def an_unwritten_sop_is_not_submitted(people):
    """Only an SOP with no procedure stands between the developer and the submission, posted over HTTP; once it is
    written, the same POST succeeds. A plain function of ``people``, as the checks of
    ``tests/permissions/test_load_bearing`` are, for its KILLERS to name against ``gate:sops_written``."""
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    sop = s.sop_create(policy=reload(policy), actor=people.developer, title="Searching vehicles", text="<p></p>")
    assert_refused(people.developer, reload(policy), "submit-for-qa", ("has no procedure written",))
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Search only with a recorded reason.</p>")
    assert_taken(people.developer, reload(policy), "submit-for-qa", Status.SUBMITTED_FOR_QA)


def test_only_an_unwritten_sop_holds_the_submission(people):
    an_unwritten_sop_is_not_submitted(people)


def test_the_checklist_asks_nothing_of_a_draft_without_sops(ready_to_submit, people):
    client = Client()
    client.force_login(people.developer)
    overview = client.get(f"/policies/{ready_to_submit.reference}/").content.decode()
    assert 'id="checklist"' in overview
    assert gates.statement_written.label in _text(overview)
    assert "procedure of every SOP" not in _text(overview)
