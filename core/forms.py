"""GOV.UK Frontend styling for Django forms: the widget classes and ARIA wiring live here, the markup of
labels, hints and errors in templates/includes/field.html."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils import timezone

from core.dates import date_shown
from core.exceptions import ApplicationError
from core.validators import hidden_characters_in

WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.NumberInput: "govuk-input govuk-input--width-5",
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
}

DATE_PARTS = ("day", "month", "year")
DATE_PART_WIDTHS = {"day": "govuk-input--width-2", "month": "govuk-input--width-2", "year": "govuk-input--width-4"}


def parse_iso_date(text: str) -> datetime.date:
    """2026-11-23 and nothing else: ASCII digits only (strptime would also take full-width ones)."""
    text = text.strip()
    if not text.isascii():
        raise ValueError(text)
    return datetime.datetime.strptime(text, "%Y-%m-%d").date()


class DatePartsError(ValueError):
    """What is wrong with a typed date (``code`` names the message) and which boxes to highlight."""

    def __init__(self, code: str, parts: tuple[str, ...]):
        super().__init__(code)
        self.code = code
        self.parts = parts


@dataclass(frozen=True)
class DateParts:
    """A date as typed into the day, month and year boxes, kept as text so it can be shown back unchanged."""

    day: str = ""
    month: str = ""
    year: str = ""

    @property
    def is_blank(self) -> bool:
        return not any(text.strip() for text in self.as_list())

    def as_list(self) -> list[str]:
        return [self.day, self.month, self.year]

    def to_date(self) -> datetime.date:
        """The date typed, or DatePartsError following the GOV.UK date input's error rules."""
        typed = {part: text.strip() for part, text in zip(DATE_PARTS, self.as_list(), strict=True)}
        missing = tuple(part for part, text in typed.items() if not text)
        if missing:
            raise DatePartsError("incomplete", missing)
        not_numbers = tuple(part for part, text in typed.items() if not (text.isascii() and text.isdigit()))
        if not_numbers:
            raise DatePartsError("invalid", not_numbers)
        if len(typed["year"]) != 4:
            raise DatePartsError("year_digits", ("year",))
        day, month, year = (int(typed[part]) for part in DATE_PARTS)
        out_of_range = tuple(part for part, number, last in (("day", day, 31), ("month", month, 12))
                             if not 1 <= number <= last)
        if out_of_range:
            raise DatePartsError("invalid", out_of_range)
        try:
            return datetime.date(year, month, day)
        except ValueError:  # 31 2 2027: each box is plausible, the date is not.
            raise DatePartsError("invalid", DATE_PARTS) from None

    @property
    def faulty_parts(self) -> tuple[str, ...]:
        """The boxes to highlight when the field is in error: the ones at fault, or all for a whole-date error."""
        try:
            self.to_date()
        except DatePartsError as error:
            return error.parts
        return DATE_PARTS


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes posted as ``<name>-day``, ``<name>-month`` and
    ``<name>-year``. A single ISO value posted as ``<name>`` (``date_sent=2026-11-23``) is accepted too, so
    scripts and older clients keep working. The markup is written out in templates/includes/field.html."""

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(attrs={"inputmode": "numeric"}) for _ in DATE_PARTS], attrs=attrs)
        self.widgets_names = [f"-{part}" for part in DATE_PARTS]

    def decompress(self, value):
        if isinstance(value, DateParts):
            return value.as_list()
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str):  # a value posted as one field (a script): shown back as it was sent
            try:
                date = parse_iso_date(value)
            except ValueError:
                return [value, None, None]
            return [date.day, date.month, date.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        typed = [data.get(f"{name}{suffix}") for suffix in self.widgets_names]
        if all(text is None for text in typed):
            return data.get(name)
        return DateParts(*("" if text is None else str(text) for text in typed))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}{suffix}" not in data for suffix in self.widgets_names)

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        id_ = widget["attrs"].get("id")
        # BoundField marks a field in error with aria-invalid; highlight only the boxes at fault.
        in_error = widget["attrs"].get("aria-invalid") == "true"
        faulty = value.faulty_parts if isinstance(value, DateParts) else DATE_PARTS
        for part, subwidget in zip(DATE_PARTS, widget["subwidgets"], strict=True):
            part_in_error = in_error and part in faulty
            subwidget["label"] = part.capitalize()
            subwidget["in_error"] = part_in_error
            part_attrs = subwidget["attrs"]
            for attr in ("aria-describedby", "aria-invalid", "required"):  # the fieldset carries these
                part_attrs.pop(attr, None)
            if id_:
                part_attrs["id"] = f"{id_}-{part}"
            part_attrs["class"] = " ".join(["govuk-input", "govuk-date-input__input", DATE_PART_WIDTHS[part]]
                                           + (["govuk-input--error"] if part_in_error else []))
        first_faulty = next(part for part in DATE_PARTS if part in faulty)
        widget["error_target"] = f"{id_}-{first_faulty}" if id_ else ""
        return context


# Sane bounds for every date PolicyHub records (9999-12-31 and 0001-01-01 were once accepted). A field may
# narrow them (a publication date: today to two years ahead), never widen them.
DATE_EARLIEST = datetime.date(1900, 1, 1)
DATE_LATEST = datetime.date(2100, 12, 31)

DateBound = datetime.date | Callable[[], datetime.date] | None


def _format_day(day: datetime.date) -> str:
    return date_shown(day)


class DateField(forms.DateField):
    """A date entered in the GOV.UK date input (day, month and year boxes); GovUKForm names the question in
    its messages. ``earliest`` and ``latest`` (a date, or a function returning one, evaluated when the form
    is checked, so "today" is today) narrow the default bounds of 1900 to 2100. ``named``: the date as the
    messages name it when the label does not read as a sentence's subject ("The publication date" for a question
    labelled "Publish on"); the label by default."""

    widget = DateInput
    default_error_messages = {
        "incomplete": "Date must include a %(parts)s",
        "year_digits": "Year must include 4 numbers",
        "after": "Date must be on or after %(date)s",
        "before": "Date must be on or before %(date)s",
        # A bound that is today, as GOV.UK says it.
        "not_past": "Date must be today or in the future",
        "not_future": "Date must be today or in the past",
    }
    # The hint's example ("For example, 27 3 2027"), moved a year at a time into the field's bounds.
    EXAMPLE = datetime.date(2027, 3, 27)

    def __init__(self, *args, earliest: DateBound = None, latest: DateBound = None, named: str | None = None,
                 example_latest: DateBound = None, **kwargs):
        for bound in (earliest, latest):
            if isinstance(bound, datetime.date) and not DATE_EARLIEST <= bound <= DATE_LATEST:
                raise ValueError(f"A date field's bounds stay within {DATE_EARLIEST} and {DATE_LATEST}: {bound}")
        self.earliest = earliest
        self.latest = latest
        self.named = named
        # The latest date the hint's example may be, where the form checks the bound itself (in its clean(), with its
        # own words), not the field: a period of the dashboard's, which ends today or earlier.
        self.example_latest = example_latest
        # The messages the form set itself (its own words win over the "today" ones).
        self._own_messages = set((kwargs.get("error_messages") or {}).keys())
        super().__init__(*args, **kwargs)

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        latest = self.latest() if callable(self.latest) else self.latest
        return max(earliest or DATE_EARLIEST, DATE_EARLIEST), min(latest or DATE_LATEST, DATE_LATEST)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        earliest, latest = self.bounds()
        today = timezone.localdate()
        if value < earliest:
            code = "not_past" if earliest == today and "after" not in self._own_messages else "after"
            raise ValidationError(self.error_messages[code], code="after",
                                  params={"date": _format_day(earliest), "parts": ""})
        if value > latest:
            code = "not_future" if latest == today and "before" not in self._own_messages else "before"
            raise ValidationError(self.error_messages[code], code="before",
                                  params={"date": _format_day(latest), "parts": ""})

    @property
    def example(self) -> str:
        """A date the field accepts, for its hint: "27 3 2027", a year earlier or later while out of its bounds, or,
        when no 27 March lies within bounds less than a year apart (a review brought forward within weeks), the
        nearest bound."""
        earliest, latest = self.bounds()
        if self.example_latest is not None:
            latest = min(latest, self.example_latest() if callable(self.example_latest) else self.example_latest)
        day = self.EXAMPLE
        while day > latest and day.year > earliest.year:
            day = day.replace(year=day.year - 1)
        while day < earliest and day.year < latest.year:
            day = day.replace(year=day.year + 1)
        day = min(max(day, earliest), latest)
        return f"{day.day} {day.month} {day.year}"

    def to_python(self, value):
        if isinstance(value, DateParts):
            if value.is_blank:
                return None
            try:
                return value.to_date()
            except DatePartsError as error:
                raise ValidationError(self.error_messages[error.code], code=error.code,
                                      params={"parts": " and ".join(error.parts)}) from None
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:  # one field, from a script: ISO 8601 only (2026-11-23), as the widget's docstring says
            return parse_iso_date(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"parts": ""}) from None

    def name_in_messages(self, label: str) -> None:
        """GOV.UK messages name the question ("Date sent must include a month"). Messages the form chose
        itself (``error_messages=``) are kept."""
        generic = {**forms.DateField.default_error_messages, **DateField.default_error_messages}
        label = (self.named or label).replace("%", "%%")  # the messages are %-formatted with the parts at fault
        named = {"invalid": f"{label} must be a real date", "incomplete": f"{label} must include a %(parts)s",
                 "after": f"{label} must be on or after %(date)s",
                 "before": f"{label} must be on or before %(date)s",
                 "not_past": f"{label} must be today or in the future",
                 "not_future": f"{label} must be today or in the past"}
        for code, message in named.items():
            if self.error_messages[code] == generic[code]:
                self.error_messages[code] = message


class NameField(forms.CharField):
    """A name or title: people's names, consultees, organisations, titles of policies and SOPs. Refuses
    bidirectional-override and zero-width characters, naming the question (GOV.UK style)."""

    def validate(self, value):
        super().validate(value)
        kinds = hidden_characters_in(value)
        if kinds:
            label = (self.label or "The name").replace("%", "%%")
            raise ValidationError(f"{label} must not contain {' or '.join(kinds)} (they change how it reads "
                                  "without being seen)", code="hidden_characters")


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A ModelChoiceField's options read by one plain SELECT, kept on the field's queryset. Django reads them with
    ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor for a list of a few rows: DECLARE ... WITH
    HOLD, FETCH and CLOSE, three round trips where one will do (and a statement the bench's replay of a page counts
    as a write on GET: make bench, the library's filters)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for choice in self.queryset:
            yield self.choice(choice)


class ModelChoiceField(forms.ModelChoiceField):
    """``forms.ModelChoiceField`` whose options are read by one SELECT (``ListedModelChoiceIterator``)."""

    iterator = ListedModelChoiceIterator


# Django's messages for a value that is not among a field's choices: they echo what was sent ("Select a valid choice.
# zzz is not one of the available choices.") and name no question. Replaced on every GovUKForm's fields, unless the
# field words its own (QA10 item 9).
_NOT_LISTED_CODES = ("invalid_choice", "invalid_pk_value", "invalid_list")
_DJANGO_NOT_LISTED = {
    str(field_class.default_error_messages[code])
    for field_class in (forms.ChoiceField, forms.MultipleChoiceField, forms.ModelChoiceField,
                        forms.ModelMultipleChoiceField)
    for code in _NOT_LISTED_CODES if code in field_class.default_error_messages
}


def _not_listed_in_our_words(field: forms.Field, label: str) -> None:
    """A choice not offered is refused naming the question, never repeating the value sent."""
    for code in _NOT_LISTED_CODES:
        if code in field.error_messages and str(field.error_messages[code]) in _DJANGO_NOT_LISTED:
            field.error_messages[code] = f"Select from the options listed for “{label.replace('%', '%%')}”"


# Django's own messages that name no question: "This field is required.", "Enter a whole number." (and its bounds'
# "Ensure this value is greater than or equal to 1."), "Enter a valid date.", "Enter a valid email address.". The GOV.UK
# Design System asks for a message that says what to do with the field it sits on ("Enter the title", "Choose the
# business group"). A field of a GovUKForm that sets none is given one built from its label (``_in_our_words``):
# labels are written to read so ("The colleague's username": "Enter the colleague's username"); a field whose label
# would not read well in it ("Signing off for") says its own (``error_messages=``), which is always kept.
_DJANGO_MESSAGES = {
    code: {str(message) for field_class in (forms.Field, forms.IntegerField, forms.DecimalField, forms.FloatField,
                                            forms.DateField, forms.EmailField, forms.URLField, forms.TimeField,
                                            forms.DateTimeField, forms.BooleanField)
           for klass in field_class.__mro__
           for key, message in vars(klass).get("default_error_messages", {}).items() if key == code}
    for code in ("required", "invalid", "min_value", "max_value")
}
# A hidden field is the page's own (the draft revision it was drawn from, the invitation it answers): missing or
# garbled, the page was sent by hand or broken on the way, and nothing the person typed is at fault.
PAGE_NOT_AS_DRAWN = "The page was not sent as it was shown: open it again and send it from there"


def _question(label: str) -> str:
    """The label inside a sentence: "The title" -> "the title", "EIA due by" kept (an abbreviation)."""
    label = label.removesuffix(" (optional)")
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _in_our_words(field: forms.Field, label: str) -> None:
    """Django's messages of ``field`` (``_DJANGO_MESSAGES``), unless the field set its own, replaced by ones that name
    the question and say what to do."""
    messages = field.error_messages
    if isinstance(field.widget, forms.HiddenInput):
        for code in ("required", "invalid", "min_value", "max_value"):
            if code in messages and str(messages[code]) in _DJANGO_MESSAGES.get(code, ()):
                messages[code] = PAGE_NOT_AS_DRAWN
        return
    question = _question(label).replace("%", "%%")
    subject = label.removesuffix(" (optional)").replace("%", "%%")
    chosen = isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField)
    ours = {
        "required": f"Choose {question}" if chosen else f"Enter {question}",
        # IntegerField and its kind (a DateField's "invalid" is worded by DateField.name_in_messages).
        "invalid": (f"{subject} must be a whole number" if isinstance(field, forms.IntegerField) else
                    f"Enter {question} in the correct format, like name@example.police.uk"
                    if isinstance(field, forms.EmailField) else f"{subject} must be a real date"
                    if isinstance(field, forms.DateField) else f"Enter {question} in the correct format"),
        "min_value": f"{subject} must be %(limit_value)s or more",
        "max_value": f"{subject} must be %(limit_value)s or less",
    }
    for code, message in ours.items():
        if code in messages and str(messages[code]) in _DJANGO_MESSAGES[code]:
            messages[code] = message


class GovUKForm(forms.Form):
    """A form whose widgets carry GOV.UK classes and aria-describedby for hints and errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_fields()
        for name, field in self.fields.items():
            widget = field.widget
            for widget_type, css in WIDGET_CLASSES.items():
                if isinstance(widget, widget_type):
                    widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
                    break
            if isinstance(field, DateField):
                field.name_in_messages(field.label or pretty_name(name))
                _in_our_words(field, field.named or field.label or pretty_name(name))
                continue  # the fieldset, not the boxes, carries the hint (templates/includes/field.html)
            _in_our_words(field, field.label or pretty_name(name))
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                _not_listed_in_our_words(field, (field.label or pretty_name(name)).removesuffix(" (optional)"))
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 5)
            if isinstance(field, forms.CharField) and field.max_length:
                widget.attrs.setdefault("maxlength", field.max_length)
                if "max_length" not in field.error_messages:
                    # Django's "Ensure this value has at most 50000 characters (it has N)." names no field: say
                    # which, as GOV.UK does (a post longer than the box allows skips the browser's maxlength).
                    label = (field.label or pretty_name(name)).removesuffix(" (optional)").replace("%", "%%")
                    field.error_messages["max_length"] = f"{label} must be {field.max_length:,} characters or fewer"
            if field.help_text and not isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def add_fields(self) -> None:
        """Hook for forms whose fields depend on data (added before the GOV.UK styling is applied)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if isinstance(widget, DateInput):
                    continue  # the fieldset carries the error id; the widget highlights the boxes at fault
                described = {value for value in widget.attrs.get("aria-describedby", "").split() if value}
                described.add(f"{self[name].auto_id}-error")
                widget.attrs["aria-describedby"] = " ".join(sorted(described))
                if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                    continue
                if isinstance(widget, forms.Textarea):
                    error_class = "govuk-textarea--error"
                elif isinstance(widget, forms.Select):
                    error_class = "govuk-select--error"
                else:
                    error_class = "govuk-input--error"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error_class}".strip()

    def require(self, name: str, message: str) -> None:
        """In ``clean``: a field that a choice makes required (reasons for rejecting ...) is empty: say so, unless
        the field is already in error (too long, say), whose value is then not in ``cleaned_data`` although it was
        typed: one error, the one that is true."""
        value = self.cleaned_data.get(name)
        if name not in self.errors and not (value.strip() if isinstance(value, str) else value):
            self.add_error(name, message)

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal on the field it names (or as a form error) and keep what was typed."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
