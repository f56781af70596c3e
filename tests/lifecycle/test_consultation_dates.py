"""The consultation log's dates are bound to what they record (user walk: "Date sent" hinted "For example, 27 3 2027",
a date a consultation cannot have been sent on): a consultation was sent, and its response received, today or
before. The hint gives a date the field accepts, and a future date is refused in GOV.UK words with what was typed
kept in the boxes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from core.submissions import CONSULTATION_RECORD
from lifecycle.forms import ConsultationForm
from lifecycle.models import ConsultationRecord
from lifecycle.states import Status
from tests.submissions import bound_once, sent_once

CONSULTATION = {"consultee": "Staff side", "organisation": "Police Federation", "consultee_type": "staff_association"}


def _parts(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _hint_example(html: str, name: str) -> datetime.date:
    match = re.search(rf'<div id="id_{name}-hint" class="govuk-hint">For example, (\d+) (\d+) (\d{{4}})</div>', html)
    assert match, html
    day, month, year = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


@pytest.mark.parametrize("name", ["date_sent", "response_received_on"])
def test_the_hint_gives_a_date_in_the_past(name):
    html = render_to_string("includes/field.html", {"field": bound_once(ConsultationForm)[name]})
    assert _hint_example(html, name) <= timezone.localdate()


@pytest.mark.parametrize(("name", "label"), [("date_sent", "Date sent"),
                                             ("response_received_on", "Response received on")])
def test_a_future_date_is_refused_and_what_was_typed_is_kept(name, label):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    sent = {} if name == "date_sent" else _parts("date_sent", timezone.localdate())
    form = bound_once(ConsultationForm, {**CONSULTATION, **sent, **_parts(name, tomorrow)})

    assert not form.is_valid()
    assert form.errors[name] == [f"{label} must be today or in the past"]
    html = render_to_string("includes/field.html", {"field": form[name]})
    for part, typed in (("day", tomorrow.day), ("month", tomorrow.month), ("year", tomorrow.year)):
        assert f'id="id_{name}-{part}" name="{name}-{part}" type="text" inputmode="numeric" value="{typed}"' in html


def test_today_and_earlier_dates_are_accepted():
    today = timezone.localdate()
    form = bound_once(ConsultationForm, {**CONSULTATION, **_parts("date_sent", today - datetime.timedelta(days=30)),
                             **_parts("response_received_on", today)})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_log_page_refuses_a_future_date_sent_and_records_nothing(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    client.force_login(people.developer)
    page = f"/policies/{policy.reference}/consultation/"
    assert _hint_example(client.get(page).content.decode(), "date_sent") <= timezone.localdate()

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(page, {**CONSULTATION, **_parts("date_sent", tomorrow),
                                  **sent_once(people.developer, CONSULTATION_RECORD)})

    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_date_sent-day">Date sent must be today or in the past</a>' in body
    assert f'name="date_sent-year" type="text" inputmode="numeric" value="{tomorrow.year}"' in body
    assert 'value="Staff side"' in body
    assert not ConsultationRecord.objects.filter(policy=policy).exists()
