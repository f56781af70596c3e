"""The SOP edit page changes what the create page sets: the SOP's protective marking and whether the draft publishes
it externally (a user walk found the edit page without them). Through the service, audited, with the create page's
validation; and refused where a submitted version would otherwise change under it (the draft's external publication
is its own, frozen with it: tests/publication/test_sop_publication_flag_versioned.py).

SOP, "Definitions": "Policy owners should consider publishing their SOPs via the MPS Publication Scheme ... (SOPs
should be classified under the Protective Marking System ...)"."""

from __future__ import annotations

import pytest

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle import forms
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import advance_to, refused, reload

pytestmark = pytest.mark.django_db

OFFICIAL = ProtectiveMarking.OFFICIAL
SENSITIVE = ProtectiveMarking.OFFICIAL_SENSITIVE


def _draft_revision(policy) -> int:
    return reload(policy).current_version.draft_revision


def _external(sop) -> bool:
    """Whether the working draft publishes ``sop`` externally."""
    return sop.versions.get(policy_version=reload(sop.policy).current_version).publish_externally


def _edit_url(policy, sop) -> str:
    return f"/policies/{policy.reference}/sops/{sop.pk}/edit/"


def test_the_edit_form_has_every_field_the_create_form_sets():
    # All but the create form's one-time token and its "Yes, create another" (core.submissions): an edit is bound to
    # the draft revision instead.
    assert set(forms.SOPForm.base_fields) - {"submission", "create_another"} <= set(forms.SOPEditForm.base_fields)


def test_the_marking_and_publication_change_through_the_service_audited(policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Deployment", text="<p>Deploy.</p>")
    base = _draft_revision(policy)

    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Deploy.</p>", protective_marking=SENSITIVE,
                       publish_externally=False, base_revision=base)

    sop.refresh_from_db()
    assert sop.protective_marking == SENSITIVE and _external(sop) is False
    assert _draft_revision(policy) == base + 1
    event = AuditEvent.objects.filter(action=AuditAction.SOP_DRAFT_SAVED).last()
    assert event.changes["values"] == {"protective_marking": {"before": OFFICIAL, "after": SENSITIVE}}

    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Deploy.</p>", protective_marking=OFFICIAL,
                       publish_externally=True, base_revision=base + 1)
    sop.refresh_from_db()
    assert sop.protective_marking == OFFICIAL and _external(sop) is True
    event = AuditEvent.objects.filter(action=AuditAction.SOP_DRAFT_SAVED).last()
    assert event.changes["values"] == {"protective_marking": {"before": SENSITIVE, "after": OFFICIAL},
                                       "publish_externally": {"before": False, "after": True}}


def test_the_create_pages_validation_applies(policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Deployment", text="<p>Deploy.</p>",
                       publish_externally=True)
    events = AuditEvent.objects.count()
    with refused("refused", "OFFICIAL-SENSITIVE SOP cannot be published externally"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Changed.</p>", protective_marking=SENSITIVE,
                           publish_externally=True, base_revision=_draft_revision(policy))
    with refused("refused", "Choose a protective marking"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Changed.</p>", protective_marking="secret",
                           base_revision=_draft_revision(policy))
    sop.refresh_from_db()
    assert sop.protective_marking == OFFICIAL and _external(sop) is True
    assert sop.versions.get().text == "<p>Deploy.</p>"  # nothing of a refused save is kept
    assert AuditEvent.objects.count() == events


def test_a_submitted_sop_keeps_its_marking_but_may_leave_the_scheme(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Deployment", text="<p>Deploy.</p>",
                       publish_externally=True)
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu", comments="Tighten it.")

    # The marking is part of the record of version 1.0 (a trigger refuses it): said, not a database error.
    with refused("frozen", "submitted with version 1.0", "cannot be changed"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Deploy.</p>", protective_marking=SENSITIVE,
                           publish_externally=False, base_revision=_draft_revision(policy))
    sop.refresh_from_db()
    assert sop.protective_marking == OFFICIAL and _external(sop) is True

    # Taking it off the Publication Scheme is the draft's: version 1.0 keeps it, as it was submitted.
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Deploy.</p>", protective_marking=OFFICIAL,
                       publish_externally=False, base_revision=_draft_revision(policy))
    assert _external(sop) is False
    assert sop.versions.get(policy_version__submitted_at__isnull=False).publish_externally is True


def test_an_sop_of_the_version_in_force_may_be_put_on_the_scheme_by_a_draft(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Deployment", text="<p>Deploy.</p>")
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    policy = advance_to(reload(policy), Status.DEVELOPMENT, people)

    # Once refused (the flag was the SOP's, so it would have put the published text on the Scheme at once): now the
    # draft's, it goes there when the draft's version is published, after PCU has decided what to withhold from it.
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Deploy.</p>", protective_marking=OFFICIAL,
                       publish_externally=True, base_revision=_draft_revision(policy))
    assert _external(sop) is True
    assert sop.versions.get(policy_version__major=1).publish_externally is False
    event = AuditEvent.objects.filter(action=AuditAction.SOP_DRAFT_SAVED).last()
    assert event.changes["values"] == {"publish_externally": {"before": False, "after": True}}


def test_the_edit_page_shows_and_saves_the_marking(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Deployment", text="<p>Deploy.</p>",
                       protective_marking=SENSITIVE)
    client.force_login(people.developer)

    html = client.get(_edit_url(policy, sop)).content.decode()
    assert f'name="protective_marking" type="radio" value="{SENSITIVE}" checked' in html
    assert 'name="publish_externally"' in html

    answer = client.post(_edit_url(policy, sop), {
        "title": "Deployment", "text": "<p>Deploy.</p>", "protective_marking": OFFICIAL, "publish_externally": "on",
        "base_revision": _draft_revision(policy)})
    assert answer.status_code == 302
    sop.refresh_from_db()
    assert sop.protective_marking == OFFICIAL and _external(sop) is True
    statement = client.get(f"/policies/{policy.reference}/statement/").content.decode()
    assert "(OFFICIAL, published externally)" in statement
    # The timeline says what changed, by label, before and after.
    timeline = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "Protective marking" in timeline and "OFFICIAL-SENSITIVE" in timeline
    assert "Publish externally" in timeline


def test_a_refused_marking_keeps_what_was_typed(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Deployment", text="<p>Deploy.</p>")
    client.force_login(people.developer)

    answer = client.post(_edit_url(policy, sop), {
        "title": "Deployment of officers", "text": "<p>My long new procedure.</p>", "protective_marking": SENSITIVE,
        "publish_externally": "on", "base_revision": _draft_revision(policy)})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "cannot be published externally" in html
    assert "Deployment of officers" in html and "My long new procedure." in html
    sop.refresh_from_db()
    assert sop.title == "Deployment" and sop.protective_marking == OFFICIAL
