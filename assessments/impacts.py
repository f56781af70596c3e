"""The Equality Impact Assessment's impacts as every page shows them: one row per protected characteristic, worded as
staff chose the impact (the library, the EIA page, the Publication Scheme and the PDF alike)."""

from __future__ import annotations

from assessments.models import Impact, ProtectedCharacteristic


def impact_rows(eia) -> list[tuple[str, str, str]]:
    """(characteristic, impact as staff chose it, notes) for each protected characteristic: the wording is the
    choice's label ("No impact identified"), never its stored value ("neutral")."""
    if eia is None:
        return []
    labels = dict(Impact.choices)
    rows = []
    for characteristic in ProtectedCharacteristic:
        entry = (eia.impacts or {}).get(characteristic.value) or {}
        impact = entry.get("impact") if isinstance(entry, dict) else None
        notes = entry.get("notes", "") if isinstance(entry, dict) else ""
        rows.append((characteristic.label, labels.get(impact, "Not assessed"), notes or ""))
    return rows
