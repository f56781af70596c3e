"""Reading the pages' tables and the exported files, to compare them cell by cell."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape

import openpyxl

# An abbreviation's first use on a page reads "Policy Co-ordination Unit ( PCU )" once its tags are stripped; the
# export writes the abbreviation as it is ("PCU").
EXPANDED = re.compile(r"([^()]*?)\s*\(\s*<abbr title=\"([^\"]*)\">([^<]*)</abbr>\s*\)")


def _collapse_expansions(cell: str) -> str:
    def collapse(match: re.Match) -> str:
        before, expansion, short = match.groups()
        return (before[: len(before) - len(expansion)] + short if before.lower().endswith(expansion.lower())
                else match.group(0))

    return EXPANDED.sub(collapse, cell)


# A heading's shorter words, shown but hidden from a screen reader, which hears the full heading beside them
# (oversight/includes_table.html).
SHOWN_ONLY = re.compile(r'<span[^>]*aria-hidden="true"[^>]*>.*?</span>', re.S)


def html_table(body: str, table_id: str) -> list[list[str]]:
    """The rows (header row first) of the table ``id=table_id``, each cell's text as a screen reader hears it
    (abbreviations as written, without their expansion)."""
    table = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', body, re.S).group(1)
    table = SHOWN_ONLY.sub("", table)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", _collapse_expansions(cell))).split())
                     for cell in cells])
    return rows


def content(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def xlsx_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # Read-only sheets leave out a row's trailing empty cells: give every row the header's width.
    width = len(rows[0]) if rows else 0
    return [row + [None] * (width - len(row)) for row in rows]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def as_page_text(value, *, date_format: str = "%-d %B %Y") -> str:
    """A typed cell as the page writes it."""
    if value is None:
        return "–"
    if isinstance(value, datetime.datetime):
        return value.strftime(date_format)
    return str(value)


def same_cell(page_text: str, value, *, date_format: str = "%-d %B %Y") -> bool:
    """The page's text of a cell and the typed value exported for it are the same figure."""
    if isinstance(value, bool):
        return page_text == ("Yes" if value else "No")
    if isinstance(value, int | float):
        return float(page_text) == float(value)
    return page_text == as_page_text(value, date_format=date_format)


def assert_same_table(page: list[list[str]], exported: list[list], *, date_format: str = "%-d %B %Y") -> None:
    assert len(page) == len(exported), (len(page), len(exported))
    for number, (page_row, exported_row) in enumerate(zip(page, exported, strict=True)):
        assert len(page_row) == len(exported_row), number
        for page_text, value in zip(page_row, exported_row, strict=True):
            assert same_cell(page_text, value, date_format=date_format), (number, page_text, value)
