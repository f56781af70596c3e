"""A monitoring report keeps the protective marking it was written, submitted and published under (SOP, stage 6: the
report is quality-assured by the co-ordinator and published by PCU). It was read by its policy's marking as it stands
now: a report published while the policy was OFFICIAL-SENSITIVE became readable by all staff, and its published
sections by the public on the Publication Scheme, once a review re-marked the policy OFFICIAL (a downgrade comes into
force with the reviewed version's publication: lifecycle.services.details). As a version published
OFFICIAL-SENSITIVE stays so (tests/lifecycle/test_details_downgrade.py), so does a report: only those cleared for its
business group read it, on every surface. A re-marking up restricts earlier reports at once: the stricter of the
report's marking and the policy's marking now decides."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services as a
from assessments.models import MonitoringReport
from core.audit import audit_log
from core.events import AuditAction
from core.models import Role, RoleAssignment
from core.services import role_revoke
from library.selectors import Scope, library_search
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from notifications import services as notification_services
from notifications.models import Notification
from tests.assessments.test_monitoring_response import on
from tests.factories import advance_to, reload
from tests.library.helpers import published
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import publish_reviewed
from tests.module_data import module_data, part

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
# Words only the report carries: its published sections, the part never published, the co-ordinator's comments, the
# Lead's reasons and the remedial action they directed.
COMPLIANCE, PERFORMANCE, QA_COMMENTS = "ibisish compliance", "curlewish performance", "godwitish comments"
REMEDIAL = "Re-brief the avocetish handlers."


def report_of(policy, people, *, publish: bool = True) -> MonitoringReport:
    # A month from today, or from the end of the policy's last report (a day is reported once).
    start = max([timezone.localdate(), *policy.monitoring_reports.values_list("period_end", flat=True)])
    report = a.monitoring_report_create(policy=policy, actor=people.developer, period_start=start,
                                        period_end=start + datetime.timedelta(days=30), compliance=COMPLIANCE,
                                        benefits="Fewer complaints.", performance=PERFORMANCE,
                                        diversity_impact="None found.")
    a.monitoring_report_submit(report=report, actor=people.developer)
    if publish:
        a.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments=QA_COMMENTS)
        a.monitoring_report_publish(report=report, actor=people.pcu)
    return MonitoringReport.objects.get(pk=report.pk)


def build_downgraded(people, django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL-SENSITIVE; its monitoring report published then, answered by the Lead with a
    remedial action; a review re-marked it OFFICIAL and version 2.0 is published, on the Publication Scheme."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Covert tasking", marking=SENSITIVE)
    policy = advance_to(policy, Status.MONITORING, people)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_of(policy, people)
    a.monitoring_report_respond(policy=reload(policy), actor=people.lead, report=report, outcome="remedial",
                                reasons="Handlers not briefed.", remedial_action=REMEDIAL,
                                remedial_owner=people.developer,
                                remedial_due_on=timezone.localdate() + datetime.timedelta(days=60))
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    with django_capture_on_commit_callbacks(execute=True):
        update(reload(policy), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True)
    policy, _ = publish_reviewed(reload(policy), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == OFFICIAL
    return policy, MonitoringReport.objects.get(pk=report.pk)


def build_downgraded_once(people, django_capture_on_commit_callbacks):
    """``build_downgraded`` once for the module, its files rendered into the module's media directory (tests/
    module_data.py); each test reads a fresh copy, with its own copy of the files. (The tests that need a policy of
    their own are in test_monitoring_report_marking_alone.py.)"""
    return people, *build_downgraded(people, django_capture_on_commit_callbacks)


built, built_copy = module_data(build_downgraded_once, media=True)
people = part(0)


@pytest.fixture
def downgraded(built_copy):
    return built_copy[1], built_copy[2]


def pages(policy, report) -> dict[str, str]:
    return {"report": f"/policies/{policy.reference}/monitoring/{report.pk}/",
            "list": f"/policies/{policy.reference}/monitoring/",
            "timeline": f"/policies/{policy.reference}/timeline/",
            "library": f"/library/{policy.reference}/"}


# --- after the downgrade, nothing of the report reaches the uncleared ------------------------------------------------


def test_a_report_published_official_sensitive_stays_so_after_a_reviews_downgrade(client, downgraded, people,
                                                                                   reader):
    policy, report = downgraded
    assert report.protective_marking == SENSITIVE
    urls = pages(policy, report)
    for person in (reader, people.developer2, people.lead2):
        client.force_login(person)
        assert client.get(f"/policies/{policy.reference}/").status_code == 200, person
        assert client.get(urls["report"]).status_code == 404, person
        listing = client.get(urls["list"]).content.decode()
        assert urls["report"] not in listing and "monitoring reports" in listing.lower(), person
        timeline = client.get(urls["timeline"]).content.decode()
        assert "Monitoring report published" not in timeline and urls["report"] not in timeline, person
        library = client.get(urls["library"]).content.decode()
        assert COMPLIANCE not in library and f"report-{report.pk}" not in library, person
        for scope in (Scope.CURRENT, Scope.SUPERSEDED):
            assert library_search(user=person, text=COMPLIANCE, scope=scope).total == 0, (person, scope)
    # The public: version 2.0 is on the Publication Scheme, the report published OFFICIAL-SENSITIVE is not.
    client.logout()
    entry = client.get(f"/publication-scheme/{policy.reference}/")
    assert entry.status_code == 200 and COMPLIANCE not in entry.content.decode()
    # Those cleared for it still read it everywhere.
    for person in (people.coordinator, people.developer, people.pcu):
        client.force_login(person)
        page = client.get(urls["report"])
        assert page.status_code == 200 and COMPLIANCE in page.content.decode(), person
        assert urls["report"] in client.get(urls["list"]).content.decode(), person
        assert "Monitoring report published" in client.get(urls["timeline"]).content.decode(), person
        assert COMPLIANCE in client.get(urls["library"]).content.decode(), person
        assert library_search(user=person, text=COMPLIANCE).total == 1, person


def test_its_remedial_action_is_listed_only_to_those_cleared(client, downgraded, people):
    """The dashboard's remedial actions overdue: another group's Lead sees the force's policies in force, this one
    now among them, but not the action directed after its OFFICIAL-SENSITIVE report."""
    policy, report = downgraded
    with on(timezone.localdate() + datetime.timedelta(days=90)):
        for person, listed in ((people.lead2, False), (people.lead, True), (people.pcu, True)):
            client.force_login(person)
            page = client.get("/dashboard/remedial-actions/").content.decode()
            assert (REMEDIAL in page) is listed, person
            csv = b"".join(client.get("/dashboard/remedial-actions/?format=csv").streaming_content).decode()
            assert (REMEDIAL in csv) is listed, person


def test_my_work_lists_its_remedial_action_only_while_the_person_named_is_cleared(client, downgraded, people):
    """Whoever a remedial action names holds a role in the policy's business group when named; once that role is taken
    away they are cleared for its OFFICIAL-SENSITIVE material no more, and nothing else on My work asks."""
    client.force_login(people.developer)
    assert REMEDIAL in client.get("/").content.decode()
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=people.developer, role=Role.DEVELOPER))
    client.force_login(people.developer)
    assert REMEDIAL not in client.get("/").content.decode()


def test_an_event_of_the_report_is_relayed_only_to_those_cleared(downgraded, people, reader):
    """Defence in depth, as for a policy's own marking (tests/notifications/test_sensitive_recipients.py): an event
    naming the report is told only to those cleared for it, whoever it names."""
    policy, report = downgraded
    with transaction.atomic():
        audit_log(actor=people.lead, action=AuditAction.MONITORING_REPORT_RESPONDED, obj=policy,
                  changes={"report": report.pk, "notify_user_ids": [reader.pk, people.developer2.pk, people.doi.pk]})
        audit_log(actor=people.developer, action=AuditAction.MONITORING_REPORT_READ_FOR_REVIEW, obj=report,
                  policy_id=policy.pk, changes={"cycle": 2})
    notification_services.outbox_relay()
    told = set(Notification.objects.filter(source_event__audit_event__action__in=[
        AuditAction.MONITORING_REPORT_RESPONDED, AuditAction.MONITORING_REPORT_READ_FOR_REVIEW],
        source_event__audit_event__occurred_at__gte=report.published_at)
        .values_list("recipient__username", flat=True))
    assert "doi" in told and "lead" in told
    assert not told & {"reader", "developer2"}


# --- what the pages cost --------------------------------------------------------------------------------------------


def test_the_pages_cost_no_more_for_more_reports(client, downgraded, people, reader):
    """The pages leave a report made OFFICIAL-SENSITIVE out in the query that reads the reports (or their remedial
    actions, or the events): no query of their own, none per report, within the pins of tests/web/test_query_counts.py
    and tests/publication/test_scheme_monitoring_reports.py."""
    policy, report = downgraded
    urls = {**pages(policy, report), "remedial": "/dashboard/remedial-actions/", "my work": "/",
            "scheme": f"/publication-scheme/{policy.reference}/"}
    readers = {reader: ("report", "list", "timeline", "library"), people.lead2: tuple(urls),
               people.coordinator: tuple(urls), people.developer: ("my work",), None: ("scheme",)}

    def costs() -> dict[str, int]:
        measured = {}
        for person, names in readers.items():
            if person is None:
                client.logout()
            else:
                client.force_login(person)
            for name in names:
                with CaptureQueriesContext(connection) as queries:
                    client.get(urls[name])
                measured[f"{getattr(person, 'username', 'public')} {name}"] = len(queries)
        return measured

    def another_report(days: int) -> None:
        """A report published since the downgrade (OFFICIAL)."""
        end = timezone.localdate() + datetime.timedelta(days=days)
        extra = a.monitoring_report_create(policy=policy, actor=people.developer,
                                           period_start=end - datetime.timedelta(days=30), period_end=end,
                                           compliance="Later.", benefits="b", diversity_impact="d")
        a.monitoring_report_submit(report=extra, actor=people.developer)
        a.monitoring_report_pass_qa(report=extra, actor=people.coordinator)
        a.monitoring_report_publish(report=extra, actor=people.pcu)

    # Each reader reads one report and not another; then three and not another. Each covers its own month (a day is
    # reported once: assessments.services.monitoring_periods), after the first's.
    another_report(70)
    before = costs()
    for days in (110, 150):
        another_report(days)
    assert costs() == before
    pinned = {"list": 6, "timeline": 8, "scheme": 8, "my work": 12}
    over = {key: count for key, count in before.items() if count > pinned.get(key.split(" ", 1)[1], count)}
    assert not over, over
