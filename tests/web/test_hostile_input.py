"""Nothing reachable by a user ends in a 500, whatever the input: very long text, markup and script,
unicode, wrong ids, wrong methods, stale or doubled submissions. Bad input gets a message and changes
nothing."""

import pytest
from django.utils import timezone

from core.models import AuditEvent
from core.submissions import POLICY_CREATE
from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import advance_to, what_was_read
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db

LONG = "x" * 600_000
HOSTILE_VALUES = [
    "",
    "   ",
    LONG,
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "Ünïcødé 🚓 ‮RTL‬ \u0000 null",
    "'; DROP TABLE lifecycle_policy; --",
    "9" * 40,
    "2026-02-30",
    "-1",
]


@pytest.fixture
def subject(people):
    return advance_to(people.policy(), "development", people)


def _post_everywhere(client, subject, value):
    ref = subject.reference
    forms = {
        "/policies/new/": ["title", "purpose", "relevant_to", "business_group", "owning_unit", "kind", "risk_tier",
                           "protective_marking", "registered_file_reference"],
        f"/policies/{ref}/statement/edit/": ["statement", "summary_of_changes", "base_revision"],
        f"/policies/{ref}/sops/new/": ["title", "text", "protective_marking", "publish_externally"],
        f"/policies/{ref}/consultation/": ["consultee", "organisation", "consultee_type", "date_sent", "response",
                                            "response_received_on"],
        f"/policies/{ref}/eia/": ["aims", "decision", "impact_age", "notes_age", "base_revision"],
        f"/policies/{ref}/workbook/": ["need", "health_and_safety_impact", "base_revision"],
        f"/policies/{ref}/monitoring/": ["period_start", "period_end", "compliance"],
        f"/policies/{ref}/actions/submit-for-qa/": ["expected_status"],
        f"/policies/{ref}/actions/emergency-approve/": ["risk_statement", "eia_due_on", "expected_status"],
        f"/policies/{ref}/actions/emergency-agreement/": ["answer", "reason", "expected_status"],
        f"/policies/{ref}/actions/decide-withdrawal/": ["reason", "replaced_by", "expected_status"],
        f"/policies/{ref}/actions/withdraw/": ["comments", "expected_status"],
        f"/policies/{ref}/actions/conclude-no-change/": ["reason", "expected_status"],
        f"/policies/{ref}/actions/set-review-date/": ["review_due_on", "reason"],
        "/notifications/read/": [],
    }
    for path, fields in forms.items():
        response = client.post(path, dict.fromkeys(fields, value))
        assert response.status_code < 500, (path, value[:40], response.status_code)


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda value: repr(value[:20]))
def test_hostile_form_input_never_500s(client, people, subject, value):
    client.force_login(people.developer)
    _post_everywhere(client, subject, value)
    client.force_login(people.lead)
    _post_everywhere(client, subject, value)


def test_hostile_urls_and_query_strings_never_500(client, people, subject):
    client.force_login(people.developer)
    paths = [
        "/policies/%3Cscript%3E/", "/policies/POL-0000/", "/policies/" + "A" * 5000 + "/",
        f"/policies/{subject.reference}/actions/not-an-action/", f"/policies/{subject.reference}/sops/999999/edit/",
        f"/policies/{subject.reference}/consultation/999999/response/",
        f"/policies/{subject.reference}/monitoring/999999/",
        f"/policies/{subject.reference}/versions/compare/?from=<x>&to=99.99",
        "/policies/?page=-1", "/policies/?page=99999999999999999999", "/policies/?business_group=abc",
        "/policies/?stage=%00", "/policies/?sort=password", "/policies/?q=" + "%F0%9F%9A%93" * 300,
        "/notifications/?page=abc", "/publication-scheme/?page=%00", "/publication-scheme/POL-9999/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in {200, 302, 400, 404}, (path[:80], response.status_code)


def test_wrong_methods_are_refused_politely(client, people, subject):
    client.force_login(people.developer)
    for method, path in [("put", f"/policies/{subject.reference}/actions/submit-for-qa/"),
                         ("delete", f"/policies/{subject.reference}/"),
                         ("get", "/notifications/read/"),
                         ("post", "/healthz/"),
                         ("patch", "/publication-scheme/")]:
        response = getattr(client, method)(path)
        assert response.status_code in {302, 405}, (method, path, response.status_code)


def test_script_in_a_statement_is_refused_by_name_and_never_rendered(client, people, subject):
    """Markup the sanitiser would remove is refused, naming it (issue 11: nothing vanishes silently); what was
    typed is kept in the form, escaped, and nothing is saved."""
    client.force_login(people.developer)
    version = Policy.objects.get(pk=subject.pk).current_version
    response = client.post(f"/policies/{subject.reference}/statement/edit/", {
        "statement": "<p>Safe <strong>text</strong><script>alert('x')</script><img src=x onerror=alert(1)>"
                     "<a href=\"javascript:alert(1)\">link</a></p>",
        "summary_of_changes": "", "base_revision": version.draft_revision,
    })
    assert response.status_code == 400
    refusal = response.content.decode()
    assert "contains markup PolicyHub does not keep" in refusal and "&lt;script&gt; element" in refusal
    assert "<script>alert(" not in refusal and "<img src=x onerror" not in refusal
    assert Policy.objects.get(pk=subject.pk).current_version.statement == version.statement
    body = client.get(f"/policies/{subject.reference}/statement/").content.decode()
    assert "alert(" not in body and "onerror" not in body and "javascript:" not in body


def test_too_long_title_gets_a_message_and_keeps_the_input(client, people):
    client.force_login(people.developer)
    response = client.post("/policies/new/", {"title": "T" * 300, "purpose": "My purpose text",
                                              "relevant_to": "All staff",
                                              **sent_once(people.developer, POLICY_CREATE)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "200 characters or fewer" in body
    assert "My purpose text" in body


def test_double_submit_is_refused_and_changes_nothing_more(client, people):
    policy = advance_to(people.policy(), "qa_passed", people)
    client.force_login(people.coordinator)
    path = f"/policies/{policy.reference}/actions/forward-to-lead/"
    page = what_was_read(policy)
    first = client.post(path, page, follow=True)
    events = AuditEvent.objects.count()
    second = client.post(path, page, follow=True)
    assert "Forwarded to the Designated Lead" in first.content.decode()
    assert "moved on since you opened the page" in second.content.decode()
    assert AuditEvent.objects.count() == events
    assert Policy.objects.get(pk=policy.pk).status == Status.WITH_LEAD


def test_forbidden_action_by_post_is_refused_with_a_message(client, people):
    policy = advance_to(people.policy(), "with_lead", people)
    client.force_login(people.lead2)
    response = client.post(f"/policies/{policy.reference}/actions/decide/",
                           {"decision": "approve", "expected_status": Status.WITH_LEAD})
    # lead2 cannot see another group's policy in approval at all: 404, and nothing changed.
    assert response.status_code == 404
    # The co-ordinator sees the policy but may not decide it.
    client.force_login(people.coordinator)
    response = client.post(f"/policies/{policy.reference}/actions/decide/",
                           {"decision": "approve", "expected_status": Status.WITH_LEAD, "minute_reference": "COG/1",
                            "meeting_on": timezone.localdate().isoformat()}, follow=True)
    assert "not allowed" in response.content.decode()
    assert Policy.objects.get(pk=policy.pk).status == Status.WITH_LEAD
