"""The other editors of a draft's parts, posted after the policy moved on while the page was open (the manager
submitted the draft for quality assurance meanwhile): the consultation log's new record, a consultation's response
and the document details each answered with a redirect and a one-line message, and what was typed was lost (found
checking the other editors after the QA walk's t_sop_removed; the statement, the EIA and the Workbook already kept it:
tests/web/test_editor_text_kept.py). Now each says that nothing was saved or recorded and why, and shows back what was
typed (409, lifecycle.typed_back.refused); for someone who no longer sees the policy, the page that does not say
whether it exists, with what was typed (404, lifecycle.typed_back.gone)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import services as s
from lifecycle.details import details_hash
from lifecycle.models import ConsultationRecord
from lifecycle.states import Status
from tests.factories import advance_to, fill_development, reload

pytestmark = pytest.mark.django_db

CONSULTEE = "Inspector Amira Haddad"
RESPONSE = "The staff association supports a 31-day retention period."
PURPOSE = "To set one retention period for body-worn video across the force."


@pytest.fixture
def submitted_meanwhile(people):
    """A draft in development with one consultation record, whose pages were opened, then submitted for QA."""
    policy = advance_to(people.policy(title="Body-worn video retention"), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    record = s.consultation_record(policy=reload(policy), actor=people.developer, consultee="Staff association",
                                   organisation="Police Federation", consultee_type="staff_association",
                                   date_sent=reload(policy).created_at.date())
    expected = details_hash(reload(policy).details_snapshot())
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    return policy, record, expected


def new_record(policy) -> dict:
    sent = policy.created_at.date()
    return {"consultee": CONSULTEE, "organisation": "Territorial Policing", "consultee_type": "internal",
            "date_sent-day": sent.day, "date_sent-month": sent.month, "date_sent-year": sent.year,
            "response": RESPONSE}


def summary_of(page: str) -> str:
    return page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]


def test_a_consultation_recorded_after_the_draft_moved_on_keeps_what_was_typed(client, people, submitted_meanwhile):
    policy, _, _ = submitted_meanwhile
    records = ConsultationRecord.objects.count()
    client.force_login(people.manager)
    response = client.post(f"/policies/{policy.reference}/consultation/", new_record(policy))
    page = response.content.decode()
    assert response.status_code == 409
    assert "cannot record consultation" in summary_of(page).lower()
    assert "Nothing was recorded" in page and CONSULTEE in page and RESPONSE in page
    assert '<h3 class="govuk-heading-s">Consultee</h3>' in page and '<h3 class="govuk-heading-s">None</h3>' not in page
    client.force_login(people.developer)  # who no longer sees the policy once submitted
    response = client.post(f"/policies/{policy.reference}/consultation/", new_record(policy))
    assert response.status_code == 404 and CONSULTEE in response.content.decode()
    assert ConsultationRecord.objects.count() == records


def test_a_response_recorded_after_the_draft_moved_on_keeps_what_was_typed(client, people, submitted_meanwhile):
    policy, record, _ = submitted_meanwhile
    client.force_login(people.manager)
    response = client.post(f"/policies/{policy.reference}/consultation/{record.pk}/response/",
                           {"response": RESPONSE, "seen": ""})
    page = response.content.decode()
    assert response.status_code == 409
    assert summary_of(page).strip() and "Nothing was saved" in page and RESPONSE in page
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/consultation/{record.pk}/response/",
                           {"response": RESPONSE, "seen": ""})
    assert response.status_code == 404 and RESPONSE in response.content.decode()
    assert ConsultationRecord.objects.get(pk=record.pk).response == ""


def test_details_saved_after_the_draft_moved_on_keep_what_was_typed(client, people, submitted_meanwhile):
    policy, _, expected = submitted_meanwhile
    details = {"title": policy.title, "purpose": PURPOSE, "relevant_to": "All officers and staff",
               "protective_marking": "official", "risk_tier": "medium", "expected_details": expected}
    client.force_login(people.manager)
    response = client.post(f"/policies/{policy.reference}/details/", details)
    page = response.content.decode()
    assert response.status_code == 409
    assert "cannot be changed" in summary_of(page) and "Nothing was saved" in page and PURPOSE in page
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/details/", details)
    assert response.status_code == 404 and PURPOSE in response.content.decode()
    assert reload(policy).purpose != PURPOSE


def test_the_refusals_cost_a_fixed_number_of_queries(client, people, submitted_meanwhile):
    policy, record, expected = submitted_meanwhile
    client.force_login(people.manager)
    posts = {
        "consultation": (f"/policies/{policy.reference}/consultation/", new_record(policy)),
        "response": (f"/policies/{policy.reference}/consultation/{record.pk}/response/",
                     {"response": RESPONSE, "seen": ""}),
        "details": (f"/policies/{policy.reference}/details/",
                    {"title": policy.title, "purpose": PURPOSE, "relevant_to": "All officers and staff",
                     "protective_marking": "official", "risk_tier": "medium", "expected_details": expected}),
    }
    counts = {}
    for name, (path, data) in posts.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.post(path, data).status_code == 409
        counts[name] = len(queries)
    # The response's refusal comes from its service, under the policy's lock (the page offers its form while the
    # person may respond); the others' from the page's own permission, asked before anything is written.
    assert counts == {"consultation": 6, "response": 12, "details": 6}
