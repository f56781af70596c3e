"""Interim revisions of a draft package: every save of the statement, an SOP, the EIA or the Workbook.

SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs for
continuity purposes and to assist in court cases and disciplinary and misconduct investigations.  Copies of
document versions, including any interim amendments, must be retained on the registered file". A
``PolicyVersion`` keeps what was submitted; these keep each amendment in between. They are written once, by the
save they record (``lifecycle.services.working_draft.revision_record``, in the save's transaction), and never
changed: on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0008).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import escape, linebreaks

from lifecycle.restorers import RESTORERS


class DraftDocument(models.TextChoices):
    STATEMENT = "statement", "Policy Statement"
    SOP = "sop", "SOP"
    EIA = "eia", "Equality Impact Assessment"
    WORKBOOK = "workbook", "Corporate Policy Workbook"


# Sections that hold one entry per thing (the EIA's impacts: one per protected characteristic) read as a list in the
# redline, an item per entry, each compared on its own and worded as the document's own pages word it. The app that
# owns the document registers the wording ({(document, section): function(value) -> the items' texts}), as it
# registers its restorers (lifecycle.restorers), so that lifecycle imports nothing from it (rule 20).
SECTION_ITEMS: dict[tuple[str, str], Callable[[object], list[str]]] = {}


def section_items(document: str, section: str) -> Callable[[Callable], Callable]:
    def register(function: Callable) -> Callable:
        if SECTION_ITEMS.get((document, section), function) is not function:
            raise ValueError(f"Two wordings are registered for the {section!r} of {document!r}.")
        SECTION_ITEMS[(document, section)] = function
        return function

    return register


def section_items_html(document: str, section: str, value) -> str | None:
    """A section registered in ``SECTION_ITEMS``, as its items in a list, escaped, for the redline to compare item by
    item (the revisions page, and the comparison of two versions: lifecycle.compare); None for a section not
    registered."""
    items = SECTION_ITEMS.get((document, section))
    if items is None:
        return None
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items(value)) + "</ul>"


def _plain_as_html(value) -> str:
    """Plain text (a section, a summary) as escaped paragraphs, so the redline compares it by paragraph."""
    if isinstance(value, dict):
        return "".join(f"<p>{escape(key.replace('_', ' ').capitalize())}: {escape(_flat(item))}</p>"
                       for key, item in sorted(value.items()))
    return linebreaks(str(value or ""), autoescape=True)


def _flat(value) -> str:
    if isinstance(value, dict):
        return "; ".join(str(item) for item in value.values() if item)
    return str(value or "")


def content_hash(content: dict) -> str:
    """SHA-256 of the content's canonical JSON (sorted keys, no spaces): two saves of the same content give
    the same bytes, so the same hash."""
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class DraftRevision(models.Model):
    policy_version = models.ForeignKey("lifecycle.PolicyVersion", on_delete=models.PROTECT, related_name="revisions")
    # 1, 2, 3 ... within the version, across its documents, in the order they were saved (the policy row is
    # locked by every save, so the next number is read under that lock).
    sequence = models.PositiveIntegerField()
    document = models.CharField(max_length=10, choices=DraftDocument.choices)
    # The SOP, for an SOP's revision; else empty.
    sop = models.ForeignKey("lifecycle.StandardOperatingProcedure", on_delete=models.PROTECT, null=True,
                            blank=True, related_name="+")
    # What was saved: {statement, summary_of_changes}; an SOP's {title, text}; the EIA's or Workbook's sections.
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    # Who saved it. Empty only for a starting point: the content a draft held when its first revision was
    # recorded (drafts saved before revisions were kept, or carried forward from the previous version).
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    starting_point = models.BooleanField(default=False)
    # When this revision restored an earlier one, that one.
    restored_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["policy_version", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["policy_version", "sequence"], name="draft_revision_unique_sequence"),
            models.CheckConstraint(
                condition=models.Q(document="sop", sop__isnull=False) | (~models.Q(document="sop")
                                                                         & models.Q(sop__isnull=True)),
                name="draft_revision_sop_iff_sop_document",
            ),
            models.CheckConstraint(condition=models.Q(saved_by__isnull=False) | models.Q(starting_point=True),
                                   name="draft_revision_saved_by_unless_starting_point"),
        ]
        indexes = [
            # "The latest revision of this document" (the coalescing check on every save).
            models.Index(fields=["policy_version", "document", "sop", "-sequence"], name="draft_revision_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_version_id} revision {self.sequence} ({self.get_document_display()})"

    @property
    def document_label(self) -> str:
        """The document as a reader names it: "Policy Statement", or the SOP's title."""
        if self.document == DraftDocument.SOP and self.sop is not None:
            return f"SOP: {self.sop.title}"
        return self.get_document_display()

    @property
    def restorable(self) -> bool:
        """The statement and SOPs are restored by lifecycle (lifecycle.services.draft_revision_restore); the EIA
        and Workbook by the restorers assessments registers (lifecycle.restorers)."""
        return self.document in (DraftDocument.STATEMENT, DraftDocument.SOP) or self.document in RESTORERS

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]

    def comparable_html(self) -> str:
        """The content as one HTML text for the redline: the statement (sanitised when saved) and its summary of
        changes; an SOP's title and text; each section of the EIA or Workbook under its name, escaped (a section
        registered in SECTION_ITEMS as a list)."""
        content = self.content or {}
        if self.document == DraftDocument.STATEMENT:
            summary = content.get("summary_of_changes") or ""
            return (content.get("statement") or "") + (
                f"<h3>Summary of changes</h3>{_plain_as_html(summary)}" if summary else "")
        if self.document == DraftDocument.SOP:
            return f"<h3>{escape(content.get('title') or '')}</h3>{content.get('text') or ''}"
        sections = []
        for name, value in content.items():
            items = section_items_html(self.document, name, value)
            sections.append(f"<h3>{escape(name.replace('_', ' ').capitalize())}</h3>"
                            + (items if items is not None else _plain_as_html(value)))
        return "".join(sections)
