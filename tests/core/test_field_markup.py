"""templates/includes/field.html: one error message per field, whatever number of errors it has, so the id
that aria-describedby and the error summary point at is unique."""

from django import forms
from django.template.loader import render_to_string

from core.forms import GovUKForm


class TitleForm(GovUKForm):
    title = forms.CharField(max_length=5)

    def clean(self):
        data = super().clean()
        self.add_error("title", "Choose another title")
        return data


def test_a_field_with_two_errors_has_one_error_message_with_both():
    form = TitleForm(data={"title": "Too long"})
    assert len(form.errors["title"]) == 2
    html = render_to_string("includes/field.html", {"field": form["title"]})
    assert html.count('id="id_title-error"') == 1
    assert ("<span class=\"govuk-visually-hidden\">Error:</span> Title must be 5 characters or fewer"
            "<br>Choose another title</p>") in html
    assert 'aria-describedby="id_title-error"' in html
