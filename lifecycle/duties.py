"""Separation of duties, as a rule of the domain (issue 11).

One person may not hold two of these on the same policy version: author or submitter, a QA discipline,
approver, publisher; nor may one person sign off two QA disciplines. The rule is about what people did, not
the roles they hold: a PCU member who was also given the DCFD, DOI and Lead roles still signs one discipline
and approves nothing they quality-assured, and a Lead who wrote part of the draft (as a manager) cannot
approve it. Superusers get no bypass: nothing here asks ``is_superuser``.

SOP, "Role of the Policy Co-ordination Unit": PCU quality-assures "in conjunction with DCFD and DOI"; the
Designated Lead approves; PCU publishes. Three independent checks mean three different people.

A review that concludes no change is needed (lifecycle.workflow_monitoring) has the same three checks, each given by
the SOP to its own role: the Designated Lead will "Approve new and reviewed policy and SOPs" (the conclusion, held
here as the Lead's decision, ``Duty.APPROVER``); DCFD will "Quality assure Policy, SOPs, and Equality Impact
Assessments" (confirming the EIA still stands, or reopening it and signing the update off: ``Duty.REVIEW_EIA``); PCU
arranges publication "on the Corporate Policy Intranet, in Notices, on the MPS Publication Scheme" (the
re-publication, ``Duty.PUBLISHER``). Someone holding the Lead, DCFD and PCU roles takes one of them (integrity review
of 2026-12-06: one person concluded a review, confirmed its EIA and re-published the policy). The parts of the open
review are read with the version it reviews, and with the version its EIA was reopened in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull

from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle.states import Duty

if TYPE_CHECKING:
    from lifecycle.models import PolicyVersion

# Saving any part of a draft package makes the person one of its writers.
DRAFTING_ACTIONS = (
    AuditAction.POLICY_CREATED, AuditAction.POLICY_DRAFT_SAVED, AuditAction.SOP_CREATED,
    AuditAction.SOP_DRAFT_SAVED, AuditAction.SOP_REMOVED_FROM_DRAFT, AuditAction.EIA_UPDATED,
    AuditAction.WORKBOOK_UPDATED,
)


def duty_flags(user_id: int) -> dict[str, Exists]:
    """What the user ``user_id`` did on a version, as annotations of its PolicyVersion row: ``saved`` a part of its
    draft package while it was drafted (from its creation to its submission), ``signed`` a QA sign-off of it,
    ``decided`` the Lead's decision on it. ``duties_held`` reads them for one version; a page reads them with the
    versions it loads (lifecycle.selectors.read_versions)."""
    saves = AuditEvent.objects.filter(
        policy_id=OuterRef("policy_id"), actor_id=user_id, action__in=DRAFTING_ACTIONS,
        occurred_at__gte=OuterRef("created_at"),
    ).filter(Q(IsNull(OuterRef("submitted_at"), True)) | Q(occurred_at__lte=OuterRef("submitted_at")))
    signoffs = apps.get_model("lifecycle", "QASignOff").objects
    decisions = apps.get_model("lifecycle", "ApprovalDecision").objects
    # The open review concluding no change of this version: the version in force it reviews, or the version its EIA
    # was reopened in (the policy's current version until PCU re-publishes).
    reviews = apps.get_model("lifecycle", "NoChangeReview").objects.filter(
        Q(policy_version_id=OuterRef("pk")) | Q(updated_eia_version_id=OuterRef("pk")), republished_on__isnull=True)
    return {
        "saved": Exists(saves),
        "signed": Exists(signoffs.filter(policy_version_id=OuterRef("pk"), signed_by_id=user_id)),
        "decided": Exists(decisions.filter(policy_version_id=OuterRef("pk"), decided_by_id=user_id)),
        "concluded": Exists(reviews.filter(concluded_by_id=user_id)),
        "eia_checked": Exists(reviews.filter(Q(eia_confirmed_by_id=user_id) | Q(updated_eia_signed_off_by_id=user_id))),
    }


def duties_held(user, version: PolicyVersion) -> dict[Duty, str]:
    """What ``user`` has already done on ``version``, as {duty: how it reads in a sentence}. One query (a second
    only to name the disciplines of a QA sign-off found)."""
    flags = duty_flags(user.pk)
    row = type(version).objects.filter(pk=version.pk).order_by().annotate(**flags).values(*flags).first() or {}
    return held_from(user, version, row)


def held_from(user, version: PolicyVersion, flags: dict) -> dict[Duty, str]:
    """``duties_held`` from the ``duty_flags`` read of ``version`` (a dict, or the version row annotated with them)."""
    read = flags.get if isinstance(flags, dict) else lambda name: getattr(flags, name, False)
    held: dict[Duty, str] = {}
    if user.pk in (version.author_id, version.submitted_by_id) or read("saved"):
        held[Duty.AUTHOR] = f"wrote or submitted version {version.number}"
    if read("signed"):
        signed = [signoff.get_discipline_display() for signoff in version.qa_signoffs.filter(signed_by_id=user.pk)]
        held[Duty.QA] = f"recorded the quality assurance of version {version.number} for {', '.join(signed)}"
    if read("decided"):
        held[Duty.APPROVER] = f"recorded the Lead's decision on version {version.number}"
    # The open review concluding no change (the module's docstring): the Lead's conclusion, DCFD's check of the EIA.
    if read("concluded"):
        held[Duty.APPROVER] = "concluded its review with no change needed (the Designated Lead's part)"
    if read("eia_checked"):
        held[Duty.REVIEW_EIA] = ("checked its Equality Impact Assessment for the review (the Diversity and Citizen "
                                 "Focus Directorate's part)")
    return held


def conflicting_duty(user, version: PolicyVersion, duty: Duty) -> str | None:
    """How ``user`` already took part in ``version`` in a way that bars them from ``duty``; None if free.
    A QA sign-off bars a second one: one person never signs two disciplines."""
    return conflict_among(duties_held(user, version), duty)


# Parts one person may hold together. DCFD's check of the EIA at a review is that assessment's quality assurance
# given again, years on: whoever signed a discipline of the version's quality assurance may give it (the DCFD member
# who signed the EIA off confirms it still stands). It is still barred by the version's writing, the Lead's decision
# or conclusion and its publication; and it bars the re-publication.
MAY_BE_HELD_WITH = {(Duty.REVIEW_EIA, Duty.QA)}


def conflict_among(held: dict[Duty, str], duty: Duty) -> str | None:
    """Of the parts already ``held``, the one that bars ``duty`` (any other part but those ``MAY_BE_HELD_WITH`` it;
    for QA, a sign-off too)."""
    for other, how in held.items():
        if (other != duty or duty == Duty.QA) and (duty, other) not in MAY_BE_HELD_WITH:
            return how
    return None


def check_separation(user, version: PolicyVersion, duty: Duty, *, doing: str) -> None:
    how = conflicting_duty(user, version, duty)
    if how is not None:
        raise ApplicationError(
            f"You cannot {doing}: you {how}, and one person may not hold two parts in the same version "
            "(separation of duties).", code="forbidden",
        )


def took_part_in_current_version(user_id: int) -> Q:
    """For lists of policies: the same rule as a query. The policy's newest version was written or submitted by
    the user ``user_id``, or they signed off its quality assurance; such a version is never offered to them for
    another part. (Drafting saves by others than the author are left to the services' check: a list may offer, a
    service decides.)"""
    versions = apps.get_model("lifecycle", "PolicyVersion").objects
    newest = (versions.filter(withdrawn_at__isnull=True, policy_id=OuterRef(OuterRef("pk")))
              .order_by("-major", "-minor").values("pk")[:1])
    own = versions.filter(Q(pk=Subquery(newest)) & (Q(author_id=user_id) | Q(submitted_by_id=user_id)))
    signed = apps.get_model("lifecycle", "QASignOff").objects.filter(policy_version_id=Subquery(newest),
                                                                      signed_by_id=user_id)
    return Q(Exists(own)) | Q(Exists(signed))
