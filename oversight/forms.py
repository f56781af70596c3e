"""The period of the Corporate Health Indicators and the board report, typed in GOV.UK date inputs."""

from __future__ import annotations

from core.forms import DateField, GovUKForm


class PeriodForm(GovUKForm):
    """``from`` and ``to``: day, month and year boxes (``from-day`` ...), or one ISO date each (``from=2026-07-01``),
    which the dashboard's links, the downloads and the tests use (core.forms.DateInput takes both). Both optional:
    the view fills in the rest of the period and keeps it within what PolicyHub holds (views.period_from_request)."""

    def add_fields(self) -> None:
        # "from" is a Python keyword, so the fields are named here rather than declared.
        self.fields["from"] = DateField(label="From", required=False)
        self.fields["to"] = DateField(label="To", required=False)
