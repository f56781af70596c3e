"""Tables as files: ``?format=csv`` and ``?format=xlsx`` on every list and figure (issue 15).

One table is a header row and rows of typed values (str, int, float, Decimal, date, datetime, None). CSV streams as
it is written (``StreamingHttpResponse``), and so does XLSX: openpyxl's write-only sheet writes its XML into the
zip as rows come, and the compressed bytes go to the client every thousand rows (``xlsx_stream``). Either way the
memory used does not grow with the number of rows, and the download starts at once (make bench: the register's
100,000 rows).

Cells are typed: numbers are numbers, dates are dates (Excel date cells, shown as dates), never the text of the
page. A text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``: CSV injection) is written as
text: in XLSX its cell is a string cell, in CSV it is prefixed with an apostrophe, as OWASP advises.

An XLSX opens readable: each column as wide as its content (measured on the first rows, within bounds) and the header
row frozen.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from zipfile import ZIP_DEFLATED, ZipFile

from celery import signature
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from core.models import SpreadsheetExport

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


# Column widths, in characters (user walk: every column was Excel's default width, titles and dates cut off). A column
# is as wide as the longest text in it, within these bounds: a code or a number still gets a column wide enough to
# click, and a long text (a purpose, a response) is shown up to the column's edge (the cell holds it whole) rather
# than pushing the next columns off the screen.
XLSX_WIDTH_MIN = 8
XLSX_WIDTH_MAX = 60
# The sheet's <cols> (widths) come before its rows in the XML, so a streamed sheet is measured on the rows it has read
# before writing any: its first few hundred, held in memory (a bounded sample, whatever the number of rows).
XLSX_WIDTH_SAMPLE_ROWS = 200
# How a cell's value reads once Excel shows it: openpyxl writes dates as yyyy-mm-dd, datetimes with the time.
_SHOWN_LENGTH = {datetime.datetime: len("2026-03-02 14:05:00"), datetime.date: len("2026-03-02"), bool: len("FALSE")}

# Rows between two hand-overs to the response: a few hundred kilobytes of compressed sheet at most.
XLSX_ROWS_PER_CHUNK = 1000


def _shown_length(value) -> int:
    """The characters a value takes in its cell: a text's longest line, a date as Excel shows it."""
    if value is None:
        return 0
    for kind, length in _SHOWN_LENGTH.items():
        if isinstance(value, kind):
            return length
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_widths(header: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Each column's width: its longest value among the header and ``rows``, plus a margin, within bounds."""
    widths = [_shown_length(name) for name in header]
    for row in rows:
        for index, value in enumerate(row):
            length = _shown_length(_plain(value))
            if index >= len(widths):
                widths.append(length)
            elif length > widths[index]:
                widths[index] = length
    return [min(XLSX_WIDTH_MAX, max(XLSX_WIDTH_MIN, width + 2)) for width in widths]


def xlsx_stream(*, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Iterator[bytes]:
    """The workbook (one sheet per (title, header, rows)) as it is written: openpyxl's write-only sheets write their
    XML straight into the zip's member (no temporary file), and what the zip has compressed goes to the client
    every XLSX_ROWS_PER_CHUNK rows. Memory holds the rows measured for the column widths (XLSX_WIDTH_SAMPLE_ROWS),
    the compressor's window and one chunk, whatever the number of rows; the first bytes (the sheet's entry in the
    zip) leave before the first row is read. The header row is bold and frozen."""
    drain = _Drain()
    archive = ZipFile(drain, "w", ZIP_DEFLATED, allowZip64=True)
    workbook = Workbook(write_only=True)
    workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    bold = Font(bold=True)
    for number, (title, header, rows) in enumerate(sheets, 1):
        sheet = workbook.create_sheet(title=_SHEET_NAME_BAD.sub(" ", title)[:31] or "Sheet")
        sheet._id = number  # its path in the archive (ExcelWriter numbers them the same way)
        member = archive.open(sheet.path[1:], "w")
        yield drain.take()
        rows = iter(rows)
        measured = list(islice(rows, XLSX_WIDTH_SAMPLE_ROWS))
        for column, width in enumerate(_column_widths(header, measured), 1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"  # the header stays in view as the rows scroll
        sheet._writer = WorksheetWriter(sheet, out=member)
        sheet._writer.write_top()
        header_cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=str(name))
            cell.data_type = "s"
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for count, row in enumerate(chain(measured, rows), 1):
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


# --- spreadsheets too big for one request: prepared by the worker (STYLE rule 19) -------------------------------

# Up to this many rows an XLSX is streamed in the request (make bench: 10,000 register rows in about 5 s on a busy
# machine); beyond, the worker prepares it and a page says when it is ready (the whole register, 100,000 rows, takes
# about a minute: past gunicorn's 30 s, and a web worker's minute taken from everyone else).
XLSX_STREAM_MAX_ROWS = 10_000
# A prepared file is kept this long, then deleted (beat: core.tasks.delete_old_spreadsheets).
SPREADSHEET_KEEP_HOURS = 24
BUILD_SPREADSHEET_TASK = "core.tasks.build_spreadsheet"


@dataclass(frozen=True)
class Spreadsheet:
    """What a list gives to be exported: its file's name, its sheet's title, the header and the rows."""

    filename: str
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]


# kind -> builder(user, query) -> Spreadsheet: each app registers its big lists in its AppConfig.ready(), so that the
# worker rebuilds a list from its filters with the person's own visibility.
SPREADSHEETS: dict[str, Callable[[object, QueryDict], Spreadsheet]] = {}


def spreadsheet_register(kind: str, builder: Callable[[object, QueryDict], Spreadsheet]) -> None:
    SPREADSHEETS[kind] = builder


def spreadsheet_export_start(*, user, kind: str, query: str, filename: str) -> SpreadsheetExport:
    """Record the request and queue its file once the record is committed; the page of the export says when the
    file is ready. The query is kept as given (at most 2,000 characters: a list's filters)."""
    if kind not in SPREADSHEETS:
        raise ValueError(f"No spreadsheet is registered as {kind!r}.")
    with transaction.atomic():
        export = SpreadsheetExport.objects.create(requested_by=user, kind=kind, query=query[:2000],
                                                  filename=f"{filename}.xlsx", requested_at=timezone.now())
        export_id = export.pk
        transaction.on_commit(lambda: signature(BUILD_SPREADSHEET_TASK, kwargs={"export_id": export_id}).delay())
    return export


def _counted(rows: Iterable[Sequence], counter: list[int]) -> Iterator[Sequence]:
    for row in rows:
        counter[0] += 1
        yield row


def spreadsheet_export_build(*, export_id: int) -> str:
    """The worker's part: build the file of a pending export from its list's builder, store it, mark it ready (or
    failed). Safe to run twice: an export no longer pending is left as it is. The file is written as it is made
    (``xlsx_stream``): memory stays flat however many rows."""
    with transaction.atomic():
        export = (SpreadsheetExport.objects.select_for_update().select_related("requested_by")
                  .filter(pk=export_id, status=SpreadsheetExport.Status.PENDING).first())
        if export is None:
            return "not pending"
    counter = [0]
    try:
        sheet = SPREADSHEETS[export.kind](export.requested_by, QueryDict(export.query))
        with tempfile.TemporaryFile() as spooled:
            for chunk in xlsx_stream(sheets=[(sheet.title, sheet.header, _counted(sheet.rows, counter))]):
                spooled.write(chunk)
            size = spooled.tell()
            spooled.seek(0)
            name = default_storage.save(f"exports/{export.token}.xlsx", File(spooled))
    except Exception:
        SpreadsheetExport.objects.filter(pk=export.pk, status=SpreadsheetExport.Status.PENDING).update(
            status=SpreadsheetExport.Status.FAILED, finished_at=timezone.now())
        raise
    ready = SpreadsheetExport.objects.filter(pk=export.pk, status=SpreadsheetExport.Status.PENDING).update(
        status=SpreadsheetExport.Status.READY, storage_name=name, size=size, rows=counter[0],
        finished_at=timezone.now())
    if not ready:
        # Withdrawn while it was built (``spreadsheet_exports_withdraw``): what it holds is what the person could see
        # before their access changed, and nobody may download it.
        default_storage.delete(name)
        return "withdrawn"
    return "ready"


def spreadsheet_exports_withdraw(*, person) -> int:
    """Withdraw ``person``'s exports that are pending or ready, inside the transaction that reduced their clearance
    (``core.services.clearance_reduced_send``): each was built, or is being built, with what they could see before,
    OFFICIAL-SENSITIVE titles among it (review 4: a register of more than 10,000 rows stayed downloadable for a day
    after its requester's role was taken away). Their files are deleted once the change commits (a rolled-back
    change leaves them as they were); one being built now is deleted by its worker (``spreadsheet_export_build``).
    Their pages say why, and to export again. Returns how many were withdrawn."""
    with transaction.atomic():
        live = (SpreadsheetExport.objects.select_for_update()
                .filter(requested_by_id=person.pk,
                        status__in=[SpreadsheetExport.Status.PENDING, SpreadsheetExport.Status.READY])
                .order_by("pk"))
        withdrawn = list(live.values_list("pk", "storage_name"))
        if not withdrawn:
            return 0
        SpreadsheetExport.objects.filter(pk__in=[pk for pk, _ in withdrawn]).update(
            status=SpreadsheetExport.Status.WITHDRAWN, storage_name="", size=None, rows=None,
            finished_at=timezone.now())
        names = [name for _, name in withdrawn if name]
        if names:
            transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    return len(withdrawn)


def spreadsheets_delete_old(*, now: datetime.datetime | None = None) -> int:
    """Beat: the exports requested more than SPREADSHEET_KEEP_HOURS ago, and their files."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=SPREADSHEET_KEEP_HOURS)
    old = list(SpreadsheetExport.objects.filter(requested_at__lt=cutoff).values_list("pk", "storage_name"))
    for _pk, name in old:
        if name:
            default_storage.delete(name)
    SpreadsheetExport.objects.filter(pk__in=[pk for pk, _ in old]).delete()
    return len(old)


def xlsx_or_prepared(request, *, kind: str, count: Callable[[], int], spreadsheet: Callable[[], Spreadsheet]
                     ) -> HttpResponse:
    """``?format=xlsx`` of a list that may be long: streamed when it has at most XLSX_STREAM_MAX_ROWS rows (one
    count first), else prepared by the worker, the request answering at once with the export's page."""
    sheet = spreadsheet()
    if count() <= XLSX_STREAM_MAX_ROWS:
        return xlsx_response(filename=sheet.filename, sheets=[(sheet.title, sheet.header, sheet.rows)])
    export = spreadsheet_export_start(user=request.user, kind=kind, query=request.GET.urlencode(),
                                      filename=sheet.filename)
    return HttpResponseRedirect(reverse("spreadsheet_export", args=[export.token]))
