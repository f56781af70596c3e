"""GOV.UK Frontend styling for Django forms: the widget classes and ARIA wiring live here, the markup of
labels, hints and errors in templates/includes/field.html."""

from django import forms

from core.exceptions import ApplicationError

WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.NumberInput: "govuk-input govuk-input--width-5",
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 5)
            if isinstance(field, forms.CharField) and field.max_length:
                widget.attrs.setdefault("maxlength", field.max_length)
            if field.help_text and not isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def add_fields(self) -> None:
        """Hook for forms whose fields depend on data (added before the GOV.UK styling is applied)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
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

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal on the field it names (or as a form error) and keep what was typed."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
