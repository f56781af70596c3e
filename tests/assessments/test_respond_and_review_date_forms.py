"""The Lead's forms after monitoring (found by the thirteenth session's Chromium walk): "Respond to this report",
followed from a report, left the report unchosen among several, and its "who will do it" list opened on Django's
"---------"; "Bring the review forward" did not say when the review is due now, though the new date must be earlier."""

from __future__ import annotations

import datetime
import re

import pytest

from assessments import services
from lifecycle.states import Status
from tests.factories import reload, the_year_due
from tests.submissions import bound_once

pytestmark = pytest.mark.django_db


def quality_assured_report(policy, people, start, end):
    report = services.monitoring_report_create(policy=policy, actor=people.developer, period_start=start,
                                               period_end=end, compliance="Dip sample: 94% compliant.",
                                               benefits="Fewer complaints.", diversity_impact="None found.")
    services.monitoring_report_submit(report=report, actor=people.developer)
    services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    services.monitoring_report_publish(report=report, actor=people.pcu)
    return report


def test_respond_from_a_report_chooses_that_report(client, people, policy_in):
    policy = policy_in(Status.MONITORING)
    # Two reports of the year from its publication (a period starts no earlier: assessments.services.
    # monitoring_periods), the first of its first half.
    first_published, halfway = policy.first_published_on, policy.first_published_on + datetime.timedelta(days=180)
    quality_assured_report(policy, people, first_published, halfway)
    second = quality_assured_report(policy, people, halfway, reload(policy).monitoring_report_due_on)
    client.force_login(people.lead)
    report_page = client.get(f"/policies/{policy.reference}/monitoring/{second.pk}/").content.decode()
    link = f"/policies/{policy.reference}/actions/respond-to-monitoring/?report={second.pk}"
    assert f'href="{link}"' in report_page
    form = client.get(link).content.decode()
    checked = re.findall(r'<input[^>]*name="report"[^>]*>', form)
    assert [radio for radio in checked if " checked" in radio] == [
        radio for radio in checked if f'value="{second.pk}"' in radio]
    assert "---------" not in form and "Choose who will do it" in form


def test_bringing_the_review_forward_says_when_it_is_due_now(client, people, policy_in):
    policy = policy_in(Status.MONITORING)
    due = reload(policy).review_due_on
    client.force_login(people.lead)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(
        f"/policies/{policy.reference}/actions/set-review-date/").content.decode()))
    assert f"The review is due on {due:%-d %B %Y} now: the new date must be earlier." in page


def test_a_link_chooses_only_what_its_form_lets_a_link_choose(client, people, policy_in):
    """The respond page's link chooses the report; no link may pre-fill a decision or its reasons (a crafted link to
    the Lead's decision page with ?decision=approve&comments=... is the page as it always is)."""
    policy = policy_in(Status.WITH_LEAD)
    client.force_login(people.lead)
    page = client.get(f"/policies/{policy.reference}/actions/decide/?decision=approve&comments=Looks+fine"
                      ).content.decode()
    assert "Looks fine" not in page
    assert not [radio for radio in re.findall(r'<input[^>]*name="decision"[^>]*>', page) if " checked" in radio]


def _parts(name, day, month, year):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def test_each_of_the_two_dates_is_named_in_its_error(client, people, policy_in):
    """QA walk: the Lead's response form said "Enter a real date" of either of its two dates, in the error summary as
    on the field, without saying which."""
    policy = policy_in(Status.MONITORING)
    year = the_year_due(policy)
    report = quality_assured_report(policy, people, year["period_start"], year["period_end"])
    client.force_login(people.lead)
    response = client.post(f"/policies/{policy.reference}/actions/respond-to-monitoring/", {
        "report": report.pk, "outcome": "remedial", "reasons": "Gaps.", "remedial_action": "Train.",
        **_parts("remedial_due_on", "31", "2", "2027"), **_parts("review_due_on", "x", "1", "2027")})
    body = response.content.decode()
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', body, re.S).group(1)
    for message in ("The remedial action’s done-by date must be a real date",
                    "The new review date must be a real date"):
        assert message in summary and body.count(message) == 2, (message, summary)
    assert "Enter a real date" not in body


@pytest.mark.parametrize(("form_class", "names"), [
    ("assessments.forms.MonitoringReportForm", ("period_start", "period_end")),
    ("assessments.forms.MonitoringPeriodForm", ("period_start", "period_end")),
    ("lifecycle.forms.drafting.ConsultationForm", ("date_sent", "response_received_on")),
])
def test_every_form_with_two_dates_names_each_in_its_error(form_class, names):
    """The monitoring report's period and the consultation log's two dates said "Enter a real date" of either date
    (the last note's leftover, after the Lead's response form was mended): each now names its own, as GOV.UK asks."""
    from django.utils.module_loading import import_string

    form_class = import_string(form_class)
    data = {key: value for name in names for key, value in _parts(name, "31", "2", "2026").items()}
    form = bound_once(form_class, data) if hasattr(form_class, "submission_purpose") else form_class(data=data)
    assert not form.is_valid()
    said = [form.errors[name][0] for name in names]
    assert said == [f"{form[name].label} must be a real date" for name in names]
    assert len(set(said)) == 2


def test_the_review_date_names_itself_in_its_error():
    """The form that brings a review forward said "Enter a real date", as the two-date forms did; it names its
    question as GOV.UK asks ("New review date must be a real date")."""
    from lifecycle.forms.steps import ReviewDateForm

    form = ReviewDateForm(data={**_parts("review_due_on", "31", "2", "2027"), "reason": "New legislation."})
    assert not form.is_valid()
    assert form.errors["review_due_on"] == ["New review date must be a real date"]
