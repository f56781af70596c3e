"""The Publication page after a review with no change (QA walk 2026-12-06): /policies/POL-0003/publication/ said
"Version 1.0: superseded by version 1.0" of the publication the re-publication replaced. Nothing superseded the
version: PCU re-published it unchanged after the review (SOP: "Ensure policies are reviewed and published at least
once every 3 years"), and the page says so, and when."""

from __future__ import annotations

import re
from html import unescape

import pytest

from publication.models import Publication
from publication.services import publication_store_files
from tests.publication import test_notices_no_change as no_change

pytestmark = pytest.mark.django_db

# The re-publication after a review with no change, as Notices' tests make it.
media_root, published, republished = no_change.media_root, no_change.published, no_change.republished


def page_text(client, user, policy) -> str:
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/publication/")
    assert response.status_code == 200
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_publication_a_re_publication_replaced_says_it_was_re_published_unchanged(client, republished, people):
    first = Publication.objects.get(policy=republished, republication=0)
    publication_store_files(publication=first)
    text = page_text(client, people.pcu, republished)
    assert "superseded by version 1.0" not in text
    assert "Version 1.0: re-published unchanged on 3 August 2026 after a review" in text
    assert "until version 1.0 superseded it" not in text
    assert "The record of what was published until it was re-published unchanged on 3 August 2026" in text
    assert "Re-published unchanged 3 August 2026" in text
