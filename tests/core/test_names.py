"""Names refuse bidirectional-override and zero-width characters (issue 11, finding 9)."""

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from core.forms import GovUKForm, NameField
from core.validators import refuse_hidden_characters, validate_no_hidden_characters

HIDDEN = [chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D,
                                 0x2060, 0xFEFF]]


class ConsulteeForm(GovUKForm):
    consultee = NameField(label="Consultee", max_length=200)


@pytest.mark.parametrize("character", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_every_hidden_character_is_refused_in_a_name(character):
    typed = f"Smith{character}son"
    form = ConsulteeForm(data={"consultee": typed})
    assert not form.is_valid()
    assert form.errors["consultee"][0].startswith("Consultee must not contain a ")
    assert f'value="{typed}"' in str(form["consultee"])  # what was typed is kept
    with pytest.raises(ValidationError):
        validate_no_hidden_characters(typed)
    with pytest.raises(ApplicationError, match="The title must not contain") as refusal:
        refuse_hidden_characters(typed, label="The title", field="title")
    assert refusal.value.field == "title"


@pytest.mark.parametrize("name", ["Siobhán O'Neill-Ng", "محمد علي", "José Ñúñez", "Zoë Brontë", "李小龍"])
def test_real_names_in_any_script_are_accepted(name):
    assert ConsulteeForm(data={"consultee": name}).is_valid()
    validate_no_hidden_characters(name)
    refuse_hidden_characters(name, label="The name")
