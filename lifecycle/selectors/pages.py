"""What a policy's pages read around their section: the policy itself (404 out of scope), its newest version and
the version in force, what the user may see of its drafts, consultations, SOPs, comparisons, feedback, the
approval shown and the emergency route's outstanding items."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from core.compiled import CompiledRead
from core.models import Role, User
from lifecycle.details import details_changes
from lifecycle.duties import duty_flags
from lifecycle.emergency import SKIPPED_PARTS
from lifecycle.gates import open_withdrawal_decision_column, page_read_withdrawal
from lifecycle.gates_no_change import drafted_now, eia_reopened_for_review
from lifecycle.models import (
    NOT_WITHDRAWN,
    ApprovalDecision,
    ConsultationRecord,
    DraftRevision,
    Policy,
    PolicyVersion,
    QAOutcome,
    StandardOperatingProcedure,
    WithdrawalDecision,
)
from lifecycle.models.policy import VERSION_IN_FORCE
from lifecycle.next_steps import NOTIFIED, after_qa_return
from lifecycle.permissions import (
    has_consultee_grant,
    is_assigned_developer,
    is_supported_policy_lead,
    managed_scope,
    remember_duties,
    role_index,
)
from lifecycle.redline import has_changes, redline_html
from lifecycle.selectors.clearance import roles_cleared_for
from lifecycle.selectors.emergency_authors import is_emergency_author
from lifecycle.selectors.visibility import (
    FROZEN_SENSITIVE,
    GROUP_WIDE_ROLES,
    Viewer,
    advice_teams_of,
    drafts_visibility_of,
    versions_in_force_first,
    viewer_of,
    visible_policies,
)
from lifecycle.selectors.written import readable_revisions
from lifecycle.states import (
    APPROVAL_PIPELINE,
    DRAFT_EDITABLE_STATUSES,
    PAGE_READS,
    PUBLISHED_STATUSES,
    ProtectiveMarking,
    QADiscipline,
    Status,
)

# The column of ``access_policy``'s read holding the id of the policy's open withdrawal decision, if any.
OPEN_WITHDRAWAL = "open_withdrawal_decision_id"


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
    policy.__dict__[PAGE_READS] = {}
    # Whether a withdrawal decision is open, read with the policy: every step the page offers or refuses asks it (the
    # cycle's halt, lifecycle.steps.HALTS), and a policy with none, nearly every one, costs the page no query for it.
    page_read_withdrawal(policy, getattr(policy, OPEN_WITHDRAWAL))
    return policy


def _developers(*, policy_id: int) -> QuerySet[User]:
    # By the model's ordering (their names), as ``policy.developers.all()`` lists them.
    return User.objects.filter(pk__in=Policy.developers.through.objects.filter(policy_id=policy_id).values("user_id"))


# Compiled once per process (core.compiled): Django's prefetch took longer to build than to run.
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
    """Everything ``policy_visibility_filter(user)`` is built from: the person's Viewer (their id, their roles, the
    units and groups they manage as a policy manager, the groups whose local work instructions they see). Their
    advice teams and the business groups they are cleared for follow from their roles; the policies they are named
    on, granted, consulted on or invited to advise on are read by the filter's subqueries when the statement runs,
    not when it is compiled."""
    signed_in = getattr(user, "is_authenticated", False) and user.is_active
    return (viewer_of(user),) if signed_in else (None,)


# The access statements compiled for the people recently signed in in this process, by ``_visibility_key`` and the
# page's options: at most ACCESS_READS_KEPT, the oldest forgotten first.
_ACCESS_READS: dict[tuple, CompiledRead] = {}
_ACCESS_READS_LOCK = threading.Lock()
ACCESS_READS_KEPT = 512


def _access_read(user, with_people: bool, with_local_instructions: bool) -> CompiledRead:
    """``access_policy``'s statement for ``user``, compiled once per process (core.compiled) for each person while
    their roles stay the same: compiling the visibility filter (its subqueries) took Django longer than PostgreSQL
    took to run it (make bench: a developer's policy page, about 8,000 Python calls a request)."""
    key = (*_visibility_key(user), with_people, with_local_instructions)
    read = _ACCESS_READS.get(key)
    if read is not None:
        return read
    with _ACCESS_READS_LOCK:
        while len(_ACCESS_READS) >= ACCESS_READS_KEPT:
            del _ACCESS_READS[next(iter(_ACCESS_READS))]
        policies = (visible_policies(user=user).order_by()
                    .annotate(**{OPEN_WITHDRAWAL: open_withdrawal_decision_column()}))
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
    newest = Q(pk=Subquery(of_policy.filter(NOT_WITHDRAWN).order_by("-major", "-minor").values("pk")[:1]))
    if published:
        in_force = Q(pk=Subquery(versions_in_force_first(of_policy).values("pk")[:1]))
        versions = of_policy.filter(newest | in_force).annotate(in_force=ExpressionWrapper(in_force, BooleanField()))
    else:
        versions = of_policy.filter(newest).annotate(in_force=Value(False))
    return versions if user_id is None else versions.annotate(**duty_flags(user_id))


# Compiled once per process (core.compiled): Django took longer to compile it than PostgreSQL to run it.
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


def user_may_see_drafts(*, user, policy: Policy) -> bool:
    """Who sees the working draft (and the draft history and QA comments): those who see the policy by their
    part in it, as in ``policy_visibility_filter`` (issue 4): PCU; the co-ordinator, Lead and owner of its group and
    the manager of its unit; its named developers and grantees while it is drafted ("only while the policy is
    in scoping or development"), its developers also while its EIA is reopened for them (``drafted_now``, the rule
    of assessments.services.document_editable too); DCFD and DOI from its submission until it is published
    (APPROVAL_PIPELINE), and DCFD the EIA it reopened, which it signs off; the authors of what the emergency route
    skipped until it is signed off (``is_emergency_author``); SHRMT when consulted on it. Everyone else, staff with
    other roles included, sees the version in force. From the cached roles, with a query only where the answer needs
    one."""
    if policy.protective_marking != ProtectiveMarking.OFFICIAL and not user_may_see_sensitive(user=user,
                                                                                            policy=policy):
        return False
    roles = role_index(user)
    if (Role.PCU, None) in roles or any((role, policy.business_group_id) in roles for role in GROUP_WIDE_ROLES):
        return True
    managed_units, managed_groups = managed_scope(user)
    if policy.owning_unit_id in managed_units or policy.business_group_id in managed_groups:
        return True
    # The person first (their grants are read for every policy page anyway): the open review only for its drafters.
    if is_assigned_developer(user, policy) and drafted_now(policy):
        return True
    if policy.status in DRAFT_EDITABLE_STATUSES and (
        has_consultee_grant(user, policy) or is_supported_policy_lead(user, policy)
    ):
        return True
    if policy.status in APPROVAL_PIPELINE and ((Role.DCFD, None) in roles or (Role.DOI, None) in roles):
        return True
    if (Role.DCFD, None) in roles and eia_reopened_for_review(policy):
        return True
    # Issue 13: the authors of what the emergency route skipped, who write it after the approval (the one rule,
    # lifecycle.selectors.emergency_authors, which the visibility filter reads too).
    if is_emergency_author(user, policy):
        return True
    teams = advice_teams_of(user) if policy.status in DRAFT_EDITABLE_STATUSES else []
    if teams and policy.advice_invitations.filter(team__in=teams, cycle=policy.current_cycle,
                                                  withdrawn_at__isnull=True).exists():
        return True
    # By the policy's id (a list asks it of all its rows at once: ``drafts_kept_from``).
    if (Role.SHRMT, None) not in roles:
        return False
    consulted = user.__dict__.setdefault(SHRMT_CONSULTED_KEY, {})
    if policy.pk not in consulted:
        consulted[policy.pk] = ConsultationRecord.objects.filter(policy_id=policy.pk, consultee_type="shrmt").exists()
    return consulted[policy.pk]


# Whether SHRMT was consulted on each policy asked of, kept on the user for the request (as their grants are): a page
# asks ``user_may_see_drafts`` more than once.
SHRMT_CONSULTED_KEY = "_policyhub_shrmt_consulted"


def drafts_kept_from(viewer: Viewer, policies) -> set[int]:
    """The ids of those of ``policies`` (a list's rows, each with its status, first publication and business group:
    My work's) whose newest version is a draft that the reader of ``viewer`` is not shown (``user_may_see_drafts``:
    ``version_shown`` shows them the version in force). Nothing is said to them of what comes next on it, on its
    overview (lifecycle.next_steps.next_steps: ``draft_unseen``) nor in My work, whichever of its queues lists it.

    Only a policy under review (``UNDER_REVIEW``: in force, its review's draft from scoping to awaiting publication)
    can be listed with a draft kept from its reader: one never published is seen only by those who see its draft
    (``_visibility_filter``: what is not in force, by ``_reach`` alone, as ``drafts_visibility_of``). Issue 4:
    developers see the drafts "only while the policy is in scoping or development", and only of a policy of a group
    they hold the developer role in (``is_assigned_developer``): one named on a policy of another group sees it in
    force, as all staff do, not its review draft; nor does a developer once the draft is submitted.

    One query for all the rows, never one a row (review of 2026-12-05, finding 4): the drafts' rule as a Q
    (``drafts_visibility_of``, which the register's search reads, held to ``user_may_see_drafts`` by
    tests/lifecycle/test_search.py). None when no row is under review or the reader's roles answer for each, as
    ``user_may_see_drafts`` answers them without a query: PCU; a group-wide role in its business group; DCFD and DOI
    from its submission to its publication (APPROVAL_PIPELINE). Each of those roles clears its holder for the group's
    OFFICIAL-SENSITIVE material too."""
    drafts = drafts_visibility_of(viewer)
    if drafts is None:
        return set()
    advisers = viewer.has_force_role(Role.DCFD) or viewer.has_force_role(Role.DOI)
    asked = {policy.pk for policy in policies
             if policy.first_published_on is not None and policy.status not in PUBLISHED_STATUSES
             and policy.status != Status.WITHDRAWN
             and not any((role, policy.business_group_id) in viewer.roles for role in GROUP_WIDE_ROLES)
             and not (advisers and policy.status in APPROVAL_PIPELINE)}
    if not asked:
        return set()
    return asked - set(Policy.objects.filter(drafts, pk__in=asked).order_by().values_list("pk", flat=True))


def version_shown(*, user, policy: Policy):
    """(version to show, version in force). Staff without a part in the drafting see the published one."""
    in_force = version_in_force(policy=policy)
    if user_may_see_drafts(user=user, policy=policy):
        return policy.current_version, in_force
    return in_force, in_force


def user_may_see_sensitive(*, user, policy: Policy) -> bool:
    """OFFICIAL-SENSITIVE material: staff with a role on the policy's business group, or a force-wide role."""
    return roles_cleared_for(role_index(user), policy.business_group_id)


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


def sops_readable(*, user, policy: Policy) -> QuerySet[StandardOperatingProcedure]:
    """The SOPs of ``policy`` that ``user`` may read, by the rule ``sop_versions_for`` lists them with: an
    OFFICIAL-SENSITIVE one only for those cleared for it. The SOP addresses (edit, remove) find an SOP by its id only
    among these, so that an id of any other answers as one that does not exist (security review: a posted edit named
    a removed OFFICIAL-SENSITIVE SOP, and who removed it, to a drafter not cleared for it)."""
    sops = policy.sops.all()
    if not user_may_see_sensitive(user=user, policy=policy):
        sops = sops.exclude(protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    return sops


def policy_versions(*, policy: Policy, user=None):
    """All versions; staff with no part in the drafting see only the versions that were published. Those who see
    the drafts also get each version's ``revision_count`` (its interim revisions, issue 12), in the same query. A
    version frozen OFFICIAL-SENSITIVE only to those cleared for it (``FROZEN_SENSITIVE``): a review's OFFICIAL version
    does not unmark the one it replaced, whose statement a comparison would show."""
    versions = policy.versions.select_related("author", "submitted_by").order_by("-major", "-minor")
    if user is not None and not user_may_see_sensitive(user=user, policy=policy):
        versions = versions.exclude(FROZEN_SENSITIVE)
    if user is not None and not user_may_see_drafts(user=user, policy=policy):
        return versions.filter(publications__status="published").distinct()
    counted = DraftRevision.objects.filter(policy_version=OuterRef("pk"))
    if user is not None and not user_may_see_sensitive(user=user, policy=policy):
        counted = readable_revisions(counted)
    revision_count = counted.order_by().values("policy_version").annotate(count=Count("pk")).values("count")
    return versions.annotate(revision_count=Coalesce(Subquery(revision_count), 0))


def last_published_version(*, policy: Policy):
    """The version most recently published: through the publications recorded against versions (publication
    builds on lifecycle; lifecycle reads the relation, never imports publication)."""
    return versions_in_force_first(policy.versions.all()).first()


def previous_submission(*, policy: Policy, version):
    """The version submitted before ``version`` (the one returned or rejected), if any."""
    if version is None:
        return None
    return (
        policy.versions.filter(NOT_WITHDRAWN, submitted_at__isnull=False)
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
    # Every sign-off of the returned submission, in one query: the return, and what the others had recorded.
    signoffs = list(previous.qa_signoffs.select_related("signed_by"))
    returned = next((signoff for signoff in signoffs if signoff.outcome == QAOutcome.RETURNED), None)
    if returned is not None:
        # One return ends the round: say which disciplines had not yet checked it, and that all three check the next.
        checks = after_qa_return(
            not_yet_checked=set(QADiscipline.values) - {signoff.discipline for signoff in signoffs},
            passed={signoff.discipline for signoff in signoffs if signoff.outcome == QAOutcome.PASSED})
        # The person, then the discipline they returned it for ("by Adaeze Nwankwo-Hale for DCFD"): the discipline's
        # label in brackets after it read "by Diversity and Citizen Focus Directorate (EIA) (Adaeze Nwankwo-Hale)".
        return {"who": str(returned.signed_by), "part": NOTIFIED[returned.discipline], "when": returned.signed_at,
                "comments": returned.comments, "version": previous.number, "kind": "returned", "checks": checks}
    rejected = previous.approval_decisions.filter(decision="rejected").select_related("decided_by").first()
    if rejected is not None:
        return {"who": f"the Designated Lead ({rejected.decided_by})", "when": rejected.decided_at,
                "comments": rejected.reasons, "version": previous.number, "kind": "rejected"}
    return None


def _approval_shown(*, version_id: int) -> QuerySet[ApprovalDecision]:
    # One decision per version (its constraint): no ordering to choose among them.
    return (ApprovalDecision.objects.filter(policy_version_id=version_id, decision__in=[
        ApprovalDecision.Decision.APPROVED, ApprovalDecision.Decision.EMERGENCY_APPROVED]).order_by()[:1])


# Compiled once per process (core.compiled): its three joins took Django longer to compile than to run.
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
    # The QA discipline whose part it is (lifecycle.emergency.SKIPPED_PARTS).
    discipline: str = ""


def emergency_outstanding(policy: Policy) -> list[Outstanding]:
    """What the emergency route skipped on the approved version: the EIA (DCFD), the Workbook's impact sections
    (PCU) and the quality assurance not given (DOI), as declared (lifecycle.emergency.SKIPPED_PARTS). Empty for a
    policy approved the ordinary way."""
    version = policy.current_version
    if version is None or not version.approval_decisions.filter(decision="emergency_approved").exists():
        return []
    signed = set(version.qa_signoffs.filter(outcome=QAOutcome.PASSED).values_list("discipline", flat=True))
    return [Outstanding(part.label, part.who, discipline in signed, discipline)
            for discipline, part in SKIPPED_PARTS.items()]


def policy_withdrawal(*, policy: Policy) -> WithdrawalDecision | None:
    """The withdrawal decision PCU carried out on ``policy`` (who decided it and why, who carried it out and when,
    what replaced it), or None while the policy is not withdrawn. No query unless it is."""
    if policy.status != Status.WITHDRAWN:
        return None
    return (policy.withdrawal_decisions.filter(carried_out_at__isnull=False)
            .select_related("decided_by", "carried_out_by", "replaced_by").order_by("-carried_out_at").first())


def withdrawal_shown(*, user, policy: Policy) -> dict | None:
    """What a withdrawn policy's page says of its withdrawal: the decision (``policy_withdrawal``) and the policy that
    replaced it, named only to someone who may see that policy (it may be another group's OFFICIAL-SENSITIVE one)."""
    decision = policy_withdrawal(policy=policy)
    if decision is None:
        return None
    replaced_by = decision.replaced_by
    if replaced_by is not None and not visible_policies(user=user).filter(pk=replaced_by.pk).exists():
        replaced_by = None
    return {"decision": decision, "replaced_by": replaced_by}
