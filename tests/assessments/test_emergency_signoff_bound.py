"""PCU's and DOI's late sign-off of what the emergency route skipped (/policies/<ref>/emergency/sign-off/), QA walk in
Chromium (HIGH): the page showed none of the text signed off and posted no version or content hash (STYLE rule 17), so
a developer's edit after PCU opened the page (the health and safety statement changed from "VERSION A" to "VERSION B")
was signed off, and frozen, unread; the reply was just "Signed off.". It was offered too while the Workbook's impact
sections were still to be written.

Now, as DCFD's sign-off of the retrospective EIA (tests/assessments/test_eia_signoff_bound.py): the page shows the
Workbook's impact sections it signs off and posts the Workbook's id and their content hash, which the service checks
under the policy's lock and records in its audit event; a Workbook changed since is refused (409) in place, with the
comment typed and the sections as they stand now, bound to them; and the page is not offered while what it signs off
is incomplete (PCU: the impact sections; DOI: the information management section), the Workbook's page saying why."""

from __future__ import annotations

import pytest

from assessments.models import PolicyWorkbook
from assessments.services import retrospective_qa_signoff, workbook_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import QASignOff
from lifecycle.states import Status
from tests.assessments.test_eia_signoff_bound import hidden, text
from tests.factories import advance_to, emergency_approve, refused, reload

pytestmark = pytest.mark.django_db

COMMENT = "Satisfactory: the retention schedule and the statement are sound."
IMPACT_SECTIONS = {"information_management": "Kept seven years.", "consultation_summary": "Consulted after the event.",
                   "health_and_safety_impact": "impact", "health_and_safety_statement": "VERSION A"}


@pytest.fixture
def approved(people):
    """Approved by the emergency route; the Workbook's impact sections not written yet."""
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    emergency_approve(policy, people, risk_statement="Operational need.")
    return reload(policy)


@pytest.fixture
def written(approved, people):
    """The Workbook's impact sections written, the health and safety statement "VERSION A"."""
    workbook_update(policy=reload(approved), actor=people.developer, **IMPACT_SECTIONS)
    return reload(approved)


def signer(people, discipline: str):
    return {"pcu": people.pcu_qa, "doi": people.doi}[discipline]


def url(policy) -> str:
    return f"/policies/{policy.reference}/emergency/sign-off/"


def workbook_of(policy) -> PolicyWorkbook:
    return PolicyWorkbook.objects.get(policy_version=reload(policy).current_version)


@pytest.mark.parametrize(("discipline", "section"), [("pcu", "health_and_safety_statement"),
                                                    ("doi", "health_and_safety_statement"),
                                                    ("doi", "information_management")])
def test_a_workbook_changed_after_the_page_was_drawn_is_refused_and_the_comment_kept(
        client, people, written, discipline, section):
    client.force_login(signer(people, discipline))
    page = client.get(url(written)).content.decode()
    # The page shows what is signed off, and posts the Workbook read and its hash.
    assert "VERSION A" in text(page) if section == "health_and_safety_statement" else "Kept seven years." in text(page)
    read, read_hash = hidden(page, "workbook_read"), hidden(page, "workbook_hash")
    assert (read, read_hash) == (str(workbook_of(written).pk), workbook_of(written).impact_sections_hash)
    # The developer changes it while PCU (or DOI) reads it.
    workbook_update(policy=reload(written), actor=people.developer, **{section: "VERSION B"})
    events = AuditEvent.objects.count()
    response = client.post(url(written), {"discipline": discipline, "comments": COMMENT, "workbook_read": read,
                                          "workbook_hash": read_hash})
    assert response.status_code == 409
    page = response.content.decode()
    assert COMMENT in page and "has changed since you opened" in text(page)
    # Nothing signed off, nothing frozen, nothing recorded.
    assert AuditEvent.objects.count() == events
    assert not QASignOff.objects.filter(discipline=discipline).exists()
    assert workbook_of(written).frozen_at is None
    # The page now shows the Workbook as it stands, and is bound to it.
    assert "VERSION B" in text(page)
    assert hidden(page, "workbook_hash") == workbook_of(written).impact_sections_hash != read_hash
    # Read again, it is signed off, and its event records what was read.
    response = client.post(url(written), {"discipline": discipline, "comments": COMMENT, "workbook_read": read,
                                          "workbook_hash": hidden(page, "workbook_hash")})
    assert response.status_code == 302
    assert QASignOff.objects.get(discipline=discipline).comments == COMMENT
    event = AuditEvent.objects.filter(action=f"policy.qa_signed_off.{discipline}").latest("sequence")
    assert event.changes["content_hash"] == hidden(page, "workbook_hash")
    # PCU's sign-off freezes the Workbook as it was read.
    assert (workbook_of(written).frozen_at is not None) is (discipline == "pcu")


@pytest.mark.parametrize("discipline", ["pcu", "doi"])
def test_not_offered_while_what_it_signs_off_is_incomplete(client, people, approved, discipline):
    client.force_login(signer(people, discipline))
    response = client.get(url(approved))
    workbook_page = f"/policies/{approved.reference}/workbook/"
    assert response.status_code == 302 and response["Location"] == workbook_page
    page = client.get(workbook_page).content.decode()
    # The Workbook's page says why there is nothing to sign off yet, and offers no sign-off.
    assert "nothing to sign off yet" in text(page)
    assert url(approved) not in page
    # Written, it is offered.
    workbook_update(policy=reload(approved), actor=people.developer, **IMPACT_SECTIONS)
    assert url(approved) in client.get(workbook_page).content.decode()
    assert client.get(url(approved)).status_code == 200


def test_doi_waits_for_the_information_management_section_alone(client, people, approved):
    """DOI quality-assures information management: its part waits for that section, not for PCU's others."""
    workbook_update(policy=reload(approved), actor=people.developer, information_management="Kept seven years.")
    client.force_login(people.doi)
    assert client.get(url(approved)).status_code == 200
    client.force_login(people.pcu_qa)
    assert client.get(url(approved)).status_code == 302


@pytest.mark.parametrize(("discipline", "emptied"), [("pcu", "consultation_summary"),
                                                     ("doi", "information_management")])
def test_a_workbook_made_incomplete_meanwhile_is_refused_in_place(client, people, written, discipline, emptied):
    client.force_login(signer(people, discipline))
    page = client.get(url(written)).content.decode()
    workbook_update(policy=reload(written), actor=people.developer, **{emptied: ""})
    response = client.post(url(written), {"discipline": discipline, "comments": COMMENT,
                                          "workbook_read": hidden(page, "workbook_read"),
                                          "workbook_hash": hidden(page, "workbook_hash")})
    assert response.status_code in (400, 409)
    page = response.content.decode()
    assert COMMENT in page and "nothing to sign off yet" in text(page)
    assert not QASignOff.objects.filter(discipline=discipline).exists()


def test_a_post_without_the_workbook_read_is_refused(client, people, written):
    client.force_login(people.pcu_qa)
    response = client.post(url(written), {"discipline": "pcu", "comments": COMMENT})
    assert response.status_code == 409
    assert COMMENT in response.content.decode() and "does not say which" in text(response.content.decode())
    assert not QASignOff.objects.filter(discipline="pcu").exists()


def test_its_reply_says_what_was_signed_off(client, people, written):
    client.force_login(people.pcu_qa)
    page = client.get(url(written)).content.decode()
    response = client.post(url(written), {"discipline": "pcu", "comments": COMMENT,
                                          "workbook_read": hidden(page, "workbook_read"),
                                          "workbook_hash": hidden(page, "workbook_hash")}, follow=True)
    said = text(response.content.decode())
    assert "Signed off the Workbook's impact sections" in said and "stays “not impact assessed”" in said


@pytest.mark.parametrize("discipline", ["pcu", "doi"])
def test_the_service_refuses_a_workbook_not_read(people, written, discipline):
    workbook = workbook_of(written)
    actor = signer(people, discipline)
    with refused("stale", "has changed since you opened"):
        retrospective_qa_signoff(policy=reload(written), actor=actor, discipline=discipline,
                                 workbook_read=workbook.pk, workbook_hash="0" * 64)
    with refused("stale", "does not say which"):
        retrospective_qa_signoff(policy=reload(written), actor=actor, discipline=discipline,
                                 workbook_read=workbook.pk, workbook_hash="")
    assert not QASignOff.objects.filter(discipline=discipline).exists()
    retrospective_qa_signoff(policy=reload(written), actor=actor, discipline=discipline,
                             workbook_read=workbook.pk, workbook_hash=workbook.impact_sections_hash)
    assert QASignOff.objects.filter(discipline=discipline).exists()
    event = AuditEvent.objects.filter(action=f"policy.qa_signed_off.{discipline}").latest("sequence")
    assert event.changes["content_hash"] == workbook.impact_sections_hash


def test_the_service_refuses_doi_before_the_information_management_section_is_written(people, approved):
    with refused("gate", "nothing to sign off yet"):
        retrospective_qa_signoff(policy=reload(approved), actor=people.doi, discipline="doi")
    assert not QASignOff.objects.filter(discipline="doi").exists()
