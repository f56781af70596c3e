"""Links in the inbox and the daily digest e-mail (found by the previous session's follow-ups).

The chase's one item per person for their reminders to read and confirm ("You have 1 policy to read and confirm") was
no link in the inbox: it is about no one policy, and only an item about a policy was given a page. It now leads to
the Acknowledgements page. And reminders carry the site's paths in their words ("... confirm you have read it at
/acknowledgements/.", "Reassign at /policies/POL-0001/people/: ..."), which lead nowhere from an e-mail: the digest
writes each as the site's full address (POLICYHUB_BASE_URL, as its link lines), a link in its HTML, so that no
relative path is left in an e-mail."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.links import for_links, with_links
from notifications.models import Notification
from tests.library.helpers import published, staff
from tests.notifications.test_inbox_open import leading_to

pytestmark = pytest.mark.django_db

BASE = settings.POLICYHUB_BASE_URL
READ_AND_CONFIRM = "You have 1 policy to read and confirm"
# A path of the site not written as a full address: "/" after neither a scheme, a host, a path nor a tag's "<".
RELATIVE = re.compile(r"(?<![\w:/.<-])/[\w-]")


def everything_told(people, capture):
    """A published policy whose asked staff are told at publication (each their item, its body naming the library
    page), someone who joined its unit later (told by the chase in one item for all they are to read), and a
    developer who has left (the co-ordinator's orphan reminder, naming the People page). Returns who joined later."""
    policy = published(people, title="Stop and search", audience={"business_groups": [people.group]})
    with capture(execute=True):
        services.outbox_relay()
    reader = staff("reader", people.unit, email="reader@example.org")
    people.developer.is_active = False
    people.developer.save(update_fields=["is_active"])
    services.chase_run()
    return policy, reader


def sent(today=None) -> list:
    for digest_id in services.digests_prepare(today=today or timezone.localdate()):
        services.digest_send(digest_id=digest_id)
    return mail.outbox


def html_of(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


def test_the_chases_reminder_to_read_and_confirm_leads_to_the_acknowledgements_page(
        client, people, django_capture_on_commit_callbacks):
    _, reader = everything_told(people, django_capture_on_commit_callbacks)
    [item] = Notification.objects.filter(recipient=reader)
    assert item.title == READ_AND_CONFIRM and item.policy_id is None
    client.force_login(reader)
    page = leading_to(client.get(reverse("notifications:list")).content.decode())  # each item's link, where it leads
    assert f'href="{reverse("acknowledgements:list")}">{READ_AND_CONFIRM}</a>' in page
    assert client.get(reverse("acknowledgements:list")).status_code == 200

    [message] = [message for message in sent() if message.to == ["reader@example.org"]]
    acknowledgements = f"{BASE}{reverse('acknowledgements:list')}"
    assert f"- {READ_AND_CONFIRM}\n  Read each and confirm you have read it at {acknowledgements}.\n  " \
           f"{acknowledgements}\n" in message.body
    assert f'<a href="{acknowledgements}">{READ_AND_CONFIRM}</a>' in html_of(message)


def test_no_relative_path_is_left_in_a_digest_email(people, django_capture_on_commit_callbacks):
    policy, _ = everything_told(people, django_capture_on_commit_callbacks)
    messages = sent()
    people_page = f"{BASE}{reverse('lifecycle:people', args=[policy.reference])}"
    library_page = f"{BASE}{reverse('library:policy', args=[policy.reference])}"
    [coordinator] = [message for message in messages if message.to == [people.coordinator.email]]
    # The orphan reminder and the request to read, each naming its page by its full address, a link in the HTML.
    assert f"Reassign at {people_page}: " in coordinator.body
    assert f"and confirm you have read it at {library_page}." in coordinator.body
    assert f'Reassign at <a href="{people_page}">{people_page}</a>: ' in html_of(coordinator)
    assert len(messages) >= 3
    for message in messages:
        for written in (message.body, html_of(message)):
            assert not RELATIVE.findall(written), (message.to, RELATIVE.search(written), written)


def test_a_path_is_made_a_full_address_only_where_it_is_one_of_the_sites():
    from notifications.links import in_email_html, in_email_text

    item = Notification(title="", body="")  # about no policy: the chase's one item for all a person is to read
    assert in_email_text(item, "Read each and confirm you have read it at /acknowledgements/.",
                         base_url="https://ph.example") == \
        "Read each and confirm you have read it at https://ph.example/acknowledgements/."
    # Not a path of the site, not a path at all, or not where the service's sentence names its page: as written.
    for text in ("Stop and/or search", "1/2 of the unit", "Scan at /nowhere/ in the hall", "https://gov.uk/x/",
                 "confirm you have read it at /nowhere/.", "Read it at /acknowledgements/."):
        assert in_email_text(item, text, base_url="https://ph.example") == text
    item.body = "<b> and confirm you have read it at /acknowledgements/."
    assert str(in_email_html(item, base_url="https://ph.example")) == \
        '&lt;b&gt; and confirm you have read it at <a href="https://ph.example/acknowledgements/">' \
        'https://ph.example/acknowledgements/</a>.'


def test_the_inbox_item_for_all_to_read_is_linked_without_a_query(people, django_capture_on_commit_callbacks):
    _, reader = everything_told(people, django_capture_on_commit_callbacks)
    items = list(for_links(Notification.objects.filter(recipient=reader)))
    with CaptureQueriesContext(connection) as queries:
        [item] = with_links(items, user=reader)
    assert item.link == reverse("acknowledgements:list") and not item.unavailable
    assert len(queries) == 0


def test_the_inbox_shows_the_sites_paths_in_an_items_words_as_links(client, people,
                                                                     django_capture_on_commit_callbacks):
    """The inbox page wrote "Reassign at /policies/POL-0001/people/: ..." as plain text: each of the site's paths in
    an item's words is a link there too (relative, on the site), escaped as before, and named in words: "Reassign on
    the policy's People page: ..."."""
    policy, _ = everything_told(people, django_capture_on_commit_callbacks)
    people_page = reverse("lifecycle:people", args=[policy.reference])
    library_page = reverse("library:policy", args=[policy.reference])
    client.force_login(people.coordinator)
    page = client.get(reverse("notifications:list")).content.decode()
    # Named in words, not as a raw path (QA crawl, finding 10).
    assert f'Reassign on <a class="govuk-link" href="{people_page}">the policy&#x27;s People page</a>: ' in page
    assert f'confirm you have read it on <a class="govuk-link" href="{library_page}">its page in the library</a>.' \
        in page
    assert f">{people_page}</a>" not in page and f">{library_page}</a>" not in page


def test_words_someone_typed_are_never_made_a_link(client, people, django_capture_on_commit_callbacks):
    """Review (2026-12-05): every path of the site in an item's words was made a link, and those words include what
    people type (a policy's title): a title "Guide /people/coordinator/handover/" put a link to the handover form,
    that leaver chosen, in the inbox and e-mail of everyone asked to read the policy. Only the pages the service's own
    sentences name are linked (the policy's library and People pages, the Acknowledgements page), and a policy's
    page only for the item's own policy."""
    reader = staff("reader", people.unit, email="reader@example.org")
    other = published(people, title="Other policy")
    title = f"Guide /people/coordinator/handover/ and /policies/{other.reference}/people/ and /acknowledgements/"
    policy = published(people, title=title, audience={"business_groups": [people.group]})
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_relay()
    client.force_login(reader)
    page = client.get(reverse("notifications:list")).content.decode()
    library_page = reverse("library:policy", args=[policy.reference])
    assert f'<a class="govuk-link" href="{library_page}">its page in the library</a>' in page
    for typed in ("/people/coordinator/handover/", f"/policies/{other.reference}/people/"):
        assert f'href="{typed}"' not in page
    assert 'href="/acknowledgements/">/acknowledgements/</a>' not in page  # typed in the title, not the service's
    [message] = [message for message in sent() if message.to == ["reader@example.org"]]
    for typed in ("/people/coordinator/handover/", f"/policies/{other.reference}/people/"):
        assert f"{BASE}{typed}" not in message.body and f"{BASE}{typed}" not in html_of(message)
    assert f"{BASE}{library_page}" in message.body
