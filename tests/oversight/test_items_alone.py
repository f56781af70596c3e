"""The dashboard's lists of items that are not policies (issue 15) on a database holding none of them (apart from
test_items.py, whose remedial actions and acknowledgements are built once for its module): the empty state, and no
list for staff without a dashboard."""

from __future__ import annotations

import pytest

from tests.oversight.scenario import on
from tests.oversight.test_items import TODAY, item_cells

pytestmark = pytest.mark.django_db


def test_the_lists_have_an_empty_state_and_no_list_for_staff_without_a_dashboard(client, people):
    client.force_login(people.coordinator)
    with on(TODAY):
        remedial_body = client.get("/dashboard/remedial-actions/").content.decode()
        acknowledgements_body = client.get("/dashboard/acknowledgements/").content.decode()
        dashboard = item_cells(client.get("/dashboard/").content.decode())
    assert 'id="list-empty">No remedial action is overdue here.' in remedial_body
    assert 'id="list-empty">No policy here asks its staff' in acknowledgements_body
    # Nothing asked, so no rate: a dash, not a link to an empty list (QA crawl).
    assert dashboard["acknowledgement_rate"] == [(None, "")]
    for user in (people.developer, people.manager):
        client.force_login(user)
        for path in ("/dashboard/remedial-actions/", "/dashboard/acknowledgements/"):
            assert client.get(path).status_code == 403

