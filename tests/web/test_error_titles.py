"""Every page that shows an error summary starts its <title> with "Error: " (GOV.UK: "If there's an error, add
'Error: ' to the beginning of the <title> so screen readers read it out as soon as possible"), whatever drew the
summary: a form's errors, a bad address (/notices/?before=x, 400), a period the wrong way round. Several pages showed
the summary with no prefix (QA10 item 10); the prefix is now added in one place (core.middleware), once."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

SUMMARY = 'class="govuk-error-summary"'


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def _pages_with_errors(client, people):
    """(label, response) for pages drawn with an error summary, as different people reach them."""
    client.force_login(people.pcu)
    yield "notices: a bad ?before=", client.get("/notices/", {"before": "x"})
    yield "dashboard report: the period the wrong way round", client.get(
        "/dashboard/report/", {"from": "2027-01-01", "to": "2026-01-01"})
    yield "library: a scope not listed", client.get("/library/", {"scope": "zzz"})
    yield "register: a stage not listed", client.get("/policies/", {"stage": "zzz"})
    yield "password change: nothing typed", client.post("/account/password/", {})
    client.logout()
    yield "sign-in: nothing typed", client.post("/sign-in/", {})


def test_every_page_with_an_error_summary_has_the_error_prefix_once(client, people):
    walked = []
    for label, response in _pages_with_errors(client, people):
        html = response.content.decode()
        assert SUMMARY in html, f"{label}: no error summary ({response.status_code})"
        title = _title(html)
        assert title.startswith("Error: ") and not title.startswith("Error: Error: "), (label, title)
        walked.append(label)
    assert len(walked) == 6


def test_a_page_without_an_error_summary_has_no_prefix(client, people):
    client.force_login(people.pcu)
    for path in ("/notices/", "/library/", "/dashboard/report/"):
        html = client.get(path).content.decode()
        assert SUMMARY not in html and not _title(html).startswith("Error"), path


def test_words_of_the_error_summary_typed_in_a_statement_do_not_make_its_page_an_error(client, people):
    """Review of 2026-12-06 (LOW): the middleware looked for the summary's class in the page's bytes, and rich text
    keeps a '"' in text as it is, so a statement quoting class="govuk-error-summary" titled every page showing it
    "Error: ". It looks for the summary's own opening tag, which no sanitised text can hold."""
    from lifecycle import services as lifecycle_services

    policy = people.policy()
    typed = ('<p>Copy the markup class="govuk-error-summary" data-module="govuk-error-summary" from the kit.</p>'
             '<div class="govuk-error-summary" data-module="govuk-error-summary">pasted</div>')
    lifecycle_services.draft_update(policy=policy, actor=people.developer, statement=typed)
    client.force_login(people.developer)
    html = client.get(f"/policies/{policy.reference}/statement/").content.decode()
    assert 'class="govuk-error-summary"' in html  # the words are on the page
    assert not _title(html).startswith("Error"), _title(html)
