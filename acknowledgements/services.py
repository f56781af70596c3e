"""Read and acknowledge: the audience PCU chooses at publication, and each person's confirmation.

Every change here runs in a transaction with its audit event (core.audit), as every service does."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from acknowledgements.models import Acknowledgement, AcknowledgementAudience, AudienceCriterion
from acknowledgements.selectors import in_force, profile_of
from acknowledgements.signals import policy_acknowledged
from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import BusinessGroup, Role, Unit
from lifecycle.models import Policy, PolicyVersion
from lifecycle.services import require_actor

# A publication names at most this many groups, units and roles (the form offers the reference data).
MAX_CRITERIA = 200


def acknowledgement_audience_record(*, policy: Policy, version: PolicyVersion, actor, business_groups=(),
                                    units=(), roles=(), ask_again: bool = False) -> AcknowledgementAudience | None:
    """Inside the publish step's transaction (publication.services.policy_publish), with the policy locked: record
    whom the version asks to confirm they have read it, once it is in force. No one chosen: nobody is asked (and a
    choice made when the same version was scheduled before, then cancelled, is replaced).

    A new major version asks everyone chosen. For a minor version (an earlier version of the same major was asked
    before), confirmations of the earlier one still count unless PCU asks again (``ask_again``).

    Those it asks are told when the version is published, now or on its scheduled day: an inbox item each, in their
    daily digest, linking to the policy (notifications.services.ledger.acknowledgement_requests_tell, queued when the
    ``policy.published`` event is relayed; this app does not import notifications)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("acknowledgement_audience_record runs inside the publish step's transaction")
    business_groups, units, roles = list(business_groups or ()), list(units or ()), list(roles or ())
    if len(business_groups) + len(units) + len(roles) > MAX_CRITERIA:
        raise ApplicationError(f"Choose at most {MAX_CRITERIA} groups, units and roles.", field="audience")
    unknown_roles = [role for role in roles if role not in Role.values]
    if unknown_roles:
        raise ApplicationError("Choose roles from the list.", field="audience_roles")
    group_ids = {getattr(group, "pk", group) for group in business_groups}
    unit_ids = {getattr(unit, "pk", unit) for unit in units}
    if BusinessGroup.objects.filter(pk__in=group_ids).count() != len(group_ids) or \
            Unit.objects.filter(pk__in=unit_ids).count() != len(unit_ids):
        raise ApplicationError("Choose business groups and units from the lists.", field="audience")
    _replace_not_in_force(version)
    if not (group_ids or unit_ids or roles):
        return None
    earlier = (AcknowledgementAudience.objects.filter(policy=policy, major=version.major, minor__lt=version.minor)
               .order_by("-minor").first())
    counts_from_minor = earlier.counts_from_minor if earlier is not None and not ask_again else version.minor
    return _audience_create(policy=policy, version=version, actor=actor, group_ids=group_ids, unit_ids=unit_ids,
                            roles=set(roles), counts_from_minor=counts_from_minor,
                            ask_again=ask_again or earlier is None)


def acknowledgement_audience_carry_forward(*, policy: Policy, version: PolicyVersion, replaced: PolicyVersion,
                                           actor) -> AcknowledgementAudience | None:
    """Inside the re-publication's transaction (publication.services.policy_republish_no_change), with the policy
    locked: ``version``, re-published in place of ``replaced`` after a review concluding no change whose Equality
    Impact Assessment alone was updated (a minor version of the same package: lifecycle.services.policy_confirm_eia),
    asks whom ``replaced`` asked, as a minor version PCU does not ask again for. The policy itself did not change: a
    confirmation that counted for ``replaced`` still counts (from its ``counts_from_minor`` on), and whoever it asked
    and has not confirmed is asked still, of the version now in force (QA walk: the re-publication chose no one, so
    the requests of the version it replaced stopped, and the oversight dashboard's count of staff asked with them).
    None when ``replaced`` asked no one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("acknowledgement_audience_carry_forward runs inside the re-publication's transaction")
    asked = AcknowledgementAudience.objects.filter(policy_version=replaced).first()
    if asked is None:
        return None
    _replace_not_in_force(version)
    criteria = list(asked.criteria.all())
    return _audience_create(
        policy=policy, version=version, actor=actor,
        group_ids={criterion.business_group_id for criterion in criteria if criterion.business_group_id},
        unit_ids={criterion.unit_id for criterion in criteria if criterion.unit_id},
        roles={criterion.role for criterion in criteria if criterion.role},
        counts_from_minor=asked.counts_from_minor, ask_again=False)


def _replace_not_in_force(version: PolicyVersion) -> None:
    """Delete whom ``version`` asks, chosen before and not yet in force (a schedule since cancelled); refused once it
    is in force."""
    existing = AcknowledgementAudience.objects.select_for_update().filter(policy_version=version).first()
    if existing is None:
        return
    if AcknowledgementAudience.objects.filter(in_force(), pk=existing.pk).exists():
        raise ApplicationError(f"Version {version.number} is already in force: whom it asks was chosen when it "
                               "was published.", code="stale")
    existing.criteria.all().delete()
    existing.delete()


def _audience_create(*, policy: Policy, version: PolicyVersion, actor, group_ids: set, unit_ids: set, roles: set,
                     counts_from_minor: int, ask_again: bool) -> AcknowledgementAudience:
    """Whom ``version`` asks, with its criteria and its audit event, in the caller's transaction."""
    audience = AcknowledgementAudience.objects.create(
        policy=policy, policy_version=version, major=version.major, minor=version.minor,
        ask_again=ask_again, counts_from_minor=counts_from_minor, chosen_by=actor, chosen_at=timezone.now())
    AudienceCriterion.objects.bulk_create(
        [AudienceCriterion(audience=audience, business_group_id=group) for group in sorted(group_ids)]
        + [AudienceCriterion(audience=audience, unit_id=unit) for unit in sorted(unit_ids)]
        + [AudienceCriterion(audience=audience, role=role) for role in sorted(roles)])
    audit_log(actor=actor, action=AuditAction.POLICY_ACKNOWLEDGEMENT_AUDIENCE_CHOSEN, obj=policy, changes={
        "version": version.number,
        "business_groups": sorted(BusinessGroup.objects.filter(pk__in=group_ids).values_list("name", flat=True)),
        "units": sorted(Unit.objects.filter(pk__in=unit_ids).values_list("name", flat=True)),
        "roles": sorted(Role(role).label for role in roles),
        "asks_again": counts_from_minor == version.minor,
    })
    return audience


@transaction.atomic
def acknowledgement_confirm(*, user, version: PolicyVersion | int | str | None, version_hash: str | None,
                            reference: str | None = None) -> Acknowledgement:
    """``user`` confirms they have read ``version`` (rule 17: the form posts the version read and its content hash;
    a version replaced since, or different content, is refused). Only the version in force, and only for those it
    asks. Twice is refused politely (the unique constraint settles two submits at the same moment).

    ``reference``: the policy of the page it was posted from. A version that is not that policy's, does not exist or
    was not asked of the person is refused in the same words, naming no policy: an edited form learns nothing of
    other policies (which versions exist, or whether a reference it names is one the person may not see)."""
    require_actor(user)
    version_id = getattr(version, "pk", version)
    if not str(version_id or "").isdigit() or len(str(version_id)) > 18:
        raise ApplicationError("That page is out of date: open the policy again.", code="stale")
    found = PolicyVersion.objects.select_related("policy").filter(pk=int(version_id)).first()
    if reference is not None and (found is None or found.policy.reference != reference):
        found = None
    audience = (AcknowledgementAudience.objects.select_for_update(of=("self",)).filter(policy_version=found)
                .select_related("policy").first()) if found is not None else None
    profile = profile_of(user)
    if audience is None or not (profile.included_by(list(audience.criteria.all()))
                                and profile.may_read(audience.policy)):
        raise ApplicationError("You have not been asked to confirm you have read this version.", code="forbidden")
    if not AcknowledgementAudience.objects.filter(in_force(), pk=audience.pk).exists():
        raise ApplicationError(f"Version {found.number} of {found.policy.reference} is no longer the one in force: "
                               "read the version in force and confirm that.", code="stale")
    if not version_hash or version_hash != found.content_hash:
        raise ApplicationError(f"Version {found.number} is not the text you read: open the policy again.",
                               code="stale")
    _refuse_if_confirmed(user=user, version=found)
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(
                user=user, policy=found.policy, policy_version=found, major=found.major, minor=found.minor,
                content_hash=found.content_hash, acknowledged_at=timezone.now())
    except IntegrityError:
        # Two submits at the same moment: the other one's row is committed, so it is read now and named alike.
        _refuse_if_confirmed(user=user, version=found)
        raise ApplicationError(f"You already confirmed you had read version {found.number}. Nothing more was done.",
                               code="already_done") from None
    audit_log(actor=user, action=AuditAction.POLICY_ACKNOWLEDGED, obj=acknowledgement, policy_id=found.policy_id,
              changes={"version": found.number, "content_hash": found.content_hash})
    # The request it answers is done: its inbox item is marked read in this transaction (notifications, connected in
    # its ready()), so the inbox no longer counts as new what the person has just confirmed.
    policy_acknowledged.send(sender=Acknowledgement, acknowledgement=acknowledgement)
    return acknowledgement


def _refuse_if_confirmed(*, user, version: PolicyVersion) -> None:
    """A second confirmation (a double submit, a second tab) is not an error: ``already_done`` tells the view to say
    so politely, with the day it was confirmed."""
    already = Acknowledgement.objects.filter(user_id=user.pk, policy_version=version).first()
    if already is not None:
        raise ApplicationError(f"You already confirmed you had read version {version.number} on "
                               f"{timezone.localtime(already.acknowledged_at):%-d %B %Y}. Nothing more was done.",
                               code="already_done")
