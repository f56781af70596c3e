"""A policy re-marked OFFICIAL-SENSITIVE during its review (lifecycle.services.details: at once, the version in force
included): the library's document control of a version published OFFICIAL showed "Protective marking:
OFFICIAL-SENSITIVE" beside that version's own "Suitable for the Publication Scheme: Yes", while its stored PDF, the
evidence, prints OFFICIAL (QA walk in Chromium). The page now shows the marking the version was published with, and
says plainly that the marking was raised since, and when. Only those cleared for the policy's OFFICIAL-SENSITIVE
material read the page at all (library.selectors.library_visibility): to the rest it is "not found", as every other
page of an OFFICIAL-SENSITIVE policy is."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import advance_to, reload, what_was_read
from tests.library.helpers import published, staff, submitted_with
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import media_root  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE


@pytest.fixture
def raised(people, django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL and suitable for the Publication Scheme (on it), now under review, its draft
    re-marked OFFICIAL-SENSITIVE: the policy is so at once."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Informants", statement="<p>Register every contact.</p>")
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    policy = reload(policy)
    assert policy.protective_marking == SENSITIVE
    return policy


def _row(html: str, key: str) -> str:
    found = re.search(rf'<dt class="govuk-summary-list__key">{re.escape(key)}</dt>\s*'
                      r'<dd class="govuk-summary-list__value[^"]*">(.*?)</dd>', html, re.S)
    assert found, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _page(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_version_in_force_shows_the_marking_it_was_published_with_and_that_it_was_raised(client, people, raised):
    html = _page(client, people.lead, f"/library/{raised.reference}/")
    control = html[html.index('id="document-control"'):]

    assert _row(control, "Protective marking").startswith("OFFICIAL "), _row(control, "Protective marking")
    assert _row(control, "Suitable for the Publication Scheme") == "Yes"
    # Said plainly, with the day it was raised, at the top of the page and in the document control.
    today = timezone.localdate().strftime("%-d %B %Y")
    notice = (f"The protective marking of this policy was raised to OFFICIAL-SENSITIVE on {today}, after this "
              "version was published.")
    assert html.count(notice) == 2, html
    assert "Handle it as OFFICIAL-SENSITIVE" in html


def test_an_earlier_version_published_official_says_so_once_an_official_sensitive_version_is_in_force(
        client, people, raised, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = submitted_with(raised, people, statement="<p>Register every contact, now sensitive.</p>",
                                summary_of_changes="Re-marked OFFICIAL-SENSITIVE.")
        policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
        policy_publish(policy=policy, actor=people.pcu, **what_was_read(policy))
    policy = reload(policy)

    earlier = _page(client, people.lead, f"/library/{policy.reference}/versions/1.0/")
    assert _row(earlier, "Protective marking").startswith("OFFICIAL ")
    assert _row(earlier, "Suitable for the Publication Scheme") == "Yes"
    assert "raised to OFFICIAL-SENSITIVE on" in earlier

    in_force = _page(client, people.lead, f"/library/{policy.reference}/")
    assert _row(in_force, "Protective marking") == "OFFICIAL-SENSITIVE"
    assert _row(in_force, "Suitable for the Publication Scheme") == "No"
    assert "raised to OFFICIAL-SENSITIVE" not in in_force


def test_a_version_never_re_marked_says_nothing_of_a_raise(client, people):
    policy = published(people, title="Stop and search", statement="<p>Record every search.</p>")
    html = _page(client, staff("reader", people.unit), f"/library/{policy.reference}/")
    assert _row(html, "Protective marking") == "OFFICIAL"
    assert "raised to" not in html


def test_readers_not_cleared_learn_nothing_of_the_raise(client, people, raised):
    """The re-marked policy's pages are "not found" to staff not cleared for its business group's OFFICIAL-SENSITIVE
    material (as its other pages are): they are not told that it was re-marked, nor when, nor what it now says."""
    reader = staff("reader", people.unit)
    client.force_login(reader)
    for path in (f"/library/{raised.reference}/", f"/library/{raised.reference}/versions/1.0/",
                 "/library/?q=Informants", "/library/"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "OFFICIAL-SENSITIVE" not in response.content.decode(), path
        assert "raised to" not in response.content.decode(), path
    assert client.get(f"/library/{raised.reference}/").status_code == 404


def test_the_raise_costs_one_query_and_only_where_a_version_was_raised(client, people, raised):
    """The day of the raise is read from the audit trail (one query, on the policy's timeline index) only for a
    version read under a higher marking than it was published with: every other library page costs what it did
    (tests/library/test_library.py pins it flat), and this one does not grow with the policy's events."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(policy) -> int:
        client.get(f"/library/{policy.reference}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/library/{policy.reference}/").status_code == 200
        return len(captured)

    client.force_login(people.lead)
    plain = published(people, title="Stop and search", statement="<p>Record every search.</p>")
    before = cost(raised)
    assert before == cost(plain) + 1
    for purpose in ("To govern contacts.", "To govern every contact.", "To govern the contacts."):
        update(reload(raised), people.developer, purpose=purpose)
    assert cost(raised) == before
