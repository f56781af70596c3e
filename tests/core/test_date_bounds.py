"""Dates have sane bounds everywhere (issue 11, finding 9): 9999-12-31 and 0001-01-01 were accepted. Every
core.forms.DateField refuses a year before 1900 or after 2100, a field may set tighter bounds (fixed dates or
ones computed from today), the message names the question ("... must be on or before ..."), and the form
keeps what was typed."""

import datetime

import pytest
from django.template.loader import render_to_string

from core.forms import DATE_EARLIEST, DATE_LATEST, DateField, GovUKForm


class EventForm(GovUKForm):
    happened_on = DateField(label="Date of the incident")


def _parts(name, day, month, year):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def _html(form, name):
    return render_to_string("includes/field.html", {"field": form[name]})


def test_the_default_bounds_are_1900_to_2100():
    assert (datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)) == (DATE_EARLIEST, DATE_LATEST)


@pytest.mark.parametrize(("day", "month", "year", "message"), [
    ("31", "12", "9999", "Date of the incident must be on or before 31 December 2100"),
    ("1", "1", "0001", "Date of the incident must be on or after 1 January 1900"),
    ("31", "12", "1899", "Date of the incident must be on or after 1 January 1900"),
    ("1", "1", "2101", "Date of the incident must be on or before 31 December 2100"),
])
def test_an_absurd_date_in_the_boxes_is_refused_and_kept(day, month, year, message):
    form = EventForm(data=_parts("happened_on", day, month, year))

    assert form.errors["happened_on"] == [message]
    html = _html(form, "happened_on")
    for part, typed in [("day", day), ("month", month), ("year", year)]:
        assert f'name="happened_on-{part}" type="text" inputmode="numeric" value="{typed}"' in html
    assert "govuk-form-group--error" in html


@pytest.mark.parametrize(("posted", "message"), [
    ("9999-12-31", "Date of the incident must be on or before 31 December 2100"),
    ("0001-01-01", "Date of the incident must be on or after 1 January 1900"),
])
def test_an_absurd_iso_date_is_refused(posted, message):
    form = EventForm(data={"happened_on": posted})
    assert form.errors["happened_on"] == [message]


def test_the_bounds_themselves_are_accepted():
    for day in (DATE_EARLIEST, DATE_LATEST):
        form = EventForm(data={"happened_on": day.isoformat()})
        assert form.is_valid(), form.errors


TODAY = datetime.date.today()


class ScheduleForm(GovUKForm):
    starts_on = DateField(label="Start date", earliest=lambda: TODAY,
                          latest=lambda: TODAY.replace(year=TODAY.year + 2) - datetime.timedelta(days=1))
    fixed_on = DateField(label="Fixed date", required=False, earliest=datetime.date(2020, 1, 1),
                         latest=datetime.date(2020, 12, 31),
                         error_messages={"before": "Choose a date in 2020"})


def test_a_field_may_set_tighter_bounds_computed_when_the_form_is_checked():
    form = ScheduleForm(data={"starts_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    # Bounded by today, said as GOV.UK says it ("Publish on must be on or after 4 December 2026" read oddly:
    # found by the twelfth session's Chromium walk).
    assert form.errors["starts_on"] == ["Start date must be today or in the future"]
    far = TODAY.replace(year=TODAY.year + 3)
    form = ScheduleForm(data={"starts_on": far.isoformat()})
    latest = TODAY.replace(year=TODAY.year + 2) - datetime.timedelta(days=1)
    assert form.errors["starts_on"] == [f"Start date must be on or before {latest:%-d %B %Y}"]
    form = ScheduleForm(data={"starts_on": TODAY.isoformat(), "fixed_on": "2021-01-01"})
    assert form.errors == {"fixed_on": ["Choose a date in 2020"]}
    form = ScheduleForm(data={"starts_on": TODAY.isoformat(), "fixed_on": "2019-12-31"})
    assert form.errors == {"fixed_on": ["Fixed date must be on or after 1 January 2020"]}


def test_a_tighter_bound_never_loosens_the_default():
    with pytest.raises(ValueError, match="1900"):
        DateField(earliest=datetime.date(1800, 1, 1))


class PastForm(GovUKForm):
    happened_on = DateField(label="Date of the meeting", latest=lambda: TODAY)


def test_a_date_bounded_by_today_says_so_and_its_hint_gives_an_example_it_accepts():
    # The hint said "For example, 27 3 2027" on dates that must not be in the future (found by the same walk).
    form = PastForm(data={"happened_on": (TODAY + datetime.timedelta(days=1)).isoformat()})
    assert form.errors["happened_on"] == ["Date of the meeting must be today or in the past"]
    example = PastForm().fields["happened_on"].example
    day, month, year = (int(part) for part in example.split())
    assert datetime.date(year, month, day) <= TODAY
    assert ScheduleForm().fields["starts_on"].example.split()[2] >= str(TODAY.year)
