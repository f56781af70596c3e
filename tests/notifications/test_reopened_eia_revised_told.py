"""DCFD is told when the Equality Impact Assessment it reopened is revised.

At a review concluding no change DCFD may say the EIA must be updated: it is reopened for the policy's developers
(lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA), and DCFD signs the update off (SIGN_OFF_UPDATED_EIA) once they
have revised it. DCFD's My work listed it then, but nothing told DCFD: no inbox item, no e-mail, where every other
part of the review tells whoever it waits for. The drafters' first save that changes the reopened EIA (the revision
that opens DCFD's sign-off, lifecycle.gates_no_change.reopened_eia_revised) now writes the work's event, which the
outbox relays to DCFD as the steps' events are relayed, OFFICIAL-SENSITIVE rules and all; their later saves of the same
revision round tell nobody again."""

from __future__ import annotations

import pytest
from django.core import mail

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.states import ProtectiveMarking
from lifecycle.workflow_monitoring import UPDATE_REOPENED_EIA
from notifications import services
from notifications.models import Notification
from tests.clock import travel
from tests.lifecycle.test_reopened_eia import IN_THE_WINDOW, eia_url, reopen, reopened, typed  # noqa: F401 (fixture)
from tests.notifications.test_chase_clearance import digests_sent, mailed_to

pytestmark = pytest.mark.django_db


def saved(client, user, policy, **changes) -> None:
    client.force_login(user)
    response = client.post(eia_url(policy), typed(policy, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]


def told(policy) -> list[Notification]:
    """The inbox items told of the reopened EIA's revision."""
    return list(Notification.objects.filter(policy=policy, source_event__topic=UPDATE_REOPENED_EIA.audit)
                .order_by("recipient_id"))


def test_dcfd_is_told_once_when_the_drafters_revise_the_reopened_eia(client, people, reopened):  # noqa: F811
    with travel(IN_THE_WINDOW):
        services.outbox_relay()
        assert told(reopened) == []
        saved(client, people.developer, reopened, evidence_and_data="The 2025 figures, by ethnicity.")
        services.outbox_relay()
        items = told(reopened)
        # DCFD, whose sign-off it now waits for, and nobody else (not the developer who revised it).
        assert [item.recipient for item in items] == [people.dcfd]
        assert items[0].title == (f"{UPDATE_REOPENED_EIA.notice}: {reopened.reference} {reopened.title}")
        assert items[0].protective_marking == ProtectiveMarking.OFFICIAL
        # By e-mail too, in DCFD's digest.
        services.digests_prepare(today=IN_THE_WINDOW)
        digests_sent()
        assert mailed_to(people.dcfd, UPDATE_REOPENED_EIA.notice)

        # Later saves of the same revision, by whoever drafts it, tell nobody again.
        saved(client, people.manager, reopened, evidence_and_data="The 2025 figures, by ethnicity and age.")
        saved(client, people.developer, reopened, mitigation="Briefings for every borough.")
        services.outbox_relay()
    assert len(told(reopened)) == 1
    assert AuditEvent.objects.filter(policy_id=reopened.pk, action=UPDATE_REOPENED_EIA.audit).count() == 1
    # Three saves of the reopened EIA, each with its own event as ever.
    assert AuditEvent.objects.filter(action=AuditAction.EIA_UPDATED,
                                     object_id=str(reopened.current_version.eia.pk)).count() == 3


def test_a_save_that_changes_nothing_is_no_revision_and_tells_nobody(client, people, reopened):  # noqa: F811
    with travel(IN_THE_WINDOW):
        saved(client, people.developer, reopened)
        services.outbox_relay()
    assert told(reopened) == [] and not mail.outbox


def test_an_official_sensitive_policys_revision_is_told_as_such(client, people, policy_in):
    policy = reopen(policy_in, people, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                    suitable_for_publication_scheme=False)
    with travel(IN_THE_WINDOW):
        saved(client, people.developer, policy, evidence_and_data="The 2025 figures, by ethnicity.")
        services.outbox_relay()
    # DCFD's role is force-wide: cleared for every business group's OFFICIAL-SENSITIVE material (the relay's rule,
    # notifications.services.outbox._cleared), and the item is written under the policy's marking.
    items = told(policy)
    assert [item.recipient for item in items] == [people.dcfd]
    assert items[0].protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE
