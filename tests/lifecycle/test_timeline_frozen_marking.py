"""The timeline reads each event by the frozen marking of the version it belongs to, not by the policy's marking now
(review of 2026-12-05, finding 1). A review that re-marks an OFFICIAL-SENSITIVE policy OFFICIAL does not unmark
version 1.0, published OFFICIAL-SENSITIVE: the Versions and Notices pages, the library and the search leave it out
for those not cleared, and so does the timeline, its events and its words among the "before" of later events (the
title the review's publication replaced, the purpose its draft started from). Those cleared, and PCU's evidence, keep
the whole trail; the stored events are as they were written."""

from __future__ import annotations

import re

import pytest

from lifecycle import services as s
from lifecycle import timeline
from lifecycle.selectors import timeline_events
from lifecycle.states import Status
from tests.factories import advance_to, reload
from tests.library.helpers import staff
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import (  # noqa: F401 (fixtures)
    IN_PURPOSE,
    OFFICIAL,
    downgraded,
    media_root,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db

# Version 1.0's title (test_details_downgrade.downgraded), and the one the review gives version 2.0.
OLD_TITLE, NEW_TITLE = "Covert tasking", "Deployments guidance"


@pytest.fixture
def remarked(people, downgraded, django_capture_on_commit_callbacks):  # noqa: F811 (the fixture imported)
    """The review's version 2.0, re-marked OFFICIAL and retitled, published: the re-marking in force."""
    update(reload(downgraded), people.developer, title=NEW_TITLE)
    policy, _ = publish_reviewed(reload(downgraded), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == OFFICIAL and policy.title == NEW_TITLE
    return policy


@pytest.fixture
def next_draft(people, remarked):
    """Version 2.0 under review in its turn, a colleague of another business group (not cleared for Territorial
    Policing's OFFICIAL-SENSITIVE material) given access to the draft."""
    policy = advance_to(remarked, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Second review.")
    s.policy_grant_access(policy=reload(policy), actor=people.coordinator, user=people.developer2,
                          permission="draft_policy")
    return reload(policy)


def _timeline(client, user, policy) -> str:
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/timeline/")
    assert page.status_code == 200
    return page.content.decode()


def _headings(html: str) -> list[str]:
    return re.findall(r'<h3 class="govuk-heading-s[^>]*>([^<]*)</h3>', html)


def test_staff_read_the_re_marking_publication_without_the_official_sensitive_versions_milestones(client, people,
                                                                                                   remarked):
    """The review's finding (a): every member of staff read the old title in the re-marking publication's
    milestone, and "Published (version 1.0)" under it."""
    html = _timeline(client, staff("reader", people.unit), remarked)

    assert _headings(html) == ["Published (version 2.0)"]
    assert OLD_TITLE not in html and "OFFICIAL-SENSITIVE" not in html
    # The new title, and the marking it comes into force with, without the values they replaced.
    assert re.search(rf'Title</dt>\s*<dd class="[^"]*">{NEW_TITLE}</dd>', html)
    assert re.search(r'Protective marking</dt>\s*<dd class="[^"]*">OFFICIAL</dd>', html)


def test_a_colleague_given_the_next_draft_reads_none_of_the_official_sensitive_versions_trail(client, people,
                                                                                              next_draft):
    """The review's finding (b): a grantee not cleared for the policy's OFFICIAL-SENSITIVE material read version
    1.0's whole trail (its purpose, titles, QA and approval comments) once the next draft was opened to them."""
    html = _timeline(client, people.developer2, next_draft)
    headings = _headings(html)

    assert IN_PURPOSE not in html and OLD_TITLE not in html
    assert not [heading for heading in headings if "(version 1.0)" in heading]
    assert "Published (version 2.0)" in headings and "Review started (version 2.0)" in headings
    # Version 2.0's first change of its details, its purpose as changed, not as version 1.0 had it.
    assert "To govern deployments." in html
    # The count of events does not give them away: the page counts what it lists.
    events = timeline.PolicyEvents(policy=next_draft, user=people.developer2)
    assert events.count() == len(events[0:]) == html.count('class="app-timeline__item"')


def test_those_cleared_and_pcu_still_read_the_whole_trail(client, people, next_draft):
    html = _timeline(client, people.coordinator, next_draft)
    assert "Published (version 1.0)" in _headings(html)
    assert f"<del>{OLD_TITLE}</del>" in html and IN_PURPOSE in html
    # The re-marking as the change it is, before and after (it read "OFFICIAL-SENSITIVE, OFFICIAL": which was which?).
    assert re.search(r'Protective marking</dt>\s*<dd class="[^"]*"><span class="app-changes__before">'
                     r'<span class="govuk-visually-hidden">Before: </span><del>OFFICIAL-SENSITIVE</del></span> ', html)
    assert "OFFICIAL-SENSITIVE, OFFICIAL" not in html

    # PCU's evidence: the recorded event, as it was written.
    html = _timeline(client, people.pcu, next_draft)
    assert f"&#x27;title&#x27;: [&#x27;{OLD_TITLE}&#x27;, &#x27;{NEW_TITLE}&#x27;]" in html


def test_the_uncleared_timeline_costs_what_any_other_does(client, people, next_draft, django_assert_max_num_queries):
    """Read in the events' own statement, compiled once (lifecycle.timeline.PolicyEvents): no query an event, and
    the compiled rows are the queryset's (tests/web/test_query_counts.py pins the page at 8)."""
    events = timeline.PolicyEvents(policy=next_draft, user=people.developer2)
    assert events.drafts and not events.sensitive
    expected = list(timeline.event_rows(timeline_events(policy_id=next_draft.pk, drafts=True, sensitive=False)))
    assert events[0:] == expected and events.count() == len(expected)
    assert any(row["earlier_withheld"] for row in expected)

    client.force_login(people.developer2)
    with django_assert_max_num_queries(8):
        assert client.get(f"/policies/{next_draft.reference}/timeline/").status_code == 200


def test_an_event_after_a_withheld_version_keeps_only_the_after_of_its_words():
    """What an event records as [before, after] keeps its "after" alone when an earlier version is withheld from the
    reader (lifecycle.timeline_changes.withheld_before): its title, marking and details, an EIA's or a workbook's
    answers; the status and due dates, no words of a document, keep both."""
    from lifecycle.timeline_changes import describe_changes

    changes = {"status": ["awaiting_publication", "implementation"], "review_due_on": ["2029-12-05", "2030-01-05"],
               "title": [OLD_TITLE, NEW_TITLE], "protective_marking": ["official_sensitive", "official"],
               "details": {"purpose": [f"To govern {IN_PURPOSE} deployments.", "To govern deployments."]},
               "values": {"aims": {"before": f"{IN_PURPOSE} aims", "after": "Fair treatment."}}}
    event = {"changes": changes, "object_type": "lifecycle.policy", "earlier_withheld": True}

    shown = {row.label: (row.before, row.after) for row in describe_changes(event, {})}

    assert shown["Status"][0] is not None and shown["Review due"] == ("5 December 2029", "5 January 2030")
    assert shown["Title"] == (None, NEW_TITLE) and shown["Protective marking"] == (None, "OFFICIAL")
    assert shown["Aims"] == (None, "Fair treatment.")
    # Each changed detail is a row of its own, by its label (tests/lifecycle/test_timeline_details.py).
    assert shown["Purpose"] == (None, "To govern deployments.")
    assert not [pair for pair in shown.values() if IN_PURPOSE in str(pair) or OLD_TITLE in str(pair)]
    # Read whole by those cleared for it (``earlier_withheld`` False).
    assert {row.label: row.before for row in describe_changes({**event, "earlier_withheld": False}, {})}[
        "Title"] == OLD_TITLE
