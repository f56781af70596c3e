"""How an exported XLSX opens: each column as wide as what it holds (within bounds), and the header row frozen, so
that titles and dates are read without widening every column by hand (user walk: every column was Excel's default
width, titles and dates cut off)."""

from __future__ import annotations

import datetime
import io

import openpyxl

from core.exports import XLSX_WIDTH_MAX, XLSX_WIDTH_MIN, XLSX_WIDTH_SAMPLE_ROWS, table_response, xlsx_stream


def _workbook(chunks) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(chunks)))


def test_each_column_is_as_wide_as_its_content_within_bounds_and_the_header_is_frozen():
    title = "Stop and search: use of powers under section 60 of the Criminal Justice and Public Order Act"
    rows = [
        ["POL-0001", "Domestic abuse", datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 2, 14, 5), 3, "x" * 500],
        ["POL-0002", title, None, None, 12345, ""],
    ]
    header = ["Ref", "Title", "Review due", "Updated", "No", "Notes"]
    response = table_response("xlsx", filename="register", title="Register", header=header, rows=rows)
    sheet = _workbook(response.streaming_content).active

    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    # Narrow content still gets a readable column; the longest title sets its column; a date is shown whole.
    assert widths["A"] == max(XLSX_WIDTH_MIN, len("POL-0001") + 2)
    assert widths["B"] == min(XLSX_WIDTH_MAX, len(title) + 2) == XLSX_WIDTH_MAX
    assert len("2 March 2026") <= widths["C"] < 20
    assert len("2026-03-02 14:05:00") <= widths["D"] <= 24
    assert widths["E"] == XLSX_WIDTH_MIN
    # A long text is capped (the cell still holds it whole), never a column wider than the screen.
    assert widths["F"] == XLSX_WIDTH_MAX
    assert all(XLSX_WIDTH_MIN <= width <= XLSX_WIDTH_MAX for width in widths.values())
    assert sheet.freeze_panes == "A2"
    # The cells are as before: typed, header bold.
    assert sheet["A1"].font.bold and sheet["C2"].is_date and sheet["B3"].value == title


def test_a_long_header_widens_its_column_and_multi_line_text_counts_its_longest_line():
    chunks = xlsx_stream(sheets=[("Notes", ["Date the consultation was sent", "Response"],
                                  [[datetime.date(2026, 1, 1), "Short line\nA rather longer second line of text"]])])
    sheet = _workbook(chunks).active
    assert sheet.column_dimensions["A"].width == len("Date the consultation was sent") + 2
    assert sheet.column_dimensions["B"].width == len("A rather longer second line of text") + 2


def test_widths_are_measured_on_the_first_rows_only_so_the_sheet_still_streams():
    read = []

    def rows():
        for number in range(XLSX_WIDTH_SAMPLE_ROWS + 50):
            read.append(number)
            # Only rows after the sample hold a long text: they are not measured.
            yield [number, "short" if number < XLSX_WIDTH_SAMPLE_ROWS else "y" * 40]

    chunks = xlsx_stream(sheets=[("Long", ["Number", "Text"], rows())])
    first = next(chunks)
    assert read == [] and first.startswith(b"PK")  # the download starts before any row is read
    sheet = _workbook([first, *chunks]).active
    assert len(read) == XLSX_WIDTH_SAMPLE_ROWS + 50 and sheet.max_row == XLSX_WIDTH_SAMPLE_ROWS + 51
    assert sheet.column_dimensions["B"].width == XLSX_WIDTH_MIN
    assert sheet.cell(row=sheet.max_row, column=2).value == "y" * 40


def test_a_sheet_without_rows_is_sized_by_its_header():
    sheet = _workbook(xlsx_stream(sheets=[("Empty", ["Policy reference and title"], [])])).active
    assert sheet.max_row == 1 and sheet.column_dimensions["A"].width == len("Policy reference and title") + 2
    assert sheet.freeze_panes == "A2"
