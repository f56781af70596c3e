"""A monitoring report submitted with a section left empty, then submitted again from the same tab once the section
was written, was refused the second time with a false conflict: "This monitoring report was saved by you at 12:45, in
another tab or window..." (QA walk of 2026-12-06, developer, /policies/POL-0003/monitoring/<id>/). The page's
Submit saved the sections (raising the draft's revision) and then the submission was refused; the page shown again
still carried the revision it was drawn from, so its next Submit was judged stale.

Save and submit are one change now (``services.monitoring_report_submit`` with the sections typed), in one
transaction: a refused submission saves nothing, the page keeps what was typed and the revision it was drawn from
(still the draft's), and the next Submit from it goes through. "Save draft" is there to keep part of a report."""

from __future__ import annotations

import html
import re

import pytest

from assessments import services
from assessments.models import MonitoringReport
from core.models import AuditEvent
from lifecycle.states import Status
from tests.factories import refused

pytestmark = pytest.mark.django_db

WRITTEN = {"compliance": "Dip samples in March: 96% compliant.", "benefits": "Complaints down 12%.",
           "performance": "Response times within target in 11 of 12 months."}
DIVERSITY = "No difference in outcomes by ethnicity or sex in the stop data."


@pytest.fixture
def draft(policy_in, people) -> MonitoringReport:
    policy = policy_in(Status.MONITORING)
    return services.monitoring_report_create(policy=policy, actor=people.developer,
                                             period_start=policy.first_published_on,
                                             period_end=policy.monitoring_report_due_on)


def url(report) -> str:
    return f"/policies/{report.policy.reference}/monitoring/{report.pk}/"


def form_posted_from(page: str) -> dict:
    """The sections form as a browser sends it again from ``page``: its hidden fields and each section's text."""
    form = page.partition('id="main-form"')[2].partition("</form>")[0]
    values = {name: value for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
              if name != "csrfmiddlewaretoken"}
    for section in MonitoringReport.SECTIONS:
        found = re.search(rf'<textarea name="{section}"[^>]*>\n?(.*?)</textarea>', form, re.S)
        values[section] = html.unescape(found.group(1)) if found else ""
    return values


def test_a_submission_refused_for_an_empty_section_then_completed_in_the_same_tab_goes_through(client, draft,
                                                                                               people):
    """QA walk of 2026-12-06: Compliance, Benefits and Performance written, Diversity impact left empty, "Submit to
    the co-ordinator"; then Diversity impact written and Submit pressed again in the same tab."""
    client.force_login(people.developer)
    page = client.get(url(draft)).content.decode()
    refusal = client.post(url(draft), {**form_posted_from(page), **WRITTEN, "diversity_impact": "",
                                       "step": "submit"})
    shown = refusal.content.decode()
    assert refusal.status_code == 400
    assert "Write the diversity impact section before you submit the report" in shown
    assert "another tab or window" not in shown
    assert html.escape(WRITTEN["compliance"]) in shown, "what was typed is kept on the form"
    # Nothing was saved by the refused submission: the draft is as it was, and no save is recorded.
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert (report.compliance, report.draft_revision, report.status) == ("", draft.draft_revision,
                                                                          MonitoringReport.Status.DRAFT)
    assert not AuditEvent.objects.filter(action="monitoring_report.updated", object_id=str(draft.pk)).exists()

    again = client.post(url(draft), {**form_posted_from(shown), "diversity_impact": DIVERSITY, "step": "submit"})
    assert again.status_code == 302, again.content.decode()
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert report.status == MonitoringReport.Status.SUBMITTED
    assert (report.compliance, report.benefits, report.performance, report.diversity_impact) == (
        WRITTEN["compliance"], WRITTEN["benefits"], WRITTEN["performance"], DIVERSITY)


def test_the_refused_page_says_nothing_was_saved_and_how_to_keep_a_part_written_report(client, draft, people):
    """QA walk of 2026-12-06: the refusal says what happened to what was typed."""
    client.force_login(people.developer)
    page = client.get(url(draft)).content.decode()
    refusal = client.post(url(draft), {**form_posted_from(page), **WRITTEN, "diversity_impact": "",
                                       "step": "submit"})
    summary = html.unescape(refusal.content.decode().partition('class="govuk-error-summary"')[2]
                            .partition("</ul>")[0])
    assert "Nothing has been saved" in summary and "Save draft" in summary


def test_save_and_submit_are_one_change_in_the_service(draft, people):
    """QA walk of 2026-12-06: the service takes the sections with the submission; refused (a section empty), it
    changes nothing; given them all, it saves and submits in one transaction, one event each."""
    with refused("gate", "Diversity impact"):
        services.monitoring_report_submit(report=draft, actor=people.developer, base_revision=draft.draft_revision,
                                          **WRITTEN, diversity_impact="")
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert (report.compliance, report.draft_revision, report.status) == ("", draft.draft_revision,
                                                                          MonitoringReport.Status.DRAFT)
    submitted = services.monitoring_report_submit(report=draft, actor=people.developer,
                                                  base_revision=draft.draft_revision, **WRITTEN,
                                                  diversity_impact=DIVERSITY)
    assert submitted.status == MonitoringReport.Status.SUBMITTED and submitted.diversity_impact == DIVERSITY
    actions = list(AuditEvent.objects.filter(object_id=str(draft.pk), object_type="assessments.monitoringreport")
                   .order_by("sequence").values_list("action", flat=True))
    assert actions[-2:] == ["monitoring_report.updated", "monitoring_report.submitted"]


def test_a_submission_from_a_page_older_than_the_draft_is_still_refused_as_stale(draft, people):
    """The one call keeps the draft's binding to the page read (core.stale_saves): another tab's save since wins,
    and nothing is submitted."""
    opened = draft.draft_revision
    services.monitoring_report_update(report=draft, actor=people.manager, base_revision=opened,
                                      compliance="The manager's compliance.")
    with refused("conflict", "have not been saved"):
        services.monitoring_report_submit(report=draft, actor=people.developer, base_revision=opened, **WRITTEN,
                                          diversity_impact=DIVERSITY)
    report = MonitoringReport.objects.get(pk=draft.pk)
    assert (report.status, report.compliance) == (MonitoringReport.Status.DRAFT, "The manager's compliance.")
