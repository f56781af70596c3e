"""The Publication Scheme publishes a monitoring report's compliance, benefits and diversity impact but not its
performance section (916e476: the public page says so, from the sections declared in publication.selectors). Its
author was not told: the form asked for "Performance" beside the published sections without a word. The Performance
box of the form that starts a report, and of the draft's, now has a hint saying it is not published there, and why,
in the words of the Scheme page."""

from __future__ import annotations

import re

import pytest

from assessments import forms, services
from lifecycle.states import Status
from publication.selectors import SCHEME_REPORT_SECTIONS, SCHEME_REPORT_UNPUBLISHED, SCHEME_REPORT_UNPUBLISHED_WHY


def hint_of(page: str, field: str) -> str | None:
    found = re.search(rf'<div id="id_{field}-hint" class="govuk-hint">(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else None


@pytest.mark.parametrize("form_class", [forms.MonitoringReportForm, forms.MonitoringSectionsForm])
def test_the_hint_is_on_the_section_the_scheme_does_not_publish_in_its_words(form_class):
    name, label = SCHEME_REPORT_UNPUBLISHED
    field = form_class.base_fields[name]
    assert field.label == label
    assert field.help_text.startswith("Not published on the Publication Scheme")
    # Its reason is the Scheme page's (one declaration, assessments.scheme_sections), and says where the data goes.
    reason = field.help_text.split(": ", 1)[1]
    assert SCHEME_REPORT_UNPUBLISHED_WHY.endswith(reason)
    assert "Corporate Health Indicators" in reason and "Freedom of Information Act" in reason
    for published, _ in SCHEME_REPORT_SECTIONS:
        assert "Publication Scheme" not in form_class.base_fields[published].help_text


@pytest.mark.django_db
def test_the_author_reads_it_when_starting_and_writing_a_report(client, policy_in, people):
    policy = policy_in(Status.MONITORING)
    client.force_login(people.developer)
    start = client.get(f"/policies/{policy.reference}/monitoring/").content.decode()
    assert 'aria-describedby="id_performance-hint"' in start
    assert hint_of(start, "performance") == forms.PERFORMANCE_NOT_ON_THE_SCHEME
    assert hint_of(start, "compliance") is None
    report = services.monitoring_report_create(policy=policy, actor=people.developer,
                                               period_start=policy.first_published_on,
                                               period_end=policy.monitoring_report_due_on)
    draft = client.get(f"/policies/{policy.reference}/monitoring/{report.pk}/").content.decode()
    assert hint_of(draft, "performance") == forms.PERFORMANCE_NOT_ON_THE_SCHEME
