"""The board report's PDF is laid out to be read on paper: every column of every table lies on the page (the walk
in Chromium found the force's six business groups pushing "Force total", "Emergency approvals", "Withdrawals" and
the pipeline's "Total" past the right edge, their figures in the PDF's text but off the page), and a heading is on
the page where its table starts (page 1 was a heading and a caption, the table pushed whole onto page 2).

The layout is WeasyPrint's own: the document the view renders is kept (oversight.pdf.report_pdf_document) and its
boxes are walked, page by page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

import oversight.pdf
from oversight import charts
from tests.factories import BusinessGroupFactory
from tests.oversight.scenario import build_world, on

pytestmark = pytest.mark.django_db

# The force the walk used: its six business groups, by their real names (the longest words wrap worst).
OTHER_GROUPS = ("Directorate of Resources", "MetHQ", "Professionalism", "Specialist Operations")
# A quarter with something in every section, a few months after the scenario's history.
DAY = datetime.date(2026, 10, 5)
QUERY = {"from": "2026-07-01", "to": "2026-09-30", "format": "pdf"}
# Rounding in the layout: a hundredth of a CSS pixel.
SLACK = 0.01


def _rendered(client, monkeypatch):
    """The view's PDF response and the WeasyPrint document it was written from."""
    made = []
    real = oversight.pdf.report_pdf_document

    def keep(context):
        document = real(context)
        made.append(document)
        return document

    monkeypatch.setattr(oversight.pdf, "report_pdf_document", keep)
    response = client.get("/dashboard/report/", QUERY)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(made) == 1
    return made[0]


def _boxes(box, table_id=None, parent=None):
    """Each box under ``box`` as (box, the id of the table it is in, its parent box)."""
    if box.element_tag == "table":
        table_id = box.element.get("id")
    yield box, table_id, parent
    for child in getattr(box, "children", ()):
        yield from _boxes(child, table_id, box)


@pytest.fixture(scope="module")
def document(module_people):
    """The report as rendered once for the module (tests/conftest.py, module_transaction): the tests only walk its
    boxes."""
    people = module_people
    for name in OTHER_GROUPS:
        BusinessGroupFactory(name=name)
    build_world(people)
    client = Client()
    client.force_login(people.pcu)
    with on(DAY), pytest.MonkeyPatch.context() as monkeypatch:
        return _rendered(client, monkeypatch)


def test_every_box_of_the_report_lies_within_the_page(document):
    outside = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, right = page_box.content_box_x(), page_box.content_box_x() + page_box.width
        for box, _, _ in _boxes(page_box):
            if box is page_box or type(box).__name__.endswith("MarginBox"):
                continue
            if box.position_x < left - SLACK or box.position_x + box.margin_width() > right + SLACK:
                outside.append((number, box.element_tag, getattr(box, "text", "")[:30],
                                round(box.position_x + box.margin_width() - right, 1)))
    assert not outside, outside


def test_every_table_shows_all_its_columns_on_the_page(document):
    """The words of each header cell are within the page (a column pushed off the edge is still in the text)."""
    headers = {}
    for page in document.pages:
        right = page._page_box.content_box_x() + page._page_box.width
        for box, table_id, _ in _boxes(page._page_box):
            if (type(box).__name__ == "TextBox" and box.element_tag == "th"
                    and box.position_x + box.margin_width() <= right + SLACK):
                headers.setdefault(table_id, []).append(box.text)
    # A word hyphenated at the end of a line ("With‐" "drawals") is read whole again.
    words = {table_id: " ".join(" ".join(texts).replace("\u2010 ", "").split()) for table_id, texts in headers.items()}
    assert "Force total" in words["report-figures"] and "Territorial Policing" in words["report-figures"]
    for column in ("Emergency approvals", "Withdrawals"):
        assert column in words["report-indicators"], words["report-indicators"]
    assert words["report-pipeline"].endswith("Total") or " Total " in words["report-pipeline"] + " "


def test_the_indicators_headings_are_printed_in_full_once(document):
    """On paper the indicators' headings are printed in full: the shorter words a screen's narrow columns show
    (oversight.views.INDICATOR_COLUMNS, the full heading beside them visually hidden) are not printed."""
    printed = []

    def walk(box, in_heading):
        in_heading = in_heading or box.element_tag == "th"
        if type(box).__name__ == "TextBox" and in_heading:
            printed.append(box.text)
        for child in getattr(box, "children", ()):
            walk(child, in_heading)

    for page in document.pages:
        for box, table_id, _ in _boxes(page._page_box):
            if table_id == "report-indicators" and box.element_tag == "thead":
                walk(box, False)
    words = " ".join(" ".join(printed).replace("\u2010 ", "").split())
    assert words.startswith("Business group Policies in force at the end Policies in date (%)"), words
    for full, short in (("Monitoring reports on time (%)", "Reports on time"),
                        ("Median days awaiting publication", "Median days to publish")):
        assert full in words and short not in words, words


def test_a_heading_is_on_the_page_where_its_table_starts(document):
    """Each section's heading, the table's caption and the table's first row share a page, and page 1 starts the
    first table rather than ending after its caption."""
    first_page = {}
    for number, page in enumerate(document.pages, start=1):
        for box, table_id, parent in _boxes(page._page_box):
            name = type(box).__name__
            if name == "TableCaptionBox" or (name == "TableRowBox" and parent.element_tag == "tbody"):
                key = (table_id, "caption" if name == "TableCaptionBox" else "first row")
                first_page.setdefault(key, number)
            elif name == "BlockBox" and box.element_tag == "h2":
                first_page.setdefault(("heading", " ".join(box.element.itertext())[:2]), number)
    for table_id in ("report-figures", "report-indicators", "report-trend", "report-pipeline"):
        assert first_page[(table_id, "caption")] == first_page[(table_id, "first row")], (table_id, first_page)
    assert first_page[("heading", "1.")] == first_page[("report-figures", "first row")] == 1, first_page
    assert first_page[("heading", "2.")] == first_page[("report-indicators", "first row")], first_page


def test_the_last_month_of_a_trend_chart_is_drawn_within_the_chart():
    """Each month's label is centred on its point: the last one ("Sep 2026") needs half its width of room on the
    right of the last point, or the chart's edge cuts it (on the page and in the PDF)."""
    labels = [f"{month} 2026" for month in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep")]
    svg = charts.percent_lines(chart_id="trend", title="Trend", labels=labels,
                               series=[charts.Series("Policies in date", [50.0] * len(labels))], description="")
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    positions = {text: float(x) for x, text in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="middle"'
                                                          r'[^>]*>([^<]+)</text>', svg)}
    # DejaVu Sans, the widest of the sans-serif fonts a browser or WeasyPrint may fall back to, is at most 0.7 em a
    # character in these labels: 12px type.
    half_label = len("Sep 2026") * 12 * 0.7 / 2
    assert positions["Sep 2026"] + half_label <= width
    assert positions["Jan 2026"] - half_label >= 0
