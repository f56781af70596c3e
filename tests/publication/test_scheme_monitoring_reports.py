"""A published monitoring report on the public Publication Scheme: its compliance, benefits and diversity impact, and
a plain statement that its performance section is not published there, and why (a user walk found the section left
out without a word).

SOP, stage 6: the monitoring of "compliance, benefits and impact" is recorded in a Monitoring Report, which PCU
arranges "to be published on the MPS Publication Scheme"; policy performance data goes to PCU "for preparation of
Corporate Health Indicators" and to the Performance Board, inside the force."""

from __future__ import annotations

import datetime
import re

import pytest

from assessments import services as assessment_services
from assessments.services.monitoring import REPORT_FIELDS
from lifecycle.states import Status
from publication.selectors import SCHEME_REPORT_SECTIONS, SCHEME_REPORT_UNPUBLISHED
from publication.services import policy_publish
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

PERFORMANCE = "Response times fell from 14 to 11 minutes."


def _published_report(policy, people, start: datetime.date, end: datetime.date):
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=people.developer, period_start=start, period_end=end,
        compliance="Dip sample: 94% compliant.", benefits="Fewer complaints.", performance=PERFORMANCE,
        diversity_impact="No disproportionality found.")
    assessment_services.monitoring_report_submit(report=report, actor=people.developer)
    assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assessment_services.monitoring_report_publish(report=report, actor=people.pcu)
    return report


@pytest.fixture
def on_the_scheme_with_reports(people):
    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    # Two reports of a quarter each since its publication (a period starts no earlier and overlaps no other report:
    # assessments.services.monitoring_periods).
    _published_report(policy, people, *quarter(policy, 0))
    _published_report(policy, people, *quarter(policy, 1))
    return policy


def quarter(policy, index: int) -> tuple[datetime.date, datetime.date]:
    """The policy's ``index``th quarter of 90 days since it was first published."""
    start = type(policy).objects.get(pk=policy.pk).first_published_on + datetime.timedelta(days=90 * index)
    return start, start + datetime.timedelta(days=90)


def test_the_public_page_says_the_performance_section_is_not_published_and_why(client, on_the_scheme_with_reports):
    policy = on_the_scheme_with_reports
    response = client.get(f"/publication-scheme/{policy.reference}/")  # anonymous
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dip sample: 94% compliant." in page and "No disproportionality found." in page
    assert PERFORMANCE not in page
    # Said once for the section, in words a member of the public can act on.
    reports = page[page.index("Monitoring reports"):]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reports))
    assert "The performance section of each report is not published here" in text
    assert "Corporate Health Indicators" in text and "Performance Board" in text
    assert "requested under the Freedom of Information Act" in text
    # And at each report, where its performance would have been.
    assert text.count("Performance Not published on the Publication Scheme") == 2


def test_the_page_reads_no_more_queries_for_more_reports(client, people, on_the_scheme_with_reports,
                                                          django_assert_max_num_queries):
    policy = on_the_scheme_with_reports
    client.get(f"/publication-scheme/{policy.reference}/")
    with django_assert_max_num_queries(8) as counted:
        client.get(f"/publication-scheme/{policy.reference}/")
    _published_report(policy, people, *quarter(policy, 2))
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 200


def test_every_section_of_a_report_is_either_published_or_said_not_to_be():
    # A section added to the report later must not vanish from the Scheme without a word, as performance did.
    published = [name for name, _ in SCHEME_REPORT_SECTIONS]
    assert sorted([*published, SCHEME_REPORT_UNPUBLISHED[0]]) == sorted(REPORT_FIELDS)
