"""templates/includes/field.html: a question answered by several boxes, drawn by a widget of its own (the publish
page's units under their business groups, lifecycle.forms.publishing.CheckboxesByGroup), is GOV.UK's checkboxes (or
radios) pattern: a fieldset whose legend is the question, then its hint and its error, and the boxes. Before, such a
widget fell to the text-box branch, whose ``<label for>`` named the boxes' container (a label can name only one
control; the boxes had no question at all for those who hear the page). The first box carries the field's id, so the
error summary's link lands on a box that can take the focus."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from lxml import html as lxml_html

from core.forms import GovUKForm
from lifecycle.forms.publishing import CheckboxesByGroup

UNITS = [("Aviation Policing", [(1, "Heathrow Unit"), (2, "Zeta Hangar")]),
         ("Territorial Policing", [(3, "Airport Policing")])]


class GroupedRadios(forms.RadioSelect):
    """A radio widget of its own (Django's markup for it, its groups' names included)."""


class UnitsForm(GovUKForm):
    units = forms.MultipleChoiceField(label="Ask the staff of these units", choices=UNITS, widget=CheckboxesByGroup,
                                      help_text="Choose any number.")
    unit = forms.ChoiceField(label="The lead unit", choices=UNITS, widget=GroupedRadios, required=False)

    def clean(self):
        data = super().clean()
        self.add_error("units", "Choose a unit that is still active")
        return data


def rendered(form, name):
    return lxml_html.fragment_fromstring(render_to_string("includes/field.html", {"field": form[name]}),
                                         create_parent="div")


def test_grouped_checkboxes_are_a_fieldset_whose_legend_is_the_question():
    form = UnitsForm()
    page = rendered(form, "units")

    assert page.xpath("//label[@for='id_units']") == [] or page.xpath("//input[@id='id_units']")
    question = page.xpath("./div[contains(@class, 'govuk-form-group')]/fieldset")
    assert len(question) == 1
    legend = question[0].xpath("./legend")
    assert [element.text_content().strip() for element in legend] == ["Ask the staff of these units"]
    assert "govuk-fieldset__legend" in legend[0].get("class")
    hint = question[0].xpath("./div[@id='id_units-hint']")
    assert hint and hint[0].text_content().strip() == "Choose any number."
    assert question[0].get("aria-describedby") == "id_units-hint"
    # The groups inside it, each with its legend; every label names a box.
    assert [group.text_content().strip() for group in question[0].xpath(".//fieldset/legend")] == [
        "Aviation Policing", "Territorial Policing"]
    boxes = question[0].xpath(".//input[@type='checkbox']")
    assert [box.get("value") for box in boxes] == ["1", "2", "3"]
    ids = {element.get("id") for element in page.xpath("//*[@id]")}
    for label in page.xpath("//label"):
        target = page.xpath(f"//*[@id='{label.get('for')}']")
        assert len(target) == 1 and target[0].tag == "input", label.get("for")
    # The field's own id is the first box (where the error summary's link goes), and nothing else has it.
    assert boxes[0].get("id") == "id_units"
    assert len(ids) == len(page.xpath("//*[@id]"))
    # The legend names the whole once: no second, unseen name for the same group of boxes.
    assert page.xpath("//*[@role='group' or @aria-label]") == []


def test_grouped_checkboxes_in_error_describe_the_error_on_the_fieldset_and_keep_the_ticks():
    form = UnitsForm(data={"units": ["2", "3"]})
    assert not form.is_valid()
    page = rendered(form, "units")

    group = page.xpath("./div")[0]
    assert "govuk-form-group--error" in group.get("class")
    question = group.xpath("./fieldset")[0]
    assert question.get("aria-describedby").split() == ["id_units-hint", "id_units-error"]
    error = question.xpath("./p[@id='id_units-error']")
    assert error and "Choose a unit that is still active" in error[0].text_content()
    # GOV.UK's order: legend, hint, error, then the boxes.
    order = [child.get("id") or child.tag for child in question]
    assert order.index("legend") < order.index("id_units-hint") < order.index("id_units-error")
    assert [box.get("value") for box in page.xpath("//input[@checked]")] == ["2", "3"]


def test_radios_drawn_by_their_own_widget_are_a_fieldset_too():
    page = rendered(UnitsForm(), "unit")

    question = page.xpath("./div/fieldset")
    assert len(question) == 1
    assert question[0].xpath("./legend")[0].text_content().strip() == "The lead unit"
    assert page.xpath("//label[@for='id_unit']") == [] or page.xpath("//input[@id='id_unit']")
