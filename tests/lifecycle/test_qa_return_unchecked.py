"""One return from quality assurance ends the round: PCU, DCFD or DOI returning a submission sends it back to
development before the others have checked it (found by a user walk). The developer was told "Returned from quality
assurance with comments" and nothing of the checks still to come, and took the comments for all the checks there
were. The return notice and the draft's overview now say which disciplines had not yet checked the submission (and
which had passed it), and that all three check the version submitted next: sign-offs belong to the version
submitted (lifecycle.gates.all_qa_signoffs_passed), so none carries over."""

from __future__ import annotations

import re

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from notifications import services as notifications
from notifications.models import Notification
from tests.factories import advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db

AGAIN = "When the draft is submitted again, PCU, DCFD and DOI each check the new version."


# Pages spell a name out on its first use (the glossary's abbreviate tag).
SPELLED_OUT = {"Policy Co-ordination Unit (PCU)": "PCU", "Diversity and Citizen Focus Directorate (DCFD)": "DCFD",
               "Directorate of Information (DOI)": "DOI"}


def plain(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    for spelled, short in SPELLED_OUT.items():
        text = text.replace(spelled, short)
    return text


def returned(people, *, passed: tuple[str, ...], returner: str):
    """A Territorial Policing submission ``passed`` by those disciplines, then returned by ``returner``."""
    policy = advance_to(people.policy(title="Body-worn video"), Status.SUBMITTED_FOR_QA, people)
    actors = {"pcu": people.pcu_qa, "dcfd": people.dcfd, "doi": people.doi}
    for discipline in passed:
        s.policy_record_qa_signoff(policy=reload(policy), actor=actors[discipline], discipline=discipline,
                                   **what_was_read(policy))
    notifications.outbox_relay()
    s.policy_return_from_qa(policy=reload(policy), actor=actors[returner], discipline=returner,
                            comments="The SOP names a unit that no longer exists.", **what_was_read(policy))
    notifications.outbox_relay()
    return reload(policy)


@pytest.mark.parametrize(("passed", "returner", "said"), [
    ((), "pcu", "PCU returned version 1.0. DCFD and DOI had not yet checked this submission."),
    (("pcu",), "dcfd", "DCFD returned version 1.0. DOI had not yet checked this submission; PCU had passed it."),
    (("pcu", "doi"), "dcfd", "DCFD returned version 1.0. PCU and DOI had passed this submission."),
])
def test_the_return_says_which_checks_had_not_been_made_and_that_all_three_check_the_next(client, people, passed,
                                                                                           returner, said):
    policy = returned(people, passed=passed, returner=returner)
    assert policy.status == Status.DEVELOPMENT
    # The notice to the developer (and the co-ordinator).
    for person in (people.developer, people.coordinator):
        body = Notification.objects.get(recipient=person, policy=policy,
                                        title__startswith="Returned from quality assurance").body
        assert body.startswith(f"{said} {AGAIN} By ")
    # The draft's overview, where the developer reads why it came back.
    client.force_login(people.developer)
    page = plain(client.get(f"/policies/{policy.reference}/").content.decode())
    assert "Returned from quality assurance" in page
    assert said.split(". ", 1)[1] in page and AGAIN in page


def test_the_timeline_names_the_checks_not_yet_made_by_their_labels(client, people):
    policy = returned(people, passed=("pcu",), returner="dcfd")
    client.force_login(people.coordinator)
    page = plain(client.get(f"/policies/{policy.reference}/timeline/").content.decode())
    returned_event = page.split("Returned from quality assurance with comments (version 1.0)", 1)[1].split(
        "PCU passed its part of quality assurance (version 1.0)", 1)[0]
    assert "Had passed it Policy Co-ordination Unit " in returned_event
    assert "Had not yet checked it Directorate of Information (information management) " in returned_event


def test_what_the_return_says_of_the_next_submission_is_what_happens(people):
    """PCU passed 1.0 and DCFD returned it: on 1.1, PCU's check is asked again, and QA passes only once all three
    have passed 1.1."""
    policy = returned(people, passed=("pcu",), returner="dcfd")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Names the right unit.</p>")
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)
    for discipline, actor in (("dcfd", people.dcfd), ("doi", people.doi)):
        s.policy_record_qa_signoff(policy=reload(policy), actor=actor, discipline=discipline,
                                   **what_was_read(policy))
    assert reload(policy).status == Status.SUBMITTED_FOR_QA
    s.policy_record_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu", **what_was_read(policy))
    assert reload(policy).status == Status.QA_PASSED


@pytest.mark.parametrize(("passed", "returner", "shown", "left_out"), [
    # Returned before anyone had passed it: no "Had passed it (none)".
    ((), "pcu", "Had not yet checked it Diversity and Citizen Focus Directorate (EIA), Directorate of Information",
     "Had passed it"),
    # Returned after both others had passed it: no "Had not yet checked it (none)".
    (("pcu", "doi"), "dcfd", "Had passed it Policy Co-ordination Unit", "Had not yet checked it"),
])
def test_the_timeline_leaves_out_an_empty_list_of_checks(client, people, passed, returner, shown, left_out):
    """A return records both lists, one of them often empty; the timeline leaves an empty one out, as the return
    notice does (lifecycle.next_steps.after_qa_return), rather than writing "Had passed it (none)"."""
    policy = returned(people, passed=passed, returner=returner)
    client.force_login(people.coordinator)
    page = plain(client.get(f"/policies/{policy.reference}/timeline/").content.decode())
    returned_event = page.split("Returned from quality assurance with comments (version 1.0)", 1)[1].split(
        "(version 1.0)", 1)[0]
    assert shown in returned_event
    assert left_out not in returned_event
    assert "(none)" not in returned_event
