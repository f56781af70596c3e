"""At 320 px the staff library's policy page (its Equality Impact Assessment's table) and the Acknowledgements page
(the versions confirmed, with the time of each) were wider than the screen, 468 and 335 px (found by the twelfth
session's Chromium walk; the accessibility walk's data had neither a long impact note nor a confirmation). Their
tables now scroll in their own container, as every data table does. Checked in Chromium."""

import pytest

from acknowledgements.services import acknowledgement_confirm
from assessments.models import EqualityImpactAssessment
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.services import policy_publish, sop_redaction_record
from tests.factories import ALL_IMPACTS, advance_to, make_people, what_was_read
from tests.library.helpers import staff

pytestmark = pytest.mark.django_db(transaction=True)

NOTES = ("Stop and search of young people at night is recorded with the officer's reasons and the grounds, so "
         "that disproportionality by age can be measured every quarter.")


def test_the_library_and_acknowledgements_reflow_at_320_px(browser_user):
    people = make_people()
    reader = staff("reader", people.unit)
    reader.set_password("policyhub-demo")
    reader.save()
    policy = advance_to(people.policy(title="Stop and search"), Status.DEVELOPMENT, people)
    EqualityImpactAssessment.objects.filter(policy_version=policy.current_version).update(
        impacts={**ALL_IMPACTS, "age": {"impact": "negative", "notes": NOTES}})
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, asked_to_acknowledge={"business_groups": [people.group]},
                   **what_was_read(policy))
    version = policy.versions.get()
    acknowledgement_confirm(user=reader, version=version.pk, version_hash=version.read_hash)
    browser = browser_user
    browser.sign_in("reader")
    for path in (f"/library/{policy.reference}/", "/acknowledgements/"):
        browser.goto(path)
        browser.assert_fits(path)
        browser.assert_accessible(path)


def test_the_units_rates_and_the_withheld_parts_reflow_at_320_px(browser_user, settings, tmp_path):
    """QA walk 2026-12-06: at 320 px the manager's unit acknowledgement rates (555 px) and PCU's parts withheld from
    the public copy scrolled the whole page sideways: their tables were not in the ``.app-table-wrap`` container the
    other pages' tables scroll in."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    people = make_people()
    for username in ("reader", "colleague"):
        staff(username, people.unit)
    policy = people.policy(title="Detention of juveniles")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Searching detainees",
                                  text=f"<p>{NOTES}</p><p>Tactical part.</p>", publish_externally=True)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    sop_redaction_record(sop_version=policy.current_version.sop_versions.get(), actor=people.pcu, block=2,
                         exemption="s31")
    policy_publish(policy=policy, actor=people.pcu, asked_to_acknowledge={"business_groups": [people.group]},
                   **what_was_read(policy))
    browser = browser_user
    for username, path in ((people.manager.username, "/acknowledgements/units/"),
                           (people.pcu.username, f"/policies/{policy.reference}/publication/withheld/")):
        browser.sign_in(username)
        response = browser.goto(path)
        assert response.status == 200, path
        browser.assert_fits(path)
        browser.assert_accessible(path)
