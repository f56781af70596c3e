"""PCU's acknowledgements export (/acknowledgements/export.csv) lists, force-wide, everyone each version in force
asks and whether they have confirmed, as a manager's lists their units' staff: it listed only the confirmations, so
PCU could not export who is outstanding. The outstanding rows are one set-based statement (the chase's rule,
acknowledgements.selectors.outstanding_sql) read through a server-side cursor: a fixed number of queries and flat
memory, however many people are asked."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acknowledgements.services import acknowledgement_confirm
from tests.factories import reload
from tests.library.helpers import published, staff

pytestmark = pytest.mark.django_db


def exported(client) -> list[list[str]]:
    response = client.get("/acknowledgements/export.csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def asked(people):
    """A Territorial Policing policy asking its staff: ``reader`` has confirmed, ``colleague`` has not; ``elsewhere``
    (another group) is not asked."""
    policy = published(people, title="Body worn video", audience={"business_groups": [people.group]})
    reader = staff("reader", people.unit, first_name="Rhian", last_name="Reade")
    colleague = staff("colleague", people.unit, first_name="Colm", last_name="Colley")
    staff("elsewhere", people.unit2)
    version = reload(policy).current_version
    acknowledgement_confirm(user=reader, version=version.pk, version_hash=version.content_hash)
    return policy, reader, colleague


def test_pcus_export_lists_who_is_outstanding_force_wide(client, people, asked):
    policy, _reader, _colleague = asked
    client.force_login(people.pcu)

    rows = exported(client)

    assert rows[0][:7] == ["policy", "title", "version", "username", "name", "unit", "status"]
    statuses = {row[3]: row[6] for row in rows[1:] if row[0] == policy.reference}
    assert statuses["reader"] == "confirmed" and statuses["colleague"] == "outstanding"
    assert "elsewhere" not in statuses
    outstanding = next(row for row in rows[1:] if row[3] == "colleague")
    assert outstanding == [policy.reference, "Body worn video", "1.0", "colleague", "Colm Colley",
                           people.unit.name, "outstanding", "", ""]


def test_the_export_costs_the_same_however_many_are_outstanding(client, people, asked):
    client.force_login(people.pcu)
    with CaptureQueriesContext(connection) as few:
        rows = exported(client)
    for number in range(5):
        staff(f"newcomer{number}", people.unit)
    with CaptureQueriesContext(connection) as more:
        after = exported(client)
    assert len(after) == len(rows) + 5
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_page_says_what_pcus_export_holds(client, people, asked):
    client.force_login(people.pcu)
    page = client.get("/acknowledgements/").content.decode()
    assert "Download every acknowledgement asked in the force, confirmed and outstanding (CSV)" in page
