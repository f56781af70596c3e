"""What a published document shows, shared by the HTML pages and the PDF (pure: no database writes, no WeasyPrint,
which is slow to import and loaded only to render)."""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.states import ProtectiveMarking
from publication.redaction import redacted_html


@dataclass(frozen=True)
class PackSOP:
    """One SOP as the pack prints it: its text already filtered or redacted for the reader."""

    title: str
    marking: str
    html: str
    withheld: int = 0


def pack_sops(sop_versions, *, withheld_by_sop_version: dict[int, dict[int, str]] | None = None) -> list[PackSOP]:
    """The SOPs of a pack; ``withheld_by_sop_version`` maps a SOP version's id to {part number: exemption label}
    (the public copy), whose parts are replaced by a redaction notice."""
    withheld_by_sop_version = withheld_by_sop_version or {}
    sops = []
    for sop_version in sop_versions:
        withheld = withheld_by_sop_version.get(sop_version.pk, {})
        sops.append(PackSOP(title=sop_version.sop.title, marking=sop_version.sop.get_protective_marking_display(),
                            html=redacted_html(sop_version.text, withheld), withheld=len(withheld)))
    return sops


def document_marking(*, policy, sop_versions, marking: str | None = None) -> str:
    """The highest protective marking of anything the document carries: a page of an OFFICIAL policy that
    includes an OFFICIAL-SENSITIVE SOP is OFFICIAL-SENSITIVE, and every header and footer says so. ``marking`` is the
    statement's, where it is not the policy's now: a publication's files print the marking its version was published
    with, whenever they are stored (publication.services.stored_files)."""
    markings = {marking or policy.protective_marking} | {sop_version.sop.protective_marking
                                                         for sop_version in sop_versions}
    highest = (ProtectiveMarking.OFFICIAL_SENSITIVE if ProtectiveMarking.OFFICIAL_SENSITIVE in markings
               else ProtectiveMarking.OFFICIAL)
    return highest.label
