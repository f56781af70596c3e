"""Where an inbox item leads. Every item linked to its policy's overview (found by the twelfth session's Chromium
walk): for a developer told their draft passed quality assurance, a page they may no longer open (issue 4: a
developer sees a draft only in scoping or development), so a 404; and a monitoring report's news led to the policy,
not the report. An item now links to the page of what it is about, and only when its reader may open it; when they
may not, it says why instead."""

from __future__ import annotations

import datetime
import re

import pytest

from assessments import services as assessments
from lifecycle.states import ProtectiveMarking, Status
from notifications import services
from notifications.links import WITHDRAWN, for_links, with_links
from notifications.models import Notification
from tests.factories import advance_to, the_year_due
from tests.notifications.test_inbox_open import leading_to

pytestmark = pytest.mark.django_db


def items(client, user) -> str:
    client.force_login(user)
    # Each item's link marks it read on the way (notifications.views.notification_open): where each leads.
    return leading_to(client.get("/notifications/").content.decode())


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def unlinked_for_its_developer(client, people, status: str, notice: str):
    """A policy taken to ``status``, and its developer's inbox, where the item ``notice`` of it is not a link."""
    policy = advance_to(people.policy(title="Body-worn video"), status, people)
    services.outbox_relay()
    page = items(client, people.developer)
    assert f"{notice}: {policy.reference} Body-worn video" in plain(page)
    assert f'href="/policies/{policy.reference}/"' not in page
    return policy, page


def test_an_item_about_a_policy_its_reader_may_not_open_is_not_a_link_and_says_why(client, people):
    policy, page = unlinked_for_its_developer(client, people, Status.QA_PASSED, "Quality assurance passed")
    assert client.get(f"/policies/{policy.reference}/").status_code == 404
    assert ("You cannot open this policy while others check and approve it. You see it again if it is returned to "
            "you, and once it is published.") in plain(page)
    # The co-ordinator, told the same, may open it: a link.
    assert f'href="/policies/{policy.reference}/"' in items(client, people.coordinator)

    advance_to(policy, Status.IMPLEMENTATION, people)
    services.outbox_relay()
    page = items(client, people.developer)
    # Published, every item about it leads to it again, the earlier one too.
    assert page.count(f'href="/policies/{policy.reference}/"') >= 2
    assert "You cannot open this policy" not in plain(page)


def test_an_item_about_a_monitoring_report_leads_to_the_report(client, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    report = assessments.monitoring_report_create(
        policy=policy, actor=people.developer, **the_year_due(policy), compliance="Dip sample: 94% compliant.",
        benefits="Fewer complaints.", diversity_impact="None found.")
    assessments.monitoring_report_submit(report=report, actor=people.developer)
    services.outbox_relay()
    page = items(client, people.coordinator)
    assert "Monitoring report to quality-assure" in page
    assert f'href="/policies/{policy.reference}/monitoring/{report.pk}/"' in page
    assert client.get(f"/policies/{policy.reference}/monitoring/{report.pk}/").status_code == 200
    # The Lead's response to it, and its remedial action, lead to the report too (the walk found them on the overview).
    assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assessments.monitoring_report_respond(
        policy=policy, actor=people.lead, report=report, outcome="remedial", reasons="Compliance is falling.",
        remedial_action="Brief every response team.", remedial_owner=people.developer,
        remedial_due_on=datetime.date(2027, 3, 31))
    services.outbox_relay()
    page = items(client, people.developer)
    assert "The Designated Lead responded to a monitoring report" in page
    assert page.count(f'href="/policies/{policy.reference}/monitoring/{report.pk}/"') >= 2


def test_an_item_about_a_withdrawn_policy_says_it_was_withdrawn(client, people):
    _, page = unlinked_for_its_developer(client, people, Status.WITHDRAWN, "Withdrawn")
    assert "This policy has been withdrawn: it is no longer among the policies you see." in plain(page)


def test_an_item_about_a_withdrawn_policy_in_the_librarys_archive_leads_there(client, people):
    """QA crawl (finding 18): a developer was told of POL-0001 "This policy has been withdrawn: it is no longer among
    the policies you see", with no link, while the library's archive showed it to them. An item about a policy
    withdrawn after it was published leads to its page in the library, where its last version is kept, and says so."""
    policy = advance_to(people.policy(title="Paper Pocket Notebooks"), Status.IMPLEMENTATION, people)
    policy = advance_to(policy, Status.WITHDRAWN, people)
    services.outbox_relay()
    page = items(client, people.developer)
    library_page = f"/library/{policy.reference}/"
    assert f'href="{library_page}">Withdrawn: {policy.reference} Paper Pocket Notebooks</a>' in page
    assert f'href="{library_page}">Published: {policy.reference} Paper Pocket Notebooks</a>' in page
    assert "This policy has been withdrawn. Its last version is in the library&#x27;s archive." in page
    assert "no longer among the policies you see" not in plain(page)
    assert client.get(library_page).status_code == 200
    assert client.get(f"/policies/{policy.reference}/").status_code == 404


def test_a_withdrawn_policy_the_reader_may_not_read_in_the_library_is_not_a_link(people):
    """The library's own rule decides: an OFFICIAL-SENSITIVE policy's archive is for those cleared for its group."""
    policy = advance_to(people.policy(title="Covert sources", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                                      suitable_for_publication_scheme=False), Status.IMPLEMENTATION, people)
    policy = advance_to(policy, Status.WITHDRAWN, people)
    for reader in (people.developer, people.developer2):
        Notification.objects.create(recipient=reader, policy=policy, title=f"Withdrawn: {policy.reference}")
    [cleared] = with_links(for_links(Notification.objects.filter(recipient=people.developer)), user=people.developer)
    assert cleared.link == f"/library/{policy.reference}/" and not cleared.unavailable
    [other] = with_links(for_links(Notification.objects.filter(recipient=people.developer2)), user=people.developer2)
    assert other.link == "" and other.unavailable == WITHDRAWN and other.note == ""


def test_the_chases_reminders_about_a_report_lead_to_the_report(client, people):
    """A remedial action's reminder, and the reminder of a report waiting for quality assurance, led to the policy's
    list of monitoring reports: the reader then had to find the report the reminder was about. Each item records its
    report when written (Notification.report), and leads to it, where the action is recorded as done and the report
    quality-assured."""
    policy = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    report = assessments.monitoring_report_create(
        policy=policy, actor=people.developer, **the_year_due(policy), compliance="Dip sample: 94% compliant.",
        benefits="Fewer complaints.", diversity_impact="None found.")
    assessments.monitoring_report_submit(report=report, actor=people.developer)
    # Ten working days and more after it was submitted: the co-ordinator is reminded of its quality assurance.
    services.chase_run(today=datetime.date.today() + datetime.timedelta(days=21))
    page = items(client, people.coordinator)
    reminder = re.search(r'<a [^>]*href="([^"]+)"[^>]*>[^<]*Monitoring report waiting for quality assurance', page)
    assert reminder is not None and reminder.group(1) == f"/policies/{policy.reference}/monitoring/{report.pk}/"

    assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assessments.monitoring_report_respond(
        policy=policy, actor=people.lead, report=report, outcome="remedial", reasons="Compliance is falling.",
        remedial_action="Brief every response team.", remedial_owner=people.developer,
        remedial_due_on=datetime.date.today() + datetime.timedelta(days=60))
    services.chase_run(today=datetime.date.today() + datetime.timedelta(days=46))
    page = items(client, people.developer)
    reminder = re.search(r'<a [^>]*href="([^"]+)"[^>]*>[^<]*Remedial action after a monitoring report', page)
    assert reminder is not None and reminder.group(1) == f"/policies/{policy.reference}/monitoring/{report.pk}/"
    assert client.get(reminder.group(1)).status_code == 200
