"""One policy in the library: its documents as published on the intranet, the version in force or an earlier one, and
the other versions the reader may open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from library.models import DocumentKind, LibraryDocument
from library.selectors.visibility import library_visibility
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import marking_raised_at, sop_versions_for
from lifecycle.states import ProtectiveMarking


@dataclass(frozen=True)
class MarkingRaised:
    """A version published under a lower marking than the one it is read under now: its policy was re-marked
    OFFICIAL-SENSITIVE after it was published (at once, the version in force included: lifecycle.services.details).
    ``published`` is the marking's label the version, its PDF and its document control were published with,
    ``now`` the one it is read under, ``on`` the day it was raised (None if the audit trail does not say)."""

    published: str
    now: str
    on: datetime.date | None


@dataclass
class LibraryEntry:
    policy: Policy
    version: PolicyVersion | None
    statement: LibraryDocument
    documents: list[LibraryDocument]
    sop_versions: list
    eia: object | None
    reports: list
    other_versions: list[LibraryDocument]
    in_force: LibraryDocument | None
    # The document details the version was published with (issue 12: a draft under review may have changed the
    # policy's), and, when its marking was raised since, what and when.
    details: dict
    marking_raised: MarkingRaised | None


def library_entry(*, user, reference: str, number: str | None = None) -> LibraryEntry:
    """A policy's documents as published on the intranet: the version in force (or, with ``number``, an earlier
    published version, marked superseded; or, for a withdrawn policy, its last version, in the archive). 404 for
    anything the user may not read, as for anything that does not exist."""
    statements = (LibraryDocument.objects.filter(library_visibility(user), reference=reference,
                                                 kind=DocumentKind.STATEMENT)
                  .select_related("policy_version", "policy__business_group", "policy__owning_unit")
                  .defer("body", "search_vector").order_by("-policy_version__major", "-policy_version__minor"))
    listed = list(statements[:200])
    if not listed:
        raise Http404("No such policy in the library.")
    newest = listed[0]
    in_force = next((document for document in listed if document.is_current), None)
    if number is None:
        chosen = in_force or (newest if newest.is_withdrawn else None)
    else:
        chosen = next((document for document in listed if document.policy_version.number == number), None)
    if chosen is None:
        raise Http404("No such version in the library.")
    version = chosen.policy_version
    documents = list(LibraryDocument.objects.filter(library_visibility(user), policy_id=chosen.policy_id)
                     .filter(Q(policy_version=version) | Q(kind=DocumentKind.MONITORING_REPORT))
                     .defer("body", "search_vector"))
    readable_sops = {document.sop_id for document in documents if document.kind == DocumentKind.SOP}
    eia_listed = any(document.kind == DocumentKind.EIA for document in documents)
    reports = {document.monitoring_report_id for document in documents
               if document.kind == DocumentKind.MONITORING_REPORT}
    policy = chosen.policy
    details = version.details_read
    return LibraryEntry(
        policy=policy, version=version, statement=chosen, documents=documents,
        sop_versions=[sop_version for sop_version in sop_versions_for(user=user, version=version)
                      if sop_version.sop_id in readable_sops],
        eia=getattr(version, "eia", None) if eia_listed else None,
        reports=list(policy.monitoring_reports.filter(pk__in=reports).order_by("-period_end")),
        other_versions=[document for document in listed if document.pk != chosen.pk],
        in_force=in_force,
        details=details,
        marking_raised=_marking_raised(chosen, details),
    )


def _marking_raised(statement: LibraryDocument, details: dict) -> MarkingRaised | None:
    """What the document control says of a version published under a lower marking than its statement's now (the
    policy's, or the version's if higher: library.services). The reader has read that statement, so is cleared for
    the marking it is read under (``library_visibility``): those who are not never reach the page. One query, and
    only for such a version."""
    published = details.get("protective_marking") or statement.protective_marking
    if published == statement.protective_marking:
        return None
    raised_at = marking_raised_at(policy_id=statement.policy_id)
    return MarkingRaised(published=ProtectiveMarking(published).label,
                         now=ProtectiveMarking(statement.protective_marking).label,
                         on=timezone.localdate(raised_at) if raised_at else None)
