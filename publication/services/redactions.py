"""Parts of a SOP withheld from its public copy: PCU decides, citing the Freedom of Information Act exemption,
between approval and publication; once the version is published its public copy is fixed.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from core.audit import audit_log
from core.dates import date_shown
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.submissions import WITHHOLD_PART, Submission, submission_check_repeat, submission_claim, submission_done
from lifecycle import permissions
from lifecycle.models import Policy, SOPVersion
from lifecycle.services import lock_policy, require_actor
from lifecycle.states import ProtectiveMarking, Status
from publication.models import FOIExemption, Publication, SOPRedaction
from publication.redaction import html_blocks


def _redaction_target(*, sop_version: SOPVersion | int, actor) -> tuple[Policy, SOPVersion]:
    require_actor(actor)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit decides what is withheld from publication.",
                               code="forbidden")
    sop_version_id = getattr(sop_version, "pk", sop_version)
    policy_id = SOPVersion.objects.filter(pk=sop_version_id).values_list("policy_version__policy_id", flat=True).first()
    if policy_id is None:
        raise ApplicationError("That procedure no longer exists.", code="not_found")
    locked_policy = lock_policy(policy_id)
    target = SOPVersion.objects.select_related("sop", "policy_version").get(pk=sop_version_id)
    if locked_policy.current_version is None or target.policy_version_id != locked_policy.current_version.pk:
        raise ApplicationError("That procedure belongs to an earlier version: only the version going to publication "
                               "can have parts withheld.", code="stale")
    if locked_policy.status not in {Status.APPROVED, Status.AWAITING_PUBLICATION}:
        raise ApplicationError(f"{locked_policy.reference} is not waiting for publication: what its public copy "
                               "withholds is decided between approval and publication.", code="stale")
    # Its publications published or scheduled, in one read.
    decided = list(Publication.objects.filter(policy_version=target.policy_version, status__in=[
        Publication.Status.PUBLISHED, Publication.Status.SCHEDULED]).values_list("status", "scheduled_for"))
    if any(status == Publication.Status.PUBLISHED for status, _ in decided):
        raise ApplicationError(f"Version {target.policy_version.number} is already published: its public copy is "
                               "fixed.", code="stale")
    # SOP, stage 5: "If approval for publication is given, final versions of the above documents are to be sent to
    # the Policy Co-ordination Unit to arrange publication: ... on the MPS Publication Scheme". Scheduling is that
    # decision, taken on the parts withheld as its page showed them (publication.services.publishing
    # .check_withheld_read): they change no more until it is published or cancelled (integrity review of 2026-12-06:
    # another member of PCU released a part after the publication was scheduled, and it went public with no
    # publisher's decision covering it).
    scheduled = [day for status, day in decided if status == Publication.Status.SCHEDULED]
    if scheduled:
        raise ApplicationError(
            f"Version {target.policy_version.number} of {locked_policy.reference} is scheduled for publication on "
            f"{date_shown(scheduled[0])}, with its public copy withholding what it withholds now. To change "
            "what is withheld, cancel the scheduled publication first (on the policy's Publication page), then "
            "publish it again. Nothing was changed.", code="stale")
    if not (target.publish_externally and target.sop.protective_marking == ProtectiveMarking.OFFICIAL):
        raise ApplicationError(f"“{target.sop.title}” is not published externally, so nothing of it is public.",
                               field="sop_version")
    return locked_policy, target


@transaction.atomic
def sop_redaction_record(*, sop_version: SOPVersion | int, actor, block: int, exemption: str,
                         submission: Submission | str | None = None) -> SOPRedaction:
    """PCU withholds one part of an externally published SOP from its public copy, citing the FOI exemption.
    ``submission``: the one-time token of the form that sent it (core.submissions; None from no page)."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=WITHHOLD_PART)
    locked_policy, target = _redaction_target(sop_version=sop_version, actor=actor)
    if exemption not in FOIExemption.values:
        raise ApplicationError("Choose the Freedom of Information Act exemption that applies.", field="exemption")
    parts = len(html_blocks(target.text))
    if not isinstance(block, int) or not 1 <= block <= parts:
        raise ApplicationError(f"Choose a part of the procedure, from 1 to {parts}.", field="block")
    if SOPRedaction.objects.filter(sop_version=target, block=block).exists():
        raise ApplicationError(f"Part {block} of “{target.sop.title}” is already withheld.", field="block")
    submission_check_repeat(claim, content={"sop_version": target, "block": block, "exemption": exemption})
    redaction = SOPRedaction.objects.create(sop_version=target, block=block, exemption=exemption, recorded_by=actor)
    audit_log(actor=actor, action=AuditAction.SOP_REDACTION_RECORDED, obj=locked_policy, changes={
        "sop": target.sop.title, "version": target.policy_version.number, "part": block,
        "exemption": FOIExemption(exemption).label,
    })
    submission_done(claim, created=f"part {block} of “{target.sop.title}” was withheld",
                    named=f"the withholding of part {block} of “{target.sop.title}”",
                    landing=reverse("publication_staff:withheld", kwargs={"reference": locked_policy.reference}))
    return redaction


@transaction.atomic
def sop_redaction_remove(*, redaction: SOPRedaction | int, actor, policy: Policy | int | None = None) -> None:
    """PCU publishes a part it had withheld (before publication only). ``policy``: the policy whose page it was sent
    from (None from no page); a part withheld from another policy's SOPs is not found there, and is said as a part
    no longer withheld is, telling nothing of the other policy (integrity review of 2026-12-06: policy A's page
    released policy B's part)."""
    redaction_id = getattr(redaction, "pk", redaction)
    found = SOPRedaction.objects.filter(pk=redaction_id)
    if policy is not None:
        found = found.filter(sop_version__policy_version__policy_id=getattr(policy, "pk", policy))
    sop_version_id = found.values_list("sop_version_id", flat=True).first()
    if sop_version_id is None:
        raise ApplicationError("That part is no longer withheld.", code="stale")
    locked_policy, target = _redaction_target(sop_version=sop_version_id, actor=actor)
    found = SOPRedaction.objects.select_for_update().filter(pk=redaction_id).first()
    if found is None:
        raise ApplicationError("That part is no longer withheld.", code="stale")
    changes = {"sop": target.sop.title, "version": target.policy_version.number, "part": found.block,
               "exemption": found.get_exemption_display()}
    found.delete()
    audit_log(actor=actor, action=AuditAction.SOP_REDACTION_REMOVED, obj=locked_policy, changes=changes)
