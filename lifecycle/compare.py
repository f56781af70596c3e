"""What changed between two versions of a policy, document by document: the Policy Statement's redline (the page's
own), then each SOP the reader may read, the Corporate Policy Workbook and the Equality Impact Assessment, each part
that changed as a redline (lifecycle.redline). A reviewer who returned a version asking for changes to an SOP or the
Workbook sees, in the next, whether they were made.

An SOP's part says too whether it is published externally with each version (on the public Publication Scheme).

The assessments are read through the version's relations (``eia``, ``workbook``) and their own fields: their text
sections, their choices by label, and the sections that hold one entry per thing (the EIA's impacts, one per protected
characteristic) as the app that owns them words them (``lifecycle.models.revisions.SECTION_ITEMS``, registered by
assessments.impacts): a list, an item per entry, each compared on its own, as the revisions page compares them. All of
them are on the assessment's row: no query per section or per entry. Bounded work: each redline has its comparison
budget (lifecycle.redline), and a policy has a few SOPs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString

from lifecycle.models.revisions import SECTION_ITEMS, DraftDocument, section_items_html
from lifecycle.redline import has_changes, redline_html
from lifecycle.selectors import sop_versions_for


@dataclass
class Part:
    title: str
    redline: SafeString | None = None  # None: no change


@dataclass
class Document:
    title: str
    parts: list[Part] = field(default_factory=list)
    note: str = ""  # "added", "removed"

    @property
    def changed(self) -> bool:
        return any(part.redline is not None for part in self.parts)


def _paragraphs(text: str) -> str:
    """Plain text as paragraphs, escaped, for the redline (which compares HTML blocks)."""
    return "".join(f"<p>{escape(line)}</p>" for line in str(text or "").splitlines() if line.strip())


def _part(title: str, old: str, new: str) -> Part:
    return Part(title, redline_html(old, new) if has_changes(old, new) else None)


# Frozen with each version (SOPVersion.publish_externally, migration 0019): whether the SOP goes on the public
# Publication Scheme with that version, worded as the SOP's page asks it.
PUBLISHED_EXTERNALLY = "Published externally on the Publication Scheme"


def _published_externally(sop_version) -> str:
    if sop_version is None:
        return ""
    return _paragraphs("Yes" if sop_version.publish_externally else "No")


def _sections(document_old, document_new, kind: str) -> list[Part]:
    """The text sections, choices and sections of items (``section_items_html``) of two revisions of one assessment
    (the EIA, the Workbook: ``kind``, its DraftDocument), in field order."""
    model = type(document_new if document_new is not None else document_old)
    parts = []
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        # QA of the reopened EIA: the impacts were no section here, so an update of them alone read "no changes" on
        # DCFD's page to sign it off (rule 17: the reader is shown what changed).
        if (kind, name) in SECTION_ITEMS:
            old = section_items_html(kind, name, getattr(document_old, name)) if document_old is not None else ""
            new = section_items_html(kind, name, getattr(document_new, name)) if document_new is not None else ""
        elif model_field.get_internal_type() == "TextField":
            old = _paragraphs(getattr(document_old, name, "")) if document_old is not None else ""
            new = _paragraphs(getattr(document_new, name, "")) if document_new is not None else ""
        elif model_field.choices and model_field.get_internal_type() == "CharField":
            display = f"get_{name}_display"
            old = _paragraphs(getattr(document_old, display)()) if document_old is not None else ""
            new = _paragraphs(getattr(document_new, display)()) if document_new is not None else ""
        else:
            continue
        parts.append(_part(str(model_field.verbose_name).capitalize(), old, new))
    return parts


def document_changes(*, user, base, target) -> list[Document]:
    """The SOPs, the Workbook and the EIA of ``base`` and ``target`` (versions of one policy), compared."""
    documents = []
    old_sops = {sop_version.sop_id: sop_version for sop_version in sop_versions_for(user=user, version=base)}
    new_sops = sop_versions_for(user=user, version=target)
    for sop_version in [*new_sops, *(old for sop_id, old in old_sops.items()
                                      if sop_id not in {new.sop_id for new in new_sops})]:
        old = old_sops.get(sop_version.sop_id)
        new = sop_version if sop_version in new_sops else None
        note = "added" if old is None else "removed" if new is None else ""
        documents.append(Document(f"Standard Operating Procedure: {sop_version.sop.title}", [
            _part("Text", old.text if old else "", new.text if new else ""),
            _part(PUBLISHED_EXTERNALLY, _published_externally(old), _published_externally(new))], note))
    for title, relation, kind in (("Corporate Policy Workbook", "workbook", DraftDocument.WORKBOOK),
                                  ("Equality Impact Assessment", "eia", DraftDocument.EIA)):
        old, new = getattr(base, relation, None), getattr(target, relation, None)
        if old is None and new is None:
            continue
        documents.append(Document(title, [part for part in _sections(old, new, kind) if part.redline is not None]
                                  or [Part("All sections")]))
    return documents
