"""?format=csv and ?format=xlsx of the register (issue 15): text is never run as a formula. Apart from
test_exports.py, whose world is built once for its module: this test reads a register of its one policy."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.oversight.scenario import TODAY, on
from tests.oversight.tables import content, csv_rows

pytestmark = pytest.mark.django_db


def test_text_is_never_run_as_a_formula(client, people):
    with on(TODAY):
        policy = people.policy(title='=HYPERLINK("http://evil.example","click")')
        client.force_login(people.pcu)
        as_csv = csv_rows(client.get("/policies/", {"format": "csv"}))
        assert as_csv[1][1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
        workbook = openpyxl.load_workbook(io.BytesIO(content(client.get("/policies/", {"format": "xlsx"}))))
        cell = workbook.active["B2"]
        assert (cell.data_type, cell.value) == ("s", policy.title)
