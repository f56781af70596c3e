"""The period of the Corporate Health Indicators and the board report, typed in GOV.UK date inputs."""

from __future__ import annotations

from core.forms import DateField, GovUKForm


class PeriodForm(GovUKForm):
    """``from`` and ``to``: day, month and year boxes (``from-day`` ...), or one ISO date each (``from=2026-07-01``),
    which the dashboard's links, the downloads and the tests use (core.forms.DateInput takes both). Both optional:
    the view fills in the rest of the period and keeps it within what PolicyHub holds (views.period_from_request).

    A period that cannot be shown is an error on the box at fault, what was typed kept (GOV.UK's date input): one
    after ``today`` (figures exist only up to today), and one that ends before it starts. "From 1 1 2027 to 1 6 2027"
    was cut to end today and then said "The start of the period must be before its end", as a warning over the last
    quarter's dates (QA walk)."""

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("from"), cleaned_data.get("to")
        if end is not None and end > self.today:
            self.add_error("to", "The period must end today or earlier")
        if start is not None and end is not None and start > end:
            self.add_error("from", "The start of the period must be the same as or before its end")
        elif start is not None and end is None and "to" not in self.errors and start > self.today:
            self.add_error("from", "The period must start today or earlier")
        return cleaned_data

    def add_fields(self) -> None:
        # "from" is a Python keyword, so the fields are named here rather than declared.
        # The hint's example a day of a period that can be shown (QA walk: "For example, 27 3 2027", a date refused).
        self.fields["from"] = DateField(label="From", required=False, example_latest=self.today)
        self.fields["to"] = DateField(label="To", required=False, example_latest=self.today)
