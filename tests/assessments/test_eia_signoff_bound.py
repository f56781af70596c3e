"""DCFD's sign-off of the retrospective EIA (/policies/<ref>/eia/sign-off/), QA walk in Chromium (MEDIUM): the page was
offered while the EIA was incomplete, and its post was refused with a redirect to the EIA's tab, the typed comment lost;
it said the "not impact assessed" marking "is removed", though the marking stays until all three parts the emergency
route skipped are signed off; and its decision was bound to nothing read (STYLE rule 17), so an EIA changed after the
page was drawn was signed off as it stood, unread.

Now the page is not offered while the EIA is incomplete (the EIA's page says why); a post refused meanwhile keeps the
page, the comment typed and the reason; its words say what the sign-off does; and it shows the EIA it signs off and
posts that EIA's id and content hash, which the service checks under the policy's lock."""

from __future__ import annotations

import re
from html import unescape

import pytest

from assessments.models import EqualityImpactAssessment
from assessments.services import eia_complete_retrospective, eia_update, retrospective_qa_signoff, workbook_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import QASignOff
from lifecycle.states import Status
from tests.factories import ALL_IMPACTS, advance_to, emergency_approve, refused, reload

pytestmark = pytest.mark.django_db

COMMENT = "Satisfactory: the race and disability impacts are mitigated by the monitoring of every use."


@pytest.fixture
def approved(people):
    """Approved by the emergency route; its EIA only begun."""
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    emergency_approve(policy, people, risk_statement="Operational need.")
    eia_update(policy=reload(policy), actor=people.developer, aims="Lawful, fair searches.")
    return reload(policy)


def complete(policy, people):
    eia_update(policy=reload(policy), actor=people.developer, aims="Lawful, fair searches.", impacts=ALL_IMPACTS,
               decision="no_major_change")


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def url(policy) -> str:
    return f"/policies/{policy.reference}/eia/sign-off/"


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_not_offered_while_the_eia_is_incomplete(client, people, approved):
    client.force_login(people.dcfd)
    eia_page = client.get(f"/policies/{approved.reference}/eia/").content.decode()
    assert url(approved) not in eia_page
    # The EIA's page says why there is nothing to sign off yet.
    assert "not complete" in text(eia_page)
    response = client.get(url(approved))
    assert response.status_code == 302 and response["Location"] == f"/policies/{approved.reference}/eia/"
    page = client.get(response["Location"]).content.decode()
    assert "is not complete" in text(page)
    complete(approved, people)
    assert url(approved) in client.get(f"/policies/{approved.reference}/eia/").content.decode()


def test_the_page_shows_the_eia_it_signs_off_and_posts_it(client, people, approved):
    complete(approved, people)
    client.force_login(people.dcfd)
    page = client.get(url(approved)).content.decode()
    eia = EqualityImpactAssessment.objects.get(policy_version=reload(approved).current_version)
    assert "Lawful, fair searches." in page
    assert hidden(page, "eia_read") == str(eia.pk)
    assert hidden(page, "eia_hash") == eia.content_hash


def test_its_words_say_the_marking_stays_until_every_part_is_signed_off(client, people, approved):
    complete(approved, people)
    client.force_login(people.dcfd)
    words = text(client.get(url(approved)).content.decode())
    assert "is removed" not in words
    assert "stays “not impact assessed”" in words
    # The last part outstanding: then signing it off removes the marking.
    workbook_update(policy=reload(approved), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    retrospective_qa_signoff(policy=reload(approved), actor=people.pcu_qa, discipline="pcu")
    retrospective_qa_signoff(policy=reload(approved), actor=people.doi, discipline="doi")
    words = text(client.get(url(approved)).content.decode())
    assert "“not impact assessed” marking is removed" in words


def test_an_eia_changed_after_the_page_was_drawn_is_refused_and_the_comment_kept(client, people, approved):
    complete(approved, people)
    client.force_login(people.dcfd)
    page = client.get(url(approved)).content.decode()
    read, read_hash = hidden(page, "eia_read"), hidden(page, "eia_hash")
    # The developer changes the EIA while DCFD reads it.
    eia_update(policy=reload(approved), actor=people.developer, mitigation="Body-worn video of every search.")
    events = AuditEvent.objects.count()
    response = client.post(url(approved), {"comments": COMMENT, "eia_read": read, "eia_hash": read_hash})
    assert response.status_code == 409
    page = response.content.decode()
    assert COMMENT in page and "has changed since you opened" in text(page)
    # The page now shows the EIA as it stands, and is bound to it.
    assert "Body-worn video of every search." in page
    assert hidden(page, "eia_hash") == EqualityImpactAssessment.objects.get(pk=read).content_hash
    assert AuditEvent.objects.count() == events
    assert not QASignOff.objects.filter(discipline="dcfd").exists()
    # Read again, it is signed off.
    response = client.post(url(approved), {"comments": COMMENT, "eia_read": read,
                                           "eia_hash": hidden(page, "eia_hash")})
    assert response.status_code == 302
    assert QASignOff.objects.get(discipline="dcfd").comments == COMMENT
    event = AuditEvent.objects.filter(action="policy.eia_completed_retrospectively").latest("sequence")
    assert event.changes["content_hash"] == hidden(page, "eia_hash")


def test_an_eia_made_incomplete_meanwhile_is_refused_in_place(client, people, approved):
    complete(approved, people)
    client.force_login(people.dcfd)
    page = client.get(url(approved)).content.decode()
    eia_update(policy=reload(approved), actor=people.developer, aims="")
    response = client.post(url(approved), {"comments": COMMENT, "eia_read": hidden(page, "eia_read"),
                                           "eia_hash": hidden(page, "eia_hash")})
    assert response.status_code in (400, 409)
    assert COMMENT in response.content.decode()
    assert not QASignOff.objects.filter(discipline="dcfd").exists()


def test_a_post_without_the_eia_read_is_refused(client, people, approved):
    complete(approved, people)
    client.force_login(people.dcfd)
    response = client.post(url(approved), {"comments": COMMENT})
    assert response.status_code in (400, 409)
    assert COMMENT in response.content.decode()
    assert not QASignOff.objects.filter(discipline="dcfd").exists()


def test_the_service_refuses_an_eia_not_read(people, approved):
    complete(approved, people)
    eia = EqualityImpactAssessment.objects.get(policy_version=reload(approved).current_version)
    with refused("stale", "has changed since you opened"):
        eia_complete_retrospective(policy=reload(approved), actor=people.dcfd, eia_read=eia.pk, eia_hash="0" * 64)
    with refused("stale", "does not say which"):
        eia_complete_retrospective(policy=reload(approved), actor=people.dcfd, eia_read=eia.pk, eia_hash="")
    eia_complete_retrospective(policy=reload(approved), actor=people.dcfd, eia_read=eia.pk,
                               eia_hash=eia.content_hash)
    assert QASignOff.objects.filter(discipline="dcfd").exists()
