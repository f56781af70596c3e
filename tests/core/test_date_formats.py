"""Dates in one format (issue 17, "dates are in one format"): every format a template or a module writes a date
with is one core.dates declares, and a date printed without a format reads the same. A stray "j M Y" in a
template, or "%d %b" in an f-string, fails here with its file and line. (The page walk, tests/web/test_every_page,
reads the pages themselves for a short month or a zero-padded day.)"""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import dateformat, timezone

from core import dates

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "node_modules", "tests", "migrations", "benchmarks", "static", "staticfiles", "test-artifacts"}
ALLOWED = dates.FORMATS | dates.MACHINE_FORMATS | dates.TIME_FORMATS | dates.YEAR_FORMATS
TEMPLATE_FORMAT = re.compile(r"""\|(?:date|time):\s*(?P<quote>["'])(?P<format>.*?)(?P=quote)""")
DATE_DIRECTIVE = re.compile(r"%-?[aAbBdeHjmMSyYp]")


def _files(suffixes: tuple[str, ...]):
    for path in sorted(ROOT.rglob("*")):
        if path.suffix in suffixes and not SKIPPED & set(path.relative_to(ROOT).parts):
            yield path


def _template_formats():
    for path in _files((".html", ".txt", ".xml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in TEMPLATE_FORMAT.finditer(line):
                yield f"{path.relative_to(ROOT)}:{number}", match["format"]


def _python_formats():
    """strftime patterns: f-string format specs ({day:%d %B}) and the strings given to strftime() or
    dateformat.format()."""
    for path in _files((".py",)):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
                spec = "".join(part.value for part in node.format_spec.values if isinstance(part, ast.Constant))
                if DATE_DIRECTIVE.search(spec):
                    yield where, spec
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args
                  and (node.func.attr == "strftime" or node.func.attr == "format"
                       and isinstance(node.func.value, ast.Name) and node.func.value.id == "dateformat")
                  and isinstance(node.args[-1], ast.Constant) and isinstance(node.args[-1].value, str)):
                yield where, node.args[-1].value


def test_every_date_format_in_a_template_is_the_services():
    found = list(_template_formats())
    assert len(found) > 50, "the scan found too few |date formats: is it reading the templates?"
    stray = [f"{where}: {fmt!r}" for where, fmt in found if fmt not in ALLOWED]
    assert not stray, "dates written in another format than core.dates declares:\n" + "\n".join(stray)


def test_every_date_format_in_python_is_the_services():
    found = list(_python_formats())
    assert len(found) > 20, "the scan found too few strftime formats: is it reading the modules?"
    stray = [f"{where}: {fmt!r}" for where, fmt in found if fmt not in ALLOWED]
    assert not stray, "dates written in another format than core.dates declares:\n" + "\n".join(stray)


def test_a_date_printed_without_a_format_reads_the_same(settings):
    day = datetime.date(2026, 3, 2)
    moment = timezone.make_aware(datetime.datetime(2026, 3, 2, 14, 5))
    html = Template("{{ day }}|{{ day|date }}|{{ moment }}|{{ moment|date:'DATETIME_FORMAT' }}").render(
        Context({"day": day, "moment": moment}))
    assert html == "2 March 2026|2 March 2026|2 March 2026, 14:05|2 March 2026, 14:05"
    assert dates.date_shown(day) == "2 March 2026" == f"{day:{dates.DATE_STRFTIME}}"
    assert dates.datetime_shown(moment) == "2 March 2026, 14:05" == f"{moment:{dates.DATETIME_STRFTIME}}"


def test_the_fast_formatting_writes_what_the_date_filter_writes():
    """core.dates formats without django.utils.dateformat (the timeline's and versions' pages of dates): the same
    words for every month, a day without its leading zero, midnight and a time across the clocks' change."""
    zone = timezone.get_current_timezone()
    template = Template('{{ day|date:"j F Y" }}|{{ moment|date:"j F Y, H:i" }}')
    for month in range(1, 13):
        day = datetime.date(2026, month, 1 + month)
        moment = datetime.datetime(2026, month, 28, 23, 30, tzinfo=datetime.UTC)  # the 29th in London in summer
        expected = template.render(Context({"day": day, "moment": moment}))
        assert f"{dates.date_shown(day)}|{dates.datetime_shown(moment)}" == expected
        assert dates.datetime_shown(moment, zone=zone) == expected.split("|")[1]
    naive = datetime.datetime(2026, 3, 2, 0, 5)
    assert dates.datetime_shown(naive) == "2 March 2026, 00:05" == dateformat.format(naive, dates.DATETIME_FORMAT)
    assert dates.date_shown(None) == "" == dates.datetime_shown(None)
