"""``{% form_fields form %}`` (core.templatetags.form_fields): a form's fields as ``includes/field.html`` writes them,
rendered once for each form that would render the same, never stale: the same HTML as the include, whatever the data,
the options read for the request and the abbreviations the page has expanded before."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.test.signals import template_rendered

from core.forms import GovUKForm, ModelChoiceField
from core.models import BusinessGroup
from tests.factories import BusinessGroupFactory

pytestmark = pytest.mark.django_db

INCLUDED = Template('{% for field in form %}{% include "includes/field.html" %}{% endfor %}')
KEPT = Template("{% load form_fields %}{% form_fields form %}")
# What the page wrote before the form, and an abbreviation after it: expanded once on the page, wherever it first is.
AROUND = "{% load glossary form_fields %}{% if before %}{% abbr 'SOP' %}{% endif %}|{FIELDS}|{% abbr 'SOP' %}"
INCLUDED_AROUND = Template(AROUND.replace("{FIELDS}", '{% for field in form %}{% include "includes/field.html" %}'
                                                      "{% endfor %}"))
KEPT_AROUND = Template(AROUND.replace("{FIELDS}", "{% form_fields form %}"))


class SearchForm(GovUKForm):
    q = forms.CharField(label="Search", required=False, max_length=40,
                        help_text="Words in any Policy Statement or SOP.")
    scope = forms.ChoiceField(label="Search in", required=False, choices=[("current", "In force"), ("all", "All")])
    business_group = ModelChoiceField(label="Business group", queryset=BusinessGroup.objects.order_by("name"),
                                      required=False, empty_label="All business groups")


@pytest.fixture
def renders():
    """How many times the field template was rendered."""
    rendered = []

    def count(sender, template, context, **kwargs):
        if template.name == "includes/field.html":
            rendered.append(template.name)

    template_rendered.connect(count)
    yield rendered
    template_rendered.disconnect(count)


def test_the_fields_are_written_as_the_include_writes_them_and_rendered_once(renders):
    group = BusinessGroupFactory(name="Met Operations")
    typed = {"q": "custody <cells> & SOPs", "scope": "all", "business_group": str(group.pk)}
    assert SearchForm(typed).is_valid()
    for data in (None, typed, {}):
        def form(data=data):
            return SearchForm() if data is None else SearchForm(data)

        included = INCLUDED.render(Context({"form": form()}))
        assert KEPT.render(Context({"form": form()})) == included
        renders.clear()
        assert KEPT.render(Context({"form": form()})) == included
        assert renders == []  # from memory
    typed_fields = KEPT.render(Context({"form": SearchForm(typed)}))
    assert 'value="custody &lt;cells&gt; &amp; SOPs"' in typed_fields
    assert f'<option value="{group.pk}" selected>Met Operations</option>' in typed_fields


def test_an_option_added_since_shows_at_once(renders):
    BusinessGroupFactory(name="Met Operations")
    first = KEPT.render(Context({"form": SearchForm({})}))
    BusinessGroupFactory(name="Professionalism")
    again = KEPT.render(Context({"form": SearchForm({})}))
    assert "Professionalism" not in first and "Professionalism" in again
    assert again == INCLUDED.render(Context({"form": SearchForm({})}))


def test_a_form_with_errors_is_rendered_for_the_request():
    data = {"q": "x" * 41, "scope": "nowhere"}
    kept = KEPT.render(Context({"form": SearchForm(data)}))
    assert kept == INCLUDED.render(Context({"form": SearchForm(data)}))
    assert "govuk-form-group--error" in kept


def test_abbreviations_are_expanded_on_their_first_use_on_the_page_as_the_include_expands_them():
    """The help text's "SOP" is expanded where the page first uses it: in the fields when nothing before them did (and
    then not again after them, the fields written from memory or not), as an <abbr> alone when the page expanded it
    before."""
    for before in (False, True, False, True):
        page = KEPT_AROUND.render(Context({"form": SearchForm(), "before": before}))
        assert page == INCLUDED_AROUND.render(Context({"form": SearchForm(), "before": before}))
        assert page.count("Standard Operating Procedure (<abbr") == 1
