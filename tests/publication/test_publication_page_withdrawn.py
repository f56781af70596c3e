"""A withdrawn policy's Publication page says the publication was withdrawn, when, by whom and on whose decision,
and that it was taken down from every channel it was on; it never reads "published, current" (walk B found it did).
The stored files stay downloadable for those allowed, as evidence of what was published (SOP: "Retain an audit trail
of all versions of policy statements and SOPs for continuity purposes and to assist in court cases and disciplinary
and misconduct investigations"), and are offered as that record, not as the policy in force."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from core.dates import date_shown
from lifecycle import services as lifecycle_services
from tests.publication.test_stored_files import publish
from tests.web.test_publication_scheme import republish

pytestmark = pytest.mark.django_db

DOWNLOAD_LINK = re.compile(r'<a class="govuk-link" href="(?P<href>[^"]+/files/\d+/)"[^>]*>(?P<text>.*?)</a>', re.S)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def words(html: str) -> str:
    """The page's text as read: each tag a word break."""
    return " ".join(strip_tags(re.sub(r"<[^>]+>", " ", html)).split())


def withdraw(policy, people, reason: str = "Replaced by the national Authorised Professional Practice."):
    lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason=reason)
    lifecycle_services.policy_withdraw(policy=policy, actor=people.pcu)


def test_the_publication_of_a_withdrawn_policy_says_it_was_withdrawn_and_taken_down(
        client, people, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks, scheme=True)
    assert publication.channels == ["Corporate Policy Intranet", "Notices", "MPS Publication Scheme"]
    withdraw(policy, people)
    client.force_login(people.pcu)

    html = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    text = words(html)

    today = date_shown(timezone.localdate())
    assert "published, current" not in text
    assert f"Version 1.0: withdrawn on {today}" in text
    assert f"Withdrawn {today}" in text and f"by {people.pcu}, as decided by {people.lead}" in text
    assert "Reason for withdrawal Replaced by the national Authorised Professional Practice." in text
    assert ("Taken down From every channel it was on: off the Corporate Policy Intranet and the MPS Publication "
            "Scheme; Notices announce the withdrawal.") in text
    assert f"{policy.reference} is withdrawn: none of its publications is in force." in text
    # The files are the record of what was published, said so, and still there for those who may read them.
    links = {match["href"]: words(match["text"]) for match in DOWNLOAD_LINK.finditer(html)}
    assert len(links) == publication.files.count() == 2
    for href, link_text in links.items():
        assert link_text.startswith("Download the ") and "as published (version 1.0" in link_text
        assert client.get(href).status_code == 200
    assert text.count("The record of what was published until it was withdrawn; not in force.") == 2


def test_a_policy_still_in_force_reads_published_current(client, people, django_capture_on_commit_callbacks):
    policy, _ = publish(people, django_capture_on_commit_callbacks, scheme=False)
    client.force_login(people.developer)

    text = words(client.get(f"/policies/{policy.reference}/publication/").content.decode())

    assert "Version 1.0: published, current" in text and "withdrawn" not in text.lower()



def test_a_superseded_publications_files_are_offered_as_the_record_not_as_current(
        client, people, django_capture_on_commit_callbacks):
    policy, first = publish(people, django_capture_on_commit_callbacks, scheme=False)
    with django_capture_on_commit_callbacks(execute=True):
        second = republish(policy, people, scheme=False)
    client.force_login(people.pcu)

    html = client.get(f"/policies/{policy.reference}/publication/").content.decode()

    links = {match["href"]: words(match["text"]) for match in DOWNLOAD_LINK.finditer(html)}
    first_links = [text for href, text in links.items() if f"/publication/{first.pk}/files/" in href]
    second_links = [text for href, text in links.items() if f"/publication/{second.pk}/files/" in href]
    assert first_links and all("PDF as published (version 1.0" in text for text in first_links)
    assert second_links and all("as published" not in text for text in second_links)
    assert "The record of what was published until version 2.0 superseded it; not in force." in words(html)
