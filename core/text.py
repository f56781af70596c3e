"""Words the service writes the same way wherever it writes them."""

from __future__ import annotations

from collections.abc import Sequence


def in_words(items: Sequence[str]) -> str:
    """A list in a sentence, as GOV.UK writes one (no comma before "and"): "PCU", "PCU and DCFD", "PCU, DCFD and
    DOI"; "" for none."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
