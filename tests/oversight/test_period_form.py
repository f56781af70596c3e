"""The period of the Corporate Health Indicators and the board report is chosen in GOV.UK date inputs (day, month and
year boxes), as every other date in PolicyHub: the browser's own date box showed 07/01/2026 (American order) under
a hint that said "For example, 1 January 2026" (the twentieth session's walk in Chromium). The URL's ``from`` and
``to`` (ISO dates) still choose the period: other pages and the downloads link to them."""

from __future__ import annotations

import datetime
import re

import pytest

from tests.oversight.scenario import on

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)
PAGES = ("/dashboard/indicators/", "/dashboard/report/")


def _box(body: str, name: str) -> str | None:
    """The value in the text box ``name`` (None when the box is empty), failing if there is no such box."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def _boxes(body: str, name: str) -> tuple:
    return tuple(_box(body, f"{name}-{part}") for part in ("day", "month", "year"))


@pytest.fixture
def pcu(client, people):
    client.force_login(people.pcu)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_the_period_is_typed_as_day_month_and_year(pcu, path):
    with on(DAY):
        body = pcu.get(path, {"from": "2026-07-01", "to": "2026-09-30"}).content.decode()
    assert 'type="date"' not in body
    assert _boxes(body, "from") == ("1", "7", "2026") and _boxes(body, "to") == ("30", "9", "2026")
    # The hint's example is written in the boxes' order.
    hints = re.findall(r'class="govuk-hint">For example, (\d{1,2}) (\d{1,2}) (\d{4})</div>', body)
    assert len(hints) == 2, hints
    # A date that can be chosen: today or earlier (it said "For example, 27 3 2027", a year after today, refused).
    assert all(datetime.date(int(year), int(month), int(day)) <= DAY for day, month, year in hints), hints
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">From</legend>' in body
    assert "1 July 2026 to 30 September 2026" in body


@pytest.mark.parametrize("path", PAGES)
def test_the_boxes_choose_the_period_and_the_links_carry_it_as_iso_dates(pcu, path):
    typed = {"from-day": "1", "from-month": "7", "from-year": "2026", "to-day": "30", "to-month": "9",
             "to-year": "2026"}
    with on(DAY):
        body = pcu.get(path, typed).content.decode()
    assert "1 July 2026 to 30 September 2026" in body
    # The downloads and the links between the indicators and the report give the period as ISO dates.
    assert re.search(r'href="[^"]*\?from=2026-07-01&amp;to=2026-09-30&amp;[^"]*format=', body)
    assert _boxes(body, "from") == ("1", "7", "2026")


@pytest.mark.parametrize("path", PAGES)
def test_a_date_that_does_not_exist_is_shown_back_with_its_error_and_the_last_quarter_instead(pcu, path):
    typed = {"from-day": "31", "from-month": "2", "from-year": "2026", "to-day": "30", "to-month": "9",
             "to-year": "2026"}
    with on(DAY):
        response = pcu.get(path, typed)
    body = response.content.decode()
    assert response.status_code == 200
    assert "From must be a real date" in body and "govuk-form-group--error" in body
    # What was typed stays in the boxes, to be corrected.
    assert _boxes(body, "from") == ("31", "2", "2026")
    assert "Showing the last quarter instead (1 July 2026 to 30 September 2026)." in body


def test_one_box_missing_is_named(pcu):
    with on(DAY):
        body = pcu.get("/dashboard/indicators/", {"from-day": "1", "from-month": "", "from-year": "2026",
                                                   "to-day": "", "to-month": "", "to-year": ""}).content.decode()
    assert "From must include a month" in body


def _errors(body: str) -> tuple[list[str], dict[str, str]]:
    """The error summary's messages, and each date field's own error message (by field name)."""
    summary = re.findall(r'<li><a href="#id_(?:from|to)-[a-z]+">([^<]*)</a></li>', body)
    fields = {name: re.sub(r"<[^>]+>", "", message).replace("Error:", "").strip()
              for name, message in re.findall(r'<p class="govuk-error-message" id="id_(from|to)-error">(.*?)</p>',
                                               body, re.S)}
    return summary, fields


@pytest.mark.parametrize("path", PAGES)
def test_a_period_in_the_future_is_an_error_on_its_end_with_what_was_typed_kept(pcu, path):
    """QA walk: "From 1/1/2027 to 1/6/2027" said "The start of the period must be before its end" (the end was cut
    to today first) as a warning, and put the last quarter in the boxes: the real fault is a period after today."""
    typed = {"from-day": "1", "from-month": "1", "from-year": "2027", "to-day": "1", "to-month": "6",
             "to-year": "2027"}
    with on(DAY):
        response = pcu.get(path, typed)
    body = response.content.decode()
    assert response.status_code == 200
    summary, fields = _errors(body)
    assert summary == ["The period must end today or earlier"]
    assert fields == {"to": "The period must end today or earlier"}
    assert "before its end" not in body
    assert _boxes(body, "from") == ("1", "1", "2027") and _boxes(body, "to") == ("1", "6", "2027")


@pytest.mark.parametrize("path", PAGES)
def test_a_period_that_ends_before_it_starts_is_an_error_on_its_start_with_what_was_typed_kept(pcu, path):
    typed = {"from-day": "30", "from-month": "9", "from-year": "2026", "to-day": "1", "to-month": "7",
             "to-year": "2026"}
    with on(DAY):
        body = pcu.get(path, typed).content.decode()
    summary, fields = _errors(body)
    message = "The start of the period must be the same as or before its end"
    assert summary == [message] and fields == {"from": message}
    assert _boxes(body, "from") == ("30", "9", "2026") and _boxes(body, "to") == ("1", "7", "2026")
    assert "Showing the last quarter instead (1 July 2026 to 30 September 2026)." in body


def test_a_start_after_today_with_no_end_is_an_error_on_the_start(pcu):
    with on(DAY):
        body = pcu.get("/dashboard/indicators/", {"from-day": "1", "from-month": "11", "from-year": "2026",
                                                  "to-day": "", "to-month": "", "to-year": ""}).content.decode()
    summary, fields = _errors(body)
    assert summary == ["The period must start today or earlier"]
    assert fields == {"from": "The period must start today or earlier"}
    assert _boxes(body, "from") == ("1", "11", "2026")


def test_a_date_that_does_not_exist_is_named_in_the_summary_and_on_its_boxes(pcu):
    typed = {"from-day": "31", "from-month": "2", "from-year": "2026", "to-day": "30", "to-month": "9",
             "to-year": "2026"}
    with on(DAY):
        body = pcu.get("/dashboard/indicators/", typed).content.decode()
    assert _errors(body) == (["From must be a real date"], {"from": "From must be a real date"})
