"""The Notices page and the staff's feed as printed (publication.notices, the page's template tag): every kind of
notice written exactly as the page's template wrote it, and no Python spent per notice beyond printing its line."""

from __future__ import annotations

import datetime
from html import escape

import pytest
import time_machine
from django.utils import timezone

from core.models import BusinessGroup
from lifecycle import services as lifecycle_services
from lifecycle.models import Policy, PolicyVersion
from lifecycle.states import Status
from publication.models import Publication
from publication.services import policy_publish
from tests.factories import advance_to
from tests.page_cost import PageCost, queries_compiled

pytestmark = pytest.mark.django_db

LONG_PURPOSE = "Officers & staff <must> record the grounds for each decision, and why. " * 7  # 497 characters


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def at(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour, 5))


def publish(people, *, when, **create) -> Policy:
    with time_machine.travel(when, tick=False):
        policy = advance_to(people.policy(**create), Status.AWAITING_PUBLICATION, people)
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=False)
    return Policy.objects.get(pk=policy.pk)


def withdraw(policy, people, *, when, reason: str) -> None:
    with time_machine.travel(when, tick=False):
        lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason=reason)
        lifecycle_services.policy_withdraw(policy=policy, actor=people.pcu)


def revise(policy, people, *, when) -> None:
    with time_machine.travel(when, tick=False):
        lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
        policy = advance_to(Policy.objects.get(pk=policy.pk), Status.AWAITING_PUBLICATION, people)
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=False)


def listing(page: str) -> str:
    """The notices of a page: from the first day's heading to the end of the last day's list."""
    start = page.index('<h2 class="govuk-heading-m">')
    end = page.index("</ul>", page.rindex('<h2 class="govuk-heading-m">')) + len("</ul>")
    return page[start:end]


def item(key: str, kind: str, name: str, line: str, summary: str = "", since_withdrawn: int | None = None) -> str:
    colour = {"Withdrawn": "grey", "Revised": "blue", "Published": "green"}[kind]
    summary = f'<p class="govuk-body govuk-!-margin-bottom-0">{summary}</p>' if summary else ""
    since = ('<p class="govuk-body govuk-!-margin-bottom-0"><a class="govuk-link" '
             f'href="#withdrawal-{since_withdrawn}">Since withdrawn: it is no longer in force.</a></p>'
             if since_withdrawn else "")
    return (f'\n  \n  <li class="govuk-!-margin-bottom-4" id="{key}">'
            f'\n    <strong class="govuk-tag govuk-tag--{colour}">{kind}</strong>'
            f"\n    {name}\n    <br><span class=\"govuk-body-s\">{line}</span>\n    {summary}\n    {since}\n  </li>")


def link(policy, title: str) -> str:
    return f'<a class="govuk-link govuk-!-font-weight-bold" href="/policies/{policy.reference}/">{title}</a>'


def day(heading: str, *items: str) -> str:
    return f'<h2 class="govuk-heading-m">{heading}</h2>\n<ul class="govuk-list">{"".join(items)}\n  \n</ul>'


def publication_key(policy, major: int) -> str:
    return f"publication-{Publication.objects.get(policy=policy, policy_version__major=major).pk}"


def test_each_kind_of_notice_is_printed_as_the_template_printed_it(client, people):
    """The page's HTML for fixed data, pinned: a notice published (its summary the policy's purpose, cut at 400
    characters and escaped), revised (the review's summary of changes), withdrawn (the reason, no link), and the
    published notice of a policy since withdrawn, which its reader may no longer open (no link; a pointer to the
    withdrawal). Days newest first, each headed by its date; the time of each notice in the service's zone."""
    long = publish(people, title="Custody & <care>", purpose=LONG_PURPOSE, when=at(2, 9))
    revised = publish(people, title="Body-worn video", when=at(2, 10))
    revise(revised, people, when=at(3, 11))
    gone = publish(people, title="Paper notebooks", when=at(3, 12))
    withdraw(gone, people, when=at(3, 14), reason="Replaced by devices.")
    purpose = Policy.objects.get(pk=revised.pk).purpose
    group = "Territorial Policing"
    # Another business group's developer: a withdrawn policy is not theirs to open.
    client.force_login(people.developer2)
    shown = listing(client.get("/notices/").content.decode())
    assert shown == (
        day("3 March 2026",
            item(f"withdrawal-{gone.pk}", "Withdrawn", '<span class="govuk-!-font-weight-bold">Paper notebooks</span>',
                 f"{gone.reference} · {group} · 14:05", "Replaced by devices."),
            item(publication_key(gone, 1), "Published",
                 '<span class="govuk-!-font-weight-bold">Paper notebooks</span>',
                 f"{gone.reference}, version 1.0 · {group} · 12:05", escape(purpose), since_withdrawn=gone.pk),
            item(publication_key(revised, 2), "Revised",
                 link(revised, "Body-worn video"),
                 f"{revised.reference}, version 2.0 · {group} · 11:05", "Updated for the 2024 legislation."))
        + "\n\n" + day("2 March 2026",
            item(publication_key(revised, 1), "Published",
                 link(revised, "Body-worn video"),
                 f"{revised.reference}, version 1.0 · {group} · 10:05", escape(purpose)),
            item(publication_key(long, 1), "Published",
                 link(long, "Custody &amp; &lt;care&gt;"),
                 f"{long.reference}, version 1.0 · {group} · 09:05", escape(LONG_PURPOSE[:399] + "…"))))
    # PCU may open the withdrawn policy: its published notice links it, and says it was withdrawn since.
    client.force_login(people.pcu)
    assert link(gone, "Paper notebooks") in client.get("/notices/").content.decode()


def test_the_staff_feed_names_links_and_dates_each_notice_as_before(client, people):
    gone = publish(people, title="Paper notebooks", when=at(3, 12))
    withdraw(gone, people, when=at(3, 14), reason="Replaced by devices.")
    kept = publish(people, title="Body-worn video", when=at(4, 9))
    client.force_login(people.developer2)
    feed = client.get("/notices/feed/").content.decode()
    assert (f"<entry><title>Published: Body-worn video ({kept.reference}, version 1.0)</title>"
            f'<link href="http://testserver/policies/{kept.reference}/" rel="alternate"/>'
            "<published>2026-03-04T09:05:00+00:00</published><updated>2026-03-04T09:05:00+00:00</updated>"
            "<author><name>Territorial Policing</name></author>"
            f"<id>tag:policyhub,2026:notices:{publication_key(kept, 1)}</id>") in feed
    assert (f"<entry><title>Withdrawn: Paper notebooks ({gone.reference})</title>"
            f'<link href="http://testserver/notices/#withdrawal-{gone.pk}" rel="alternate"/>') in feed
    assert (f"<entry><title>Published: Paper notebooks ({gone.reference}, version 1.0)</title>"
            f'<link href="http://testserver/notices/#withdrawal-{gone.pk}" rel="alternate"/>') in feed
    assert (f"<id>tag:policyhub,2026:notices:withdrawal-{gone.pk}</id><summary type=\"html\">Replaced by devices."
            "</summary>") in feed


def test_the_page_spends_no_python_per_notice_beyond_printing_it(client, people, monkeypatch):
    """make bench, 100,000 policies: Notices took 3.2-3.5 times its own SQL, the excess Python that grew with the 50
    notices it shows: four model instances for each (the publication, its policy, its version and the policy's
    business group; two for a withdrawal), a {% url %} and a |date for each, in a loop of template nodes. The notices
    are rows of values now, printed by one template tag: as many instances and URL resolutions for four notices as
    for one."""
    first = publish(people, title="First published", when=at(2, 9))
    page_cost = PageCost(monkeypatch, (Publication, Policy, PolicyVersion, BusinessGroup))
    client.force_login(people.developer2)
    client.get("/notices/")

    def cost() -> tuple[int, int, int]:
        instances, resolutions, page = page_cost(client, "/notices/")
        return instances, resolutions, page.count('<li class="govuk-!-margin-bottom-4"')

    one = cost()
    assert one[2] == 1
    publish(people, title="Second published", when=at(2, 10))
    publish(people, title="Third published", when=at(2, 11))
    withdraw(first, people, when=at(2, 12), reason="Replaced.")
    assert cost() == (one[0], one[1], 4)


def test_the_page_compiles_its_statements_once_per_reader(client, people, monkeypatch):
    """make bench, 100,000 policies: with its rows as values, Notices still took 2.7-3.0 times its own SQL: building
    and compiling its four statements (the publications and withdrawals the reader may see, the withdrawals' reasons,
    which of the policies the reader may open) took 4.6 ms of Python against 3.4 ms of SQL for a developer. They are
    compiled once per reader's Viewer in this process (core.compiled), the time a page goes back from a parameter:
    a second request, and a page further back, compile none of them."""
    from core.models import AuditEvent

    publish(people, title="First published", when=at(2, 9))
    gone = publish(people, title="Gone", when=at(2, 10))
    withdraw(gone, people, when=at(2, 11), reason="Replaced.")
    client.force_login(people.developer2)
    client.get("/notices/")
    client.get("/notices/?before=2026-03-02T10:30:00%2B00:00")
    compiled = queries_compiled(monkeypatch)
    page = client.get("/notices/").content.decode()
    back = client.get("/notices/?before=2026-03-02T10:30:00%2B00:00").content.decode()
    assert "Replaced." in page and "First published" in page and "Gone" in page
    assert "Replaced." not in back and "First published" in back and "Gone" in back
    assert not {Publication, Policy, AuditEvent} & {query.model for query in compiled}, compiled
