"""Versions of the policy package: append-only evidence.

SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs
for continuity purposes and to assist in court cases and disciplinary and misconduct investigations."
A version is a draft until it is submitted; from then on it is frozen (and on PostgreSQL a trigger
refuses any UPDATE or DELETE of a frozen version or its SOP texts). Returned work continues in a new
draft version.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.html import strip_tags

from lifecycle.states import ProtectiveMarking


class HealthAndSafety(models.TextChoices):
    IDENTIFIED = "identified", "Health and safety implications identified"
    NONE = "none", "None identified"


# The versions that may be a policy's current one (its newest): all but a withdrawn review draft's.
NOT_WITHDRAWN = models.Q(withdrawn_at__isnull=True)


def frozen_sensitive_of(details_marking: str | None, withdrawn_marking: str) -> bool:
    """``lifecycle.selectors.FROZEN_SENSITIVE`` read of one version's values, for a page that has them (the versions
    page's rows, the compare page's versions): the marking in its frozen details, or the one it was withdrawn under,
    is OFFICIAL-SENSITIVE. tests/lifecycle/test_frozen_sensitive_shown.py proves the two agree."""
    return ProtectiveMarking.OFFICIAL_SENSITIVE in (details_marking, withdrawn_marking)


class PolicyVersion(models.Model):
    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="versions")
    # major = review cycle (1 for a new policy, +1 for each review); minor = draft iteration in the cycle.
    major = models.PositiveIntegerField(default=1)
    minor = models.PositiveIntegerField(default=0)
    statement = models.TextField(blank=True, help_text="The Policy Statement (sanitised HTML).")
    summary_of_changes = models.TextField(
        blank=True, help_text="Required when this version revises a published policy."
    )
    # SOP: the policy itself states its health and safety implications "or none" (issue 13): a required section of
    # the statement, published with it. ``health_and_safety`` is "identified" (then the statement says what) or
    # "none" (an explicit "none identified").
    health_and_safety = models.CharField(max_length=10, choices=HealthAndSafety.choices, blank=True)
    health_and_safety_statement = models.TextField(blank=True)
    revises_published = models.BooleanField(default=False, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Optimistic concurrency for drafts: each save increments it; a save based on an older revision is
    # refused so two people editing the same draft never silently overwrite each other.
    draft_revision = models.PositiveIntegerField(default=0, editable=False)
    # The document details (lifecycle.details) this version was submitted with, written when it is frozen and in
    # its content hash; None while it is a draft (the policy's own fields are the draft's details), and for a
    # version submitted before versions recorded them.
    details = models.JSONField(null=True, blank=True, editable=False)
    # Whether the content hash covers each SOP's ``publish_externally`` (what goes on the public Publication Scheme):
    # True for every version drafted from migration 0020 on and the drafts it found; False for a version frozen
    # before it, whose stored hash did not cover the flag and must still verify (its rows are append-only).
    hash_covers_sop_flags = models.BooleanField(default=True, editable=False)
    # A review's draft the Designated Lead withdrew before approving it (lifecycle.workflow_monitoring
    # .WITHDRAW_REVIEW_DRAFT): kept for ever as evidence (SOP, "Retain an audit trail of all versions"), never again
    # the policy's current version (``NOT_WITHDRAWN``); every version of its review cycle is marked at once. Set once:
    # on PostgreSQL the version's trigger lets nothing else of a withdrawn or submitted version change (migration 0026).
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The policy's marking in force when the version was withdrawn: the marking it was read under while drafted. A
    # version submitted during the review is frozen with the details it was submitted with, a downgrade it proposed
    # among them (its content hash covers them); that downgrade was never approved, so what only those cleared for
    # OFFICIAL-SENSITIVE material could read stays theirs (``lifecycle.selectors.frozen_sensitive`` reads both).
    # Written in the UPDATE that marks it withdrawn, the one change a frozen version allows (migration 0029);
    # empty for a version never withdrawn.
    withdrawn_marking = models.CharField(max_length=20, choices=ProtectiveMarking.choices, blank=True, default="",
                                         editable=False)
    # The authors its document control names (the policy's developers when it was submitted, by their names then,
    # as the force's document-control block has them: "Authors  Paul Clarke and Jo Collins, MetHQ"): written in the
    # UPDATE that freezes it, so a later handover or reassignment does not rename the authors of what was submitted
    # (QA walk of 2026-12-06). None while a draft (its authors are the developers named now), and for a version
    # submitted before versions recorded them (migration 0028), whose authors were never recorded.
    authors = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["policy", "major", "minor"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "major", "minor"], name="policy_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True) | ~models.Q(content_hash=""),
                name="policy_version_frozen_has_hash",
            ),
            # A withdrawn version says the marking it was read under (migration 0029 recorded it for those before).
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawn_marking=""),
                name="policy_version_withdrawn_has_marking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.reference} v{self.number}"

    @property
    def number(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_frozen(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def frozen_sensitive(self) -> bool:
        """Whether this version is OFFICIAL-SENSITIVE material whatever its policy is marked now: frozen so, or
        withdrawn while its policy was (``frozen_sensitive_of``)."""
        return frozen_sensitive_of((self.details or {}).get("protective_marking"), self.withdrawn_marking)

    @property
    def binding_hash(self) -> str:
        """The content hash a decision form carries (rule 17): the frozen hash once submitted, else the hash of
        the draft as it stands."""
        return self.content_hash or self.compute_content_hash()

    @property
    def read_hash(self) -> str:
        """The hash a decision page carries and the service checks (rule 17: bound to what was read): the
        ``binding_hash`` of the statement, SOPs and details, and the Equality Impact Assessment and the Corporate
        Policy Workbook the page shows while either can still change (each by its draft revision, which every save
        moves on). Frozen with the version, they cannot change, and the hash is the one frozen; the emergency route
        leaves them open, and its later decisions are bound to them too."""
        open_documents = []
        for name in ("eia", "workbook"):
            document = getattr(self, name, None)
            if document is not None and document.frozen_at is None:
                open_documents.append([name, document.pk, document.draft_revision])
        if not open_documents:
            return self.binding_hash
        encoded = json.dumps([self.binding_hash, open_documents], separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def withheld_parts(self) -> list:
        """The parts of this version's SOPs withheld from their public copy, in the order of the SOPs and of their
        parts, each with its ``sop_version`` and SOP: publication's ``SOPRedaction``, read through the relation
        publication declares (``SOPVersion.redactions``; lifecycle imports nothing from publication). Two queries."""
        parts = []
        for sop_version in self.sop_versions.select_related("sop").prefetch_related("redactions"):
            parts.extend(sop_version.redactions.all())
        return parts

    @staticmethod
    def withheld_hash_of(parts: list) -> str:
        """What the publish page posts of the withheld ``parts`` it showed, and the service compares under the
        policy's lock (rule 17: PCU's decision to publish covers what the public copy withholds; integrity review of
        2026-12-06): "" when nothing is withheld, else the SHA-256 of each part's SOP version, number and exemption."""
        if not parts:
            return ""
        encoded = json.dumps(sorted([part.sop_version_id, part.block, part.exemption] for part in parts),
                             separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    @property
    def withheld_hash(self) -> str:
        """``withheld_hash_of`` this version's ``withheld_parts`` as they stand."""
        return self.withheld_hash_of(self.withheld_parts())

    @property
    def has_health_and_safety_statement(self) -> bool:
        """Explicit: the implications stated, or "none identified"."""
        if self.health_and_safety == HealthAndSafety.NONE:
            return True
        return self.health_and_safety == HealthAndSafety.IDENTIFIED and bool(self.health_and_safety_statement.strip())

    @property
    def health_and_safety_text(self) -> str:
        if self.health_and_safety == HealthAndSafety.NONE:
            return "None identified."
        return self.health_and_safety_statement

    @property
    def statement_text(self) -> str:
        return strip_tags(self.statement or "").strip()

    @property
    def details_read(self) -> dict:
        """The details of this version: those it was frozen with, or for a draft the policy's as they stand. A
        version frozen before versions recorded their details is read with the policy's details and its title in
        force (not a review's proposed title or marking, which are the draft's)."""
        if self.details is not None:
            return self.details
        details = self.policy.details_snapshot()
        if self.is_frozen:
            details["title"] = self.policy.title
            details["protective_marking"] = self.policy.protective_marking
        return details

    def compute_content_hash(self, sop_versions=None) -> str:
        """SHA-256 over the statement, the summary of changes, every SOP text in this package (and whether it is
        published externally) and its document details (those it was frozen with; for a draft, the policy's as they
        stand, so a decision on a draft is bound to the details read too). A version frozen before versions recorded
        details, or before they recorded the SOPs' flags, hashes as it did."""
        if sop_versions is None:
            sop_versions = self.sop_versions.select_related("sop").order_by("sop_id")
        payload = {
            "policy": self.policy_id,
            "number": self.number,
            "statement": self.statement,
            "summary_of_changes": self.summary_of_changes,
            "sops": [self._sop_hashed(sop_version) for sop_version in sop_versions],
        }
        if self.details is not None or not self.is_frozen:
            payload["details"] = self.details_read
        # Issue 13: the health and safety section, once written (a version frozen before it hashes as it did).
        if self.health_and_safety:
            payload["health_and_safety"] = [self.health_and_safety, self.health_and_safety_statement]
        encoded = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def _sop_hashed(self, sop_version) -> dict:
        hashed = {"sop": sop_version.sop_id, "title": sop_version.sop.title, "text": sop_version.text}
        # Rule 17: what goes on the public Publication Scheme is part of what a decision is bound to (migration 0020;
        # a version frozen before it hashes as it did).
        if self.hash_covers_sop_flags:
            hashed["publish_externally"] = sop_version.publish_externally
        return hashed


class StandardOperatingProcedure(models.Model):
    """An SOP of a policy. Its text, and whether it is published externally, live in SOPVersion rows, one per policy
    version package."""

    policy = models.ForeignKey("lifecycle.Policy", on_delete=models.PROTECT, related_name="sops")
    title = models.CharField(max_length=200)
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "position", "id"]
        verbose_name = "standard operating procedure"

    def __str__(self) -> str:
        return self.title


class SOPVersion(models.Model):
    sop = models.ForeignKey(StandardOperatingProcedure, on_delete=models.PROTECT, related_name="versions")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="sop_versions")
    text = models.TextField(blank=True, help_text="Sanitised HTML.")
    # SOP, "Definitions": "Policy owners should consider publishing their SOPs via the MPS Publication Scheme if it
    # would be in the public interest". Frozen with the version, as the text is (migration 0002's trigger): the
    # Scheme and the public file of a published version show the SOPs it was published with, and a draft's choice
    # takes effect when its version is published. An OFFICIAL-SENSITIVE SOP is never published externally (the
    # service refuses it; on PostgreSQL, migration 0019's triggers too).
    publish_externally = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sop__position", "sop_id"]
        constraints = [
            models.UniqueConstraint(fields=["sop", "policy_version"], name="sop_version_unique_per_package"),
        ]

    def __str__(self) -> str:
        return f"{self.sop} (v{self.policy_version.number})"
