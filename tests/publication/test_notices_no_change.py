"""A review concluding no change, as Notices and the library tell it (QA walk 2026-12-05, 35, 36 and 51). After the
Lead concluded no change, DCFD confirmed the EIA and PCU re-published the version in force, Notices showed a second
"Published Domestic Abuse version 1.0", word for word the 2023 one, and the library said "published 31 March 2023"
beside the next review date, 3 years from the re-publication, where the register and the Publication Scheme said
"Date published" on the day of the re-publication.

SOP stage 5: PCU publishes "on the Corporate Policy Intranet, in Notices, on the MPS Publication Scheme", and
"Ensure policies are reviewed and published at least once every 3 years": the re-publication is a publication, in
Notices, and the notice says what it is, a review that found nothing to change; every page dates the version in force
by its latest publication, the date its next review counts from."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from publication.notices import reviewed_summary
from tests.clock import travel
from tests.factories import monitoring_up_to_date
from tests.lifecycle import test_no_change_review as no_change
from tests.lifecycle.test_no_change_review import PUBLISHED_ON, errors, post

pytestmark = pytest.mark.django_db

published = no_change.published
REVIEWED_ON = datetime.date(2026, 8, 3)  # within 6 months of the review due on 15 January 2027


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def republished(client, published, people):
    with travel(REVIEWED_ON):
        monitoring_up_to_date(published, people)
        for user, slug, data in ((people.lead, "conclude-no-change", {"reason": "The law is unchanged."}),
                                 (people.dcfd, "confirm-eia", {"eia_outcome": "stands"}),
                                 (people.pcu, "republish", {"on_intranet": "on", "on_publication_scheme": "on"})):
            response = post(client, user, published, slug, data)
            assert response.status_code == 302, errors(response)
    return published


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def notices_of(client, user, policy) -> list[str]:
    """The Notices page's items about ``policy``, as text."""
    client.force_login(user)
    page = client.get("/notices/").content.decode()
    return [text(item) for item in re.findall(r'<li class="govuk-!-margin-bottom-4" id="[^"]+">(.*?)</li>', page, re.S)
            if policy.reference in item]


def test_notices_name_the_re_publication_after_a_review_with_no_change(client, republished, people):
    title = republished.title
    notices = notices_of(client, people.developer2, republished)
    # The monitoring reports the review asked to be up to date have notices of their own (QA walk of 2026-12-06):
    # here, the publications.
    assert any(notice.startswith("Monitoring report ") for notice in notices)
    newest, first = [notice for notice in notices if not notice.startswith("Monitoring report ")]

    assert newest.startswith(f"Reviewed {title} {republished.reference}, version 1.0")
    assert "Reviewed on 3 August 2026: no change needed. Version 1.0 stays in force, re-published as it stands." \
        in newest
    assert first.startswith(f"Published {title} {republished.reference}, version 1.0")  # the first, as it was


def test_the_feeds_name_it_too(client, republished, people):
    client.force_login(people.developer2)
    feed = client.get("/notices/feed/").content.decode()
    assert f"<title>Reviewed, no change: {republished.title} ({republished.reference}, version 1.0)</title>" in feed
    public = client.get("/publication-scheme/feed/").content.decode()
    assert f"<title>Reviewed, no change: {republished.title} ({republished.reference}, version 1.0)</title>" in public


def test_the_library_dates_the_version_in_force_by_its_re_publication(client, republished, people):
    """As the register's document control (policy.last_published_on) and the Scheme do: 3 August 2026, the date the
    next review (3 August 2029) counts from; not 15 January 2024, its first publication."""
    client.force_login(people.developer2)
    index = text(client.get("/library/").content.decode())
    entry = text(client.get(f"/library/{republished.reference}/").content.decode())
    register = text(client.get(f"/policies/{republished.reference}/").content.decode())

    assert "published 3 August 2026" in index and "published 15 January 2024" not in index
    assert ("Date published 3 August 2026 (re-published after a review with no change; first published 15 January "
            "2024)") in entry
    assert "Date published 3 August 2026" in register
    assert "1.0 (this page, published 3 August 2026, after a review with no change; first published 15 January " \
           "2024)" in entry
    assert datetime.date(2024, 1, 15) == PUBLISHED_ON  # its first publication


def test_a_review_whose_eia_was_updated_says_so():
    """DCFD said the EIA must be updated: the re-published version is the minor version it was signed off in."""
    concluded = datetime.datetime(2026, 8, 3, 10, 0, tzinfo=datetime.UTC)
    assert reviewed_summary(concluded_at=concluded, eia_outcome="updated", version_number="1.1") == (
        "Reviewed on 3 August 2026: no change needed. Its Equality Impact Assessment was updated and signed off; "
        "version 1.1 is in force with it.")
