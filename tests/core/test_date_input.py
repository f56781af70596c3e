"""The GOV.UK date input: day, month and year boxes that post ``<name>-day``, ``<name>-month`` and
``<name>-year``, accept one ISO value as well, explain what is wrong with a date in GOV.UK words and show
back what was typed."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.template.loader import render_to_string
from django.utils import timezone

from core.forms import DateField, DateInput, DateParts, GovUKForm
from core.submissions import CONSULTATION_RECORD
from lifecycle.forms import ConsultationForm, ConsultationResponseForm, PublishForm
from lifecycle.models import ConsultationRecord
from tests.factories import advance_to
from tests.submissions import bound_once, sent_once

CONSULTATION = {"consultee": "Staff side", "organisation": "Police Federation", "consultee_type": "shrmt"}


def _parts(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def _field_html(form, name: str) -> str:
    return render_to_string("includes/field.html", {"field": form[name]})


def test_three_boxes_round_trip_to_a_date_and_back():
    widget = DateInput()
    typed = widget.value_from_datadict(_parts("date_sent", "27", "3", "2027"), {}, "date_sent")

    assert typed == DateParts("27", "3", "2027")
    assert widget.decompress(datetime.date(2027, 3, 27)) == [27, 3, 2027]
    # Sent: today or before.
    form = bound_once(ConsultationForm, {**CONSULTATION, **_parts("date_sent", "27", "03", "2026")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_sent"] == datetime.date(2026, 3, 27)


def test_a_single_iso_value_is_accepted_when_the_boxes_are_absent():
    widget = DateInput()
    assert widget.value_from_datadict({"date_sent": "2026-11-23"}, {}, "date_sent") == "2026-11-23"
    assert not widget.value_omitted_from_data({"date_sent": "2026-11-23"}, {}, "date_sent")
    assert not widget.value_omitted_from_data({"date_sent-year": "2026"}, {}, "date_sent")
    assert widget.value_omitted_from_data({}, {}, "date_sent")

    form = bound_once(ConsultationForm, {**CONSULTATION, "date_sent": "2026-11-23"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_sent"] == datetime.date(2026, 11, 23)
    assert 'name="date_sent-day" type="text" inputmode="numeric" value="23"' in _field_html(form, "date_sent")


def test_empty_boxes_leave_an_optional_date_empty_and_a_required_one_asks_for_it():
    form = bound_once(ConsultationForm, {**CONSULTATION, **_parts("date_sent", "", "", ""),
                             **_parts("response_received_on", " ", "", "")})

    assert not form.is_valid()
    assert form.errors["date_sent"] == ["Enter the date sent"]
    assert "response_received_on" not in form.errors
    assert form.cleaned_data["response_received_on"] is None


@pytest.mark.parametrize(("day", "month", "year", "message", "highlighted"), [
    ("31", "2", "2027", "Date sent must be a real date", ["day", "month", "year"]),
    ("x", "3", "2027", "Date sent must be a real date", ["day"]),
    ("27", "13", "2027", "Date sent must be a real date", ["month"]),
    ("", "3", "2027", "Date sent must include a day", ["day"]),
    ("27", "", "", "Date sent must include a month and year", ["month", "year"]),
    ("27", "3", "27", "Year must include 4 numbers", ["year"]),
    ("9" * 40, "3", "2027", "Date sent must be a real date", ["day"]),
])
def test_a_partial_or_impossible_date_is_explained_and_what_was_typed_is_kept(day, month, year, message,
                                                                                 highlighted):
    form = bound_once(ConsultationForm, {**CONSULTATION, **_parts("date_sent", day, month, year)})

    assert not form.is_valid()
    assert form.errors["date_sent"] == [message]
    html = _field_html(form, "date_sent")
    assert "govuk-form-group--error" in html
    assert 'aria-describedby="id_date_sent-hint id_date_sent-error"' in html
    assert f'<p class="govuk-error-message" id="id_date_sent-error"><span class="govuk-visually-hidden">Error:' \
           f'</span> {message}</p>' in html
    for part, typed in zip(["day", "month", "year"], [day, month, year], strict=True):
        width = 4 if part == "year" else 2
        error = " govuk-input--error" if part in highlighted else ""
        value = f' value="{typed}"' if typed else ""
        invalid = ' aria-invalid="true"' if part in highlighted else ""
        assert (f'class="govuk-input govuk-date-input__input govuk-input--width-{width}{error}" '
                f'id="id_date_sent-{part}" name="date_sent-{part}" type="text" inputmode="numeric"{value}{invalid}>'
                ) in html
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert f'<a href="#id_date_sent-{highlighted[0]}">{message}</a>' in summary


def test_a_field_without_its_own_message_gets_the_govuk_one_naming_the_question():
    # The question is "Publish on"; its messages name the date as a sentence can ("Publish on must be ..." read
    # oddly: QA walk).
    form = PublishForm({"on_intranet": "on", **_parts("publish_on", "30", "2", "2027")})
    assert form.errors["publish_on"] == ["The publication date must be a real date"]

    form = PublishForm({"on_intranet": "on", **_parts("publish_on", "", "2", "")})
    assert form.errors["publish_on"] == ["The publication date must include a day and year"]

    latest = timezone.localdate() + relativedelta(years=2)
    beyond = latest + datetime.timedelta(days=1)
    form = PublishForm({"on_intranet": "on", **_parts("publish_on", str(beyond.day), str(beyond.month),
                                                      str(beyond.year))})
    assert form.errors["publish_on"] == [f"The publication date must be on or before {latest:%-d %B %Y}"]


def test_an_unbound_form_splits_its_initial_date_into_the_boxes():
    # A response is received today or before: the hint gives a past example (the walk found "27 3 2027" there).
    form = ConsultationResponseForm(initial={"response_received_on": datetime.date(2026, 3, 7)})
    html = _field_html(form, "response_received_on")

    assert '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_response_received_on-hint">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Response received on</legend>' in html
    assert '<div id="id_response_received_on-hint" class="govuk-hint">For example, 27 3 2026</div>' in html
    assert '<div class="govuk-date-input" id="id_response_received_on">' in html
    for part, value in [("day", "7"), ("month", "3"), ("year", "2026")]:
        assert f'for="id_response_received_on-{part}">{part.capitalize()}</label>' in html
        assert f'name="response_received_on-{part}" type="text" inputmode="numeric" value="{value}">' in html
    assert "govuk-input--error" not in html and "required" not in html


def test_the_hint_follows_the_fields_own_help_text():
    html = _field_html(PublishForm(), "publish_on")
    assert ("coincide with the implementation plan. For example, 27 3 2027</div>") in html
    assert 'value="' not in html


@pytest.mark.django_db
def test_the_consultation_log_saves_a_date_posted_in_three_boxes(client, people):
    policy = advance_to(people.policy(), "development", people)
    client.force_login(people.developer)
    sent = timezone.localdate() - datetime.timedelta(days=3)

    response = client.post(f"/policies/{policy.reference}/consultation/", {
        **CONSULTATION, **sent_once(people.developer, CONSULTATION_RECORD), "consultee": "Three boxes",
        **_parts("date_sent", str(sent.day), str(sent.month), str(sent.year))})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ConsultationRecord.objects.get(policy=policy, consultee="Three boxes").date_sent == sent


@pytest.mark.django_db
def test_the_consultation_log_explains_a_partial_date_and_keeps_it(client, people):
    policy = advance_to(people.policy(), "development", people)
    client.force_login(people.developer)

    response = client.post(f"/policies/{policy.reference}/consultation/", {
        **CONSULTATION, **sent_once(people.developer, CONSULTATION_RECORD), "consultee": "Half a date",
        **_parts("date_sent", "12", "", "2026")})

    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#id_date_sent-month">Date sent must include a month</a>' in page
    assert 'id="id_date_sent-month"' in page
    assert 'name="date_sent-day" type="text" inputmode="numeric" value="12"' in page
    assert 'name="date_sent-year" type="text" inputmode="numeric" value="2026"' in page
    assert not ConsultationRecord.objects.filter(consultee="Half a date").exists()


@pytest.mark.django_db
def test_a_service_refusal_on_a_date_highlights_the_whole_date(client, people):
    policy = advance_to(people.policy(), "development", people)
    client.force_login(people.developer)
    # Two dates the form accepts (both past), which the service refuses together.
    sent = timezone.localdate() - datetime.timedelta(days=1)
    received = sent - datetime.timedelta(days=1)

    response = client.post(f"/policies/{policy.reference}/consultation/", {
        **CONSULTATION, **sent_once(people.developer, CONSULTATION_RECORD),
        **_parts("date_sent", str(sent.day), str(sent.month), str(sent.year)),
        **_parts("response_received_on", str(received.day), str(received.month), str(received.year))})

    assert response.status_code == 400
    page = response.content.decode()
    assert ('<a href="#id_response_received_on-day">The response cannot be received before the consultation was '
            'sent.</a>') in page
    assert page.count("govuk-date-input__input govuk-input--width-2 govuk-input--error") == 2
    assert page.count("govuk-date-input__input govuk-input--width-4 govuk-input--error") == 1


class UpliftForm(GovUKForm):
    uplift_on = DateField(label="Uplift % date")


def test_a_percent_sign_in_the_label_is_safe_in_every_message():
    form = UpliftForm(data=_parts("uplift_on", "31", "2", "2027"))
    assert form.errors["uplift_on"] == ["Uplift % date must be a real date"]
    form = UpliftForm(data=_parts("uplift_on", "1", "", "2027"))
    assert form.errors["uplift_on"] == ["Uplift % date must include a month"]
    form = UpliftForm(data={"uplift_on": "not a date"})
    assert form.errors["uplift_on"] == ["Uplift % date must be a real date"]


@pytest.mark.parametrize("posted", ["23/11/2026", "\uff12\uff10\uff12\uff16-11-23", "2026-11-23-", "9" * 50])
def test_one_field_takes_an_iso_date_only_and_shows_back_what_was_sent(posted):
    form = UpliftForm(data={"uplift_on": posted})
    assert form.errors["uplift_on"] == ["Uplift % date must be a real date"]
    assert f'value="{posted}"' in _field_html(form, "uplift_on")


def test_one_field_iso_date_is_accepted():
    form = UpliftForm(data={"uplift_on": " 2026-11-23 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["uplift_on"] == datetime.date(2026, 11, 23)


def test_a_response_received_in_the_future_is_refused_and_kept():
    form = ConsultationResponseForm({"response": "No concerns.", **_parts("response_received_on", "7", "3", "2099")})
    assert form.errors["response_received_on"] == ["Response received on must be today or in the past"]
    assert 'value="2099"' in _field_html(form, "response_received_on")
