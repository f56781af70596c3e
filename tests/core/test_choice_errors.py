"""A value posted that is not among a field's choices (a hand-made post, an edited address) is refused in GOV.UK
words that name the question and never repeat what was sent. Django's own message ("Select a valid choice. zzz is not
one of the available choices.") echoed the input and named no question (QA10 item 9). Said once, for every form built
on core.forms.GovUKForm; a field that words it better keeps its own."""

from __future__ import annotations

import pytest
from django import forms

from core.forms import GovUKForm, ModelChoiceField
from core.models import BusinessGroup
from lifecycle.forms.publishing import PublishForm
from tests.factories import BusinessGroupFactory

pytestmark = pytest.mark.django_db

SENT = "zzz-sent-by-hand"


class ChoicesForm(GovUKForm):
    scope = forms.ChoiceField(label="Search in", required=False, choices=[("current", "In force"), ("all", "All")])
    kinds = forms.MultipleChoiceField(label="Kinds of document", required=False, choices=[("sop", "SOP")])
    group = ModelChoiceField(label="Business group", queryset=BusinessGroup.objects.all(), required=False)
    groups = forms.ModelMultipleChoiceField(label="Business groups", queryset=BusinessGroup.objects.all(),
                                            required=False)
    worded = forms.ChoiceField(label="Worded", required=False, choices=[("a", "A")],
                               error_messages={"invalid_choice": "Choose a worded thing from the list"})


def _said(form) -> dict[str, list[str]]:
    assert not form.is_valid()
    return {name: list(errors) for name, errors in form.errors.items()}


def test_a_value_not_among_the_choices_is_refused_without_echoing_it():
    BusinessGroupFactory()
    errors = _said(ChoicesForm({"scope": SENT, "kinds": [SENT], "group": "999999", "groups": [SENT, "999999"],
                                "worded": SENT}))
    assert set(errors) == {"scope", "kinds", "group", "groups", "worded"}
    for name, messages in errors.items():
        assert len(messages) == 1, (name, messages)
        assert SENT not in messages[0] and "999999" not in messages[0], (name, messages)
        assert "valid choice" not in messages[0] and "not a valid value" not in messages[0], (name, messages)
    assert errors["scope"] == ["Select from the options listed for “Search in”"]
    assert errors["kinds"] == ["Select from the options listed for “Kinds of document”"]
    assert errors["group"] == ["Select from the options listed for “Business group”"]
    assert errors["groups"] == ["Select from the options listed for “Business groups”"]
    assert errors["worded"] == ["Choose a worded thing from the list"]


def test_the_publish_forms_roles_refuse_a_role_not_listed():
    errors = _said(PublishForm({"on_intranet": "on", "audience_roles": ["superuser"]}))
    assert errors["audience_roles"] == ["Choose the roles from the list"]


def test_the_library_refuses_a_scope_not_listed_without_echoing_it(client, people):
    client.force_login(people.developer)
    response = client.get("/library/", {"scope": SENT})
    html = response.content.decode()
    assert SENT not in html.split("<main", 1)[1].split("</main>")[0].split('name="scope"')[0]
    assert "valid choice" not in html
    assert "Choose where to search from the list" in html
