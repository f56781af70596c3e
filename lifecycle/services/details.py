"""The document details of a policy, changed while it is drafted (issue 12, "Document details are frozen at
creation": a review could not re-mark a policy or move it to another approval route).

One service: ``policy_update_details``. The policy row is locked, the details page's fingerprint of what it
showed is checked (a stale page is refused and keeps what was typed), the change is audited with every changed
detail's before and after, in the same transaction. The details are frozen with the version at submission
(``lifecycle.services.drafting.freeze``).
"""

from __future__ import annotations

import rules
from django.db import transaction
from django.db.models import Q

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import ApprovalRoute, RiskTier, User
from core.validators import refuse_hidden_characters
from lifecycle import emergency
from lifecycle.details import DETAIL_NAMES, details_hash
from lifecycle.models import AdviceInvitation, Policy, PolicyUserObjectPermission
from lifecycle.selectors import user_may_see_sensitive
from lifecycle.selectors.visibility import versions_in_force_first
from lifecycle.services.base import lock_policy, optional_text, require_actor, require_name, require_text
from lifecycle.services.drafting import check_corporate_lead_cleared
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PolicyKind, ProtectiveMarking


def approval_board(policy: Policy, *, risk_tier: str | None = None):
    """The board that approves a policy of ``risk_tier`` (the policy's own by default) in its business group
    (Annual Governance Statement 2016-17): the group's own route, else the force-wide one; None if neither.
    One query."""
    tier = risk_tier or policy.risk_tier
    routes = {route.business_group_id: route.board for route in ApprovalRoute.objects.filter(
        Q(business_group_id=policy.business_group_id) | Q(business_group__isnull=True), risk_tier=tier,
    ).select_related("board")}
    return routes.get(policy.business_group_id) or routes.get(None)


def version_approval_board(policy: Policy, version):
    """The approval route of ``version``: the board of the risk tier it was submitted with (a draft's: the
    policy's tier as it stands)."""
    details = version.details if version is not None and version.details is not None else None
    return approval_board(policy, risk_tier=(details or {}).get("risk_tier") or policy.risk_tier)


def _clean(*, title, purpose, relevant_to, protective_marking, suitable_for_publication_scheme, risk_tier,
           registered_file_reference, legislation_links) -> dict:
    details = {
        "title": require_name(title, "a title", field="title", max_length=200),
        "purpose": require_text(purpose, "the purpose of the policy", field="purpose"),
        "relevant_to": require_text(relevant_to, "who the policy is relevant to", field="relevant_to"),
        "protective_marking": protective_marking,
        "suitable_for_publication_scheme": bool(suitable_for_publication_scheme),
        "risk_tier": risk_tier,
        "registered_file_reference": optional_text(registered_file_reference, "The registered file reference",
                                                   field="registered_file_reference", max_length=60),
        "legislation_links": [{"title": str(link["title"]), "url": str(link["url"])}
                              for link in (legislation_links or [])],
    }
    refuse_hidden_characters(details["registered_file_reference"], label="The registered file reference",
                             field="registered_file_reference")
    if protective_marking not in ProtectiveMarking.values:
        raise ApplicationError("Choose a protective marking.", code="invalid", field="protective_marking")
    if risk_tier not in RiskTier.values:
        raise ApplicationError("Choose a risk tier.", code="invalid", field="risk_tier")
    if protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE and details["suitable_for_publication_scheme"]:
        raise ApplicationError(
            "An OFFICIAL-SENSITIVE policy cannot be suitable for the Publication Scheme: untick it, or keep the "
            "marking OFFICIAL.", code="invalid", field="suitable_for_publication_scheme",
        )
    return details


def _check_all_cleared(locked: Policy, marking: str) -> None:
    """Re-marked OFFICIAL-SENSITIVE, the policy is seen only by those cleared for its business group's material
    (``user_may_see_sensitive``). Refused while anyone given its draft by name is not: a colleague invited to advise
    or granted access (``lifecycle.services.advice``, ``.access``), or, for a local work instruction, the corporate
    lead whose agreement it needs (``check_corporate_lead_cleared``). Each would be told of it (its title, a
    withdrawal) and could not open it (security probe F2).

    Refused, naming them, rather than taking their access away in the same save: that loses nothing. Nobody's
    invitation or access ends without the person who gave it choosing to end it, through the service that does so and
    tells them (while the title may still be told to them), and what was typed stays on the form."""
    if marking == ProtectiveMarking.OFFICIAL or locked.protective_marking != ProtectiveMarking.OFFICIAL:
        return
    check_corporate_lead_cleared(locked.supports, marking=marking, business_group=locked.business_group,
                                 field="protective_marking")
    granted = PolicyUserObjectPermission.objects.filter(content_object_id=locked.pk).values("user_id")
    invited = AdviceInvitation.objects.filter(policy_id=locked.pk, withdrawn_at__isnull=True,
                                              invitee__isnull=False).values("invitee_id")
    # Those who have left see nothing: they need not be withdrawn first.
    named = User.objects.filter(Q(pk__in=granted) | Q(pk__in=invited), is_active=True)
    stranded = [str(person) for person in named if not user_may_see_sensitive(user=person, policy=locked)]
    if stranded:
        names, are = ((stranded[0], "is") if len(stranded) == 1 else
                      (f"{', '.join(stranded[:-1])} and {stranded[-1]}", "are"))
        raise ApplicationError(
            f"{locked.reference} cannot be marked OFFICIAL-SENSITIVE yet: {names} can see its draft and {are} not "
            f"cleared for OFFICIAL-SENSITIVE material of {locked.business_group}, so would be told of it and could "
            "not open it. First withdraw their invitations to advise (on its Advice page) or take back their access, "
            "then mark it again. Nothing was changed.", code="not_cleared", field="protective_marking")


def _retitle(locked: Policy, title: str) -> str:
    """Give the draft ``title``; returns the field changed. Before its first publication a policy's title is its
    working title and changes at once. Once a version is in force, the policy keeps the title it is in force with
    (on the register, My work, notifications, the library and the Publication Scheme) and the draft proposes the
    new one, frozen with the version at submission; publishing that version makes it the title
    (``lifecycle.services.review.policy_record_publication``)."""
    if locked.first_published_on is None:
        locked.title = title
        return "title"
    locked.proposed_title = "" if title == locked.title else title
    return "proposed_title"


def _remark(locked: Policy, marking: str) -> list[str]:
    """Give the draft ``marking``; returns the fields changed (not saved). Re-marked OFFICIAL-SENSITIVE, the policy is
    so at once, its version in force included (the safe direction). Re-marked OFFICIAL, it is so at once only where
    that exposes nothing published OFFICIAL-SENSITIVE: before its first publication, or when the version in force was
    published OFFICIAL (a review undoing its own re-marking). Otherwise the version in force stays OFFICIAL-SENSITIVE
    and the draft proposes OFFICIAL (``proposed_protective_marking``): frozen with the version at submission, audited
    by DOI "from an information management perspective" and approved by the Designated Lead with it (SOP, "Approve
    new and reviewed policy and SOPs"), and put in force when PCU publishes it
    (``lifecycle.services.review.policy_put_marking_in_force``)."""
    in_force = _marking_published_in_force(locked)
    if marking == ProtectiveMarking.OFFICIAL_SENSITIVE or in_force != ProtectiveMarking.OFFICIAL_SENSITIVE:
        locked.protective_marking, locked.proposed_protective_marking = marking, ""
    else:
        locked.protective_marking, locked.proposed_protective_marking = in_force, marking
    return ["protective_marking", "proposed_protective_marking"]


def _marking_published_in_force(locked: Policy) -> str | None:
    """The marking the version in force was published with; None before the first publication. A version published
    before versions recorded their details: the policy's marking as it stands (never lower than it was published
    with, as a downgrade waits for a publication). One query, none before the first publication."""
    if locked.first_published_on is None:
        return None
    details = versions_in_force_first(locked.versions.all()).values_list("details", flat=True).first()
    return (details or {}).get("protective_marking") or locked.protective_marking


@transaction.atomic
def policy_update_details(
    *, policy: Policy, actor, expected_details: str | None, title: str, purpose: str, relevant_to: str,
    protective_marking: str, suitable_for_publication_scheme: bool, risk_tier: str,
    registered_file_reference: str = "", legislation_links: list[dict] | None = None,
) -> dict:
    """Change the document details of a policy in a drafting stage; returns the changes, {name: [before, after]}
    (empty when nothing changed).

    ``expected_details`` is ``lifecycle.details.details_hash`` of the details the page showed: a save based on
    details someone else has changed since is refused (code "conflict"), and nothing is changed. None: a caller
    that showed no page.

    Re-marked OFFICIAL during a review while the version in force was published OFFICIAL-SENSITIVE, the policy stays
    OFFICIAL-SENSITIVE until the reviewed version is published (``_remark``); what follows is of every other re-marking.

    A change of protective marking takes effect for visibility at once, on every page, list, search, PDF and the
    Publication Scheme, which all read the policy's marking: re-marked OFFICIAL-SENSITIVE during a review, the
    version in force leaves the public Publication Scheme at once and does not keep its old public copy until the
    reviewed version is published (the safe reading of "takes effect for visibility at once"). A change of risk
    tier changes the approval route: the board recorded with the Lead's decision is the one of the tier the
    version was submitted with."""
    require_actor(actor)
    details = _clean(title=title, purpose=purpose, relevant_to=relevant_to, protective_marking=protective_marking,
                     suitable_for_publication_scheme=suitable_for_publication_scheme, risk_tier=risk_tier,
                     registered_file_reference=registered_file_reference, legislation_links=legislation_links)
    locked = lock_policy(policy)
    if not rules.has_perm("lifecycle.edit_details", actor, locked):
        if locked.status not in DRAFT_EDITABLE_STATUSES or locked.current_version is None \
                or locked.current_version.is_frozen:
            raise ApplicationError(
                f"The details of {locked.reference} cannot be changed while it is "
                f"'{locked.get_status_display()}': they are changed while the policy is drafted (scoping or "
                "development) and frozen with the version when it is submitted.", code="frozen")
        raise ApplicationError(f"You are not allowed to change the details of {locked.reference}: its developers, "
                               "manager and business group co-ordinator change them.", code="forbidden")
    if held := emergency.emergency_hold(locked):
        raise ApplicationError(held, code="held")
    if locked.kind == PolicyKind.LOCAL and details["suitable_for_publication_scheme"]:
        # Issue 13. SOP: local work instructions sit outside the corporate process; they never go on the Scheme.
        raise ApplicationError("A local work instruction never goes on the Publication Scheme: untick \"Suitable for "
                               "the Publication Scheme\".", code="invalid", field="suitable_for_publication_scheme")
    before = locked.details_snapshot()
    if expected_details is not None and expected_details != details_hash(before):
        raise ApplicationError(
            f"Someone else changed the details of {locked.reference} while you were editing them. Nothing was "
            "saved: what you typed is still on the form; compare it with the details as they are now (reload in "
            "another tab) and save again.", code="conflict")
    changes = {name: [before[name], details[name]] for name in DETAIL_NAMES if before[name] != details[name]}
    if not changes:
        return {}
    if "protective_marking" in changes:
        _check_all_cleared(locked, details["protective_marking"])
    fields = [name for name in changes if name not in ("title", "protective_marking")]
    for name in fields:
        setattr(locked, name, details[name])
    if "title" in changes:
        fields.append(_retitle(locked, details["title"]))
    if "protective_marking" in changes:
        fields.extend(_remark(locked, details["protective_marking"]))
    locked.save(update_fields=[*fields, "updated_at"])
    recorded: dict = {"details": changes, "version": locked.current_version.number}
    if "protective_marking" in changes:
        # Who may read the policy now, the version in force included: the draft's marking, or the one in force.
        recorded["protective_marking_in_force"] = locked.protective_marking
    if "risk_tier" in changes:
        boards = [approval_board(locked, risk_tier=tier) for tier in changes["risk_tier"]]
        recorded["approval_route"] = [board.name if board else None for board in boards]
    audit_log(actor=actor, action=AuditAction.POLICY_DETAILS_CHANGED, obj=locked, changes=recorded)
    return changes
