"""What the public copy of a SOP withholds is part of PCU's decision to publish (SOP, stage 5: PCU arranges
publication "on the MPS Publication Scheme"; SOPs not published there "may be requested under the Freedom of
Information Act").

Found by the integrity review of 2026-12-06:
- MEDIUM 6: what the public copy withholds could change after PCU scheduled the publication (another PCU member removed
  a redaction after scheduling, and the part went public with no publisher decision covering it). Now refused while a
  publication is scheduled (cancel it first); and the publish page shows the parts withheld and is bound to them: a
  page opened before they changed is refused, shown again with the parts as they are now, and nothing is published.
- LOW 10b: /policies/A/publication/withheld/ with remove=<id of policy B's redaction> released B's part. Now a
  redaction is looked up within the page's own policy: another policy's is not found (said as a part no longer
  withheld is), and stays withheld.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.models import Publication, SOPRedaction
from publication.services import (
    policy_publish,
    publication_cancel,
    sop_redaction_record,
    sop_redaction_remove,
)
from tests.factories import advance_to, refused, reload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def awaiting(people, title="Detention of juveniles"):
    """A policy awaiting publication whose one SOP is published externally, in two parts."""
    policy = people.policy(title=title)
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title=f"{title}: searching detainees",
                                  text="<p>Open part.</p><p>Tactical part.</p>", publish_externally=True)
    return advance_to(policy, Status.AWAITING_PUBLICATION, people)


def withhold(people, policy, block=2):
    return sop_redaction_record(sop_version=policy.current_version.sop_versions.get(), actor=people.pcu, block=block,
                                exemption="s31")


def schedule(people, policy):
    return policy_publish(policy=reload(policy), actor=people.pcu, on_publication_scheme=True,
                          publish_on=timezone.localdate() + datetime.timedelta(days=10))


# --- MEDIUM 6: nothing withheld changes once the publication is scheduled ---------------------------------------


def test_withheld_parts_cannot_change_once_publication_is_scheduled(people):
    """The review's reproduction: another PCU member (not the publisher) un-withholds the tactical part after the
    publication was scheduled."""
    policy = awaiting(people)
    redaction = withhold(people, policy)
    publication = schedule(people, policy)
    assert publication.status == Publication.Status.SCHEDULED

    with refused("stale", "scheduled for publication", "cancel the scheduled publication first"):
        sop_redaction_remove(redaction=redaction, actor=people.pcu_qa)
    with refused("stale", "scheduled for publication", "cancel the scheduled publication first"):
        sop_redaction_record(sop_version=redaction.sop_version_id, actor=people.pcu_qa, block=1, exemption="s31")
    assert list(SOPRedaction.objects.values_list("block", flat=True)) == [2]
    assert not AuditEvent.objects.filter(action="sop.redaction_removed").exists()


def test_once_the_schedule_is_cancelled_the_withheld_parts_can_change_again(people):
    policy = awaiting(people)
    redaction = withhold(people, policy)
    publication = schedule(people, policy)
    publication_cancel(publication=publication, actor=people.pcu, reason="The withheld parts are to be checked.")

    sop_redaction_remove(redaction=redaction, actor=people.pcu_qa)
    assert not SOPRedaction.objects.exists()


def test_the_withheld_page_of_a_scheduled_publication_links_to_cancelling_it(client, people):
    policy = awaiting(people)
    redaction = withhold(people, policy)
    publication = schedule(people, policy)
    client.force_login(people.pcu_qa)
    url = f"/policies/{policy.reference}/publication/withheld/"

    page = client.get(url).content.decode()
    cancel = f"/policies/{policy.reference}/publication/{publication.pk}/cancel/"
    assert f'href="{cancel}"' in page
    assert "Publish this part" not in page and "Withhold this part" not in page  # nothing offered that is refused

    # A page opened before the publication was scheduled, sent now: refused with the reason, nothing released.
    response = client.post(url, {"remove": str(redaction.pk)}, follow=True)
    assert response.status_code == 200
    said = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert "cancel the scheduled publication first" in said
    assert SOPRedaction.objects.filter(pk=redaction.pk).exists()


# --- MEDIUM 6: the publish page shows what is withheld and is bound to it -----------------------------------------


HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


def hidden_fields(page: str) -> dict:
    form = page[page.index('id="main-form"'):]
    return {match["name"]: unescape(match["value"]) for match in HIDDEN.finditer(form)}


def publish_page(client, policy):
    response = client.get(f"/policies/{policy.reference}/actions/publish/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_publish_page_shows_the_parts_withheld(client, people):
    policy = awaiting(people)
    withhold(people, policy)
    client.force_login(people.pcu)

    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", publish_page(client, policy))).split())
    assert "What the public copy withholds" in page
    assert "Part 2 of “Detention of juveniles: searching detainees”" in page
    assert "Section 31: law enforcement" in page


def test_a_publish_page_opened_before_a_part_was_released_publishes_nothing(client, people):
    policy = awaiting(people)
    redaction = withhold(people, policy)
    client.force_login(people.pcu)
    opened = hidden_fields(publish_page(client, policy))
    day = timezone.localdate() + datetime.timedelta(days=10)
    chosen = {"on_intranet": "on", "in_notices": "on", "on_publication_scheme": "on", "publish_on-day": day.day,
              "publish_on-month": day.month, "publish_on-year": day.year}

    # Another PCU member publishes the withheld part while the publisher reads the page.
    sop_redaction_remove(redaction=redaction, actor=people.pcu_qa)
    response = client.post(f"/policies/{policy.reference}/actions/publish/", {**opened, **chosen})

    assert not Publication.objects.filter(policy=policy).exists()
    assert response.status_code == 400
    page = response.content.decode()
    said = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "What the public copy withholds has changed since you opened this page" in said
    assert "Nothing is withheld" in said  # the page shows the parts as they are now
    assert re.search(rf'name="publish_on-day"[^>]* value="{day.day}"', page)  # what was chosen is kept
    # Sent again from the page as shown now, it is published as the publisher read it.
    again = hidden_fields(page)
    assert again["withheld_hash"] != opened["withheld_hash"]
    assert client.post(f"/policies/{policy.reference}/actions/publish/", {**again, **chosen}).status_code == 302
    assert Publication.objects.get(policy=policy).status == Publication.Status.SCHEDULED


def test_a_publish_page_opened_before_a_part_was_withheld_publishes_nothing(client, people):
    policy = awaiting(people)
    client.force_login(people.pcu)
    opened = hidden_fields(publish_page(client, policy))
    withhold(people, policy)
    response = client.post(f"/policies/{policy.reference}/actions/publish/",
                           {**opened, "on_intranet": "on", "in_notices": "on", "on_publication_scheme": "on"})
    assert response.status_code == 400
    assert not Publication.objects.filter(policy=policy).exists()


def test_the_service_refuses_a_publication_bound_to_other_withheld_parts(people):
    policy = awaiting(people)
    shown = reload(policy).current_version.withheld_hash
    withhold(people, policy)
    with pytest.raises(ApplicationError) as refusal:
        policy_publish(policy=reload(policy), actor=people.pcu, on_publication_scheme=True, withheld_hash=shown)
    assert refusal.value.code == "withheld_changed"
    assert not Publication.objects.exists()
    # Bound to the parts as they are, it is published.
    policy_publish(policy=reload(policy), actor=people.pcu, on_publication_scheme=True,
                   withheld_hash=reload(policy).current_version.withheld_hash)
    assert Publication.objects.get().status == Publication.Status.PUBLISHED


# --- LOW 10b: a redaction is looked up within the page's own policy ----------------------------------------------


def test_withheld_page_refuses_a_redaction_of_another_policy(client, people):
    first, second = awaiting(people, "First policy"), awaiting(people, "Second policy")
    theirs = withhold(people, second)
    client.force_login(people.pcu)
    response = client.post(f"/policies/{first.reference}/publication/withheld/", {"remove": str(theirs.pk)},
                           follow=True)
    # Said as any part not withheld on this page is (one already published again, an id that never was): "not
    # found" in words, telling nothing of the other policy.
    said = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert response.status_code == 200 and "That part is no longer withheld" in said
    assert SOPRedaction.objects.filter(pk=theirs.pk).exists(), (
        f"{second.reference}'s withheld part was released from {first.reference}'s page")
    assert not AuditEvent.objects.filter(action="sop.redaction_removed").exists()


def test_the_service_refuses_a_redaction_of_another_policy(people):
    first, second = awaiting(people, "First policy"), awaiting(people, "Second policy")
    theirs = withhold(people, second)
    with refused("stale", "no longer withheld"):
        sop_redaction_remove(redaction=theirs, actor=people.pcu, policy=first)
    assert SOPRedaction.objects.filter(pk=theirs.pk).exists()
