"""Characters that change how a name reads without being seen (issue 11, finding 9): bidirectional overrides
and isolates, which make "Smith‮ netsrE" display reversed, and zero-width characters, which make two names
that look the same differ. Names (people, consultees, organisations, titles of policies and SOPs) refuse them."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError

HIDDEN_CHARACTERS = {
    **{chr(code): "a right-to-left or left-to-right control character" for code in range(0x202A, 0x202F)},
    **{chr(code): "a right-to-left or left-to-right control character" for code in range(0x2066, 0x206A)},
    "\u200b": "a zero-width character", "\u200c": "a zero-width character", "\u200d": "a zero-width character",
    "\u2060": "a zero-width character", "\ufeff": "a zero-width character",
}
_TABLE = {ord(character): None for character in HIDDEN_CHARACTERS}
# Of those, the ones that reorder what is shown (overrides, embeddings, isolates: the "Trojan Source" characters), which
# free text recorded as evidence refuses too (a reason, a comment: QA walk of 2026-12-06, a reason that read "moved to
# QH" on the timeline). Zero-width characters, which text pasted from a word processor carries and which reorder
# nothing, are refused in names only.
DIRECTION_CONTROLS = {character for character, kind in HIDDEN_CHARACTERS.items() if "control" in kind}
_DIRECTION_TABLE = {ord(character): None for character in DIRECTION_CONTROLS}


def hidden_characters_in(value: str | None) -> list[str]:
    """What kinds of hidden character ``value`` holds (empty if none)."""
    if not value or value.translate(_TABLE) == value:
        return []
    return sorted({HIDDEN_CHARACTERS[character] for character in value if character in HIDDEN_CHARACTERS})


def _message(label: str, kinds: list[str]) -> str:
    return f"{label} must not contain {' or '.join(kinds)} (they change how it reads without being seen)"


def validate_no_hidden_characters(value: str | None) -> None:
    """A Django validator for name fields: ``forms.CharField(validators=[validate_no_hidden_characters])``."""
    kinds = hidden_characters_in(value)
    if kinds:
        raise ValidationError(_message("A name", kinds), code="hidden_characters")


def refuse_direction_controls(value: str | None, *, label: str, field: str | None = None) -> None:
    """Free text's rule (``DIRECTION_CONTROLS``): ApplicationError naming the field, as ``refuse_hidden_characters``."""
    if value and value.translate(_DIRECTION_TABLE) != value:
        raise ApplicationError(_message(label, [HIDDEN_CHARACTERS["\u202e"]]) + ".", code="invalid", field=field)


def refuse_hidden_characters(value: str | None, *, label: str, field: str | None = None) -> None:
    """The same rule for services: ApplicationError naming the field, e.g.
    ``refuse_hidden_characters(title, label="The title", field="title")``."""
    kinds = hidden_characters_in(value)
    if kinds:
        raise ApplicationError(_message(label, kinds) + ".", code="invalid", field=field)
