"""A policy's version history and each version's interim revisions (issue 12): read as values with statements
compiled once (issue 16), and two revisions compared."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.db.models import (
    Count,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from core.compiled import CompiledValues
from lifecycle.models import (
    DraftDocument,
    DraftRevision,
    Policy,
    PolicyVersion,
)
from lifecycle.models.versions import frozen_sensitive_of
from lifecycle.redline import has_changes, redline_html
from lifecycle.selectors.pages import (
    user_may_see_drafts,
    user_may_see_sensitive,
)
from lifecycle.selectors.visibility import FROZEN_SENSITIVE
from lifecycle.selectors.written import in_force_before_sensitive, readable_revisions

# --- interim revisions of a version (issue 12) ----------------------------------------------------------------


def version_for_revisions(*, user, policy: Policy, number: str) -> PolicyVersion:
    """The version numbered ``number`` ("1.0") of ``policy``, for its interim revisions; 404 unless ``user``
    may see the policy's drafts (the revisions are drafts: staff who see only the version in force do not), and a
    version frozen OFFICIAL-SENSITIVE unless they are cleared for it (as ``policy_versions``)."""
    major, _, minor = (number or "").partition(".")
    if not (major.isdigit() and minor.isdigit() and len(number) <= 12):
        raise Http404("No such version.")
    if not user_may_see_drafts(user=user, policy=policy):
        raise Http404("No such version.")
    versions = policy.versions.filter(major=int(major), minor=int(minor))
    if not user_may_see_sensitive(user=user, policy=policy):
        versions = versions.exclude(FROZEN_SENSITIVE)
    version = versions.first()
    if version is None:
        raise Http404("No such version.")
    return version


def version_revisions(*, user, policy: Policy, version: PolicyVersion) -> list[DraftRevision]:
    """The revisions of ``version`` that ``user`` may read (``readable_revisions`` unless cleared), in order, in one
    query and without their content (a statement may hold 500,000 characters, and a version hundreds of
    revisions). Restoring one is offered of these alone (lifecycle.versions_views)."""
    revisions = (version.revisions.select_related("saved_by", "sop", "restored_from")
                 .defer("content", "restored_from__content").order_by("sequence"))
    if not user_may_see_sensitive(user=user, policy=policy):
        revisions = readable_revisions(revisions)
    listed = list(revisions)
    # Each revision's predecessor of the same document, for a "Changes" link (one pass, no query).
    latest: dict[tuple[str, int | None], int] = {}
    for revision in listed:
        key = (revision.document, revision.sop_id)
        revision.previous_sequence = latest.get(key)
        latest[key] = revision.sequence
    return listed


def revisions_written_sensitive(version: PolicyVersion) -> bool:
    """Whether ``version`` was drafted while the version in force was OFFICIAL-SENSITIVE (its revisions then shown
    only to the cleared, ``readable_revisions``): for the revisions page to say why it lists none. One query."""
    return PolicyVersion.objects.filter(in_force_before_sensitive(), pk=version.pk).exists()


# The version history's rows (lifecycle/templatetags/policy_history.py): each version's number, author, dates and hash,
# not its statement-sized texts (make bench: 50 versions of one policy), nor who submitted it.
VERSION_HISTORY_FIELDS = ("pk", "major", "minor", "created_at", "submitted_at", "content_hash", "author__first_name",
                          "author__last_name", "author__username", "withdrawn_at", "details__protective_marking",
                          "withdrawn_marking")


@dataclass(slots=True)
class VersionHistoryRow:
    """A version as the history lists it. ``revision_count``: None for those who do not see the drafts;
    ``revisions_inside``: its interim revisions (``RevisionRow``), for those who do."""

    pk: int
    number: str
    author: str
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    content_hash: str
    withdrawn_at: datetime.datetime | None = None  # a review draft withdrawn (PolicyVersion.withdrawn_at)
    # OFFICIAL-SENSITIVE material whatever the policy is marked now (PolicyVersion.frozen_sensitive): said beside its
    # number to those cleared, who alone are shown it, when the policy is OFFICIAL now.
    frozen_sensitive: bool = False
    revision_count: int | None = None
    revisions_inside: list = field(default_factory=list)


@dataclass(slots=True)
class RevisionRow:
    """An interim revision as the version history lists it (``DraftRevision``'s words, without its content)."""

    policy_version_id: int
    sequence: int
    document: str
    sop_id: int | None
    document_label: str
    saved_by_name: str | None  # None: nobody saved it (a starting point)
    saved_at: datetime.datetime
    content_hash: str
    starting_point: bool
    previous_sequence: int | None = None

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


def _version_history(*, policy_id: int, drafts: bool, sensitive: bool) -> QuerySet:
    versions = PolicyVersion.objects.filter(policy_id=policy_id).order_by("-major", "-minor")
    if not sensitive:
        versions = versions.exclude(FROZEN_SENSITIVE)
    if not drafts:
        return versions.filter(publications__status="published").distinct().values(*VERSION_HISTORY_FIELDS)
    counted = DraftRevision.objects.filter(policy_version=OuterRef("pk"))
    if not sensitive:
        counted = readable_revisions(counted)
    revision_count = counted.order_by().values("policy_version").annotate(count=Count("pk")).values("count")
    return (versions.annotate(revision_count=Coalesce(Subquery(revision_count), 0))
            .values(*VERSION_HISTORY_FIELDS, "revision_count"))


# Compiled once per process (core.compiled): compiling the versions' read, its subquery and the revisions' joins
# took Django longer than PostgreSQL took to run them (make bench, versions page).
_VERSION_HISTORY = {(drafts, sensitive): CompiledValues(PolicyVersion, partial(_version_history, drafts=drafts,
                                                                               sensitive=sensitive),
                                                        ints=("policy_id",))
                    for drafts in (False, True) for sensitive in (False, True)}


def _full_name(first_name: str, last_name: str, username: str) -> str:
    """``str(user)``: the full name (``get_full_name``), else the username."""
    return f"{first_name} {last_name}".strip() or username


def version_history(*, policy: Policy, user) -> list[VersionHistoryRow]:
    """The versions ``policy_versions`` lists for ``user``, newest first, as the history's rows; for those who see the
    drafts, with the interim revisions inside each (issue 12): two queries, whatever their number."""
    drafts = user_may_see_drafts(user=user, policy=policy)
    sensitive = user_may_see_sensitive(user=user, policy=policy)
    rows = [VersionHistoryRow(pk, f"{major}.{minor}", _full_name(first, last, username), created_at, submitted_at,
                              content_hash, withdrawn_at, frozen_sensitive_of(details_marking, withdrawn_marking),
                              *revision_count)
            for (pk, major, minor, created_at, submitted_at, content_hash, first, last, username, withdrawn_at,
                 details_marking, withdrawn_marking, *revision_count)
            in _VERSION_HISTORY[drafts, sensitive].rows(policy_id=policy.pk)]
    if drafts:
        inside = revisions_inside(user=user, policy=policy)
        for row in rows:
            row.revisions_inside = inside.get(row.pk, [])
    return rows


def _revisions_inside(*, policy_id: int, sensitive: bool) -> QuerySet:
    revisions = DraftRevision.objects.filter(policy_version__policy_id=policy_id)
    if not sensitive:
        revisions = readable_revisions(revisions)
    return (revisions.order_by("policy_version_id", "sequence")
            .values("policy_version_id", "sequence", "document", "sop_id", "sop__title", "saved_by_id",
                    "saved_by__first_name", "saved_by__last_name", "saved_by__username", "saved_at", "content_hash",
                    "starting_point"))


_REVISIONS_INSIDE = {sensitive: CompiledValues(DraftRevision, partial(_revisions_inside, sensitive=sensitive),
                                               ints=("policy_id",))
                     for sensitive in (False, True)}
_DOCUMENT_LABELS = dict(DraftDocument.choices)


def revisions_inside(*, user, policy: Policy) -> dict[int, list[RevisionRow]]:
    """The interim revisions inside each version of ``policy`` ({version id: revisions in order}) for the version
    history (issue 12), in one query whatever their number, without their content; as ``version_revisions``, those
    holding OFFICIAL-SENSITIVE material only for those cleared for it (``readable_revisions``). Empty for staff who do
    not see the drafts."""
    if not user_may_see_drafts(user=user, policy=policy):
        return {}
    grouped: dict[int, list[RevisionRow]] = {}
    latest: dict[tuple[int, str, int | None], int] = {}
    for (version_id, sequence, document, sop_id, sop_title, saved_by_id, first, last, username, saved_at,
         content_hash, starting_point) in _REVISIONS_INSIDE[user_may_see_sensitive(user=user, policy=policy)].rows(
            policy_id=policy.pk):
        key = (version_id, document, sop_id)
        label = f"SOP: {sop_title}" if document == DraftDocument.SOP and sop_id is not None \
            else str(_DOCUMENT_LABELS[document])
        grouped.setdefault(version_id, []).append(RevisionRow(
            version_id, sequence, document, sop_id, label,
            None if saved_by_id is None else _full_name(first, last, username), saved_at, content_hash,
            starting_point, latest.get(key)))
        latest[key] = sequence
    return grouped


def revision_comparison(*, revisions: list[DraftRevision], base: str | None, target: str | None) -> dict:
    """A redline between two revisions (by sequence number) of the same document, from ``revisions`` (those the
    user may read): {"base", "target", "redline", "changed"}, or {"error"} for a choice that cannot be compared.
    One query for the two contents; the redline is bounded (lifecycle.redline, rule 19)."""
    if not base and not target:
        return {}
    by_sequence = {str(revision.sequence): revision for revision in revisions}
    chosen_base, chosen_target = by_sequence.get((base or "").strip()), by_sequence.get((target or "").strip())
    if chosen_base is None or chosen_target is None:
        return {"error": "Choose two revisions of this version to compare."}
    if (chosen_base.document, chosen_base.sop_id) != (chosen_target.document, chosen_target.sop_id):
        return {"error": "Choose two revisions of the same document to compare: "
                         f"revision {chosen_base.sequence} is of the {chosen_base.document_label}, "
                         f"revision {chosen_target.sequence} of the {chosen_target.document_label}."}
    contents = dict(DraftRevision.objects.filter(pk__in=[chosen_base.pk, chosen_target.pk])
                    .values_list("pk", "content"))
    old, new = (DraftRevision(document=item.document, sop=item.sop, content=contents[item.pk])
                for item in (chosen_base, chosen_target))
    old_html, new_html = old.comparable_html(), new.comparable_html()
    return {"base": chosen_base, "target": chosen_target, "redline": redline_html(old_html, new_html),
            "changed": has_changes(old_html, new_html)}
