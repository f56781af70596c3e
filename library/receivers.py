"""The library follows the audit trail: each audited change that alters what a policy publishes rebuilds that
policy's rows, inside the same transaction (so a rolled-back change leaves the library as it was)."""

from __future__ import annotations

from core.events import AuditAction
from library.models import DocumentKind, LibraryDocument
from library.selectors import library_visibility
from library.services import library_index_policy

REINDEX_ACTIONS = frozenset({
    AuditAction.POLICY_PUBLISHED,
    # Issue 13: a local work instruction's approval publishes it on the intranet, for its business group.
    AuditAction.LOCAL_INSTRUCTION_APPROVED,
    AuditAction.POLICY_PUBLICATION_SUPERSEDED,
    AuditAction.POLICY_REVIEW_CONCLUDED_NO_CHANGE,
    # The details in force come back to the policy's own columns when its review draft is withdrawn.
    AuditAction.POLICY_REVIEW_DRAFT_WITHDRAWN,
    AuditAction.POLICY_WITHDRAWN,
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY,
    AuditAction.POLICY_MOVED_BUSINESS_GROUP,
    # Issue 12: a policy re-marked while it is reviewed is re-marked at once everywhere, its version in force too.
    AuditAction.POLICY_DETAILS_CHANGED,
    AuditAction.MONITORING_REPORT_PUBLISHED,
})


def audit_event_written(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.policy_id and instance.action in REINDEX_ACTIONS:
        library_index_policy(policy_id=instance.policy_id)


def readable(sender, user, policy_ids, **kwargs) -> set[int]:
    """lifecycle.signals.library_readable_requested: which of ``policy_ids`` ``user`` may read in the library now (in
    force, or withdrawn in its archive), by the library's one rule (``library_visibility``). One query."""
    if not policy_ids:
        return set()
    return set(LibraryDocument.objects.filter(library_visibility(user), policy_id__in=policy_ids,
                                              kind=DocumentKind.STATEMENT)
               .order_by().values_list("policy_id", flat=True).distinct())
