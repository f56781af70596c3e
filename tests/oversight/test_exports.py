"""?format=csv and ?format=xlsx (issue 15): the files are opened (openpyxl, csv) and compared cell by cell with the
page; typed cells (numbers, dates as dates), a header row, text never run as a formula; the board report's PDF."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest

from lifecycle.register_views import REGISTER_EXPORT_HEADER
from tests.factories import reload, take_step
from tests.oversight.scenario import TODAY, TP_FIGURES, on
from tests.oversight.tables import assert_same_table, content, csv_rows, html_table, xlsx_rows

pytestmark = pytest.mark.django_db




@pytest.fixture
def people(world):
    return world.people


def register_rows(body: str) -> list[tuple[str, str, str, str, str]]:
    """(title, reference, business group, status, review due) of each row of a register page."""
    rows = []
    for row in _register_table(body)[1:]:
        title_cell, status, review = row
        title, _, rest = title_cell.partition(" POL-")
        reference, _, group = ("POL-" + rest).partition(" · ")
        rows.append((title, reference, group.replace(" · OFFICIAL-SENSITIVE", ""), status, review))
    return rows


def _register_table(body: str) -> list[list[str]]:
    body = re.sub(r'<table class="govuk-table"[^>]*>', '<table class="govuk-table" id="register-table">', body, 1)
    return html_table(body, "register-table")


def test_the_register_exports_every_row_of_its_filter_as_typed_cells(client, world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        for query in ({}, {"review_status": "overdue"}, {"rag": "amber"}, {"stuck": "qa"},
                      {"business_group": people.group.pk, "monitoring_status": "overdue", "sort": "-title"}):
            page = register_rows(client.get("/policies/", query).content.decode())
            exported = xlsx_rows(client.get("/policies/", {**query, "format": "xlsx"}))
            assert tuple(exported[0]) == REGISTER_EXPORT_HEADER
            assert len(exported) - 1 == len(page), query
            for (title, reference, group, status, review), row in zip(page, exported[1:], strict=True):
                shown_status = row[4] + (" Not impact assessed" if row[11] else "")
                assert (row[1], row[0], row[2], shown_status) == (title, reference, group, status)
                assert isinstance(row[11], bool)
                # The page writes the review date with its state (issue 17: "Overdue by 12 days 28 March 2026",
                # "3 December 2029 (in date)"), in the one date format.
                shown = re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", review)
                unset = "Not applicable" if row[4] == "Withdrawn" else "Not yet published"
                assert (row[6].strftime("%-d %B %Y") if row[6] else unset) == (
                    shown.group(0) if shown else review)
                assert row[6] is None or isinstance(row[6], datetime.datetime)
            as_csv = csv_rows(client.get("/policies/", {**query, "format": "csv"}))
            assert as_csv[0] == list(REGISTER_EXPORT_HEADER)
            assert [row[0] for row in as_csv[1:]] == [row[1] for row in page]
        # The colours and due states in the file are lifecycle.due's.
        rows = {row[0]: row for row in xlsx_rows(client.get("/policies/", {"format": "xlsx"}))[1:]}
        assert rows[world.ref("A")][7] == "Overdue" and rows[world.ref("A")][10] == "Red"
        assert rows[world.ref("C")][9] == "Due soon" and rows[world.ref("C")][10] == "Amber"
        assert rows[world.ref("K")][10] is None  # withdrawn: no colour
        assert rows[world.ref("H")][11] is True and rows[world.ref("H")][12] == datetime.datetime(2026, 3, 10)
        # The header row is bold; dates are date cells.
        workbook = openpyxl.load_workbook(io.BytesIO(content(client.get("/policies/", {"format": "xlsx"}))))
        sheet = workbook.active
        assert sheet.title == "Policy register" and sheet["A1"].font.bold
        # (the review date of a policy in force: a withdrawn one has none)
        row_a = next(cell.row for cell in sheet["A"] if cell.value == world.ref("A"))
        assert sheet[f"G{row_a}"].is_date


def test_the_register_export_is_only_what_the_person_may_see(client, world, people):
    client.force_login(people.lead)
    with on(TODAY):
        exported = xlsx_rows(client.get("/policies/", {"format": "xlsx"}))
        references = {row[0] for row in exported[1:]}
        assert world.ref("S") not in references and world.ref("K") not in references
        assert world.ref("J") in references


def test_the_dashboard_figures_and_pipeline_export_as_the_page_shows_them(client, world, people):
    for user in (people.coordinator, people.pcu):
        client.force_login(user)
        with on(TODAY):
            body = client.get("/dashboard/").content.decode()
            page = html_table(body, "figures")
            # The page's cells carry the link's hidden words: the figure is the number before them.
            page = [row[:1] + [cell.split(" ")[0] for cell in row[1:]] if number else row
                    for number, row in enumerate(page)]
            assert_same_table(page, xlsx_rows(client.get("/dashboard/", {"format": "xlsx"})))
            # CSV leaves a figure that cannot be worked out (a rate of nobody asked) empty, where the page has "–".
            assert csv_rows(client.get("/dashboard/", {"format": "csv"})) == [
                ["" if cell == "–" else cell for cell in row] for row in page]
            pipeline = xlsx_rows(client.get("/dashboard/", {"format": "xlsx", "table": "pipeline"}))
            assert_same_table(html_table(body, "pipeline-table"), pipeline)
    client.force_login(people.coordinator)
    with on(TODAY):
        rows = xlsx_rows(client.get("/dashboard/", {"format": "xlsx"}))
    assert rows[0] == ["Figure", "Territorial Policing"]
    assert {row[0]: row[1] for row in rows[2:]}["Reviews overdue"] == TP_FIGURES["review_overdue"]


def test_the_board_report_for_last_quarter_as_a_page_and_a_pdf(client, world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        take_step(reload(world.policies["G"]), people, "withdrawn", reason="Superseded.")
        body = client.get("/dashboard/report/").content.decode()
        # Last quarter: 1 October to 31 December 2025.
        assert "the force, 1 October 2025 to 31 December 2025" in body
        assert html_table(body, "report-figures")[0][-1] == "Force total"
        assert html_table(body, "report-indicators")[-1][0] == "Force-wide"
        assert [row[0] for row in html_table(body, "report-trend")[1:]][-1] == "December 2025"
        assert body.count("<svg") == 3 and body.count("<desc") == 3
        pdf = client.get("/dashboard/report/", {"format": "pdf"})
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5_000
        assert 'filename="board-report-2025-10-01-to-2025-12-31.pdf"' in pdf["Content-Disposition"]
        client.force_login(people.developer)
        assert client.get("/dashboard/report/").status_code == 403
        assert client.get("/dashboard/report/", {"format": "pdf"}).status_code == 403
