"""Words the service writes the same way wherever it writes them."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from django.utils.text import Truncator


def in_words(items: Sequence[str]) -> str:
    """A list in a sentence, as GOV.UK writes one (no comma before "and"): "PCU", "PCU and DCFD", "PCU, DCFD and
    DOI"; "" for none."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def truncated_chars(text: str, length: int) -> str:
    """What ``|truncatechars:length`` writes (``Truncator.chars``), for lists that print many texts: the filter puts
    the text in NFC and then walks it a character at a time to count it without its combining characters, so a text
    no longer than ``length`` once in NFC is all of it, and is returned without the walk."""
    text = unicodedata.normalize("NFC", str(text))
    return text if len(text) <= length else Truncator(text).chars(length)
