"""core.exports' XLSX (issue 15): streamed as it is written, never held whole (the register's 100,000 rows took
~110 s in one request, built in a temporary file before the first byte left)."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from core.exports import (
    SPREADSHEET_KEEP_HOURS,
    SPREADSHEETS,
    XLSX_ROWS_PER_CHUNK,
    spreadsheet_export_build,
    spreadsheets_delete_old,
    table_response,
    xlsx_stream,
)
from core.models import SpreadsheetExport
from tests.oversight.tables import xlsx_rows


def test_the_first_bytes_leave_before_any_row_is_read_and_the_rest_as_rows_come():
    read = []

    def rows():
        for number in range(3 * XLSX_ROWS_PER_CHUNK + 10):
            read.append(number)
            yield [number, f"Policy {number}", datetime.date(2026, 1, 1) + datetime.timedelta(days=number % 300)]

    chunks = xlsx_stream(sheets=[("Register", ["Number", "Title", "Due"], rows())])
    first = next(chunks)
    assert read == [] and first.startswith(b"PK")
    sent = [first]
    while len(read) < 2 * XLSX_ROWS_PER_CHUNK:
        sent.append(next(chunks))
    # Two thousand rows read, and bytes already sent for them: the file is not waiting to be finished.
    assert len(read) <= 2 * XLSX_ROWS_PER_CHUNK + 1 and sum(len(chunk) for chunk in sent) > len(first)
    sent.extend(chunks)
    data = b"".join(sent)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Register" and sheet.max_row == 3 * XLSX_ROWS_PER_CHUNK + 11
    assert sheet["A1"].font.bold and sheet["C2"].is_date and sheet["B3011"].value == "Policy 3009"


def test_the_response_streams_typed_cells_and_text_never_runs_as_a_formula():
    response = table_response("xlsx", filename="list", title="A list: of things?", header=["Text", "Number"],
                              rows=[["=SUM(A1:A9)", 1.5], ["+44 20", None]])
    assert response.streaming and response["Content-Disposition"] == 'attachment; filename="list.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "A list  of things "
    assert (sheet["A2"].data_type, sheet["A2"].value, sheet["B2"].value) == ("s", "=SUM(A1:A9)", 1.5)
    assert (sheet["A3"].value, sheet["B3"].value) == ("+44 20", None)


# --- a spreadsheet too long for one request is prepared by the worker --------------------------------------------


@pytest.fixture
def three_policies(people):
    return [people.policy(title=f"Policy {letter}") for letter in "ABC"]


def _prepared(client, monkeypatch, django_capture_on_commit_callbacks, query: dict):
    monkeypatch.setattr("core.exports.XLSX_STREAM_MAX_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/policies/", {**query, "format": "xlsx"})
    assert response.status_code == 302 and response["Location"].startswith("/spreadsheets/")
    return response["Location"]


@pytest.mark.django_db
def test_a_long_register_is_prepared_in_the_background_and_holds_what_the_stream_would(
        client, people, three_policies, monkeypatch, django_capture_on_commit_callbacks):
    client.force_login(people.pcu)
    streamed = xlsx_rows(client.get("/policies/", {"format": "xlsx", "sort": "-title"}))
    page = _prepared(client, monkeypatch, django_capture_on_commit_callbacks, {"sort": "-title"})
    body = client.get(page).content.decode()
    assert 'id="spreadsheet-ready">Your spreadsheet is ready: 3 rows.' in body
    export = SpreadsheetExport.objects.get()
    assert (export.status, export.rows, export.requested_by) == ("ready", 3, people.pcu)
    downloaded = client.get(f"{page}download/")
    assert downloaded["Content-Disposition"].startswith('attachment; filename="policy-register-')
    assert xlsx_rows(downloaded) == streamed and [row[1] for row in streamed[1:]] == ["Policy C", "Policy B",
                                                                                      "Policy A"]
    # Nobody else may see it or fetch it.
    client.force_login(people.coordinator)
    assert client.get(page).status_code == 404 and client.get(f"{page}download/").status_code == 404
    # Kept for a day, then deleted with its file.
    assert spreadsheets_delete_old() == 0
    a_day_on = timezone.now() + datetime.timedelta(hours=SPREADSHEET_KEEP_HOURS, minutes=1)
    assert spreadsheets_delete_old(now=a_day_on) == 1
    assert not SpreadsheetExport.objects.exists() and not default_storage.exists(export.storage_name)


@pytest.mark.django_db
def test_the_request_answers_at_once_while_the_file_is_prepared(client, people, three_policies, monkeypatch):
    monkeypatch.setattr("core.exports.XLSX_STREAM_MAX_ROWS", 2)
    client.force_login(people.pcu)
    # The worker has not run yet (nothing committed in this test's transaction): the page says so, and asks again.
    response = client.get("/policies/", {"format": "xlsx"})
    page = response["Location"]
    body = client.get(page).content.decode()
    assert 'id="spreadsheet-pending"' in body and 'hx-trigger="every 3s"' in body
    fragment = client.get(page, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="spreadsheet-status"') and "<html" not in fragment
    assert client.get(f"{page}download/").status_code == 404
    # The worker builds it (twice is harmless).
    export = SpreadsheetExport.objects.get()
    assert spreadsheet_export_build(export_id=export.pk) == "ready"
    assert spreadsheet_export_build(export_id=export.pk) == "not pending"
    assert 'id="spreadsheet-ready"' in client.get(page).content.decode()


@pytest.mark.django_db
def test_a_failed_spreadsheet_says_so_and_loses_nothing(client, people, three_policies, monkeypatch):
    monkeypatch.setattr("core.exports.XLSX_STREAM_MAX_ROWS", 2)

    def broken(user, query):
        raise RuntimeError("the database went away")

    client.force_login(people.pcu)
    page = client.get("/policies/", {"format": "xlsx"})["Location"]
    monkeypatch.setitem(SPREADSHEETS, "lifecycle.register", broken)
    with pytest.raises(RuntimeError):
        spreadsheet_export_build(export_id=SpreadsheetExport.objects.get().pk)
    body = client.get(page).content.decode()
    assert "The spreadsheet could not be prepared" in body and "hx-trigger" not in body
