"""QA walk: a 1 MB post in a long text box (the EIA's aims, a step's reasons) was refused with Django's "Ensure this
value has at most 50000 characters (it has 1048576)." naming no field, in the error summary where the reader cannot
tell which box it was. Every length limit of a GOV.UK form's text field names its question, as GOV.UK's pattern does
("<Label> must be 50,000 characters or fewer"); a message the form set itself is kept."""

from __future__ import annotations

from django import forms

from assessments.forms import SECTION, EIAForm
from core.forms import GovUKForm
from lifecycle.forms import LONG_TEXT, ReasonsForm


class NotesForm(GovUKForm):
    notes_text = forms.CharField(required=False, max_length=10, widget=forms.Textarea)
    named = forms.CharField(label="Why 100% sure", required=False, max_length=1_000)
    comments = forms.CharField(label="Comments (optional)", required=False, max_length=5)
    own = forms.CharField(label="Own", required=False, max_length=3,
                          error_messages={"max_length": "Keep it short"})


def test_a_long_text_limit_names_its_field():
    form = EIAForm(data={"aims": "a" * (SECTION + 1), "base_revision": "0"})
    assert form.errors["aims"] == ["Aims and objectives of the policy must be 50,000 characters or fewer"]
    form = ReasonsForm(data={"reasons": "r" * (LONG_TEXT + 1)})
    assert form.errors["reasons"] == [f"Reasons must be {LONG_TEXT:,} characters or fewer"]


def test_every_text_limit_names_its_field_and_a_forms_own_message_is_kept():
    form = NotesForm(data={"notes_text": "n" * 11, "named": "x" * 1_001, "comments": "c" * 6, "own": "long"})
    assert form.errors == {"notes_text": ["Notes text must be 10 characters or fewer"],
                           "named": ["Why 100% sure must be 1,000 characters or fewer"],
                           "comments": ["Comments must be 5 characters or fewer"],
                           "own": ["Keep it short"]}
    assert NotesForm(data={"notes_text": "n" * 10, "named": "x", "own": "abc"}).is_valid()
