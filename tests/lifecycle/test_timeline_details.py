"""A change of a policy's document details on the timeline (lifecycle.services.details, lifecycle.timeline_changes):
each changed detail a row of its own, by its label, before → after, in words ("OFFICIAL-SENSITIVE", "Yes"/"No", a
risk tier's label), as other entries read. The QA walk read one "Details" row of raw values, each before and after
joined by a comma: "Protective marking: official, official_sensitive; ... Suitable for publication scheme: Yes, No",
and "Protective marking in force: official_sensitive"."""

from __future__ import annotations

import re

import pytest

from lifecycle.details import parse_legislation_links
from lifecycle.states import Status
from lifecycle.timeline_changes import describe_changes
from tests.lifecycle.test_details import PACE, update

pytestmark = pytest.mark.django_db

PURPOSE = "To set out how the force responds to domestic abuse."


def _row(html: str, label: str) -> str:
    """The value cell of the change row labelled ``label``."""
    found = re.search(rf'<dt class="govuk-summary-list__key">{re.escape(label)}</dt>\s*'
                      r'<dd class="govuk-summary-list__value app-user-text">(.*?)</dd>', html, re.S)
    assert found, f"no change row {label!r}"
    return found.group(1)


def _before_after(cell: str) -> tuple[str, str] | None:
    found = re.search(r'<del>(.*?)</del>.*?<span class="govuk-visually-hidden">After: </span>(.*?)</span>', cell, re.S)
    return (found.group(1), found.group(2)) if found else None


def test_a_re_marking_reads_each_detail_before_and_after_in_words(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT, purpose=PURPOSE)
    update(policy, people.developer, title="Domestic abuse, covert tactics", purpose=f"{PURPOSE} Revised.",
           protective_marking="official_sensitive", suitable_for_publication_scheme=False, risk_tier="high")

    client.force_login(people.coordinator)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()

    assert _before_after(_row(html, "Protective marking")) == ("OFFICIAL", "OFFICIAL-SENSITIVE")
    assert _before_after(_row(html, "Suitable for the Publication Scheme")) == ("Yes", "No")
    assert _before_after(_row(html, "Risk tier")) == ("Medium", "High")
    assert _before_after(_row(html, "Purpose")) == (PURPOSE, f"{PURPOSE} Revised.")
    assert _before_after(_row(html, "Title"))[1] == "Domestic abuse, covert tactics"
    assert _row(html, "Protective marking in force") == "OFFICIAL-SENSITIVE"
    assert _before_after(_row(html, "Approval route")) == (people.board.name, "(none)")
    assert "official_sensitive" not in html and ">Details</dt>" not in html


def test_links_to_legislation_read_by_title_and_address():
    event = {"object_type": "lifecycle.policy", "changes": {"details": {
        "legislation_links": [[], parse_legislation_links(PACE)]}}}
    [row] = describe_changes(event, {})
    assert (row.label, row.before, row.after) == (
        "Links to legislation", "(none)",
        "Police and Criminal Evidence Act 1984 (https://www.legislation.gov.uk/ukpga/1984/60)")


def test_a_reader_not_cleared_for_an_earlier_version_reads_only_each_details_after():
    """withheld_before: the "before" may be words of a version frozen OFFICIAL-SENSITIVE; the marking in force and
    each detail keep only their "after", even a list of two links (not read as a before and after)."""
    links = parse_legislation_links(f"{PACE}\nHuman Rights Act 1998 https://www.legislation.gov.uk/ukpga/1998/42")
    event = {"object_type": "lifecycle.policy", "earlier_withheld": True, "changes": {
        "details": {"purpose": ["SECRETPURPOSE", "Open purpose."], "protective_marking": ["official_sensitive",
                                                                                           "official"],
                    "legislation_links": [[], links]},
        "protective_marking_in_force": "official_sensitive", "approval_route": ["Secret board", "Open board"]}}

    shown = {row.label: (row.before, row.after) for row in describe_changes(event, {})}

    assert shown["Purpose"] == (None, "Open purpose.")
    assert shown["Protective marking"] == (None, "OFFICIAL")
    assert shown["Links to legislation"][0] is None and shown["Links to legislation"][1].count("(https://") == 2
    assert shown["Protective marking in force"] == (None, "OFFICIAL-SENSITIVE")
    assert shown["Approval route"] == (None, "Open board")
    assert "SECRETPURPOSE" not in str(shown) and "Secret board" not in str(shown)
