"""Document details change while a policy is drafted, and are frozen with the version at submission (issue 12,
"Document details"): the page, the one service and its audit, the Lead's redline, the approval route, and a
re-marking taking effect for visibility at once on every surface (issue 12, "Done when 4")."""

from __future__ import annotations

import pytest

from core.models import ApprovalRoute, AuditEvent, Board
from lifecycle import services as s
from lifecycle.details import LinkError, details_hash, parse_legislation_links
from lifecycle.models import ApprovalDecision, PolicyVersion
from lifecycle.states import Status
from publication.services import policy_publish
from tests.downloads import downloaded
from tests.factories import advance_to, refused, reload, take_step

pytestmark = pytest.mark.django_db

PACE = "Police and Criminal Evidence Act 1984 https://www.legislation.gov.uk/ukpga/1984/60"


def details_form(policy, **overrides) -> dict:
    """What the details page posts, as drawn for ``policy`` now, with ``overrides`` typed in."""
    current = policy.details_snapshot()
    data = {
        "title": current["title"], "purpose": current["purpose"], "relevant_to": current["relevant_to"],
        "protective_marking": current["protective_marking"], "risk_tier": current["risk_tier"],
        "registered_file_reference": current["registered_file_reference"],
        "legislation_links": "\n".join(f"{link['title']} {link['url']}" for link in current["legislation_links"]),
        "expected_details": details_hash(current),
    }
    if current["suitable_for_publication_scheme"]:
        data["suitable_for_publication_scheme"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def update(policy, actor, **changes):
    values = {**policy.details_snapshot(), **changes}
    return s.policy_update_details(policy=policy, actor=actor, expected_details=details_hash(policy.details_snapshot()),
                                   **values)


def published_under_review(people, **overrides):
    policy = advance_to(people.policy(**overrides), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    return reload(policy)


# --- the service ---------------------------------------------------------------------------------------------


def test_details_change_while_drafted_audited_with_before_and_after(people, policy_in):
    policy = policy_in(Status.SCOPING)
    changes = update(policy, people.developer, title="Body-worn video", risk_tier="high",
                     legislation_links=parse_legislation_links(PACE), registered_file_reference="RF/2026/17")
    policy = reload(policy)
    assert (policy.title, policy.risk_tier, policy.registered_file_reference) == ("Body-worn video", "high",
                                                                                   "RF/2026/17")
    assert policy.legislation_links == [{"title": "Police and Criminal Evidence Act 1984",
                                         "url": "https://www.legislation.gov.uk/ukpga/1984/60"}]
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="policy.details_changed").get()
    assert event.changes["details"]["risk_tier"] == ["medium", "high"]
    assert event.changes["details"]["title"][1] == "Body-worn video"
    assert set(event.changes["details"]) == set(changes) == {"title", "risk_tier", "legislation_links",
                                                             "registered_file_reference"}
    # The route changes with the tier: no high-risk board is set for this force, the medium one is the group's.
    assert event.changes["approval_route"] == [people.board.name, None]
    # Saving the same details again changes nothing and writes nothing.
    assert update(reload(policy), people.developer) == {}
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.details_changed").count() == 1


def test_details_refused_once_submitted_by_others_and_when_stale(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    with refused("forbidden", "not allowed to change the details"):
        update(policy, people.developer2, title="Not mine")
    with refused("forbidden"):
        update(policy, people.lead, title="The Lead does not draft")
    # The co-ordinator may (a re-marking is theirs to make too).
    update(policy, people.coordinator, registered_file_reference="RF/1")
    stale = details_hash({**policy.details_snapshot(), "registered_file_reference": ""})
    with refused("conflict", "Someone else changed the details"):
        s.policy_update_details(policy=policy, actor=people.developer, expected_details=stale,
                                **{**reload(policy).details_snapshot(), "title": "Lost?"})
    assert reload(policy).title != "Lost?"
    with refused("invalid", "cannot be suitable for the Publication Scheme"):
        update(reload(policy), people.developer, protective_marking="official_sensitive",
               suitable_for_publication_scheme=True)
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    with refused("frozen", "frozen with the version"):
        update(policy, people.developer, title="Too late")


def test_legislation_links_are_read_line_by_line_and_refused_by_line():
    assert parse_legislation_links(f"\n{PACE}\n\n") == [
        {"title": "Police and Criminal Evidence Act 1984", "url": "https://www.legislation.gov.uk/ukpga/1984/60"}]
    with pytest.raises(LinkError, match="Line 2: end the line with the link's address"):
        parse_legislation_links(f"{PACE}\nData Protection Act 2018")
    with pytest.raises(LinkError, match="Line 1: end the line"):
        parse_legislation_links("Evil javascript:alert(1)")
    with pytest.raises(LinkError, match="Line 1: put the title"):
        parse_legislation_links("https://www.legislation.gov.uk/ukpga/2018/12")


# --- frozen with the version; the Lead's redline; the approval route ------------------------------------------


def test_version_frozen_with_its_details_and_the_lead_sees_what_changed(client, people):
    high = Board.objects.create(name="Commissioner's Policy Forum")
    ApprovalRoute.objects.create(risk_tier="high", business_group=None, board=high)
    policy = published_under_review(people, title="Stop and search")
    in_force = PolicyVersion.objects.get(policy=policy, major=1)
    assert in_force.details["title"] == "Stop and search" and in_force.details["risk_tier"] == "medium"
    assert in_force.content_hash == in_force.compute_content_hash()

    policy = advance_to(policy, Status.DEVELOPMENT, people)
    update(policy, people.developer, title="Stop and search (revised)", risk_tier="high")
    # The public read the title the version in force was published with, not the draft's.
    for public in ("/publication-scheme/", "/publication-scheme/feed/", f"/publication-scheme/{policy.reference}/"):
        body = client.get(public).content.decode()
        assert "Stop and search" in body and "Stop and search (revised)" not in body, public
    policy = advance_to(reload(policy), Status.WITH_LEAD, people)
    submitted = reload(policy).current_version
    assert submitted.details["title"] == "Stop and search (revised)"
    assert submitted.content_hash == submitted.compute_content_hash()

    client.force_login(people.lead)
    page = client.get(f"/policies/{policy.reference}/actions/decide/").content.decode()
    assert "Document details changed" in page
    assert "<del>Stop and search</del>" in page and "<ins>Stop and search (revised)</ins>" in page
    assert "<del>Medium</del>" in page and "<ins>High</ins>" in page
    assert "Commissioner&#x27;s Policy Forum" in page
    # The staff who see only the version in force keep its title until the reviewed one is published.
    client.force_login(people.developer2)
    assert "Stop and search (revised)" not in client.get(f"/policies/{policy.reference}/").content.decode()

    take_step(reload(policy), people, Status.APPROVED)
    decision = ApprovalDecision.objects.get(policy_version=submitted, decision="approved")
    assert decision.board == high


# --- the page ---------------------------------------------------------------------------------------------------


def test_details_page_saves_keeps_what_was_typed_when_refused_and_refuses_stale(client, people, policy_in):
    policy = policy_in(Status.SCOPING)
    url = f"/policies/{policy.reference}/details/"
    client.force_login(people.developer)
    page = client.get(url)
    assert page.status_code == 200 and "Change the document details" in page.content.decode()
    drawn = details_form(policy)

    response = client.post(url, details_form(policy, title="Taser deployment", legislation_links=PACE))
    assert response.status_code == 302
    assert reload(policy).title == "Taser deployment"

    # A second tab drawn before that save: refused, what was typed kept.
    response = client.post(url, {**drawn, "purpose": "My own careful wording"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else changed the details" in body and "My own careful wording" in body
    assert reload(policy).purpose != "My own careful wording"

    response = client.post(url, details_form(reload(policy), legislation_links="Just a title"))
    assert response.status_code == 400 and "Line 1: end the line" in response.content.decode()
    assert "Just a title" in response.content.decode()

    # Others are refused with the reason and what they typed shown back, as the draft's other editors are (409);
    # nothing changes.
    client.force_login(people.lead)
    response = client.post(url, details_form(reload(policy), title="Lead's title"))
    assert response.status_code == 409 and reload(policy).title == "Taser deployment"
    assert "cannot be changed by you now" in response.content.decode()


# --- re-marking OFFICIAL-SENSITIVE during a review: visibility at once, on every surface ------------------------


def test_review_remarks_official_sensitive_and_it_disappears_at_once_everywhere(
        client, people, django_capture_on_commit_callbacks):
    policy = published_under_review(people, title="Automatic number plate recognition")
    reference = policy.reference
    # Before: on the public scheme, its PDF, and to staff of another business group (register, page, search).
    assert reference in client.get("/publication-scheme/").content.decode()
    assert client.get(f"/publication-scheme/{reference}/").status_code == 200
    assert downloaded(client, f"/publication-scheme/{reference}/pdf/").status_code == 200
    assert reference in client.get("/publication-scheme/feed/").content.decode()
    client.force_login(people.developer2)
    assert reference in client.get("/notices/feed/").content.decode()
    assert reference in client.get("/policies/").content.decode()
    assert reference in client.get("/policies/?q=number+plate").content.decode()
    assert client.get(f"/policies/{reference}/").status_code == 200
    client.logout()

    # Committed, as in use (the warm download's remembered file is dropped once the change commits:
    # publication.scheme_files).
    with django_capture_on_commit_callbacks(execute=True):
        update(policy, people.developer, protective_marking="official_sensitive",
               suitable_for_publication_scheme=False)

    # After, with the reviewed version still in scoping (not published): gone from the public scheme at once, its
    # version in force included (it does not keep its old public copy), its page and its PDF.
    assert reference not in client.get("/publication-scheme/").content.decode()
    assert client.get(f"/publication-scheme/{reference}/").status_code == 404
    assert client.get(f"/publication-scheme/{reference}/pdf/").status_code == 404
    assert reference not in client.get("/publication-scheme/feed/").content.decode()
    # Staff not cleared for its business group: not in the register, its count, the search, its pages or PDF.
    client.force_login(people.developer2)
    register = client.get("/policies/").content.decode()
    assert reference not in register
    assert reference not in client.get("/policies/?q=number+plate").content.decode()
    for path in ("", "statement/", "versions/", "timeline/", "pdf/", "publication/"):
        assert client.get(f"/policies/{reference}/{path}").status_code == 404, path
    # Nor in Notices, nor its feed.
    assert reference not in client.get("/notices/").content.decode()
    assert reference not in client.get("/notices/feed/").content.decode()
    # Staff cleared for it (its business group's people) still see it, marked.
    client.force_login(people.coordinator)
    page = client.get(f"/policies/{reference}/").content.decode()
    assert "OFFICIAL-SENSITIVE" in page
