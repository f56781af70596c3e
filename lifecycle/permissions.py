"""Who may do what: role predicates (django-rules), asked by services, views and templates alike.

Roles are RoleAssignment rows: per business group (developer, manager, co-ordinator, Lead, owner) or
force-wide (PCU, DCFD, DOI, SHRMT). A user's assignments are read once and cached on the user object.
"""

from __future__ import annotations

import functools

import rules
from django.apps import apps
from django.db.models import Aggregate, CharField, F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat

from core.compiled import CompiledRead
from core.models import Role, RoleAssignment, Unit
from lifecycle.duties import conflict_among, duties_held, held_from
from lifecycle.gates_no_change import eia_reopened_for_review
from lifecycle.states import Duty, QADiscipline


def role_index(user) -> frozenset[tuple[str, int | None]]:
    """{(role, business_group_id)} for the user, loaded with one query and cached on the object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_policyhub_roles", None)
    if cached is None:
        cached = frozenset(
            RoleAssignment.objects.filter(user_id=user.pk).order_by().values_list("role", "business_group_id")
        )
        user._policyhub_roles = cached
    return cached


class _JoinedByCommas(Aggregate):
    """The values joined with commas, in one column: string_agg on PostgreSQL, group_concat on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _text(field: str):
    return Coalesce(Cast(field, CharField()), Value(""))


def role_rows_of_outer_user(user_id: str = "pk") -> Subquery:
    """The role assignments of the user of the outer query, as one text ("role:group:unit,..."), for loading them
    in the query that loads the user (workspace.backends): ``remember_roles`` reads it. ``user_id``: the outer
    query's field that holds the user's id, when it is not a user (an audit event's ``actor_id``)."""
    rows = (RoleAssignment.objects.filter(user_id=OuterRef(user_id)).order_by().values("user_id")
            .annotate(rows=_JoinedByCommas(Concat("role", Value(":"), _text("business_group_id"), Value(":"),
                                                  _text("unit_id"), output_field=TextField())))
            .values("rows"))
    return Subquery(rows, output_field=TextField())


def remember_roles(user, rows: str | None) -> None:
    """Cache on ``user`` what ``role_index`` and ``managed_scope`` would read, from ``role_rows_of_outer_user``'s
    text (None: no role), so that neither asks the database again in this request."""
    assignments = []
    for row in (rows or "").split(","):
        if row:
            role, group, unit = row.split(":")
            assignments.append((role, int(group) if group else None, int(unit) if unit else None))
    user._policyhub_roles = frozenset((role, group) for role, group, _ in assignments)
    managed = [(unit, group) for role, group, unit in assignments if role == Role.MANAGER]
    user.__dict__["_policyhub_managed"] = (frozenset(unit for unit, _ in managed if unit is not None),
                                           frozenset(group for unit, group in managed if unit is None))


def managed_scope(user) -> tuple[frozenset[int], frozenset[int]]:
    """(unit ids, business group ids) a policy manager answers for: a manager assignment with a unit covers
    that unit ("Policy managers see everything of their unit"); one without covers the whole group."""
    if not any(role == Role.MANAGER for role, _ in role_index(user)):
        return frozenset(), frozenset()
    cached = user.__dict__.get("_policyhub_managed")
    if cached is None:
        rows = list(RoleAssignment.objects.filter(user_id=user.pk, role=Role.MANAGER)
                    .values_list("unit_id", "business_group_id"))
        cached = (frozenset(unit for unit, _ in rows if unit is not None),
                  frozenset(group for unit, group in rows if unit is None))
        user.__dict__["_policyhub_managed"] = cached
    return cached


# Where ``home_group`` keeps its answer on the user object (loaded with the person by workspace.backends).
HOME_GROUP_KEY = "_policyhub_home_group"


def home_group(user) -> int | None:
    """The business group of the unit the user works in (None: no unit). Issue 13: a local work instruction is "seen by
    their business group on the intranet", by those working in one of its units as by those holding a role in it.
    Read once and cached on the object, as the roles are."""
    if HOME_GROUP_KEY not in user.__dict__:
        user.__dict__[HOME_GROUP_KEY] = (
            Unit.objects.filter(pk=user.unit_id).values_list("business_group_id", flat=True).first()
            if user.unit_id is not None else None)
    return user.__dict__[HOME_GROUP_KEY]


def forget_roles(user) -> None:
    user.__dict__.pop(HOME_GROUP_KEY, None)
    user.__dict__.pop("_policyhub_managed", None)
    user.__dict__.pop("_policyhub_roles", None)
    user.__dict__.pop("_policyhub_grants", None)
    user.__dict__.pop("_policyhub_named", None)
    user.__dict__.pop("_policyhub_duties", None)
    user.__dict__.pop("_policyhub_shrmt_consulted", None)


def has_force_role(user, role: str) -> bool:
    return (role, None) in role_index(user)


def has_group_role(user, role: str, business_group_id: int) -> bool:
    return (role, business_group_id) in role_index(user)


@rules.predicate
def is_pcu(user) -> bool:
    return has_force_role(user, Role.PCU)


@rules.predicate
def is_dcfd(user) -> bool:
    return has_force_role(user, Role.DCFD)


@rules.predicate
def is_doi(user) -> bool:
    return has_force_role(user, Role.DOI)


@rules.predicate
def is_shrmt(user) -> bool:
    return has_force_role(user, Role.SHRMT)


@rules.predicate
def is_group_lead(user, policy) -> bool:
    # SOP: the Designated Business Group Policy Lead commissions and approves for their own group.
    return policy is not None and has_group_role(user, Role.LEAD, policy.business_group_id)


@rules.predicate
def is_group_coordinator(user, policy) -> bool:
    return policy is not None and has_group_role(user, Role.COORDINATOR, policy.business_group_id)


@rules.predicate
def is_group_manager(user, policy) -> bool:
    if policy is None:
        return False
    units, groups = managed_scope(user)
    return policy.owning_unit_id in units or policy.business_group_id in groups


def object_grants(user, policy) -> frozenset[str]:
    """The guardian permission codenames granted to ``user`` on this one policy (one query, cached)."""
    if policy is None or user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_policyhub_grants", {})
    if policy.pk not in cache:
        cache[policy.pk] = frozenset(grant.codename for grant in _grants_read().read(user_id=user.pk,
                                                                                      policy_id=policy.pk))
    return cache[policy.pk]


@functools.cache
def _grants_read() -> CompiledRead:
    """The user's grants on one policy, with their permission's codename: compiled once per process (core.compiled),
    as every policy page asks it. Built on first use: the models load after this module."""
    grants = apps.get_model("lifecycle", "PolicyUserObjectPermission")

    def build(*, user_id, policy_id):
        return (grants.objects.filter(user_id=user_id, content_object_id=policy_id).order_by()
                .annotate(codename=F("permission__codename")))

    return CompiledRead(grants, build, ints=("user_id", "policy_id"))


@rules.predicate
def is_assigned_developer(user, policy) -> bool:
    """A developer named on this policy (holding the developer role in its business group), or a user
    granted ``draft_policy`` on this one policy."""
    if policy is None:
        return False
    if has_group_role(user, Role.DEVELOPER, policy.business_group_id) and is_named_developer(user, policy):
        return True
    return "draft_policy" in object_grants(user, policy)


def is_named_developer(user, policy) -> bool:
    """Whether ``user`` is named on ``policy`` as a developer: one query per user and policy, cached like the
    grants (a page asks it for every action it offers, and for the draft)."""
    cache = user.__dict__.setdefault("_policyhub_named", {})
    if policy.pk not in cache:
        cache[policy.pk] = policy.is_developer(user)
    return cache[policy.pk]


@rules.predicate
def has_consultee_grant(user, policy) -> bool:
    return bool({"consult_policy", "draft_policy"} & object_grants(user, policy))


def free_for(user, policy, duty: Duty) -> bool:
    """The user has taken no part in the policy's current version that bars them from ``duty`` (lifecycle.duties:
    separation of duties). Cached per user and version for the page (``remember_duties``: read with the version);
    the services ask lifecycle.duties again under the row lock."""
    version = policy.current_version if policy is not None else None
    if version is None or getattr(user, "pk", None) is None:
        return version is not None
    cache = user.__dict__.setdefault("_policyhub_duties", {})
    if version.pk not in cache:
        cache[version.pk] = duties_held(user, version)
    return conflict_among(cache[version.pk], duty) is None


def conflict_with(user, policy, duty: Duty) -> str | None:
    """How the user's part in the policy's current version bars them from ``duty`` (``free_for``'s reason, from the
    same cache); None if it does not, or if it is that very part, already taken."""
    version = policy.current_version if policy is not None else None
    if version is None or getattr(user, "pk", None) is None or free_for(user, policy, duty):
        return None
    held = user.__dict__["_policyhub_duties"][version.pk]
    return None if duty in held else conflict_among(held, duty)


def remember_duties(user, version) -> None:
    """Cache what ``free_for`` reads of ``version``, from its row annotated with ``lifecycle.duties.duty_flags(user)``
    (lifecycle.selectors.read_versions), so that it asks the database nothing more in this request."""
    user.__dict__.setdefault("_policyhub_duties", {})[version.pk] = held_from(user, version, version)


@rules.predicate
def is_policy_lead(user, policy) -> bool:
    """The policy's Designated Lead: the person it names, holding the Lead role of its group. A policy naming
    no Lead (not yet filled) accepts any Lead of the group. A role given to oneself in the admin does not make
    anyone the Lead of a policy that names someone else (issue 11)."""
    if not is_group_lead(user, policy):
        return False
    return policy.designated_lead_id is None or policy.designated_lead_id == user.pk


@rules.predicate
def is_supported_policy_lead(user, policy) -> bool:
    """The Designated Lead of the corporate policy a local work instruction supplements (as ``is_policy_lead`` of
    that policy): SOP, local work instructions need "prior agreement with the corporate lead"."""
    if policy is None or policy.supports_id is None:
        return False
    return is_policy_lead(user, policy.supports)


@rules.predicate
def is_policy_owner(user, policy) -> bool:
    """The policy's Management Board owner: the person it names, holding the owner role of its group (any owner of
    the group while it names none), as for the Lead."""
    if policy is None or not has_group_role(user, Role.OWNER, policy.business_group_id):
        return False
    return policy.owner_id is None or policy.owner_id == user.pk


@rules.predicate
def draft_is_editable(user, policy) -> bool:
    return policy is not None and policy.draft_is_editable


can_draft = is_assigned_developer | is_group_manager


@rules.predicate
def eia_reopened(user, policy) -> bool:
    """The policy's Equality Impact Assessment is reopened for its drafters at a review concluding no change
    (lifecycle.gates_no_change.eia_reopened_for_review)."""
    return policy is not None and eia_reopened_for_review(policy)


@rules.predicate
def may_start_policy(user) -> bool:
    """Developers and managers of any business group, and PCU, may start a policy (in their own group)."""
    return is_pcu(user) or any(role in (Role.DEVELOPER, Role.MANAGER) for role, _ in role_index(user))


rules.add_perm("lifecycle.start_policy", may_start_policy)
rules.add_perm("lifecycle.edit_draft", can_draft & draft_is_editable)
# Issue 12: the document details (marking, risk tier, ...) change while the policy is drafted, by those who draft
# it and its business group's co-ordinator; they are frozen with the version at submission.
rules.add_perm("lifecycle.edit_details", (can_draft | is_group_coordinator) & draft_is_editable)
# Issue 12 (SOP, roles: DCFD, DOI and SHRMT advise those developing policy): a co-ordinator or developer (or the
# manager, who drafts too) invites them, or a named colleague, to see and comment on the draft.
rules.add_perm("lifecycle.invite_advice", (can_draft | is_group_coordinator) & draft_is_editable)
rules.add_perm("lifecycle.request_commissioning", can_draft)
# Recording a consultation is drafting work; SHRMT answers a consultation addressed to it
# ("lifecycle.respond_to_consultation", asked of the record).
rules.add_perm("lifecycle.record_consultation", can_draft & draft_is_editable)
rules.add_perm("lifecycle.decide_commissioning", is_policy_lead)
rules.add_perm("lifecycle.submit_for_qa", can_draft)
# Who holds the part. Separation of duties (one part per person in a version) is the step's declared duty,
# checked by lifecycle.steps.may_take for the pages and by the services (lifecycle.duties).
rules.add_perm("lifecycle.qa_signoff_pcu", is_pcu)
rules.add_perm("lifecycle.qa_signoff_dcfd", is_dcfd)
rules.add_perm("lifecycle.qa_signoff_doi", is_doi)
# Issue 4: co-ordinators "forward QA-passed submissions to the Lead and Lead-approved ones to PCU" (SOP: the
# co-ordinator ensures only QA-passed documents go to the Lead and only approved ones to PCU). PCU does not.
rules.add_perm("lifecycle.forward_to_lead", is_group_coordinator)
rules.add_perm("lifecycle.approve", is_policy_lead)
rules.add_perm("lifecycle.emergency_approve", is_policy_lead)
# Issue 13: PCU's agreement to the emergency route, given in the app by a member of PCU in their own name.
rules.add_perm("lifecycle.agree_emergency", is_pcu)
rules.add_perm("lifecycle.forward_for_publication", is_group_coordinator)
rules.add_perm("lifecycle.publish", is_pcu)
rules.add_perm("lifecycle.complete_implementation", is_group_coordinator | is_pcu | is_group_manager)
rules.add_perm("lifecycle.start_review", can_draft | is_group_coordinator | is_group_lead)
# Issue 13: the Lead or the owner, who "retain ultimate ownership", decide a withdrawal; PCU carries it out.
rules.add_perm("lifecycle.decide_withdrawal", is_policy_lead | is_policy_owner)
rules.add_perm("lifecycle.withdraw", is_pcu)
# Who may give one person access to one policy: its manager, co-ordinator, Lead, PCU, or a named developer
# (to let a consultee read the draft).
rules.add_perm("lifecycle.grant_access", can_draft | is_group_coordinator | is_group_lead | is_pcu)
# Issue 13: a review concluding no change is the named Lead's conclusion ("Approve new and reviewed policy"), DCFD's
# confirmation of the EIA, and PCU's re-publication (``lifecycle.publish``).
rules.add_perm("lifecycle.conclude_no_change", is_policy_lead)
# QA walk: a review draft the review found no need for. The review is the Designated Lead's to drive and to decide (SOP,
# the Lead will "Drive policy review, implementation and monitoring programmes" and "Approve new and reviewed policy
# and SOPs"): the Lead the policy names, who then concludes the review with no change. Not PCU, whose part in a review
# the SOP gives as support and oversight, not its decision ("Provide advice and support to all involved in the policy
# development and review process"; "Gather information on the status of policy reviews and policy monitoring").
rules.add_perm("lifecycle.withdraw_review_draft", is_policy_lead)
rules.add_perm("lifecycle.confirm_eia", is_dcfd)
# QA walk: the EIA DCFD reopened is revised by those who draft the policy (SOP, Role of Policy Developers: "Conduct
# impact assessments ... on existing policies every 3 years"), on its EIA tab (assessments.services.document_editable):
# the drafters' part of the update (lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA).
rules.add_perm("lifecycle.revise_reopened_eia", can_draft & eia_reopened)
rules.add_perm("lifecycle.set_review_date", is_group_lead | is_group_coordinator)
# Issue 13. SOP, role of the Designated Business Group Policy Lead: "review monitoring results and direct remedial
# action": the Lead the policy names, as for its approval.
rules.add_perm("lifecycle.respond_to_monitoring", is_policy_lead)
rules.add_perm("lifecycle.qa_any", is_pcu | is_dcfd | is_doi)
# Issue 13, local work instructions (SOP: "not the responsibility of the Policy Co-ordination Unit"): the corporate
# policy's Lead agrees to one that supplements it; the Lead its own business group names approves it.
rules.add_perm("lifecycle.agree_local_supplement", is_supported_policy_lead)
rules.add_perm("lifecycle.approve_local", is_policy_lead)


@rules.predicate
def may_respond_to_consultation(user, record) -> bool:
    """SHRMT records its own advice on a consultation addressed to it; the policy's drafters record any
    response. Only while the record's cycle is the policy's current one and drafting is open."""
    policy = record.policy
    if record.cycle != policy.current_cycle or not policy.draft_is_editable:
        return False
    return bool(can_draft(user, policy) or (record.consultee_type == "shrmt" and is_shrmt(user)))


rules.add_perm("lifecycle.respond_to_consultation", may_respond_to_consultation)


DISCIPLINE_PERMISSIONS = {
    QADiscipline.PCU: "lifecycle.qa_signoff_pcu",
    QADiscipline.DCFD: "lifecycle.qa_signoff_dcfd",
    QADiscipline.DOI: "lifecycle.qa_signoff_doi",
}


def qa_disciplines_for(user, policy) -> list[tuple[str, str]]:
    """The QA disciplines this user may still sign off on the current version: their role's permission (which
    includes separation of duties), for a discipline not yet recorded."""
    version = policy.current_version if policy is not None else None
    if version is None:
        return []
    done = {signoff.discipline for signoff in version.qa_signoffs.all()}
    return [
        (discipline.value, discipline.label)
        for discipline, permission in DISCIPLINE_PERMISSIONS.items()
        if discipline.value not in done and rules.has_perm(permission, user, policy) and free_for(user, policy, Duty.QA)
    ]
