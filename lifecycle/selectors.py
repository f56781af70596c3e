"""Reads. Every queryset here is already filtered to what the user may see, in one query."""

from __future__ import annotations

import datetime
import operator
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial, reduce

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.db.models.sql import Query
from django.db.models.utils import create_namedtuple_class
from django.http import Http404

from core.compiled import CompiledSelect, CompiledValues
from core.models import AuditEvent, Role, User
from core.statements import CompiledRead
from lifecycle.details import details_changes
from lifecycle.duties import duty_flags
from lifecycle.models import (
    AdviceInvitation,
    AdviceTeam,
    ApprovalDecision,
    ConsultationRecord,
    DraftDocument,
    DraftRevision,
    Policy,
    PolicyUserObjectPermission,
    PolicyVersion,
    QAOutcome,
)
from lifecycle.models.policy import IN_FORCE, NOT_IN_FORCE, VERSION_IN_FORCE
from lifecycle.permissions import (
    has_consultee_grant,
    is_assigned_developer,
    is_supported_policy_lead,
    managed_scope,
    remember_duties,
    role_index,
)
from lifecycle.redline import has_changes, redline_html
from lifecycle.states import (
    DRAFT_EDITABLE_STATUSES,
    ProtectiveMarking,
    QADiscipline,
    statuses_in_stage,
)

GROUP_WIDE_ROLES = (Role.COORDINATOR, Role.LEAD, Role.OWNER)


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
    return Viewer(user.pk, roles, managed_units, managed_groups)


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
    # version stays in force until the reviewed one replaces it).
    visible = IN_FORCE
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
      - OFFICIAL policies in force (73% of the register): a range of policy_in_force_idx, no test per row;
      - OFFICIAL-SENSITIVE policies in force, of the user's groups: policy_in_force_sensitive_idx;
      - the rest (21%) that the user sees by its group, unit or status: policy_not_in_force_idx;
      - the rest that the user sees by id (named developer, grants, consultation) and not by the above:
        the ids are looked up in the primary key (``_InIds``) instead of testing every row of the rest.
    Staff with a force-wide role see every marking: for them the first two are one part, all in force.
    Splitting the policies in force by marking avoids a test per row on 80,000 of them (raw SQL: 4.1 ms for
    the two parts against 6.2 ms for one)."""
    return _visibility_parts(viewer_of(user))


def _visibility_parts(viewer: Viewer | None) -> list[Q] | None:
    if viewer is None:
        return [Q(pk__in=[])]
    if viewer.has_force_role(Role.PCU):
        return None
    reach = _reach(viewer, ids_in=lambda ids: Q(_InIds(F("pk"), ids)))
    if reach.cleared_groups is None:
        in_force, marking = [IN_FORCE], Q()
    else:
        official = Q(protective_marking=ProtectiveMarking.OFFICIAL)
        in_force = [IN_FORCE & official, IN_FORCE & ~official & Q(business_group_id__in=reach.cleared_groups)]
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
        by_columns.append(Q(status__in=statuses_in_stage("approval")))
    # Issue 4: developers "see and edit the drafts of policies they are assigned to, only while the policy is in
    # scoping or development": named on it, holding the developer role in its group (as ``is_assigned_developer``).
    developer_groups = {group for role, group in roles if role == Role.DEVELOPER and group is not None}
    if developer_groups:
        # Uncorrelated id subqueries, not joins: no duplicate rows, and PostgreSQL hashes them once
        # (make bench: the developer's register 25x -> 4x the unfiltered count at 100,000 policies).
        by_ids.append(ids_in(_named_developer_policy_ids(viewer.user_id))
                      & Q(business_group_id__in=developer_groups, status__in=DRAFT_EDITABLE_STATUSES))
    # Per-object grants (django-guardian): a developer added to one policy, a consultee reading a draft; drafts
    # exist only in scoping and development, so the grant shows the policy only then.
    by_ids.append(ids_in(PolicyUserObjectPermission.objects.filter(user_id=viewer.user_id)
                         .values("content_object_id"))
                  & Q(status__in=DRAFT_EDITABLE_STATUSES))
    if viewer.has_force_role(Role.SHRMT):
        by_ids.append(ids_in(ConsultationRecord.objects.filter(consultee_type="shrmt").values("policy_id")))
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
    teams = _advice_teams(roles)
    if teams:
        by_ids.append(ids_in(open_team_invitation_policy_ids(teams)) & Q(status__in=DRAFT_EDITABLE_STATUSES))
    # OFFICIAL-SENSITIVE policies only for staff with a role on their business group or a force-wide role (as
    # ``user_may_see_sensitive``): filtered here so that lists and counts do not reveal them either.
    return _Reach(by_columns=reduce(operator.or_, by_columns) if by_columns else None,
                  by_ids=reduce(operator.or_, by_ids), cleared_groups=_cleared_groups(roles))


def cleared_business_groups(user) -> frozenset[int] | None:
    """The business groups whose OFFICIAL-SENSITIVE material ``user`` may see; None means every group (a force-wide
    role). As ``user_may_see_sensitive``, for querysets (the library's search and the acknowledgements read it)."""
    return _cleared_groups(role_index(user))


def _cleared_groups(roles) -> frozenset[int] | None:
    return None if any(group is None for _, group in roles) else frozenset(group for _, group in roles)


def advice_teams_of(user) -> list[str]:
    """The advice teams (DCFD, DOI, SHRMT) whose force-wide role ``user`` holds."""
    return _advice_teams(role_index(user))


def _advice_teams(roles) -> list[str]:
    return [team for team in AdviceTeam.values if (team, None) in roles]


def open_team_invitation_policy_ids(teams) -> QuerySet:
    """The ids of the policies with an open invitation to one of ``teams`` for the cycle being drafted (the
    policy's draft version of that cycle is not yet submitted): a subquery."""
    drafting = PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                            submitted_at__isnull=True)
    return (AdviceInvitation.objects.filter(team__in=teams, withdrawn_at__isnull=True).filter(Exists(drafting))
            .values("policy_id"))


def named_developer_policy_ids(user) -> QuerySet:
    """The ids of the policies ``user`` is named on as a developer: a subquery, so that a many-to-many match
    cannot duplicate rows as a join on ``developers`` would."""
    return _named_developer_policy_ids(user.pk)


def _named_developer_policy_ids(user_id: int) -> QuerySet:
    return Policy.developers.through.objects.filter(user_id=user_id).values("policy_id")


class _InIds(In):
    """``id IN (subquery)``, written for PostgreSQL as ``id = ANY(ARRAY(subquery))``.

    Under an OR, PostgreSQL runs an IN subquery as a hashed filter tested on every row; the array form is an
    index condition, so the ids are looked up in the primary key (raw SQL at 100,000 policies: the
    developer's named and granted drafts counted in 0.2-0.6 ms instead of 1.8 ms). Only the count uses it:
    where no index serves it, the array is searched linearly for each row, and the hashed IN is not."""

    def get_rhs_op(self, connection, rhs):
        if connection.vendor == "postgresql":
            return f"= ANY(ARRAY{rhs})"
        return super().get_rhs_op(connection, rhs)


def visible_policies(*, user) -> QuerySet[Policy]:
    """The policies ``user`` may see (``policy_visibility_filter``), unordered and with nothing joined."""
    condition = policy_visibility_filter(user)
    return Policy.objects.all() if condition is None else Policy.objects.filter(condition)


def policy_list(*, user) -> QuerySet[Policy]:
    return _policy_list(viewer_of(user))


def _policy_list(viewer: Viewer | None) -> QuerySet[Policy]:
    queryset = Policy.objects.select_related("business_group", "owning_unit")
    condition = _visibility_filter(viewer)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.order_by("reference")


# How many Viewers' compiled statements (the register's rows and count) each process keeps, the least recently used
# dropped first: a few KB each.
COMPILED_VIEWERS = 1024


class PolicyRows:
    """``policy_list(user=user).values_list(*fields, named=True)``, for slicing (``rows[25:50]``, as a Paginator
    does): each slice is one statement, compiled once per Viewer and fields in this process (core.compiled), its rows
    converted as Django converts them. Compiling the visibility filter's Q took more Python than PostgreSQL took to
    run the statement (issue 16: about 1 ms of the developer's register for the rows, as much for the count).

    ``page_and_count(start, stop)`` reads a slice and ``policy_count`` of the same user together, in one statement
    (the count a scalar subquery, worked out once): a page of the register in one round trip instead of two."""

    def __init__(self, *, user, fields: tuple[str, ...]):
        self._viewer = viewer_of(user)
        self._fields = tuple(fields)
        self._row = create_namedtuple_class(*fields)
        # (start, stop, rows) read by page_and_count, for the slice the paginator asks for next.
        self._kept: tuple[int, int, list] | None = None

    def page_and_count(self, start: int, stop: int) -> int | None:
        """Reads ``self[start:stop]`` (kept for that slice) and returns the count of every row; None when the slice
        is empty, which leaves no row to carry the count (ask ``policy_count``)."""
        compiled = _compiled_rows(self._viewer, self._fields, with_count=True)
        if compiled is None or stop <= start:
            return None
        rows = compiled.rows(suffix=" LIMIT %s OFFSET %s", suffix_params=(stop - start, start))
        self._kept = (start, stop, [self._row(*row[:-1]) for row in rows])
        return rows[0][-1] if rows else None

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step is not None or (index.start or 0) < 0 or index.stop is None:
            raise TypeError("PolicyRows takes a slice [start:stop].")
        start, stop = index.start or 0, index.stop
        if stop <= start:
            return []
        if self._kept is not None and self._kept[0] == start and stop - start <= self._kept[1] - start:
            return self._kept[2][:stop - start]
        compiled = _compiled_rows(self._viewer, self._fields)
        if compiled is None:
            return []
        # The compiled statement ends with its ORDER BY: the page is cut after it, both bounds parameters.
        rows = compiled.rows(suffix=" LIMIT %s OFFSET %s", suffix_params=(stop - start, start))
        return [self._row(*row) for row in rows]


@lru_cache(maxsize=COMPILED_VIEWERS)
def _compiled_rows(viewer: Viewer | None, fields: tuple[str, ...], *, with_count: bool = False) \
        -> CompiledSelect | None:
    """``policy_list``'s values of ``fields`` for ``viewer`` (and, ``with_count``, ``policy_count``'s statement as a
    last column), compiled; None when it can list nothing. A pure function of the Viewer (``_reach`` reads nothing
    else), so kept."""
    rows = _policy_list(viewer).values_list(*fields)
    if with_count:
        count = _compiled_count(viewer)
        if count is None:
            return None
        # The count's statement is Django's compiled SQL with its values as parameters (policy_count).
        rows = rows.annotate(policies_counted=RawSQL(*count))  # noqa: S611
    return CompiledSelect.of(rows)


def policy_count(*, user, narrow: Callable[[QuerySet[Policy]], QuerySet[Policy]] | None = None) -> int:
    """``narrow(policy_list(user=user)).count()``, in one query, from indexes.

    ``narrow`` (the register passes its filters' ``filter_queryset``) is applied to each of the disjoint
    ``policy_visibility_parts`` and their counts are added in one statement: SELECT (SELECT COUNT(*) ...) +
    (SELECT COUNT(*) ...). Measured in raw SQL at 100,000 policies, in one run: the developer's count 6.4 ms,
    the co-ordinator's 5.2 ms, the unfiltered COUNT(*) 6.8 ms (as the one OR, the developer's took 7x the
    unfiltered count). Two COUNT queries cost a round trip more; one COUNT(*) over a UNION ALL of the parts
    cannot use the partial indexes, which do not hold the id, and took 4x. Without ``narrow`` the statement is
    compiled once per Viewer in this process (as ``PolicyRows``)."""
    viewer = viewer_of(user)
    if narrow is None:
        statement = _compiled_count(viewer)
    else:
        parts = _visibility_parts(viewer)
        if parts is None:
            return narrow(Policy.objects.all()).count()
        statement = _count_statement(parts, narrow)
    if statement is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchone()[0]


@lru_cache(maxsize=COMPILED_VIEWERS)
def _compiled_count(viewer: Viewer | None) -> tuple[str, tuple] | None:
    return _count_statement(_visibility_parts(viewer) or [Q()], None)


def _count_statement(parts: list[Q], narrow) -> tuple[str, tuple] | None:
    """SELECT (SELECT COUNT(*) FROM <part>) + ... and its parameters; None when no part can hold a policy."""
    query = Query(Policy)
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    table = compiler.quote_name_unless_alias(Policy._meta.db_table)
    counted, params = [], []
    for part in parts:
        try:
            if narrow is None:
                # The part as the WHERE clause of a COUNT, compiled against one query: a third less Python than
                # a queryset per part (interleaved on the bench data: the co-ordinator's register 1.42x -> 1.35x
                # the unfiltered one).
                try:
                    where, part_params = compiler.compile(query.build_where(part))
                    counted.append(f"{table} WHERE {where}")
                except FullResultSet:  # no condition (PCU's one part, Q()): the whole table
                    part_params = ()
                    counted.append(table)
            else:
                # The register's filters may join (the search reads the versions) and de-duplicate.
                narrowed = narrow(Policy.objects.filter(part)).order_by().values("pk")
                sql, part_params = narrowed.query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
                counted.append(f"({sql}) AS part")
        except EmptyResultSet:
            continue
        params.extend(part_params)
    if not counted:
        return None
    # Django cannot SELECT an expression without a FROM, so the statement is assembled from Django's own
    # compiled SQL, every value still a parameter: nothing from the request is spliced in.
    return "SELECT " + " + ".join(f"(SELECT COUNT(*) FROM {rows})" for rows in counted), tuple(params)  # noqa: S608


def policy_drafts_visibility_filter(user) -> Q | None:
    """``user_may_see_drafts`` as a Q over policies, for querysets; None means every policy (PCU).

    It is the part of ``policy_visibility_filter`` that is not "in force": the policies the user sees by their
    part in them (group-wide role, managed unit or group, named developer or grantee while drafted, DCFD and
    DOI in approval, SHRMT consulted), within the markings they are cleared for. Built from the same ``_reach``,
    so the two cannot drift apart (tests/lifecycle/test_search.py checks it against ``user_may_see_drafts``)."""
    viewer = viewer_of(user)
    if viewer is None:
        return Q(pk__in=[])
    if viewer.has_force_role(Role.PCU):
        return None
    reach = _reach(viewer, ids_in=lambda ids: Q(pk__in=ids))
    drafts = reach.by_ids if reach.by_columns is None else reach.by_columns | reach.by_ids
    return drafts if reach.cleared_groups is None else drafts & reach.marking


def policy_statement_search(*, user, text: str) -> Q:
    """The Q a policy matches when ``text`` is in the statement of a version ``user`` may read (issue 11,
    finding 5: searching every version let staff who may read only v1.0 confirm the words of a draft under
    review). Those versions are, as on the policy's pages: its published versions for everyone
    (``policy_versions``), and every version of the policies whose drafts the user may see
    (``policy_drafts_visibility_filter``). ``user`` None (no request): published versions only."""
    statements = PolicyVersion.objects.filter(policy_id=OuterRef("pk"), statement__icontains=text)
    # As ``policy_versions`` for staff with no part in the drafting: versions with a publication that is live.
    in_published = Q(Exists(statements.filter(publications__status="published")))
    if user is None:
        return in_published
    drafts = policy_drafts_visibility_filter(user)
    if drafts is None:
        return Q(Exists(statements))
    return in_published | (drafts & Q(Exists(statements)))


def access_policy(*, user, reference: str, with_people: bool = False, with_local_instructions: bool = False) -> Policy:
    """Fetch a policy the user may see, or 404 (never 403: existence must not leak), with its business group and unit.
    ``with_people``: with its Designated Lead and named developers, for a page that names them (the document-control
    block): the Lead joined, the developers in one query that also answers ``is_developer`` for the rest of the
    request. ``with_local_instructions``: with ``has_local_instructions``, whether any local work instruction
    supplements it (the overview lists those the user may see, and asks for them only when there are some).

    The same visibility filter as every list (``visible_policies``), compiled once for each person and what it is
    built from (``_access_read``)."""
    try:
        policy = next(_access_read(user, with_people, with_local_instructions).read(reference=reference), None)
    except EmptyResultSet:  # a filter nothing can match: signed out, or inactive
        policy = None
    if policy is None:
        raise Http404("No such policy.")
    if with_people:
        _attach_developers(policy)
    return policy


def _developers(*, policy_id: int) -> QuerySet[User]:
    # By the model's ordering (their names), as ``policy.developers.all()`` lists them.
    return User.objects.filter(pk__in=Policy.developers.through.objects.filter(policy_id=policy_id).values("user_id"))


# Compiled once per process (core.statements): Django's prefetch took longer to build than to run.
_DEVELOPERS = CompiledRead(User, _developers, ints=("policy_id",))


def _attach_developers(policy: Policy) -> None:
    """The policy's named developers, left where ``prefetch_related("developers")`` leaves them (a queryset whose
    rows are read, in the policy's prefetch cache): ``policy.developers.all()`` and ``Policy.is_developer`` read them
    from there for the rest of the request."""
    developers = policy.developers.all()
    developers._result_cache = list(_DEVELOPERS.read(policy_id=policy.pk))
    developers._prefetch_done = True
    policy._prefetched_objects_cache = {**getattr(policy, "_prefetched_objects_cache", {}), "developers": developers}


def _visibility_key(user) -> tuple:
    """Everything ``policy_visibility_filter(user)`` is built from (``_reach``): the person, their roles, and the units
    and groups they manage as a policy manager. Their advice teams and the business groups they are cleared for follow
    from their roles; the policies they are named on, granted, consulted on or invited to advise on are read by the
    filter's subqueries when the statement runs, not when it is compiled."""
    signed_in = getattr(user, "is_authenticated", False) and user.is_active
    return (user.pk, role_index(user), managed_scope(user)) if signed_in else (None,)


# The access statements compiled for the people recently signed in in this process, by ``_visibility_key`` and the
# page's options: at most ACCESS_READS_KEPT, the oldest forgotten first.
_ACCESS_READS: dict[tuple, CompiledRead] = {}
_ACCESS_READS_LOCK = threading.Lock()
ACCESS_READS_KEPT = 512


def _access_read(user, with_people: bool, with_local_instructions: bool) -> CompiledRead:
    """``access_policy``'s statement for ``user``, compiled once per process (core.statements) for each person while
    their roles stay the same: compiling the visibility filter (its subqueries) took Django longer than PostgreSQL
    took to run it (make bench: a developer's policy page, about 8,000 Python calls a request)."""
    key = (*_visibility_key(user), with_people, with_local_instructions)
    read = _ACCESS_READS.get(key)
    if read is not None:
        return read
    with _ACCESS_READS_LOCK:
        while len(_ACCESS_READS) >= ACCESS_READS_KEPT:
            del _ACCESS_READS[next(iter(_ACCESS_READS))]
        policies = visible_policies(user=user).order_by()
        if with_local_instructions:
            supplementing = Policy.objects.filter(supports_id=OuterRef("pk"))
            policies = policies.annotate(has_local_instructions=Exists(supplementing))

        def build(*, reference):
            return policies.filter(reference=reference)

        read = _ACCESS_READS[key] = CompiledRead(
            Policy, build, texts=("reference",),
            joined=("business_group", "owning_unit", *(("designated_lead",) if with_people else ())))
    return read




def _versions_shown(*, policy_id: int, user_id: int | None = None, published: bool = True) -> QuerySet[PolicyVersion]:
    """A policy's newest version and, once ``published``, the version most recently published (``in_force``: as
    ``last_published_version``); with what the user ``user_id`` did on each (lifecycle.duties.duty_flags) if given."""
    # Unordered (sorted by the reader): the model's ordering would join the policy for its reference.
    of_policy = PolicyVersion.objects.filter(policy_id=policy_id).order_by()
    newest = Q(pk=Subquery(of_policy.order_by("-major", "-minor").values("pk")[:1]))
    if published:
        in_force = Q(pk=Subquery(of_policy.filter(publications__status="published")
                                 .order_by("-publications__published_at").values("pk")[:1]))
        versions = of_policy.filter(newest | in_force).annotate(in_force=ExpressionWrapper(in_force, BooleanField()))
    else:
        versions = of_policy.filter(newest).annotate(in_force=Value(False))
    return versions if user_id is None else versions.annotate(**duty_flags(user_id))


# Compiled once per process (core.statements): Django took longer to compile it than PostgreSQL to run it.
_VERSIONS_SHOWN = {
    (published, with_duties): CompiledRead(PolicyVersion, partial(_versions_shown, published=published),
                                           ints=("policy_id", "user_id") if with_duties else ("policy_id",))
    for published in (False, True) for with_duties in (False, True)
}


def read_versions(*, policy: Policy, related: tuple[str, ...] = (), duties_of=None) -> None:
    """Load the policy's newest version (``current_version``) and its version in force (``version_shown``) in one
    query, and keep both on the instance for the rest of the request. ``related``: the versions' one-to-one rows to
    join (the drafting checklist's EIA and Workbook); ``duties_of``: a user whose part in the newest version is read
    with it (lifecycle.duties.duty_flags), for separation of duties (``free_for``). Nothing is asked when both are
    already known."""
    if VERSION_IN_FORCE in policy.__dict__ and "current_version" in policy.__dict__:
        return
    user_id = getattr(duties_of, "pk", None)
    published = policy.first_published_on is not None
    if related:
        # The checklist's: a compiled read joins the rows its foreign keys point at, and the EIA and the Workbook
        # point at the version, so this one is the ORM's, compiled for the request.
        rows = list(_versions_shown(policy_id=policy.pk, user_id=user_id, published=published)
                    .select_related(*related))
    else:
        values = {"policy_id": policy.pk, **({"user_id": user_id} if user_id is not None else {})}
        rows = list(_VERSIONS_SHOWN[published, user_id is not None].read(**values))
    rows.sort(key=lambda version: (version.major, version.minor))
    for version in rows:
        version.policy = policy
    policy.__dict__["current_version"] = rows[-1] if rows else None
    policy.__dict__[VERSION_IN_FORCE] = next((version for version in rows if version.in_force), None)
    if user_id is not None and rows:
        remember_duties(duties_of, rows[-1])


def version_in_force(*, policy: Policy):
    """The version most recently published (None before the first publication), kept on the instance: read with the
    newest version (``read_versions``), or alone when that one is already known."""
    if VERSION_IN_FORCE not in policy.__dict__:
        if "current_version" in policy.__dict__:
            policy.__dict__[VERSION_IN_FORCE] = (last_published_version(policy=policy) if policy.first_published_on
                                                 else None)
        else:
            read_versions(policy=policy)
    return policy.__dict__[VERSION_IN_FORCE]


PUBLIC_TIMELINE_ACTIONS = [
    "policy.published", "policy.review_concluded_no_change", "policy.review_date_brought_forward",
    "policy.withdrawn", "policy.eia_completed_retrospectively", "monitoring_report.published",
    "policy.local_instruction_approved",
]


def timeline_events(*, policy_id: int, drafts: bool) -> QuerySet[AuditEvent]:
    """Every audited event of the policy, newest first. Staff with no part in its drafting (``drafts`` False:
    ``user_may_see_drafts``) see only its public milestones (not draft saves, QA comments or decisions in
    progress)."""
    events = AuditEvent.objects.filter(policy_id=policy_id)
    if not drafts:
        events = events.filter(action__in=PUBLIC_TIMELINE_ACTIONS)
    return events.order_by("-sequence")


def user_may_see_drafts(*, user, policy: Policy) -> bool:
    """Who sees the working draft (and the draft history and QA comments): those who see the policy by their
    part in it, as in ``policy_visibility_filter`` (issue 4): PCU; the co-ordinator, Lead and owner of its group and
    the manager of its unit; its named developers and grantees while it is drafted ("only while the policy is
    in scoping or development"); DCFD and DOI while it is submitted to them; SHRMT when consulted on it.
    Everyone else, staff with other roles included, sees the version in force. From the cached roles, with a
    query only where the answer needs one."""
    if policy.protective_marking != ProtectiveMarking.OFFICIAL and not user_may_see_sensitive(user=user,
                                                                                            policy=policy):
        return False
    roles = role_index(user)
    if (Role.PCU, None) in roles or any((role, policy.business_group_id) in roles for role in GROUP_WIDE_ROLES):
        return True
    managed_units, managed_groups = managed_scope(user)
    if policy.owning_unit_id in managed_units or policy.business_group_id in managed_groups:
        return True
    if policy.status in DRAFT_EDITABLE_STATUSES and (
        is_assigned_developer(user, policy) or has_consultee_grant(user, policy)
        or is_supported_policy_lead(user, policy)
    ):
        return True
    if policy.status in statuses_in_stage("approval") and ((Role.DCFD, None) in roles or (Role.DOI, None) in roles):
        return True
    teams = advice_teams_of(user) if policy.status in DRAFT_EDITABLE_STATUSES else []
    if teams and policy.advice_invitations.filter(team__in=teams, cycle=policy.current_cycle,
                                                  withdrawn_at__isnull=True).exists():
        return True
    return (Role.SHRMT, None) in roles and policy.consultations.filter(consultee_type="shrmt").exists()


def version_shown(*, user, policy: Policy):
    """(version to show, version in force). Staff without a part in the drafting see the published one."""
    in_force = version_in_force(policy=policy)
    if user_may_see_drafts(user=user, policy=policy):
        return policy.current_version, in_force
    return in_force, in_force


def consultations_shown(*, policy: Policy, version):
    """The consultation log as far as ``version`` (the one version_shown gives this user): staff who see the
    version in force see the consultations of the cycles up to it, not those on a draft under review."""
    if version is None:
        return ConsultationRecord.objects.none()
    return policy.consultations.filter(cycle__lte=version.major)


def user_may_see_sensitive(*, user, policy: Policy) -> bool:
    """OFFICIAL-SENSITIVE material: staff with a role on the policy's business group, or a force-wide role."""
    roles = role_index(user)
    return any(group is None or group == policy.business_group_id for _, group in roles)


def sop_versions_for(*, user, version) -> list:
    """The SOP texts of a version package that the user may read."""
    if version is None:
        return []
    sensitive_ok = user_may_see_sensitive(user=user, policy=version.policy)
    return [
        sop_version
        for sop_version in version.sop_versions.select_related("sop").order_by("sop__position", "sop_id")
        if sensitive_ok or sop_version.sop.protective_marking != "official_sensitive"
    ]


def policy_versions(*, policy: Policy, user=None):
    """All versions; staff with no part in the drafting see only the versions that were published. Those who see
    the drafts also get each version's ``revision_count`` (its interim revisions, issue 12), in the same query."""
    versions = policy.versions.select_related("author", "submitted_by").order_by("-major", "-minor")
    if user is not None and not user_may_see_drafts(user=user, policy=policy):
        return versions.filter(publications__status="published").distinct()
    revision_count = (DraftRevision.objects.filter(policy_version=OuterRef("pk")).order_by()
                      .values("policy_version").annotate(count=Count("pk")).values("count"))
    return versions.annotate(revision_count=Coalesce(Subquery(revision_count), 0))


def last_published_version(*, policy: Policy):
    """The version most recently published: through the publications recorded against versions (publication
    builds on lifecycle; lifecycle reads the relation, never imports publication)."""
    return (policy.versions.filter(publications__status="published")
            .order_by("-publications__published_at").first())


def previous_submission(*, policy: Policy, version):
    """The version submitted before ``version`` (the one returned or rejected), if any."""
    if version is None:
        return None
    return (
        policy.versions.filter(submitted_at__isnull=False)
        .filter(Q(major__lt=version.major) | Q(major=version.major, minor__lt=version.minor))
        .order_by("-major", "-minor").first()
    )


def version_comparisons(*, policy: Policy, version) -> list[dict]:
    """Redlines a Lead needs: this version against the last published one, and against the previous
    submission when the policy has come back."""
    comparisons = []
    published = last_published_version(policy=policy)
    previous = previous_submission(policy=policy, version=version)
    for title, base in (("Changes since the published version", published),
                        ("Changes since the previous submission", previous)):
        if base is None or version is None or base.pk == version.pk:
            continue
        if any(item["base"].pk == base.pk for item in comparisons):
            continue
        comparisons.append({
            "title": f"{title} ({base.number} to {version.number})",
            "base": base,
            # Issue 12: the document details too (a re-marking, a new risk tier and so approval route, a new
            # title); None when the base version was submitted before versions recorded their details.
            "details_changes": None if base.details is None else details_changes(base.details, version.details_read),
            "changed": has_changes(base.statement, version.statement),
            "redline": redline_html(base.statement, version.statement),
        })
    return comparisons


def latest_feedback(*, policy: Policy, version) -> dict | None:
    """Why the working draft exists: the QA return or the Lead's rejection of the previous submission."""
    if version is None or version.is_frozen:
        return None
    previous = previous_submission(policy=policy, version=version)
    if previous is None or previous.major != version.major:
        return None
    returned = previous.qa_signoffs.filter(outcome="returned").select_related("signed_by").first()
    if returned is not None:
        return {"who": f"{returned.get_discipline_display()} ({returned.signed_by})", "when": returned.signed_at,
                "comments": returned.comments, "version": previous.number, "kind": "returned"}
    rejected = previous.approval_decisions.filter(decision="rejected").select_related("decided_by").first()
    if rejected is not None:
        return {"who": f"the Designated Lead ({rejected.decided_by})", "when": rejected.decided_at,
                "comments": rejected.reasons, "version": previous.number, "kind": "rejected"}
    return None


# --- interim revisions of a version (issue 12) ----------------------------------------------------------------


def version_for_revisions(*, user, policy: Policy, number: str) -> PolicyVersion:
    """The version numbered ``number`` ("1.0") of ``policy``, for its interim revisions; 404 unless ``user``
    may see the policy's drafts (the revisions are drafts: staff who see only the version in force do not)."""
    major, _, minor = (number or "").partition(".")
    if not (major.isdigit() and minor.isdigit() and len(number) <= 12):
        raise Http404("No such version.")
    if not user_may_see_drafts(user=user, policy=policy):
        raise Http404("No such version.")
    version = policy.versions.filter(major=int(major), minor=int(minor)).first()
    if version is None:
        raise Http404("No such version.")
    return version


def version_revisions(*, user, policy: Policy, version: PolicyVersion) -> list[DraftRevision]:
    """The revisions of ``version`` that ``user`` may read, in order, in one query and without their content (a
    statement may hold 500,000 characters, and a version hundreds of revisions): an OFFICIAL-SENSITIVE SOP's
    only for those cleared for it, as ``sop_versions_for``."""
    revisions = (version.revisions.select_related("saved_by", "sop", "restored_from")
                 .defer("content", "restored_from__content").order_by("sequence"))
    if not user_may_see_sensitive(user=user, policy=policy):
        revisions = revisions.exclude(sop__protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    listed = list(revisions)
    # Each revision's predecessor of the same document, for a "Changes" link (one pass, no query).
    latest: dict[tuple[str, int | None], int] = {}
    for revision in listed:
        key = (revision.document, revision.sop_id)
        revision.previous_sequence = latest.get(key)
        latest[key] = revision.sequence
    return listed


# The version history's rows (lifecycle/templatetags/policy_history.py): each version's number, author, dates and hash,
# not its statement-sized texts (make bench: 50 versions of one policy), nor who submitted it.
VERSION_HISTORY_FIELDS = ("pk", "major", "minor", "created_at", "submitted_at", "content_hash", "author__first_name",
                          "author__last_name", "author__username")


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


def _version_history(*, policy_id: int, drafts: bool) -> QuerySet:
    versions = PolicyVersion.objects.filter(policy_id=policy_id).order_by("-major", "-minor")
    if not drafts:
        return versions.filter(publications__status="published").distinct().values(*VERSION_HISTORY_FIELDS)
    revision_count = (DraftRevision.objects.filter(policy_version=OuterRef("pk")).order_by()
                      .values("policy_version").annotate(count=Count("pk")).values("count"))
    return (versions.annotate(revision_count=Coalesce(Subquery(revision_count), 0))
            .values(*VERSION_HISTORY_FIELDS, "revision_count"))


# Compiled once per process (core.compiled): compiling the versions' read, its subquery and the revisions' joins
# took Django longer than PostgreSQL took to run them (make bench, versions page).
_VERSION_HISTORY = {drafts: CompiledValues(PolicyVersion, partial(_version_history, drafts=drafts),
                                           ints=("policy_id",))
                    for drafts in (False, True)}


def _full_name(first_name: str, last_name: str, username: str) -> str:
    """``str(user)``: the full name (``get_full_name``), else the username."""
    return f"{first_name} {last_name}".strip() or username


def version_history(*, policy: Policy, user) -> list[VersionHistoryRow]:
    """The versions ``policy_versions`` lists for ``user``, newest first, as the history's rows; for those who see the
    drafts, with the interim revisions inside each (issue 12): two queries, whatever their number."""
    drafts = user_may_see_drafts(user=user, policy=policy)
    rows = [VersionHistoryRow(pk, f"{major}.{minor}", _full_name(first, last, username), created_at, submitted_at,
                              content_hash, *extra)
            for pk, major, minor, created_at, submitted_at, content_hash, first, last, username, *extra
            in _VERSION_HISTORY[drafts].rows(policy_id=policy.pk)]
    if drafts:
        inside = revisions_inside(user=user, policy=policy)
        for row in rows:
            row.revisions_inside = inside.get(row.pk, [])
    return rows


def _revisions_inside(*, policy_id: int, sensitive: bool) -> QuerySet:
    revisions = DraftRevision.objects.filter(policy_version__policy_id=policy_id)
    if not sensitive:
        revisions = revisions.exclude(sop__protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
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
    history (issue 12), in one query whatever their number, without their content; as ``version_revisions``, an
    OFFICIAL-SENSITIVE SOP's only for those cleared for it. Empty for staff who do not see the drafts."""
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


def _approval_shown(*, version_id: int) -> QuerySet[ApprovalDecision]:
    # One decision per version (its constraint): no ordering to choose among them.
    return (ApprovalDecision.objects.filter(policy_version_id=version_id, decision__in=[
        ApprovalDecision.Decision.APPROVED, ApprovalDecision.Decision.EMERGENCY_APPROVED]).order_by()[:1])


# Compiled once per process (core.statements): its three joins took Django longer to compile than to run.
_APPROVAL_SHOWN = CompiledRead(ApprovalDecision, _approval_shown, ints=("version_id",),
                               joined=("board", "decided_by", "pcu_agreed_by"))


def approval_shown(*, version) -> ApprovalDecision | None:
    """The approval of ``version`` (the Lead's, or the emergency route's), with its board, for the document-control
    block."""
    if version is None:
        return None
    return next(_APPROVAL_SHOWN.read(version_id=version.pk), None)


@dataclass(frozen=True)
class Outstanding:
    """One thing an emergency approval skipped, listed on the policy and chased until done (issue 13)."""

    label: str
    who: str
    done: bool


def emergency_outstanding(policy: Policy) -> list[Outstanding]:
    """What the emergency route skipped on the approved version: the EIA (DCFD), the Workbook's impact sections
    (PCU) and the quality assurance not given (DOI). Empty for a policy approved the ordinary way."""
    version = policy.current_version
    if version is None or not version.approval_decisions.filter(decision="emergency_approved").exists():
        return []
    signed = set(version.qa_signoffs.filter(outcome=QAOutcome.PASSED).values_list("discipline", flat=True))
    return [
        Outstanding("Equality Impact Assessment, signed off by DCFD", "Diversity and Citizen Focus Directorate",
                    QADiscipline.DCFD in signed),
        Outstanding("Workbook impact sections (health and safety, information management, consultation), signed "
                    "off by PCU", "Policy Co-ordination Unit", QADiscipline.PCU in signed),
        Outstanding("Quality assurance of information management by DOI", "Directorate of Information",
                    QADiscipline.DOI in signed),
    ]
