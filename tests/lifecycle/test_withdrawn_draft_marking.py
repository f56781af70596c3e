"""Security review (HIGH): a withdrawn review draft's OFFICIAL-SENSITIVE text reached staff not cleared for it once a
later review published the policy OFFICIAL. Withdrawing a review draft set only ``PolicyVersion.withdrawn_at``: a
draft never submitted kept ``details`` None, so ``FROZEN_SENSITIVE`` (its frozen marking) never matched it, and after
the downgrade its statement was compared, its withdrawal reason shown on the timeline and its number listed to anyone
who may read the policy's versions.

The withdrawal records on each version it withdraws that has no details of its own the details it had, as submission
freezes them (``Policy.details_snapshot``), with the marking it was read under: the policy's marking in force while it
was drafted, OFFICIAL-SENSITIVE whatever downgrade the draft proposed (a review's downgrade waits in
``proposed_protective_marking`` until its version is published; this one never will be). Every reader of a version's
frozen marking then withholds it from those not cleared: the versions page and its comparison, the revisions page, the
timeline, the statement search. (Lifecycle 0027 records it for the versions withdrawn before: test_withdrawn_marking_
migration.py.)"""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import policy_statement_search, user_may_see_sensitive, version_history
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import advance_to, fill_development, reload, take_step, what_was_read
from tests.library.helpers import staff
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import media_root, publish_reviewed  # noqa: F401 (media_root: a fixture)
from tests.publication.test_stored_files_old_rule import sensitive_policy

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
IN_DRAFT = "Zebracrossing"  # words only the withdrawn draft 2.0 carries
IN_REASON = "Quokkasecret"  # words only the Lead's reason for withdrawing it carries


def sensitive_in_review(people) -> Policy:
    """Version 1.0 published OFFICIAL-SENSITIVE, now under review: the review's draft 2.0 typed."""
    policy = sensitive_policy(people)
    policy_publish(policy=policy, actor=people.pcu, on_intranet=True)
    policy = advance_to(reload(policy), Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
    s.draft_update(policy=reload(policy), actor=people.developer, statement=f"<p>{IN_DRAFT} covert secret.</p>")
    return reload(policy)


def withdraw(policy, people) -> Policy:
    s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=f"{IN_REASON} informant named",
                                   **what_was_read(policy))
    return reload(policy)


def details_of(policy, number: str) -> dict | None:
    major, minor = number.split(".")
    return PolicyVersion.objects.get(policy=policy, major=major, minor=minor).details


# --- the service ------------------------------------------------------------------------------------------------


def test_a_withdrawn_draft_records_the_details_it_had_and_its_marking(people):
    policy = sensitive_in_review(people)
    drafted = policy.details_snapshot()
    policy = withdraw(policy, people)
    assert details_of(policy, "2.0") == {**drafted, "protective_marking": SENSITIVE}
    assert PolicyVersion.objects.filter(policy=policy, withdrawn_at__isnull=False).count() == 1


def test_a_draft_proposing_a_downgrade_is_recorded_with_the_marking_it_was_read_under(people):
    policy = sensitive_in_review(people)
    update(policy, people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True,
           purpose="To govern deployments.")
    policy = reload(policy)
    assert policy.details_snapshot()["protective_marking"] == OFFICIAL
    drafted = policy.details_snapshot()
    policy = withdraw(policy, people)
    # Only those cleared for OFFICIAL-SENSITIVE material could read it while it was drafted: the downgrade it proposed
    # was never approved, so it stays theirs.
    assert details_of(policy, "2.0") == {**drafted, "protective_marking": SENSITIVE}


def test_an_official_policys_draft_is_recorded_official(people, policy_in):
    policy = policy_in(Status.MONITORING)
    s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
    policy = reload(policy)
    drafted = policy.details_snapshot()
    policy = withdraw(policy, people)
    assert details_of(policy, "2.0") == drafted and drafted["protective_marking"] == OFFICIAL


def test_a_submitted_version_of_the_review_keeps_the_details_and_hash_it_was_frozen_with(people):
    policy = sensitive_in_review(people)
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    submitted = policy.current_version
    frozen_details, frozen_hash = submitted.details, submitted.content_hash
    policy = withdraw(policy, people)
    kept = PolicyVersion.objects.get(pk=submitted.pk)
    assert kept.withdrawn_at is not None
    assert kept.details == frozen_details and kept.content_hash == frozen_hash == kept.compute_content_hash()


# --- every reader, after a later review published the policy OFFICIAL ---------------------------------------------


def downgraded_later(policy, people, capture, *, while_drafted=None) -> tuple[Policy, object]:
    """After ``policy``'s review draft 2.0 was withdrawn: review 3.0 marked OFFICIAL (``while_drafted(policy)`` called
    in its development) and published; review 4.0 started, and a member of staff given consult_policy, not cleared
    for OFFICIAL-SENSITIVE material. Returns the policy and that reader."""
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Again.")
    update(reload(policy), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True)
    if while_drafted is not None:
        while_drafted(advance_to(reload(policy), Status.DEVELOPMENT, people))
    policy, _ = publish_reviewed(reload(policy), people, capture)
    assert policy.protective_marking == OFFICIAL
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Fourth.")
    reader = staff("reader", people.unit)
    s.policy_grant_access(policy=reload(policy), actor=people.coordinator, user=reader, permission="consult_policy")
    policy = reload(policy)
    assert policy.current_version.number == "4.0"
    assert not user_may_see_sensitive(user=reader, policy=policy)
    return policy, reader


@pytest.fixture
def downgraded_after_withdrawal(people, django_capture_on_commit_callbacks):
    """1.0 published OFFICIAL-SENSITIVE; its review's draft 2.0 withdrawn; ``downgraded_later``."""
    return downgraded_later(withdraw(sensitive_in_review(people), people), people, django_capture_on_commit_callbacks)


def pages(client, policy) -> dict[str, tuple[int, str]]:
    shown = {}
    for name, url in (("versions", "versions/"), ("compare", "versions/compare/?from=2.0&to=4.0"),
                      ("revisions", "versions/2.0/revisions/"), ("timeline", "timeline/")):
        response = client.get(f"/policies/{policy.reference}/{url}")
        shown[name] = (response.status_code, response.content.decode())
    return shown


def test_the_withdrawn_draft_is_withheld_from_those_not_cleared(client, downgraded_after_withdrawal, people):
    policy, reader = downgraded_after_withdrawal
    assert details_of(policy, "2.0")["protective_marking"] == SENSITIVE
    assert "2.0" not in [row.number for row in version_history(policy=policy, user=reader)]
    assert not Policy.objects.filter(policy_statement_search(user=reader, text=IN_DRAFT), pk=policy.pk).exists()
    client.force_login(reader)
    shown = pages(client, policy)
    assert shown["versions"][0] == shown["compare"][0] == shown["timeline"][0] == 200
    assert shown["revisions"][0] == 404
    for status, body in shown.values():
        assert IN_DRAFT not in body and IN_REASON not in body
    # The withdrawal's event names 2.0, withheld with it.
    event = AuditEvent.objects.get(policy_id=policy.pk, action="policy.review_draft_withdrawn")
    assert event.changes["version"] == "2.0"


def test_those_cleared_still_read_it(client, downgraded_after_withdrawal, people):
    policy, _ = downgraded_after_withdrawal
    assert "2.0" in [row.number for row in version_history(policy=policy, user=people.developer)]
    assert Policy.objects.filter(policy_statement_search(user=people.developer, text=IN_DRAFT), pk=policy.pk).exists()
    client.force_login(people.developer)
    shown = pages(client, policy)
    assert shown["revisions"][0] == 200
    assert IN_DRAFT in shown["compare"][1]
    assert IN_REASON in shown["timeline"][1]


# --- a submitted version that proposed a downgrade, then withdrawn -------------------------------------------------
# The last notes' open item: a version submitted during the review is frozen with the details it was submitted with,
# a proposed downgrade among them (its content hash covers them), so withdrawing the review left it frozen OFFICIAL,
# though the downgrade was never approved and only those cleared for OFFICIAL-SENSITIVE material could read it.


def submit_downgrade(people) -> Policy:
    """``sensitive_in_review``, its draft 2.0 proposing OFFICIAL and submitted for quality assurance."""
    policy = sensitive_in_review(people)
    update(policy, people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True,
           purpose="To govern deployments.")
    policy = advance_to(reload(policy), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    # The statement as submitted carries the draft's own words (fill_development writes one of its own).
    s.draft_update(policy=reload(policy), actor=people.developer, statement=f"<p>{IN_DRAFT} covert secret.</p>")
    take_step(reload(policy), people, Status.SUBMITTED_FOR_QA)
    policy = reload(policy)
    submitted = policy.current_version
    assert submitted.number == "2.0" and submitted.submitted_at is not None
    assert submitted.details["protective_marking"] == OFFICIAL and IN_DRAFT in submitted.statement
    return policy


@pytest.fixture
def submitted_downgrade_withdrawn(people, django_capture_on_commit_callbacks):
    """As ``downgraded_after_withdrawal``, but the withdrawn review's 2.0 proposed OFFICIAL and was submitted."""
    policy = submit_downgrade(people)
    submitted = policy.current_version
    policy, reader = downgraded_later(withdraw(policy, people), people, django_capture_on_commit_callbacks)
    return policy, reader, submitted


def test_a_withdrawn_submitted_downgrade_keeps_its_frozen_details_and_records_the_marking_read_under(
        submitted_downgrade_withdrawn):
    policy, _, submitted = submitted_downgrade_withdrawn
    kept = PolicyVersion.objects.get(pk=submitted.pk)
    assert kept.details == submitted.details and kept.content_hash == kept.compute_content_hash()
    assert kept.withdrawn_marking == SENSITIVE


def test_a_withdrawn_submitted_downgrade_is_withheld_from_those_not_cleared(client, submitted_downgrade_withdrawn):
    policy, reader, _ = submitted_downgrade_withdrawn
    assert "2.0" not in [row.number for row in version_history(policy=policy, user=reader)]
    assert not Policy.objects.filter(policy_statement_search(user=reader, text=IN_DRAFT), pk=policy.pk).exists()
    client.force_login(reader)
    shown = pages(client, policy)
    assert shown["versions"][0] == shown["timeline"][0] == 200
    assert shown["revisions"][0] == 404
    for status, body in shown.values():
        assert IN_DRAFT not in body and IN_REASON not in body


def test_those_cleared_still_read_the_withdrawn_submitted_downgrade(client, submitted_downgrade_withdrawn, people):
    policy, _, _ = submitted_downgrade_withdrawn
    assert "2.0" in [row.number for row in version_history(policy=policy, user=people.developer)]
    client.force_login(people.developer)
    shown = pages(client, policy)
    assert shown["revisions"][0] == 200
    assert IN_DRAFT in shown["compare"][1] and IN_REASON in shown["timeline"][1]
