"""A policy re-marked OFFICIAL-SENSITIVE by its review is so at once, its version in force included
(lifecycle.services.details). Its page, read by someone shown the version in force (not the draft), showed
"Protective marking: OFFICIAL-SENSITIVE" beside version 1.0's own "Suitable for Publication Scheme: Yes", with nothing
to say that version 1.0 was published OFFICIAL (the library's document control did the same: QA walk in Chromium).
The marking shown stays the policy's, the one obeyed; the page now says what the version was published as."""

from __future__ import annotations

import re

import pytest

from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import advance_to, reload
from tests.library.helpers import published
from tests.lifecycle.test_details import update

pytestmark = pytest.mark.django_db


def _row(html: str, key: str) -> str:
    found = re.search(rf'<dt class="govuk-summary-list__key">{re.escape(key)}</dt>\s*'
                      r'<dd class="govuk-summary-list__value[^"]*">(.*?)</dd>', html, re.S)
    assert found, key
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_version_in_force_says_it_was_published_official(client, people):
    policy = advance_to(published(people, title="Informants"), Status.MONITORING, people)
    client.force_login(people.dcfd)
    before = client.get(f"/policies/{policy.reference}/").content.decode()
    assert _row(before, "Protective marking") == "OFFICIAL"

    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
           suitable_for_publication_scheme=False)

    html = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "version 1.0" in _row(html, "Title and version") and _row(html, "Suitable for Publication Scheme") == "Yes"
    assert _row(html, "Protective marking") == (
        "OFFICIAL-SENSITIVE Version 1.0 was published as OFFICIAL. The policy was re-marked OFFICIAL-SENSITIVE after "
        "it was published, and version 1.0 with it.")
    # The draft, read by those working on it, is the review's: nothing to say of it.
    client.force_login(people.developer)
    draft = client.get(f"/policies/{policy.reference}/").content.decode()
    assert _row(draft, "Protective marking") == "OFFICIAL-SENSITIVE"
