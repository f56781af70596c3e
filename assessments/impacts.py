"""The Equality Impact Assessment's impacts as every page shows them: one row per protected characteristic, worded as
staff chose the impact (the library, the EIA page, the Publication Scheme and the PDF alike)."""

from __future__ import annotations

from assessments.models import Impact, ProtectedCharacteristic
from lifecycle.models.revisions import DraftDocument, section_items


def impact_rows(eia) -> list[tuple[str, str, str]]:
    """(characteristic, impact as staff chose it, notes) for each protected characteristic: the wording is the
    choice's label ("No impact identified"), never its stored value ("neutral")."""
    if eia is None:
        return []
    return _rows(eia.impacts)


@section_items(DraftDocument.EIA, "impacts")
def impact_items(impacts) -> list[str]:
    """The impacts of an EIA's revision as its revisions page compares them, one item per protected characteristic:
    "Age: Negative (adverse). Older people are stopped less often." (registered in AssessmentsConfig.ready)."""
    return [f"{characteristic}: {impact}" + (f". {notes}" if notes else "")
            for characteristic, impact, notes in _rows(impacts)]


def _rows(impacts) -> list[tuple[str, str, str]]:
    labels = dict(Impact.choices)
    rows = []
    for characteristic in ProtectedCharacteristic:
        entry = (impacts if isinstance(impacts, dict) else {}).get(characteristic.value) or {}
        impact = entry.get("impact") if isinstance(entry, dict) else None
        notes = entry.get("notes", "") if isinstance(entry, dict) else ""
        rows.append((characteristic.label, labels.get(impact, "Not assessed"), notes or ""))
    return rows
