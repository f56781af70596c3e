"""Whether an SOP is published externally is frozen with each version (SOPVersion.publish_externally, migration 0019)
and decides what the public Publication Scheme shows, but the comparison between two versions showed only the SOP's
text: a reviewer or a Lead could not see that version 1.1 puts an SOP on the Scheme that 1.0 kept off it. The SOP's
part of the comparison now says so, on the compare page and on the decision pages alike."""

from __future__ import annotations

import re

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, reload

pytestmark = pytest.mark.django_db


def returned_with_sops(people):
    """Version 1.0 submitted with two SOPs off the Scheme, returned; in draft 1.1 one of them goes on it."""
    policy = advance_to(people.policy(title="Body-worn video"), Status.DEVELOPMENT, people)
    public = s.sop_create(policy=policy, actor=people.developer, title="Retaining footage", text="<p>31 days.</p>")
    s.sop_create(policy=policy, actor=people.developer, title="Switching on", text="<p>At once.</p>")
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu", comments="Publish it.")
    s.sop_update_draft(sop=public, actor=people.developer, text="<p>31 days.</p>", publish_externally=True)
    return reload(policy)


def sop_section(page: str, title: str) -> str:
    section = page.split(f"Standard Operating Procedure: {title}", 1)[1]
    return re.split(r"Standard Operating Procedure: |Corporate Policy Workbook", section, maxsplit=1)[0]


def marked(tag: str, word: str, html: str) -> bool:
    """``word`` removed (del) or added (ins) in the redline, after its words for screen readers."""
    return re.search(rf"<{tag}[^>]*>(<span[^>]*>[^<]*</span>)?{word}</{tag}>", html) is not None


def test_the_comparison_shows_an_sop_put_on_the_publication_scheme(client, people):
    policy = returned_with_sops(people)
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/versions/compare/?from=1.0&to=1.1").content.decode()
    changed = sop_section(page, "Retaining footage")
    assert "no changes" not in changed.split("</h3>", 1)[0]
    assert "Published externally on the Publication Scheme" in changed
    assert marked("del", "No", changed) and marked("ins", "Yes", changed)
    # Its text did not change, so no redline of it; the other SOP did not change at all.
    assert "31 days." not in changed
    assert "Switching on: no changes" in page
    # And back: from 1.1 to 1.0 it comes off.
    back = sop_section(client.get(f"/policies/{policy.reference}/versions/compare/?from=1.1&to=1.0")
                       .content.decode(), "Retaining footage")
    assert marked("del", "Yes", back) and marked("ins", "No", back)


def test_the_reviewer_sees_it_on_the_quality_assurance_page(client, people):
    policy = advance_to(returned_with_sops(people), Status.SUBMITTED_FOR_QA, people)
    client.force_login(people.pcu_qa)
    page = client.get(f"/policies/{policy.reference}/actions/quality-assurance/").content.decode()
    changed = sop_section(page, "Retaining footage")
    assert "Published externally on the Publication Scheme" in changed and marked("ins", "Yes", changed)
