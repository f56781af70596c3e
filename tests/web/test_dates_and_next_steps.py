"""Dates that say what they mean and the next step named (issue 17): an overdue review is shown as overdue on
the register, the policy page, My work and the public page, by the one rule of lifecycle.due; the owner is never
told there is nothing to do while it is; queues put overdue apart from due soon, overdue first, each item once."""

import datetime

import pytest
import time_machine
from django.utils.html import escape

from lifecycle import services as lifecycle_services
from lifecycle import workflow
from publication.services import policy_publish
from tests.factories import advance_to, fill_scoping

pytestmark = pytest.mark.django_db


def _published(people, title):
    policy = advance_to(people.policy(title=title), "awaiting_publication", people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    return type(policy).objects.get(pk=policy.pk)


def test_an_overdue_review_is_shown_as_overdue_everywhere(client, people):
    policy = _published(people, "Stop and search")
    late = policy.review_due_on + datetime.timedelta(days=12)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(9)), tick=False):
        client.force_login(people.owner)
        register = client.get("/policies/").content.decode()
        assert '<strong class="govuk-tag govuk-tag--red app-due-tag">Overdue by 12 days</strong>' in register
        detail = client.get(f"/policies/{policy.reference}/").content.decode()
        assert "The review is overdue by 12 days" in detail
        assert f"A review is started by {escape(workflow.START_REVIEW.taken_by)}" in detail
        assert "Nothing is waiting for you" not in detail and "nothing for you to do" not in detail
        client.logout()
        public = client.get(f"/publication-scheme/{policy.reference}/").content.decode()
        assert "Overdue by 12 days" in public


def test_my_work_puts_overdue_first_apart_from_due_soon_and_names_the_next_step(client, people):
    late = _published(people, "Overdue one")
    soon = _published(people, "Due soon one")
    # Bring the second one's review to 3 months after the first one's, so that one is overdue and one due soon.
    lifecycle_services.policy_set_review_date(policy=soon, actor=people.lead,
                                              review_due_on=soon.review_due_on - datetime.timedelta(days=1),
                                              reason="Legislation.")
    type(soon).objects.filter(pk=soon.pk).update(review_due_on=late.review_due_on + datetime.timedelta(days=90))
    today = late.review_due_on + datetime.timedelta(days=5)
    # Their annual reports kept up: each next due after its review, which is then what comes next (a report due
    # before it comes first, as on the policy's own page: tests/workspace/test_next_agrees_with_overview.py).
    type(soon).objects.filter(pk__in=[late.pk, soon.pk]).update(
        monitoring_report_due_on=today + datetime.timedelta(days=200))
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(9)), tick=False):
        client.force_login(people.coordinator)
        home = client.get("/").content.decode()
    overdue_at = home.index("Reviews overdue")
    soon_at = home.index("Reviews due within 6 months")
    assert overdue_at < soon_at
    reviews_overdue = home[overdue_at:home.index("</ul>", overdue_at)]
    reviews_soon = home[soon_at:home.index("</ul>", soon_at)]
    assert "Overdue one" in reviews_overdue and "Due soon one" not in reviews_overdue
    assert "Due soon one" in reviews_soon and "Overdue one" not in reviews_soon
    # Both are published and not yet moved to monitoring: the way on from implementation, as their overview says it
    # (tests/workspace/test_next_agrees_in_implementation_and_qa.py), not a review My work chose itself.
    assert (f"Next: <strong>{workflow.COMPLETE_IMPLEMENTATION.page.title}</strong>, by the co-ordinator, the policy "
            "manager or ") in home
    assert f"Next: <strong>{workflow.START_REVIEW.page.title}</strong>" not in home


def test_an_action_whose_gates_are_unmet_is_not_ready_yet_and_links_each_missing_item(client, people):
    policy = people.policy(title="Not scoped yet")
    client.force_login(people.developer)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "Not ready yet" in detail and 'href="#checklist"' in detail
    assert f'href="/policies/{policy.reference}/actions/request-commissioning/"' not in detail
    page = client.get(f"/policies/{policy.reference}/actions/request-commissioning/").content.decode()
    # The confirmation page claims nothing untrue, and offers no button that would fail.
    assert "Scoping is complete" not in page
    assert "Not ready yet" in page
    # Each linked to the field it names (QA crawl: the Workbook's items opened the top of a long form).
    assert (f'<a class="govuk-link" href="/policies/{policy.reference}/workbook/#id_need">'
            "Record the need in the Workbook</a>") in page
    assert (f'<a class="govuk-link" href="/policies/{policy.reference}/eia/#id_aims">'
            "Start the Equality Impact Assessment</a>") in page
    assert "Request commissioning</button>" not in page
    # Once scoped, the button is offered and the page explains it.
    fill_scoping(policy, people)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "Not ready yet" not in detail
    assert f'href="/policies/{policy.reference}/actions/request-commissioning/" draggable="false"' in detail
    page = client.get(f"/policies/{policy.reference}/actions/request-commissioning/").content.decode()
    assert "Scoping is complete" in page and "Request commissioning</button>" in page


def test_the_publish_channels_are_one_question(client, people):
    policy = advance_to(people.policy(), "awaiting_publication", people)
    client.force_login(people.pcu)
    page = client.get(f"/policies/{policy.reference}/actions/publish/").content.decode()
    legend = page.index("Where should it be published?</legend>")
    assert page.rindex("<fieldset", 0, legend) < legend < page.index("Corporate Policy Intranet", legend) \
        < page.index("Notices", legend) < page.index("Publication Scheme (public)", legend) \
        < page.index("</fieldset>", legend)
    # The action page is not the overview: no tab is current on it.
    assert 'aria-current="page">Overview' not in page


def test_a_report_waiting_for_quality_assurance_is_one_item_not_two(client, people):
    from assessments.services import monitoring_report_create, monitoring_report_submit

    policy = _published(people, "Reported on")
    late = policy.monitoring_report_due_on + datetime.timedelta(days=3)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(9)), tick=False):
        report = monitoring_report_create(
            policy=policy, actor=people.developer, period_start=policy.first_published_on,
            period_end=policy.monitoring_report_due_on, compliance="96% compliant.", benefits="Fewer complaints.",
            diversity_impact="None found.")
        monitoring_report_submit(report=report, actor=people.developer)
        client.force_login(people.coordinator)
        home = client.get("/").content.decode()
    assert "Monitoring reports to quality-assure or publish" in home
    assert home.count(f"/policies/{policy.reference}/monitoring/{report.pk}/") == 1
    assert "Monitoring reports overdue" not in home


def test_an_exceptional_step_is_offered_once_it_can_be_taken_not_as_a_step_not_ready(client, people):
    """PCU may carry out a withdrawal from any status, once the Lead or the owner has decided it. Until then it is no
    next step: listing "Carry out the withdrawal: not ready yet" on every policy (a policy awaiting its first
    publication among them) read as if a withdrawal were due. The way on from the status is still listed when not
    ready (above); an exceptional step appears once it is ready."""
    from lifecycle import services as lifecycle_services
    from lifecycle.models import QASignOff
    from tests.factories import what_was_read

    policy = advance_to(people.policy(title="Awaiting its first publication"), "awaiting_publication", people)
    signer = QASignOff.objects.get(policy_version=policy.current_version, discipline="pcu").signed_by
    publisher = people.pcu if signer != people.pcu else people.pcu_qa
    client.force_login(publisher)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "Carry out the withdrawal" not in detail
    assert f'href="/policies/{policy.reference}/actions/publish/" draggable="false"' in detail
    lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded by national APP.",
                                                **what_was_read(policy))
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'href="/policies/{policy.reference}/actions/withdraw/" draggable="false"' in detail


def test_a_step_barred_by_separation_of_duties_is_explained_on_the_overview(client, people):
    """PCU's member who recorded the quality assurance of the version awaiting publication may not publish it. The
    overview says so where the button would be, instead of leaving it out without a word."""
    from lifecycle.models import QASignOff

    policy = advance_to(people.policy(title="Awaiting publication"), "awaiting_publication", people)
    signer = QASignOff.objects.get(policy_version=policy.current_version, discipline="pcu").signed_by
    client.force_login(signer)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'href="/policies/{policy.reference}/actions/publish/"' not in detail
    assert ("Someone else must publish it: you recorded the quality assurance of version 1.0 for Policy "
            "Co-ordination Unit, and one person may not hold two parts in the same version (separation of duties)."
            in detail)
    other = people.pcu if signer != people.pcu else people.pcu_qa
    client.force_login(other)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "separation of duties" not in detail


def test_a_checklist_lists_only_what_applies_to_the_version(client, people):
    """A first version has no review and no monitoring reports to read: its checklist does not list them as done.
    (A review lists them, each report to read: tests/assessments/test_monitoring_response.py.)"""
    from lifecycle import gates

    policy = people.policy(title="A first version")
    client.force_login(people.developer)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert 'id="checklist"' in detail and gates.need_recorded.label in detail
    assert gates.monitoring_reports_read.label not in detail


def test_a_barred_step_is_explained_only_when_something_waits_for_it(client, people):
    """QA walk of 2026-12-06 (LOW): the PCU member who recorded the version's quality assurance was told on every
    policy in force "Someone else must re-publish it", when no review concluding no change waited for anyone to
    re-publish it. A step that waits for a part under way (``Step.under_way``: DCFD's confirmation, then PCU's
    re-publication) is explained only when that part is under way."""
    from dateutil.relativedelta import relativedelta

    from lifecycle.models import QASignOff
    from tests.factories import monitoring_up_to_date, reload

    def at(day):
        return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)

    with at(datetime.date(2023, 3, 1)):
        policy = advance_to(people.policy(title="In force"), "monitoring", people)
    signer = QASignOff.objects.get(policy_version=policy.current_version, discipline="pcu").signed_by
    client.force_login(signer)
    day = reload(policy).review_due_on - relativedelta(months=2)
    with at(day):
        detail = client.get(f"/policies/{policy.reference}/").content.decode()
        assert "Someone else must re-publish it" not in detail and "separation of duties" not in detail
        # Once DCFD has confirmed the EIA of a review concluding no change, re-publication waits: it is said.
        monitoring_up_to_date(reload(policy), people)
        lifecycle_services.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit.")
        lifecycle_services.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="stands")
        detail = client.get(f"/policies/{policy.reference}/").content.decode()
        assert "Someone else must re-publish it" in detail
