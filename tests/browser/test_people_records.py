"""Issue 12 ("People move, records stay"), tried as its users would, in Chromium, with axe-core on every page:

1. the co-ordinator replaces a developer who left, and the orphan reminder stops;
2. PCU moves a leaver's whole portfolio;
3. a developer's earlier drafts are opened and compared, from the version history;
4. a review re-marks a policy OFFICIAL-SENSITIVE, and it disappears from the public Publication Scheme;
and advice during development: the co-ordinator invites DCFD, who reads the draft and gives advice.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.models import Role
from lifecycle import services
from lifecycle.models import Policy
from notifications import services as notifications
from notifications.models import Reminder, ReminderKind
from publication.services import policy_publish
from tests.browser.test_flows import Flow
from tests.factories import advance_to, user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flow(browser_user) -> Flow:
    return Flow(browser_user)


def test_coordinator_replaces_a_leaver_and_pcu_hands_over_the_rest(flow, people):
    leaver = user_with_role(Role.DEVELOPER, people.group, username="leaver", first_name="Owain",
                            last_name="Bracegirdle")
    successor = user_with_role(Role.DEVELOPER, people.group, username="successor", first_name="Nia",
                               last_name="Pryce")
    first = people.policy(title="Social media", developers=[leaver])
    others = [people.policy(title=f"Taser extension {n}", developers=[leaver]) for n in range(3)]
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    notifications.chase_run()
    assert Reminder.objects.filter(policy=first, kind=ReminderKind.ORPHAN, superseded_at__isnull=True).exists()
    page = flow.page

    # 1. The co-ordinator replaces the developer who left, on the policy's people page.
    flow.sign_in("coordinator")
    flow.visit(f"/policies/{first.reference}/people/", "coordinator: people of the policy")
    page.locator("summary", has_text="developer").first.click()
    page.select_option("#id_developer-old", "leaver")
    page.get_by_label("New developer").fill("nia pryce")  # typed by name: no list of everyone who could
    expect(page.locator("#id_developer-new-hint")).to_contain_text("Their name or username")
    flow.submit("coordinator: reason missing", selector="#form-developer button[type=submit]", status=400)
    flow.expect_error_summary("Enter the reason for the change")
    expect(page.locator("#id_developer-new")).to_have_value("nia pryce")
    page.fill("#id_developer-reason", "Left the force in March.")
    flow.submit("coordinator: developer replaced", selector="#main-form button[type=submit]")
    flow.expect_success("the change is recorded")
    named = set(Policy.objects.get(pk=first.pk).developers.values_list("username", flat=True))
    assert "successor" in named and "leaver" not in named
    notifications.chase_run()
    assert not Reminder.objects.filter(policy=first, kind=ReminderKind.ORPHAN, superseded_at__isnull=True).exists()

    # 2. PCU moves the rest of the leaver's portfolio, from a preview, in one go.
    flow.sign_in("pcu")
    flow.visit("/people/leaver/handover/", "pcu: handover preview")
    for policy in others:
        expect(page.locator("main")).to_contain_text(policy.reference)
    page.fill("#id_developer", "Pryce")
    flow.submit("pcu: reason missing", status=400)
    flow.expect_error_summary("Enter the reason for the change")
    expect(page.locator("#id_developer")).to_have_value("Pryce")
    page.fill("#id_reason", "Left the force in March.")
    flow.submit("pcu: handed over")
    flow.expect_success("has been handed over")
    assert Policy.objects.filter(developers=leaver).count() == 0
    assert Policy.objects.filter(developers=successor).count() == 4


def test_earlier_drafts_are_opened_and_compared_from_the_version_history(flow, people):
    policy = advance_to(people.policy(title="Automatic number plate recognition"), "development", people)
    services.draft_update(policy=policy, actor=people.developer, statement="<p>Cameras record every plate.</p>")
    services.draft_update(policy=policy, actor=people.developer,
                          statement="<p>Cameras record every plate on the strategic road network.</p>")
    page = flow.page
    flow.sign_in("developer")
    flow.visit(f"/policies/{policy.reference}/versions/", "developer: version history with its revisions")
    history = page.locator("details", has_text="Revisions inside version 1.0")
    expect(history).to_contain_text("Policy Statement")
    with page.expect_navigation():
        history.get_by_role("link", name="Changes").last.click()
    flow.step("developer: an earlier draft compared with the next")
    expect(page.locator(".app-redline ins")).to_contain_text("strategic road network")


def test_a_review_re_marks_the_policy_official_sensitive_and_it_leaves_the_public_scheme(flow, people):
    policy = advance_to(people.policy(title="Covert surveillance authorities"), "awaiting_publication", people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    reference = policy.reference
    page = flow.page

    flow.visit("/publication-scheme/", "public: on the scheme before the review")
    expect(page.locator("main")).to_contain_text("Covert surveillance authorities")

    flow.sign_in("developer")
    flow.visit(f"/policies/{reference}/", "developer: overview during the review")
    with page.expect_navigation():
        page.get_by_role("link", name="Change the document details").click()
    flow.step("developer: document details")
    page.check("input[name=protective_marking][value=official_sensitive]")
    flow.submit("developer: re-marked but still on the scheme", status=400)
    flow.expect_error_summary("cannot be suitable for the Publication Scheme")
    page.uncheck("#id_suitable_for_publication_scheme")
    page.check("input[name=risk_tier][value=high]")
    flow.submit("developer: details saved")
    flow.expect_success("Details of")
    expect(page.locator(".govuk-caption-l")).to_contain_text("OFFICIAL-SENSITIVE")

    flow.b.page.context.clear_cookies()
    flow.visit("/publication-scheme/", "public: the scheme after the re-marking")
    expect(page.locator("main")).not_to_contain_text("Covert surveillance authorities")
    flow.visit(f"/publication-scheme/{reference}/", "public: its page is gone", status=404)


def test_the_coordinator_invites_dcfd_to_advise_on_the_draft(flow, people):
    policy = advance_to(people.policy(title="Hate crime"), "development", people)
    reference = policy.reference
    page = flow.page
    flow.sign_in("coordinator")
    flow.visit(f"/policies/{reference}/advice/", "coordinator: advice on the draft")
    page.check("input[name=who][value=colleague]")
    page.fill("#id_note", "Is the EIA's race section right?")
    flow.submit("coordinator: colleague not named", status=400)
    flow.expect_error_summary("Enter the colleague's username")
    expect(page.locator("#id_note")).to_have_value("Is the EIA's race section right?")
    page.check("input[name=who][value=dcfd]")
    flow.submit("coordinator: DCFD invited")
    flow.expect_success("can now see the draft")

    flow.sign_in("dcfd")
    flow.visit(f"/policies/{reference}/statement/", "dcfd: reads the draft")
    flow.visit(f"/policies/{reference}/advice/", "dcfd: the invitation")
    page.get_by_label("Your advice").fill("Add the impact on Gypsy and Traveller communities.")
    flow.submit("dcfd: advice given", selector="form:has(textarea) button[type=submit]")
    flow.expect_success("Your advice is recorded")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Gypsy and Traveller")
