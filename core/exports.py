"""Tables as files: ``?format=csv`` and ``?format=xlsx`` on every list and figure (issue 15).

One table is a header row and rows of typed values (str, int, float, Decimal, date, datetime, None). CSV streams as
it is written (``StreamingHttpResponse``), and so does XLSX: openpyxl's write-only sheet writes its XML into the
zip as rows come, and the compressed bytes go to the client every thousand rows (``xlsx_stream``). Either way the
memory used does not grow with the number of rows, and the download starts at once (make bench: the register's
100,000 rows).

Cells are typed: numbers are numbers, dates are dates (Excel date cells, shown as dates), never the text of the
page. A text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``: CSV injection) is written as
text: in XLSX its cell is a string cell, in CSV it is prefixed with an apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from zipfile import ZIP_DEFLATED, ZipFile

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel's limits: 31 characters for a sheet's name, without []:*?/\ .
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def wanted_format(request) -> str | None:
    """``csv`` or ``xlsx`` when the query string asks for one of them; None for the page."""
    value = request.GET.get("format", "")
    return value if value in FORMATS else None


def _plain(value):
    """An aware datetime as the local wall-clock time (spreadsheets have no time zones)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_text(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        # A byte-order mark, so that Excel opens the UTF-8 file as UTF-8.
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([_csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_value(sheet, value):
    """A value as openpyxl writes it: numbers and dates as they are (openpyxl gives a date a date format), only a
    text that would be taken for a formula wrapped in a cell forced to text (a cell object per value costs a
    third more time over 100,000 rows)."""
    value = _plain(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


class _Drain:
    """Where the zip is written: it keeps what was written since it was last emptied, and nothing else. It has no
    ``tell`` or ``seek``, so ``zipfile`` writes each member's sizes after its data (a data descriptor), never going
    back: the file can go to the client as it is made."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


class _StreamedExcelWriter(ExcelWriter):
    """openpyxl's ExcelWriter for sheets already written into the archive (``xlsx_stream``): it adds them to the
    manifest and writes the rest of the workbook (styles, workbook, relationships) as it always does. openpyxl
    3.1's ``write_worksheet`` otherwise copies each write-only sheet from its temporary file."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


# Rows between two hand-overs to the response: a few hundred kilobytes of compressed sheet at most.
XLSX_ROWS_PER_CHUNK = 1000


def xlsx_stream(*, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Iterator[bytes]:
    """The workbook (one sheet per (title, header, rows)) as it is written: openpyxl's write-only sheets write their
    XML straight into the zip's member (no temporary file), and what the zip has compressed goes to the client
    every XLSX_ROWS_PER_CHUNK rows. Memory holds one row, the compressor's window and one chunk, whatever the
    number of rows; the first bytes leave before the first row is read."""
    drain = _Drain()
    archive = ZipFile(drain, "w", ZIP_DEFLATED, allowZip64=True)
    workbook = Workbook(write_only=True)
    workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    bold = Font(bold=True)
    for number, (title, header, rows) in enumerate(sheets, 1):
        sheet = workbook.create_sheet(title=_SHEET_NAME_BAD.sub(" ", title)[:31] or "Sheet")
        sheet._id = number  # its path in the archive (ExcelWriter numbers them the same way)
        member = archive.open(sheet.path[1:], "w")
        sheet._writer = WorksheetWriter(sheet, out=member)
        sheet._writer.write_top()
        header_cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=str(name))
            cell.data_type = "s"
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        yield drain.take()
        for count, row in enumerate(rows, 1):
            sheet.append([_xlsx_value(sheet, value) for value in row])
            if count % XLSX_ROWS_PER_CHUNK == 0:
                yield drain.take()
        sheet.close()
        member.close()
        yield drain.take()
    _StreamedExcelWriter(workbook, archive).save()
    yield drain.take()


def xlsx_response(*, filename: str,
                  sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse((chunk for chunk in xlsx_stream(sheets=sheets) if chunk),
                                     content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(fmt: str, *, filename: str, title: str, header: Sequence[str],
                   rows: Iterable[Sequence]) -> HttpResponse:
    """One table in the format asked for (``wanted_format``)."""
    if fmt == "csv":
        return csv_response(filename=filename, header=header, rows=rows)
    return xlsx_response(filename=filename, sheets=[(title, header, rows)])
