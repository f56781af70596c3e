"""Who may see which policies: the visibility filter in its parts, the register's rows and counts compiled once per
viewer (issue 16), the drafts' and the statement search's filters. Every queryset is already filtered to what the
user may see, in one query."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from core.lookups import in_ids
from core.models import Role
from lifecycle.gates_no_change import drafted_now_where, eia_reopened_where
from lifecycle.models import (
    AdviceInvitation,
    AdviceTeam,
    ConsultationRecord,
    Policy,
    PolicyUserObjectPermission,
    PolicyVersion,
)
from lifecycle.models.policy import IN_FORCE, NOT_IN_FORCE, UNDER_REVIEW
from lifecycle.permissions import (
    home_group,
    managed_scope,
    role_index,
)
from lifecycle.selectors.clearance import cleared_groups
from lifecycle.selectors.emergency_authors import authored_by
from lifecycle.states import (
    APPROVAL_PIPELINE,
    DRAFT_EDITABLE_STATUSES,
    PolicyKind,
    ProtectiveMarking,
)

GROUP_WIDE_ROLES = (Role.COORDINATOR, Role.LEAD, Role.OWNER)
# Issue 13: a local work instruction in force is "seen by their business group on the intranet" (SOP, "Local Work
# Instructions": they "sit outside of the corporate policy development process"); every other kind, by all staff.
# Written as the kinds that are not local, an equality PostgreSQL reads as a range of the policies' in-force indexes.
FORCE_WIDE_KINDS = tuple(kind for kind in PolicyKind.values if kind != PolicyKind.LOCAL)


@dataclass(frozen=True)
class Viewer:
    """All that decides which policies a signed-in, active user sees: their id (the policies they are named on,
    granted or lead), their roles {(role, business group id)} and the units and groups they manage. ``_reach`` reads
    this and nothing else of the user, so that a statement compiled for one Viewer is right for every request of an
    equal one (``policy_rows``): a new reason to see a policy must come in through a field here."""

    user_id: int
    roles: frozenset[tuple[str, int | None]]
    managed_units: frozenset[int]
    managed_groups: frozenset[int]
    # The business groups whose local work instructions in force they see: those they hold a role in and the one
    # they work in (library.selectors.library_visibility, the same rule); None means every group (a force-wide role).
    local_groups: frozenset[int] | None = None

    def has_force_role(self, role: str) -> bool:
        return (role, None) in self.roles


def viewer_of(user) -> Viewer | None:
    """The user's Viewer; None for a visitor who is not signed in, or an inactive account: they see no policy."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    roles = role_index(user)
    if (Role.PCU, None) in roles:
        # PCU see every policy: what they manage is not asked (nor, for a manager not loaded with it, queried).
        return Viewer(user.pk, roles, frozenset(), frozenset())
    managed_units, managed_groups = managed_scope(user)
    cleared = cleared_groups(roles)
    working_in = home_group(user) if cleared is not None else None
    local_groups = None if cleared is None else cleared | ({working_in} if working_in is not None else set())
    return Viewer(user.pk, roles, managed_units, managed_groups, local_groups)


def _in_force_seen(viewer: Viewer) -> Q:
    """The policies in force that ``viewer`` sees as a member of staff: all but the local work instructions of other
    business groups, save those supplementing a corporate policy of a group they hold a group-wide role in (its Lead,
    co-ordinator and owner see what supplements their policies, listed on its page)."""
    if viewer.local_groups is None:
        return IN_FORCE
    by_group, by_ids = _local_seen(viewer, ids_in=lambda ids: Q(pk__in=ids))
    local = by_group if by_ids is None else by_group | by_ids
    return IN_FORCE & (Q(kind__in=FORCE_WIDE_KINDS) | local)


def local_instructions_seen_by(viewer: Viewer | None) -> Q | None:
    """The policies whose kind the user of ``viewer`` sees once in force (``_in_force_seen``), as a Q: every kind but
    the local work instructions of other business groups; None means every policy (a force-wide role). For lists of
    what was in force, a withdrawal's notice among them (publication.notices, compiled once per Viewer)."""
    if viewer is None:
        return Q(pk__in=[])
    if viewer.local_groups is None:
        return None
    by_group, by_ids = _local_seen(viewer, ids_in=lambda ids: Q(pk__in=ids))
    local = by_group if by_ids is None else by_group | by_ids
    return Q(kind__in=FORCE_WIDE_KINDS) | local


def _local_seen(viewer: Viewer, *, ids_in: Callable[[QuerySet], Q]) -> tuple[Q, Q | None]:
    """Which local work instructions ``viewer`` sees once in force (``_in_force_seen``): those of their groups, and
    (None if none can be) by id, those supplementing a corporate policy of a group they hold a group-wide role in."""
    supported_groups = {group for role, group in viewer.roles if role in GROUP_WIDE_ROLES and group is not None}
    # Only a local work instruction supplements (policy_only_a_local_work_instruction_supplements); asked as
    # "supports is not null", the few that do are read from the index on supports, not every local one tested.
    by_ids = ids_in(Policy.objects.filter(supports__isnull=False, supports__business_group_id__in=supported_groups)
                    .values("pk")) if supported_groups else None
    return Q(business_group_id__in=viewer.local_groups), by_ids


def policy_visibility_filter(user) -> Q | None:
    """The Q a policy must match to be visible to ``user``; None means everything (PCU)."""
    return _visibility_filter(viewer_of(user))


def _visibility_filter(viewer: Viewer | None) -> Q | None:
    if viewer is None:
        return Q(pk__in=[])
    if viewer.has_force_role(Role.PCU):
        return None
    reach = _reach(viewer, ids_in=lambda ids: Q(pk__in=ids))
    # Every member of staff sees the force's policies in force, including those under review (the published
    # version stays in force until the reviewed one replaces it); a local work instruction, its business group.
    visible = _in_force_seen(viewer)
    if reach.by_columns is not None:
        visible |= reach.by_columns
    visible |= reach.by_ids
    if reach.cleared_groups is not None:
        visible &= reach.marking
    return visible


def policy_visibility_parts(user) -> list[Q] | None:
    """The visibility of ``policy_visibility_filter`` as disjoint Qs whose union it is; None means everything.

    For counting the register (``policy_count``). As one Q, an OR across the table, PostgreSQL counts it by
    testing every row in a sequential scan (make bench, 100,000 policies: the developer's and co-ordinator's
    register took 3.9x and 3.6x the unfiltered one, whose COUNT(*) is an index-only scan). Split, each part is
    counted from an index (Policy.Meta.indexes), testing little or nothing per row:
      - OFFICIAL policies in force (73% of the register): a range of policy_in_force_idx, no test per row; split by
        kind, as the local work instructions among them are seen only by their business groups' staff (issue 13);
      - OFFICIAL-SENSITIVE policies in force, of the user's groups: policy_in_force_sensitive_idx;
      - the rest (21%) that the user sees by its group, unit or status: policy_not_in_force_idx;
      - the rest that the user sees by id (named developer, grants, consultation) and not by the above:
        the ids are looked up in the primary key (``core.lookups.InIds``) instead of testing every row of the rest.
    Staff with a force-wide role see every marking: for them the first two are one part, all in force.
    Splitting the policies in force by marking avoids a test per row on 80,000 of them (raw SQL: 4.1 ms for
    the two parts against 6.2 ms for one)."""
    return visibility_parts_of(viewer_of(user))


def visibility_parts_of(viewer: Viewer | None) -> list[Q] | None:
    if viewer is None:
        return [Q(pk__in=[])]
    if viewer.has_force_role(Role.PCU):
        return None
    reach = _reach(viewer, ids_in=lambda ids: in_ids("pk", ids))
    if reach.cleared_groups is None:
        in_force, marking = [IN_FORCE], Q()
    else:
        official = Q(protective_marking=ProtectiveMarking.OFFICIAL)
        # The OFFICIAL ones in force split by kind, each a range of policy_in_force_idx: the force-wide kinds, and the
        # local work instructions the viewer sees (``_local_seen``). The OFFICIAL-SENSITIVE ones are of groups they
        # hold a role in, whose local work instructions they see (cleared_groups is within local_groups).
        # The local ones seen by id (few, looked up in the primary key) are a part of their own, as ``by_ids`` below.
        local_by_group, local_by_ids = _local_seen(viewer, ids_in=lambda ids: in_ids("pk", ids))
        local = IN_FORCE & official & Q(kind=PolicyKind.LOCAL)
        in_force = [IN_FORCE & official & Q(kind__in=FORCE_WIDE_KINDS), local & local_by_group,
                    *([local & ~local_by_group & local_by_ids] if local_by_ids is not None else []),
                    IN_FORCE & ~official & Q(business_group_id__in=reach.cleared_groups)]
        marking = reach.marking
    if reach.by_columns is None:
        return [*in_force, NOT_IN_FORCE & reach.by_ids & marking]
    return [*in_force, NOT_IN_FORCE & reach.by_columns & marking,
            NOT_IN_FORCE & reach.by_ids & ~reach.by_columns & marking]


@dataclass(frozen=True)
class _Reach:
    """What a signed-in user without the PCU role sees besides the policies in force."""

    # By the policy's own columns (its business group, unit or status); None if by none.
    by_columns: Q | None
    # By lists of policy ids: those they are named on as a developer, granted, or (SHRMT) consulted on.
    by_ids: Q
    # The business groups whose OFFICIAL-SENSITIVE policies they may see; None means all groups.
    cleared_groups: frozenset[int] | None

    @property
    def marking(self) -> Q:
        return Q(protective_marking=ProtectiveMarking.OFFICIAL) | Q(business_group_id__in=self.cleared_groups)


def _reach(viewer: Viewer, *, ids_in: Callable[[QuerySet], Q]) -> _Reach:
    """``ids_in(ids)`` is how a condition "the policy's id is in this subquery" is written. Reads the Viewer only."""
    roles = viewer.roles
    by_columns, by_ids = [], []
    group_ids = {group for role, group in roles if role in GROUP_WIDE_ROLES and group is not None}
    if group_ids:
        by_columns.append(Q(business_group_id__in=group_ids))
    if viewer.managed_units:
        by_columns.append(Q(owning_unit_id__in=viewer.managed_units))
    if viewer.managed_groups:
        by_columns.append(Q(business_group_id__in=viewer.managed_groups))
    if viewer.has_force_role(Role.DCFD) or viewer.has_force_role(Role.DOI):
        # From submission until PCU publishes it (lifecycle.states.APPROVAL_PIPELINE), not the display stage.
        by_columns.append(Q(status__in=APPROVAL_PIPELINE))
    if viewer.has_force_role(Role.DCFD):
        # The EIA DCFD reopened at a review concluding no change, which it signs off (the reviews open are few).
        by_ids.append(eia_reopened_where())
    # Issue 4: developers "see and edit the drafts of policies they are assigned to, only while the policy is in
    # scoping or development": named on it, holding the developer role in its group (as ``is_assigned_developer``);
    # and while its EIA is reopened for them: while its drafters work on it (``drafted_now``).
    developer_groups = {group for role, group in roles if role == Role.DEVELOPER and group is not None}
    if developer_groups:
        # Uncorrelated id subqueries, not joins: no duplicate rows, and PostgreSQL hashes them once
        # (make bench: the developer's register 25x -> 4x the unfiltered count at 100,000 policies).
        by_ids.append(ids_in(named_developer_policy_ids(viewer.user_id))
                      & Q(business_group_id__in=developer_groups) & drafted_now_where())
    # Per-object grants (django-guardian): a developer added to one policy, a consultee reading a draft; drafts
    # exist only in scoping and development, so the grant shows the policy only then; one granted its drafting also
    # while its EIA is reopened (``drafted_now``).
    grants = PolicyUserObjectPermission.objects.filter(user_id=viewer.user_id)
    by_ids.append(ids_in(grants.values("content_object_id")) & Q(status__in=DRAFT_EDITABLE_STATUSES))
    by_ids.append(ids_in(grants.filter(permission__codename="draft_policy").values("content_object_id"))
                  & eia_reopened_where())
    if viewer.has_force_role(Role.SHRMT):
        by_ids.append(ids_in(ConsultationRecord.objects.filter(consultee_type="shrmt").values("policy_id")))
    # Issue 13: the authors of what the emergency route skipped (its named developers and its policy manager) write
    # the retrospective EIA after the approval, until it is signed off, as the chase reminds them: they see the policy
    # meanwhile, whatever its status (lifecycle.selectors.emergency_authors, the one rule). The named developer got
    # "has moved on" while reminded of it (QA walk).
    authors = authored_by(viewer.user_id, roles, ids_in=ids_in)
    if authors is not None:
        by_ids.append(authors)
    # Issue 13: the Lead of a corporate policy sees the drafts of the local work instructions that supplement it, to
    # agree to them first (SOP: "prior agreement with the corporate lead"; ``is_supported_policy_lead``).
    lead_groups = {group for role, group in roles if role == Role.LEAD and group is not None}
    if lead_groups:
        supported = Q(supports__designated_lead_id=viewer.user_id) | Q(supports__designated_lead__isnull=True,
                                                                        supports__business_group_id__in=lead_groups)
        by_ids.append(ids_in(Policy.objects.filter(supported, supports__isnull=False).values("pk"))
                      & Q(status__in=DRAFT_EDITABLE_STATUSES))
    # Issue 12: DCFD, DOI and SHRMT see a draft their team is invited to advise on, while it is drafted in the
    # invitation's cycle (a named colleague's invitation is a per-object grant, above).
    teams = advice_teams(roles)
    if teams:
        by_ids.append(ids_in(open_team_invitation_policy_ids(teams)) & Q(status__in=DRAFT_EDITABLE_STATUSES))
    # OFFICIAL-SENSITIVE policies only for staff with a role on their business group or a force-wide role (as
    # ``user_may_see_sensitive``): filtered here so that lists and counts do not reveal them either.
    return _Reach(by_columns=reduce(operator.or_, by_columns) if by_columns else None,
                  by_ids=reduce(operator.or_, by_ids), cleared_groups=cleared_groups(roles))


def cleared_business_groups(user) -> frozenset[int] | None:
    """The business groups whose OFFICIAL-SENSITIVE material ``user`` may see; None means every group (a force-wide
    role). As ``user_may_see_sensitive``, for querysets (the library's search and the acknowledgements read it)."""
    return cleared_groups(role_index(user))


def advice_teams_of(user) -> list[str]:
    """The advice teams (DCFD, DOI, SHRMT) whose force-wide role ``user`` holds."""
    return advice_teams(role_index(user))


def advice_teams(roles) -> list[str]:
    """The advice teams among ``roles`` ({(role, business group id)}): the force-wide DCFD, DOI and SHRMT roles."""
    return [team for team in AdviceTeam.values if (team, None) in roles]


def open_team_invitation_policy_ids(teams) -> QuerySet:
    """The ids of the policies with an open invitation to one of ``teams`` for the cycle being drafted (the
    policy's draft version of that cycle is not yet submitted): a subquery."""
    drafting = PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                            submitted_at__isnull=True)
    return (AdviceInvitation.objects.filter(team__in=teams, withdrawn_at__isnull=True).filter(Exists(drafting))
            .values("policy_id"))


def named_developer_policy_ids(user_id: int) -> QuerySet:
    """The ids of the policies the user ``user_id`` is named on as a developer: a subquery, so that a many-to-many
    match cannot duplicate rows as a join on ``developers`` would."""
    return Policy.developers.through.objects.filter(user_id=user_id).values("policy_id")


def pk_in_ids(ids: QuerySet) -> Q:
    """``Q(pk__in=ids)`` that PostgreSQL looks up in the primary key even under an OR (``core.lookups.InIds``): for a
    few ids from a subquery (a LIMIT), not a hashed filter tested on every row of the table."""
    return in_ids("pk", ids)


def visible_policies(*, user) -> QuerySet[Policy]:
    """The policies ``user`` may see (``policy_visibility_filter``), unordered and with nothing joined."""
    condition = policy_visibility_filter(user)
    return Policy.objects.all() if condition is None else Policy.objects.filter(condition)


def visible_policy_ids(*, user, ids) -> set[int]:
    """Which of the policies ``ids`` ``user`` may see: one query, none for no ids. For a list that names policies
    read earlier (notifications, Notices, a handover's preview), linked only where its reader may open them."""
    ids = set(ids)
    return set(visible_policies(user=user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def policy_list(*, user) -> QuerySet[Policy]:
    return policies_seen_by(viewer_of(user))


def policies_seen_by(viewer: Viewer | None) -> QuerySet[Policy]:
    """``policy_list`` of the user whose Viewer this is: built from the Viewer alone, for a statement compiled once
    per Viewer (``PolicyRows``, My work's queues)."""
    queryset = Policy.objects.select_related("business_group", "owning_unit")
    condition = _visibility_filter(viewer)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.order_by("reference")


def policy_drafts_visibility_filter(user) -> Q | None:
    """``user_may_see_drafts`` as a Q over policies, for querysets; None means every policy (PCU).

    It is the part of ``policy_visibility_filter`` that is not "in force": the policies the user sees by their
    part in them (group-wide role, managed unit or group, named developer or grantee while drafted, DCFD and
    DOI from submission to publication, SHRMT consulted), within the markings they are cleared for. Built from the
    same ``_reach``, so the two cannot drift apart (tests/lifecycle/test_search.py checks it against
    ``user_may_see_drafts``)."""
    return drafts_visibility_of(viewer_of(user))


def drafts_visibility_of(viewer: Viewer | None) -> Q | None:
    """``policy_drafts_visibility_filter`` of a Viewer: built from nothing else, so a statement compiled from it can be
    kept per Viewer (workspace.summary)."""
    if viewer is None:
        return Q(pk__in=[])
    if viewer.has_force_role(Role.PCU):
        return None
    reach = _reach(viewer, ids_in=lambda ids: Q(pk__in=ids))
    drafts = reach.by_ids if reach.by_columns is None else reach.by_columns | reach.by_ids
    return drafts if reach.cleared_groups is None else drafts & reach.marking


# Where a version's frozen marking is: its PolicyVersion.details. A monitoring report records its own
# (assessments.MonitoringReport.protective_marking, read by assessments.selectors with the rule below, and by the
# review's checklist, which reads the reports through the policy's relation: lifecycle.gates).
VERSION_MARKING = "details__protective_marking"
REPORT_MARKING = "protective_marking"


# Where a withdrawn version keeps the marking it was read under (PolicyVersion.withdrawn_marking): a version submitted
# during a review proposing a downgrade is frozen OFFICIAL in its details, but the downgrade was never approved.
VERSION_WITHDRAWN_MARKING = "withdrawn_marking"


def frozen_sensitive(*, record: str = "", marking: str = VERSION_MARKING) -> Q:
    """The Q of a record frozen OFFICIAL-SENSITIVE: its ``marking`` (reached from the query's model by ``record``);
    for a version, also one withdrawn while its policy was marked so (``VERSION_WITHDRAWN_MARKING``)."""
    sensitive = Q(**{f"{record}{marking}": ProtectiveMarking.OFFICIAL_SENSITIVE})
    if marking == VERSION_MARKING:
        sensitive |= Q(**{f"{record}{VERSION_WITHDRAWN_MARKING}": ProtectiveMarking.OFFICIAL_SENSITIVE})
    return sensitive


# A version frozen OFFICIAL-SENSITIVE (its PolicyVersion.details): read only by staff cleared for its policy's
# OFFICIAL-SENSITIVE material, whatever the policy is marked now. A review's downgrade to OFFICIAL is in force once its
# version is published (lifecycle.services.details); the versions published OFFICIAL-SENSITIVE before it stay so.
FROZEN_SENSITIVE = frozen_sensitive()


def frozen_marking_readable(user, *, record: str = "", policy: str = "policy__", marking: str = VERSION_MARKING
                            ) -> Q:
    """The Q a record must match for ``user`` to read it by its own marking (``frozen_sensitive``): frozen OFFICIAL,
    or of a business group they are cleared for (``cleared_business_groups``, as ``user_may_see_sensitive``).
    ``record`` and ``policy`` lead from the query's model to the record and to its policy (a publication's version:
    "policy_version__" and "policy__"); ``marking`` is where the record keeps its marking (a version's details, the
    default; a monitoring report's own column)."""
    return _frozen_readable(cleared_business_groups(user), record=record, policy=policy, marking=marking)


def frozen_marking_readable_by(viewer: Viewer, *, record: str = "", policy: str = "policy__",
                               marking: str = VERSION_MARKING) -> Q:
    """``frozen_marking_readable`` from a Viewer's roles (a statement compiled once per Viewer: Notices, My work)."""
    return _frozen_readable(cleared_groups(viewer.roles), record=record, policy=policy, marking=marking)


def _frozen_readable(cleared: frozenset[int] | None, *, record: str, policy: str, marking: str) -> Q:
    if cleared is None:
        return Q()
    return ~frozen_sensitive(record=record, marking=marking) | Q(**{f"{policy}business_group_id__in": cleared})


def policy_statement_search(*, user, text: str) -> Q:
    """The Q a policy matches when ``text`` is in the statement of a version ``user`` may read (issue 11,
    finding 5: searching every version let staff who may read only v1.0 confirm the words of a draft under
    review). Those versions are, as on the policy's pages: its published versions for everyone
    (``policy_versions``), and every version of the policies whose drafts the user may see
    (``policy_drafts_visibility_filter``); of either, one published OFFICIAL-SENSITIVE only for those cleared for it
    (``frozen_marking_readable``), as a review's OFFICIAL version does not unmark the one it replaced. ``user`` None
    (no request): published versions, frozen OFFICIAL."""
    statements = PolicyVersion.objects.filter(policy_id=OuterRef("pk"), statement__icontains=text)
    if user is None:
        return Q(Exists(statements.filter(publications__status="published").exclude(FROZEN_SENSITIVE)))
    statements = statements.filter(frozen_marking_readable(user))
    # As ``policy_versions`` for staff with no part in the drafting: versions with a publication that is live.
    in_published = Q(Exists(statements.filter(publications__status="published")))
    drafts = policy_drafts_visibility_filter(user)
    if drafts is None:
        return Q(Exists(statements))
    return in_published | (drafts & Q(Exists(statements)))


def versions_in_force_first(versions: QuerySet[PolicyVersion]) -> QuerySet[PolicyVersion]:
    """``versions`` that were published, the one most recently published (the version in force) first."""
    return versions.filter(publications__status="published").order_by("-publications__published_at")


# The document details (lifecycle.details) read by policy_detail_shown: those held as text, on Policy and in
# PolicyVersion.details alike. The title is not among them: the policy's is the title in force, a review's being
# Policy.proposed_title.
TEXT_DETAILS = ("purpose", "relevant_to", "risk_tier", "registered_file_reference")


def policy_detail_shown(*, user, name: str) -> Expression:
    """The document detail ``name`` (one of TEXT_DETAILS) of each policy as ``user`` reads it on its overview
    (``version_shown``), as an expression over policies for a queryset to filter on (the register's search and risk
    tier, and so its export; security probe F5).

    It is the policy's own column, the draft's details, except on a policy under review (``UNDER_REVIEW``) whose
    drafts ``user`` does not see (``policy_drafts_visibility_filter``): there the version in force's, as it was
    published (``PolicyVersion.details``; the policy's own for a version published before versions recorded their
    details, as ``PolicyVersion.details_read`` reads it). ``user`` None (no request): the version in force's.

    One CASE in the statement that reads the rows, so no query of its own: a policy not under review is answered by
    its first branch from its own columns; the drafts' condition is tested only on those under review (its id lists
    hashed once, as the visibility filter's); and the version in force is read (a subplan: the versions' index by
    policy, then their publications') only for the rows left, under review and not seen as drafted. Nothing more
    for PCU, who see every draft."""
    if name not in TEXT_DETAILS:
        raise ValueError(f"policy_detail_shown reads the text details {TEXT_DETAILS}, not {name!r}.")
    viewer = viewer_of(user)
    drafts = drafts_visibility_of(viewer)
    if drafts is None:
        return F(name)
    field = Policy._meta.get_field(name)
    in_force = Subquery(versions_in_force_first(PolicyVersion.objects.filter(policy_id=OuterRef("pk")))
                        .values(detail=KeyTextTransform(name, "details"))[:1], output_field=field)
    seen_as_drafted = [When(~UNDER_REVIEW, then=F(name))]
    if viewer is not None:
        seen_as_drafted.append(When(drafts, then=F(name)))
    return Case(*seen_as_drafted, default=Coalesce(in_force, F(name)), output_field=field)
