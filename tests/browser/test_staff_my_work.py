"""My work for a member of staff with no role, in Chromium with axe-core: the policies in force counted as in force,
those of them being reviewed said so (workspace.summary), and the sentence that says why the register shows a review's
stage for a policy in force. The screenshot is kept in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import UserFactory, advance_to, make_people, reload

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_my_work_counts_what_is_in_force(browser_user):
    people = make_people()
    advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    reviewed = advance_to(people.policy(title="Stop and search"), Status.MONITORING, people)
    s.policy_start_review(policy=reload(reviewed), actor=people.coordinator, reason="Three-year review.")
    reader = UserFactory(username="reader", first_name="Rhian", last_name="Reader", unit=people.unit)
    reader.set_password("policyhub-demo")
    reader.save(update_fields=["password"])
    browser = browser_user
    browser.sign_in("reader")
    browser.page.set_viewport_size({"width": 1280, "height": 900})
    browser.goto("/")

    main = browser.page.locator("main")
    expect(main).to_contain_text("You hold no policy role, so you see the policies in force.")
    expect(main).to_contain_text("In force: 2")
    expect(main).to_contain_text("Of those, being reviewed: 1")
    expect(main).not_to_contain_text("In scoping, commissioning or development")
    browser.step("staff: my work")
    assert browser.wording_faults() == []
    browser.assert_fits("staff: my work")
