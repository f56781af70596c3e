"""What changed in an Equality Impact Assessment's impacts, one per protected characteristic, between two versions.

The comparison of two versions (lifecycle.compare: the Versions tab's compare page, and the sign-off pages' "what
changed since") read the EIA's text sections and choices, not its impacts: DCFD reopened an EIA at a review concluding
no change, the policy's developers revised one characteristic's impact and its notes, and DCFD's page to sign off the
update said "Equality Impact Assessment: no changes". Rule 17: a decision is bound to what was read, so the reader is
shown what changed. The impacts are compared as the revisions page compares them, an item per characteristic worded
as the EIA's page words it (assessments.impacts), old and new."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import ProtectedCharacteristic
from lifecycle.workflow import SIGN_OFF_UPDATED_EIA
from tests.clock import travel
from tests.lifecycle.test_reopened_eia import IN_THE_WINDOW, eia_url, reopened, typed  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

NEW_NOTES = "Older people are stopped less often <b>than</b> others."
ITEM = re.compile(r'<p class="govuk-body app-redline__item">(.*?)</p>', re.S)
DEL = '<del class="app-redline__del"><span class="govuk-visually-hidden">removed: </span>'
INS = '<ins class="app-redline__ins"><span class="govuk-visually-hidden">added: </span>'


def revised_impact_only(client, people, policy):
    """The reopened EIA's impact on age changed (with its notes), nothing else."""
    client.force_login(people.developer)
    response = client.post(eia_url(policy), typed(policy, impact_age="negative", notes_age=NEW_NOTES))
    assert response.status_code == 302, response.content.decode()[:2000]


def eia_part(page: str) -> str:
    """The EIA's part of a page's comparison: from its heading to the end of its last redline."""
    match = re.search(r"<h\d[^>]*>Equality Impact Assessment(.*?)(?:<h\d|</main>)", page, re.S)
    assert match, page[:3000]
    return match.group(1)


def assert_age_changed(part: str) -> None:
    assert not part.startswith(": no changes"), part[:500]
    # Headed as the EIA page and the library head them, not by the field's bare name ("Impacts").
    impacts = part.split("Impact on each protected characteristic</p>", 1)[1]
    items = ITEM.findall(impacts)
    # The characteristic named as the EIA's page names it: its old impact removed, and its new impact with its notes
    # added, escaped as the rest of the page (never markup of their own).
    assert items[:2] == [f"{DEL}Age: No impact identified</del>",
                         f"{INS}Age: Negative (adverse). Older people are stopped less often &lt;b&gt;than&lt;/b&gt; "
                         "others.</ins>"], items
    assert "<b>than</b>" not in part
    # The characteristics that did not change are shown unchanged, each once, in the Equality Act's order.
    assert items[2:] == [f"{characteristic.label}: No impact identified"
                         for characteristic in ProtectedCharacteristic if characteristic != ProtectedCharacteristic.AGE]
    for stored in ("neutral", "negative", "religion_belief"):
        assert stored not in part


def compared(client, policy) -> tuple[str, int]:
    """The compare page of 1.0 and 1.1, and the queries it cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/policies/{policy.reference}/versions/compare/?from=1.0&to=1.1")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_compare_page_shows_one_characteristics_impact_changed(client, people, reopened):  # noqa: F811
    with travel(IN_THE_WINDOW):
        client.force_login(people.dcfd)
        unchanged, cost = compared(client, reopened)
        assert "Equality Impact Assessment: no changes" in unchanged
        revised_impact_only(client, people, reopened)
        client.force_login(people.dcfd)
        page, cost_revised = compared(client, reopened)
    assert_age_changed(eia_part(page))
    # The impacts are read with the assessment's row: no query of their own, none per characteristic.
    assert cost_revised == cost


def test_dcfds_sign_off_of_the_updated_eia_shows_the_impact_changed(client, people, reopened):  # noqa: F811
    with travel(IN_THE_WINDOW):
        revised_impact_only(client, people, reopened)
        client.force_login(people.dcfd)
        response = client.get(f"/policies/{reopened.reference}/actions/{SIGN_OFF_UPDATED_EIA.page.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign it off</button>" in page
    assert_age_changed(eia_part(page))
