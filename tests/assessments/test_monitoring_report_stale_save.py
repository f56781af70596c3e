"""A monitoring report's draft open in two places (its developer and its manager, or two tabs): the first saves one
section, then the second saves another from the page it loaded before. Both were told "Monitoring report saved." and
the first one's section was silently put back as the second page showed it (QA walk, t_mr_lost3). The draft is bound
to the revision its page showed, as the EIA and the Workbook are (a ``base_revision``, checked by the service under
the report's row lock): the stale save is refused, nothing is changed, and what was typed stays on the form."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import MonitoringReport
from core.models import AuditEvent
from lifecycle.states import Status
from tests.factories import refused

pytestmark = pytest.mark.django_db

FIRST = "Dip samples in March: 96% compliant (developer's tab)."
SECOND = "Complaints down 12% (manager's tab, opened before the developer saved)."


@pytest.fixture
def draft(policy_in, people) -> MonitoringReport:
    policy = policy_in(Status.MONITORING)
    return services.monitoring_report_create(policy=policy, actor=people.developer,
                                             period_start=policy.first_published_on,
                                             period_end=policy.monitoring_report_due_on,
                                             compliance="First draft of compliance.", benefits="First benefits.")


def url(report) -> str:
    return f"/policies/{report.policy.reference}/monitoring/{report.pk}/"


def posted_from(page: str, **typed) -> dict:
    """The sections form as a browser sends it from ``page``: its hidden revision and each section's text."""
    form = page.partition('<button type="submit" name="step" value="save"')[0]
    values = {name: value for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
              if name != "csrfmiddlewaretoken"}
    for section in MonitoringReport.SECTIONS:
        found = re.search(rf'<textarea name="{section}"[^>]*>\n?(.*?)</textarea>', form, re.S)
        values[section] = html.unescape(found.group(1)) if found else ""
    return {**values, **typed, "step": "save"}


def test_a_save_from_a_page_older_than_the_draft_is_refused(draft, people):
    opened = MonitoringReport.objects.get(pk=draft.pk).draft_revision
    services.monitoring_report_update(report=draft, actor=people.developer, base_revision=opened, compliance=FIRST)
    with refused("conflict", "have not been saved"):
        services.monitoring_report_update(report=draft, actor=people.manager, base_revision=opened,
                                          compliance="First draft of compliance.", benefits=SECOND)
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert (report.compliance, report.benefits) == (FIRST, "First benefits.")
    assert report.draft_revision == opened + 1


def test_the_second_tab_is_told_who_saved_and_keeps_what_it_typed(client, draft, people):
    client.force_login(people.developer)
    developers_page = client.get(url(draft)).content.decode()
    client.force_login(people.manager)
    managers_page = client.get(url(draft)).content.decode()
    client.force_login(people.developer)
    saved = client.post(url(draft), posted_from(developers_page, compliance=FIRST))
    assert saved.status_code == 302
    client.force_login(people.manager)
    response = client.post(url(draft), posted_from(managers_page, benefits=SECOND))
    page = response.content.decode()
    assert response.status_code == 409
    summary = page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert f"saved by {people.developer.get_full_name()} at " in summary and "have not been saved" in summary
    assert html.escape(SECOND) in page, "what the manager typed is on the page"
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert (report.compliance, report.benefits) == (FIRST, "First benefits.")
    assert AuditEvent.objects.filter(action="monitoring_report.updated", object_id=str(draft.pk)).count() == 1


def test_the_same_person_in_a_second_tab_is_told_it_was_them(client, draft, people):
    client.force_login(people.developer)
    first_tab = client.get(url(draft)).content.decode()
    second_tab = client.get(url(draft)).content.decode()
    assert client.post(url(draft), posted_from(first_tab, compliance=FIRST)).status_code == 302
    response = client.post(url(draft), posted_from(second_tab, benefits=SECOND))
    assert response.status_code == 409
    assert "saved by you at " in response.content.decode()


def test_a_save_from_the_page_as_it_now_stands_goes_through(client, draft, people):
    client.force_login(people.developer)
    page = client.get(url(draft)).content.decode()
    assert client.post(url(draft), posted_from(page, compliance=FIRST)).status_code == 302
    page = client.get(url(draft)).content.decode()
    assert client.post(url(draft), posted_from(page, benefits=SECOND)).status_code == 302
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert (report.compliance, report.benefits) == (FIRST, SECOND)


def test_the_report_page_and_its_refusal_cost_a_fixed_number_of_queries(client, draft, people):
    """Pinned: the draft's page (its form bound to the revision read with the report, no query more), and the refused
    save (with who saved meanwhile: one query, only then)."""
    client.force_login(people.developer)
    page = client.get(url(draft)).content.decode()
    client.post(url(draft), posted_from(page, compliance=FIRST))
    with CaptureQueriesContext(connection) as shown:
        assert client.get(url(draft)).status_code == 200
    with CaptureQueriesContext(connection) as refusal:
        assert client.post(url(draft), posted_from(page, benefits=SECOND)).status_code == 409
    # 10 and 16: whether the policy's EIA is reopened for its drafters at a review concluding no change, read once for
    # each page (lifecycle.gates_no_change.drafted_now: the named developer sees the newest version while it is; QA
    # walk of 2026-12-06).
    assert len(shown) == 10, [query["sql"] for query in shown]
    assert len(refusal) == 16, [query["sql"] for query in refusal]
