"""Monitoring reports published, in Notices and both feeds (QA walk of 2026-12-06, LOW): PCU published a policy's
annual monitoring report on the Publication Scheme (SOP, stage 6: the co-ordinator "will send the report to the
Policy Co-ordination Unit to arrange for it to be published on the MPS Publication Scheme"), and neither the public
feed, which "carries what went on the Scheme", nor the staff's Notices and feed said so: a subscriber never learnt of
a new report.

The public feed carries a report that is on the Scheme by the rule the Scheme's page applies (never one made
OFFICIAL-SENSITIVE, nor one of a policy off the Scheme); the staff's list and feed, a report published to those who
may open its page (an OFFICIAL-SENSITIVE one only for those cleared for its policy's business group)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import MonitoringReport
from assessments.services import eia_update
from core.dates import date_shown
from lifecycle import services as lifecycle_services
from lifecycle.states import PolicyKind, ProtectiveMarking
from publication.models import Publication
from publication.services import policy_approve_local, policy_publish
from tests.assessments.test_monitoring_report_marking import build_downgraded, report_of
from tests.assessments.test_monitoring_report_marking_review import media_root, reader  # noqa: F401 (fixtures)
from tests.factories import ALL_IMPACTS, advance_to, reload
from tests.page_cost import queries_compiled
from tests.plans import SORTS_PRICED_OUT, plans_of, sorts_in, statements_reading

pytestmark = pytest.mark.django_db

LOCAL_STATEMENT = "<p>Book every detainee in within 20 minutes of arrival at the Lambeth suite.</p>"
LOCAL_EIA = {"aims": "A local briefing for one custody suite.", "impacts": ALL_IMPACTS, "decision": "no_major_change",
             "decision_rationale": "No adverse impact identified."}




def at(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour, 5))


def publish(people, *, title: str, when: datetime.datetime, scheme: bool = True):
    """A Territorial Policing policy published (on the Scheme unless ``scheme`` is False), then in monitoring."""
    with time_machine.travel(when, tick=False):
        policy = advance_to(people.policy(title=title), "awaiting_publication", people)
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=scheme)
        return advance_to(reload(policy), "monitoring", people)


def report(policy, people, *, when: datetime.datetime) -> MonitoringReport:
    with time_machine.travel(when, tick=False):
        return report_of(reload(policy), people)


def period(report: MonitoringReport) -> str:
    return f"{date_shown(report.period_start)} to {date_shown(report.period_end)}"


def entry(feed: str, key: str) -> str:
    """The feed's entry whose id ends with ``key`` ("" if there is none)."""
    for part in feed.split("<entry>")[1:]:
        if f":{key}</id>" in part:
            return part.split("</entry>")[0]
    return ""


# --- the public feed ------------------------------------------------------------------------------------------------


def test_the_public_feed_announces_a_report_put_on_the_scheme_newest_first(client, people):
    policy = publish(people, title="Stop and search", when=at(2, 9))
    published = report(policy, people, when=at(4, 10))
    later = publish(people, title="Body-worn video", when=at(5, 11))
    assert MonitoringReport.objects.get(pk=published.pk).published_at == at(4, 10)
    feed = client.get("/publication-scheme/feed/").content.decode()  # anonymous
    shown = entry(feed, f"report-{published.pk}")
    assert shown, feed
    assert (f"<title>Monitoring report published: Stop and search ({policy.reference}), {period(published)}</title>"
            f'<link href="http://testserver/publication-scheme/{policy.reference}/#report-{published.pk}" '
            'rel="alternate"/><published>2026-03-04T10:05:00+00:00</published>') in shown
    assert "<author><name>Territorial Policing</name></author>" in shown
    assert f"<id>tag:policyhub,2026:publication-scheme:report-{published.pk}</id>" in shown
    assert f"Monitoring report for {period(published)}" in shown
    # What only the staff read of it stays inside: the performance section, the co-ordinator's comments.
    assert "curlewish performance" not in feed and "godwitish comments" not in feed
    # Merged with the policies' notices by time, newest first.
    first = Publication.objects.get(policy=policy).pk
    second = Publication.objects.get(policy=later).pk
    assert (feed.index(f"publication-scheme:publication-{second}</id>")
            < feed.index(f"publication-scheme:report-{published.pk}</id>")
            < feed.index(f"publication-scheme:publication-{first}</id>"))
    # The anchor the entry links to is on the Scheme's page.
    page = client.get(f"/publication-scheme/{policy.reference}/").content.decode()
    assert f'id="report-{published.pk}"' in page


def test_the_public_feed_leaves_out_a_report_of_a_policy_off_the_scheme(client, people):
    policy = publish(people, title="Internal only", when=at(2, 9), scheme=False)
    kept_off = report(policy, people, when=at(4, 10))
    assert MonitoringReport.objects.get(pk=kept_off.pk).status == MonitoringReport.Status.PUBLISHED
    feed = client.get("/publication-scheme/feed/").content.decode()
    assert f"report-{kept_off.pk}" not in feed and period(kept_off) not in feed
    # Staff read it in Notices all the same: it was published to them.
    client.force_login(people.developer2)
    assert f'id="report-{kept_off.pk}"' in client.get("/notices/").content.decode()


def test_the_public_feed_leaves_out_a_report_made_official_sensitive(client, people,
                                                                       django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL-SENSITIVE and its report published then; a review's OFFICIAL version 2.0 is on
    the Scheme now. The report stays OFFICIAL-SENSITIVE: off the Scheme's page, and so off its feed."""
    policy, sensitive = build_downgraded(people, django_capture_on_commit_callbacks)
    assert sensitive.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE
    assert policy.protective_marking == ProtectiveMarking.OFFICIAL
    feed = client.get("/publication-scheme/feed/").content.decode()
    assert policy.reference in feed  # version 2.0's publication
    assert f"report-{sensitive.pk}" not in feed and period(sensitive) not in feed


# --- the staff's Notices and feed -----------------------------------------------------------------------------------


def test_staff_notices_show_an_official_sensitive_report_only_to_those_cleared(client, people, reader,  # noqa: F811
                                                                                django_capture_on_commit_callbacks):
    policy, sensitive = build_downgraded(people, django_capture_on_commit_callbacks)
    page_link = f"/policies/{policy.reference}/monitoring/{sensitive.pk}/"
    for person in (people.developer, people.lead, people.pcu):
        client.force_login(person)
        assert client.get(page_link).status_code == 200, person
        page = client.get("/notices/").content.decode()
        assert f'id="report-{sensitive.pk}"' in page and f'href="{page_link}"' in page, person
        assert period(sensitive) in page, person
        feed = client.get("/notices/feed/").content.decode()
        shown = entry(feed, f"report-{sensitive.pk}")
        assert f'<link href="http://testserver{page_link}" rel="alternate"/>' in shown, person
    for person in (reader, people.developer2, people.lead2):
        client.force_login(person)
        assert client.get(page_link).status_code == 404, person
        page = client.get("/notices/").content.decode()
        assert f"report-{sensitive.pk}" not in page and period(sensitive) not in page, person
        feed = client.get("/notices/feed/").content.decode()
        assert f"report-{sensitive.pk}" not in feed and period(sensitive) not in feed, person


def test_staff_notices_show_an_official_report_to_all_staff_with_its_tag(client, people, reader):  # noqa: F811
    policy = publish(people, title="Stop and search", when=at(2, 9))
    published = report(policy, people, when=at(4, 10))
    client.force_login(reader)
    page = client.get("/notices/").content.decode()
    item = page[page.index(f'id="report-{published.pk}"'):]
    item = item[:item.index("</li>")]
    assert '<strong class="govuk-tag govuk-tag--purple">Monitoring report</strong>' in item
    assert (f'<a class="govuk-link govuk-!-font-weight-bold" '
            f'href="/policies/{policy.reference}/monitoring/{published.pk}/">Stop and search</a>') in item
    assert f"Monitoring report for {period(published)}" in item and "10:05" in item


def test_notices_page_back_across_kinds(client, people, monkeypatch):
    """Two a page: the reports and the policies' notices, merged by time, page back without one lost or repeated."""
    monkeypatch.setattr("publication.notices_views.NOTICES_PER_PAGE", 2)
    first = publish(people, title="First policy", when=at(2, 9))
    first_report = report(first, people, when=at(3, 9))
    second = publish(people, title="Second policy", when=at(4, 9))
    second_report = report(second, people, when=at(5, 9))
    third = publish(people, title="Third policy", when=at(6, 9))
    keys = [f"publication-{Publication.objects.get(policy=third).pk}", f"report-{second_report.pk}",
            f"publication-{Publication.objects.get(policy=second).pk}", f"report-{first_report.pk}",
            f"publication-{Publication.objects.get(policy=first).pk}"]
    client.force_login(people.developer2)
    seen, url = [], "/notices/"
    for _ in range(4):
        response = client.get(url)
        page = response.content.decode()
        seen.append([key for key in keys if f'id="{key}"' in page])
        if "?before=" not in page:
            break
        url = "/notices/" + page[page.index("?before="):].split('"')[0].replace("&amp;", "&")
    assert seen == [keys[:2], keys[2:4], keys[4:]]


# --- cost -----------------------------------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Measured before the reports were read (four for a signed-in reader, its session and user among them; two for the
# public feed with no policy on the Scheme, three with one): each list +1, the reports' own statement.
PINNED = {"/notices/": 4 + 1, "/notices/feed/": 4 + 1}
PUBLIC_FEED = 3 + 1


def test_notices_and_feeds_cost_one_statement_more_however_many_reports(client, people, reader):  # noqa: F811
    policy = publish(people, title="Stop and search", when=at(2, 9))
    report(policy, people, when=at(3, 9))
    for person in (reader, people.developer2, people.pcu):
        client.force_login(person)
        for url, pinned in PINNED.items():
            client.get(url)
            assert _count(client, url) == pinned, (person, url)
    client.logout()
    client.get("/publication-scheme/feed/")
    assert _count(client, "/publication-scheme/feed/") == PUBLIC_FEED
    for index in range(2):
        report(policy, people, when=at(4 + index, 9))
        other = publish(people, title=f"Policy {index}", when=at(6 + index, 9))
        report(other, people, when=at(8 + index, 9))
    assert _count(client, "/publication-scheme/feed/") == PUBLIC_FEED
    for person in (reader, people.developer2, people.pcu):
        client.force_login(person)
        for url, pinned in PINNED.items():
            assert _count(client, url) == pinned, (person, url)


def test_the_reports_statement_is_compiled_once_per_reader(client, people, reader, monkeypatch):  # noqa: F811
    policy = publish(people, title="Stop and search", when=at(2, 9))
    published = report(policy, people, when=at(3, 9))
    client.force_login(reader)
    client.get("/notices/")
    client.get("/notices/?before=2026-03-03T10:00:00%2B00:00")
    compiled = queries_compiled(monkeypatch)
    page = client.get("/notices/").content.decode()
    back = client.get("/notices/?before=2026-03-03T09:00:00%2B00:00").content.decode()
    assert f'id="report-{published.pk}"' in page and f'id="report-{published.pk}"' not in back
    assert MonitoringReport not in {query.model for query in compiled}, compiled


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans")
def test_the_reports_are_read_newest_first_from_an_index(client, people, reader):  # noqa: F811
    """As the publications and withdrawals are (test_scheme_and_notices.test_notices_read_the_newest_first_from_
    indexes): every report published, sorted for a page of 50, would grow with the years of them."""
    policy = publish(people, title="Stop and search", when=at(2, 9))
    report(policy, people, when=at(3, 9))
    for person in (reader, people.pcu, None):
        if person is None:
            client.logout()
        else:
            client.force_login(person)
        urls = ("/publication-scheme/feed/",) if person is None else ("/notices/", "/notices/?before=2100-01-01T00:00"
                                                                                  ":00%2B00:00")
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            [reports] = statements_reading(captured, "assessments_monitoringreport")
            [plan] = plans_of([reports], priced_out=SORTS_PRICED_OUT)
            assert "monitoring_published_idx" in plan and not sorts_in(plan), (person, url, plan)


def test_a_local_work_instructions_report_is_only_for_its_business_groups_staff(client, people, reader):  # noqa: F811
    """A local work instruction is "seen by their business group" (SOP, "Local Work Instructions"), its pages and its
    reports' pages too: its report's notice as well."""
    instruction = people.policy(kind=PolicyKind.LOCAL, title="Booking in at the Lambeth suite",
                                suitable_for_publication_scheme=False)
    lifecycle_services.draft_update(policy=instruction, actor=people.developer, statement=LOCAL_STATEMENT)
    eia_update(policy=instruction, actor=people.developer, **LOCAL_EIA)
    with time_machine.travel(at(2, 9), tick=False):
        policy_approve_local(policy=reload(instruction), actor=people.lead)
        lifecycle_services.policy_complete_implementation(policy=reload(instruction), actor=people.coordinator)
    published = report(instruction, people, when=at(3, 9))
    page_link = f"/policies/{instruction.reference}/monitoring/{published.pk}/"
    for person, sees in ((reader, True), (people.pcu, True), (people.developer2, False), (people.lead2, False)):
        client.force_login(person)
        assert client.get(page_link).status_code == (200 if sees else 404), person
        page = client.get("/notices/").content.decode()
        assert (f'id="report-{published.pk}"' in page) is sees, person
        assert (f"report-{published.pk}<" in client.get("/notices/feed/").content.decode()) is sees, person
    client.logout()
    assert f"report-{published.pk}" not in client.get("/publication-scheme/feed/").content.decode()
