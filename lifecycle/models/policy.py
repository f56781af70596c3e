from __future__ import annotations

from functools import cache, cached_property

from django.conf import settings
from django.db import models
from django_fsm import FSMField

from core.compiled import CompiledValues
from core.fsm import ConcurrentTransitions
from core.models import BusinessGroup, RiskTier, Subject, Unit
from lifecycle.details import details_of
from lifecycle.models.versions import NOT_WITHDRAWN
from lifecycle.states import (
    DRAFT_EDITABLE_STATUSES,
    PUBLISHED_STATUSES,
    SCHEME_PUBLICATION,  # noqa: F401 (read here with ON_THE_SCHEME by publication and assessments)
    STAGE_OF,
    PolicyKind,
    ProtectiveMarking,
    Stage,
    Status,
)
from lifecycle.workflow import fsm_transitions

_STATUS_LABELS = {value: str(label) for value, label in Status.choices}

# In force: published and not withdrawn (a policy under review stays in force until the reviewed version
# replaces it). Every member of staff sees these, OFFICIAL-SENSITIVE ones aside; lifecycle.selectors counts
# the register as these plus the rest, each from its own partial index below.
IN_FORCE = models.Q(first_published_on__isnull=False) & ~models.Q(status=Status.WITHDRAWN)
# The exact complement of IN_FORCE (status is never NULL), written out so that PostgreSQL matches the
# partial index's predicate to the query's.
NOT_IN_FORCE = models.Q(first_published_on__isnull=True) | models.Q(status=Status.WITHDRAWN)
# In force while its next version is drafted or decided (a review, from scoping to awaiting publication): the policy's
# own document details (lifecycle.details) are then the draft's, and the version in force keeps those it was
# published with in PolicyVersion.details (lifecycle.selectors.policy_detail_shown reads them for the rest of staff).
UNDER_REVIEW = IN_FORCE & ~models.Q(status__in=sorted(PUBLISHED_STATUSES))


# Where lifecycle.selectors.read_versions keeps the version in force on a policy instance (``current_version`` is the
# model's cached property); forget_cached_version drops both.
VERSION_IN_FORCE = "_policyhub_version_in_force"

# The policy's side of being on the Publication Scheme (publication.selectors asks for its current publication there
# too): in force, OFFICIAL and marked suitable. The Scheme's partial indexes below are on exactly this.
ON_THE_SCHEME = IN_FORCE & models.Q(protective_marking=ProtectiveMarking.OFFICIAL,
                                    suitable_for_publication_scheme=True)


class Policy(fsm_transitions("status"), ConcurrentTransitions, models.Model):
    """A corporate policy (or local work instruction) and where it stands in the six-stage cycle.

    ``status`` changes only through its django-fsm transitions, one per step declared in lifecycle.workflow
    (``fsm_transitions`` generates them: sources, target, gates and permission), and those only through the
    step's service, which locks the row and writes the audit event."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The title the policy is known by: the one in force once it has been published (the register, My work,
    # notifications, the library and the Publication Scheme show it). A review that re-titles the policy proposes
    # its new title in ``proposed_title``, which the draft is frozen with at submission and which becomes the
    # title when the reviewed version is published (issue 12; lifecycle.services.details, policy_record_publication).
    title = models.CharField(max_length=200)
    proposed_title = models.CharField(max_length=200, blank=True, default="", db_default="")
    purpose = models.TextField()
    relevant_to = models.TextField(help_text="Who the policy applies to, e.g. all officers and staff.")
    business_group = models.ForeignKey(BusinessGroup, on_delete=models.PROTECT, related_name="policies")
    owning_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="policies")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="policies")
    kind = models.CharField(max_length=12, choices=PolicyKind.choices, default=PolicyKind.CORPORATE)
    # A local work instruction that supplements a corporate policy names it (SOP, "Local Work Instructions": not "to
    # supplement ... Corporate Policy, unless there is prior agreement with the corporate lead"): that policy's
    # Designated Lead agrees before the business group's Lead approves it (lifecycle.workflow.AGREE_LOCAL_SUPPLEMENT).
    supports = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="local_work_instructions",
        verbose_name="corporate policy it supplements",
    )
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices, default=RiskTier.MEDIUM)
    # The marking in force: who may read the policy, its version in force included, on every page, list, search,
    # PDF and the Publication Scheme (the visibility rules and indexes read it). Re-marked OFFICIAL-SENSITIVE by a
    # review, it is so at once (the safe direction); re-marked OFFICIAL by a review while the version in force was
    # published OFFICIAL-SENSITIVE, it stays OFFICIAL-SENSITIVE and the draft's OFFICIAL is
    # ``proposed_protective_marking``, frozen with the version at submission, approved with it and put in force when
    # it is published (lifecycle.services.details, policy_record_publication): a draft's re-marking never exposes
    # what was published OFFICIAL-SENSITIVE.
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    proposed_protective_marking = models.CharField(max_length=20, choices=ProtectiveMarking.choices, blank=True,
                                                   default="", db_default="")
    suitable_for_publication_scheme = models.BooleanField(default=True)
    registered_file_reference = models.CharField(max_length=60, blank=True)
    # Links to the legislation the policy rests on: [{"title": ..., "url": ...}] (lifecycle.details validates
    # them: http(s) addresses, a bounded number).
    legislation_links = models.JSONField(default=list, db_default=[], blank=True)

    # The people in each role (SOP, "Roles and responsibilities").
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="Management Board owner",
    )
    designated_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    policy_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="Business Group Policy Co-ordinator",
    )
    developers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="developed_policies", blank=True
    )

    # SOP: "Ensure policies are reviewed and published at least once every 3 years" and monitoring
    # reports "on an annual basis". Both recomputed on publication.
    review_due_on = models.DateField(null=True, blank=True, db_index=True)
    monitoring_report_due_on = models.DateField(null=True, blank=True, db_index=True)
    first_published_on = models.DateField(null=True, blank=True)
    last_published_on = models.DateField(null=True, blank=True)

    # Emergency route: "the impact assessment must be completed as soon as reasonably practicable".
    not_impact_assessed = models.BooleanField(default=False)
    emergency_eia_due_on = models.DateField(null=True, blank=True)

    status = FSMField(default=Status.SCOPING, choices=Status.choices, protected=True, db_index=True)
    # When the status last changed: how long work has been waiting, for chasing stuck work.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "policies"
        permissions = [
            ("draft_policy", "Can draft this policy (granted per policy)"),
            ("consult_policy", "Can read this policy's drafts as a consultee (granted per policy)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(not_impact_assessed=False) | models.Q(emergency_eia_due_on__isnull=False),
                name="policy_not_impact_assessed_has_eia_due_date",
            ),
            models.CheckConstraint(
                condition=models.Q(supports__isnull=True) | models.Q(kind=PolicyKind.LOCAL),
                name="policy_only_a_local_work_instruction_supplements",
            ),
            models.CheckConstraint(condition=~models.Q(supports=models.F("pk")),
                                   name="policy_does_not_supplement_itself"),
            # A draft's marking waits for its publication only when it is lower than the marking in force.
            models.CheckConstraint(
                condition=models.Q(proposed_protective_marking="")
                | models.Q(proposed_protective_marking=ProtectiveMarking.OFFICIAL,
                           protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE),
                name="policy_proposed_marking_is_a_downgrade",
            ),
        ]
        # For the register's count (lifecycle.selectors.policy_visibility_parts): a partial index per part,
        # holding the columns its condition reads, so that PostgreSQL counts it by an index-only scan (the
        # part seen by id, a few rows, is looked up in the primary key instead).
        indexes = [
            # The kind second: a local work instruction in force is seen only by its business group (issue 13), so
            # the OFFICIAL ones are counted as two ranges, the force-wide kinds and the viewer's groups' local ones.
            models.Index(fields=["protective_marking", "kind", "business_group_id"], condition=IN_FORCE,
                         name="policy_in_force_idx"),
            # My work's count of each stage (lifecycle.selectors.policy_count_by_status): the OFFICIAL policies in
            # force in the order of their status, read by an index-only scan and added up as read (make bench, a
            # co-ordinator at 100,000 policies: 33 ms in a parallel sequential scan against 7 ms).
            # The kind second and the group last, for the same split (a local one's group tested in the index).
            models.Index(fields=["protective_marking", "kind", "status", "business_group_id"], condition=IN_FORCE,
                         name="policy_in_force_status_idx"),
            # The status second: the same count of the OFFICIAL-SENSITIVE ones of the user's groups, from the index.
            models.Index(fields=["business_group_id", "status"],
                         condition=IN_FORCE & ~models.Q(protective_marking=ProtectiveMarking.OFFICIAL),
                         name="policy_in_force_sensitive_idx"),
            models.Index(fields=["business_group_id", "owning_unit_id", "status", "protective_marking"],
                         condition=NOT_IN_FORCE, name="policy_not_in_force_idx"),
            # My work's queues of one status, those waiting longest first (workspace.selectors): read in this order and
            # tested one by one until a queue is full, not every policy of the status tested and then sorted (make
            # bench, PCU at 100,000 policies: the submissions to quality-assure, 1,996 of them, 16 ms).
            models.Index(fields=["status", "updated_at", "id"], name="policy_status_updated_idx"),
            # The policies an emergency approval left not impact assessed (issue 13), few at any size: the QA queues of
            # PCU, DCFD and DOI list what they skipped, those waiting longest first (workspace.role_queues). Without it
            # PostgreSQL estimated a scan of every policy, testing each one's sign-offs, above jit_above_cost: PCU's
            # My work took 560 ms at 100,000 policies, 545 ms of it compiling the plan (make bench: now 2 ms).
            models.Index(fields=["updated_at", "id"], condition=models.Q(not_impact_assessed=True),
                         name="policy_not_impact_assessed_idx"),
            # The withdrawals in Notices and its feeds (publication.notices), newest first, 50 a page: read backwards
            # in this index's order and stopped at the page, not every withdrawn policy read and sorted (make bench,
            # 100,000 policies: 13 ms for the 3,983 withdrawn, and withdrawn policies are kept for ever).
            models.Index(fields=["status_changed_at", "id"], condition=models.Q(status=Status.WITHDRAWN),
                         name="policy_withdrawn_idx"),
            # The Publication Scheme's index (publication.scheme_index.scheme_policies), public: its policies by title,
            # 50 a page, read in this order and stopped at the page (make bench, 100,000 policies: 93-146 ms, all
            # 58,000 policies of the Scheme read, joined to a hash of 62,000 publications and sorted; now 0.3 ms).
            models.Index(fields=["title", "id"], condition=ON_THE_SCHEME, name="policy_on_scheme_title_idx"),
            # ... and counted for its pages in the order of their ids, merged with publication_on_scheme_idx: two
            # index-only scans (make bench: 69-85 ms, the same hash join; now 16 ms). Its business group and subject
            # with it, so that a count narrowed by either stays in the index.
            models.Index(fields=["id"], include=["business_group", "subject"], condition=ON_THE_SCHEME,
                         name="policy_on_scheme_idx"),
            # A Lead's monitoring reports awaiting a response (workspace.report_queues), read in the queue's order:
            # each report's policy tested for the Lead, the group and withdrawal from this index alone, so that
            # reading in that order and stopping at the page is as cheap as PostgreSQL reckons it (make bench,
            # 100,000 policies, 97% of reports answered: 17-35 ms from the Lead's policies' side, 1 ms this way). With
            # the statistics of the Lead and the group together (migration lifecycle 0025): a Lead's policies are
            # of their groups, not a share of every group's.
            models.Index(fields=["id"], include=["designated_lead", "business_group", "status"],
                         name="policy_lead_check_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # --- derived facts -------------------------------------------------------------------------

    @property
    def stage(self) -> str:
        return STAGE_OF[self.status]

    def get_stage_display(self) -> str:
        return Stage(self.stage).label

    def get_status_display(self) -> str:
        # Django's generic display rebuilds the field's choices on every call, and a list asks it on every row (the
        # register's 25, every policy page's heading): the labels are looked up once (issue 16).
        return _STATUS_LABELS.get(self.status, self.status)

    @property
    def is_local_work_instruction(self) -> bool:
        return self.kind == PolicyKind.LOCAL

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    @property
    def is_in_force(self) -> bool:
        """IN_FORCE, for one policy: published at least once and not withdrawn."""
        return self.first_published_on is not None and self.status != Status.WITHDRAWN

    @property
    def draft_is_editable(self) -> bool:
        version = self.current_version
        return self.status in DRAFT_EDITABLE_STATUSES and version is not None and not version.is_frozen

    @cached_property
    def current_version(self):
        """The newest version: the working draft in scoping/development, else the one in approval or
        published; never a review draft withdrawn (``NOT_WITHDRAWN``: the version in force is current again). Cached
        per instance; services reload the policy after creating a version."""
        return self.versions.filter(NOT_WITHDRAWN).order_by("-major", "-minor").first()

    @property
    def current_cycle(self) -> int:
        version = self.current_version
        return version.major if version else 1

    def is_developer(self, user) -> bool:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("developers")
        if prefetched is not None:
            return any(developer.pk == user.pk for developer in prefetched)
        return bool(_named_developer().rows(policy_id=self.pk, user_id=user.pk))

    @property
    def title_as_drafted(self) -> str:
        """The title the draft carries: a review's proposed title, else the title itself."""
        return self.proposed_title or self.title

    def details_snapshot(self) -> dict:
        """The document details as they stand (lifecycle.details.DETAIL_FIELDS): what a version is frozen with at
        submission, and what the details page edits while the policy is drafted."""
        return details_of(self)

    def forget_cached_version(self) -> None:
        """Forget the versions this instance has read (the newest, and the version in force that
        lifecycle.selectors.read_versions keeps with it), so that the next read asks the database."""
        self.__dict__.pop("current_version", None)
        self.__dict__.pop(VERSION_IN_FORCE, None)


@cache
def _named_developer() -> CompiledValues:
    """Whether a person is named on a policy as a developer: compiled once per process (core.compiled), as every
    policy page that does not list the developers asks it (the timeline, versions; make bench: Django compiled the
    ``exists()`` anew on each request, for a statement PostgreSQL answers in a few hundredths of a millisecond)."""
    named = Policy.developers.through

    def build(*, policy_id, user_id):
        return named.objects.filter(policy_id=policy_id, user_id=user_id).order_by().values_list("pk")[:1]

    return CompiledValues(named, build, ints=("policy_id", "user_id"))
