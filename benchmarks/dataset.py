"""The benchmark dataset, written once by COPY and reused until --rebuild or a new DATASET_VERSION.

Rows are built in Python from a seeded random generator (so every rebuild is the same dataset) and
streamed with psycopg's ``cursor.copy``. Services are bypassed for speed, so consistency with the schema
is kept here by construction: references POL-000001..., units inside their policy's business group,
named developers who hold the developer role in that group, frozen versions with a content hash, role
assignments that satisfy RoleAssignment's constraints, guardian grants on real ``auth_permission`` rows,
and an audit chain of AUDIT_EVENT_COUNT (1,000,000) events keyed exactly as ``core.audit.audit_log`` keys
them (``compute_event_mac`` under the settings' audit key, a chain head sealed with ``compute_head_mac``), so
that ``manage.py verify_audit`` finds it intact.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.core.management.color import no_style
from django.db import connection, models, transaction
from psycopg import sql

from core.audit import GENESIS_HASH, audit_current_key, compute_event_mac, compute_head_mac
from core.models import AuditChainHead, AuditEvent, BusinessGroup, ReferenceCounter, Role, RoleAssignment, Unit, User
from core.models.audit import ALGORITHM_HMAC_SHA256
from lifecycle.models import Policy, PolicyUserObjectPermission, PolicyVersion, QAOutcome, QASignOff
from lifecycle.states import PUBLISHED_STATUSES, QADiscipline, Status

# Bump when the shape of the data changes: the next run rebuilds the database.
# 5: what the daily chase reads (leavers, stuck work, emergency approvals, monitoring reports, QA sign-offs).
# 6: the audit chain keyed like audit_log's (HMAC-SHA256, sealed head) and a million events long.
# 7: a withdrawn policy's withdrawal spread over the time since its last publication, not at the build's moment.
# 8: the historic policy's first five review cycles published OFFICIAL-SENSITIVE (frozen in their versions' details),
#    re-marked OFFICIAL by the sixth; and a reader not cleared for it (a developer of another business group).
DATASET_VERSION = 8
MARKER_COUNTER = "benchmarks.dataset"
# The day the dataset describes (as a date ordinal): the chase is measured on it, whenever the run is.
DAY_COUNTER = "benchmarks.dataset_day"
SEED = 20_260_501

POLICY_COUNT = 100_000
USER_COUNT = 20_000
UNITS_PER_GROUP = 10
# PostgreSQL checks every foreign key of every COPYed row: the dataset is proven consistent with the schema.
CHECK_FOREIGN_KEYS = True
# Role assignments + guardian object grants together; grants fill whatever the roles leave.
ACCESS_ROW_COUNT = 600_000
PROBE_DEVELOPER_POLICIES = 30
PROBE_DEVELOPER_GRANTS = 5
DETAIL_VERSIONS = 50
DETAIL_AUDIT_EVENTS = 1_000
# The whole audit trail: every policy's own events (created, published, the heavy histories), then drafting
# work on ordinary policies until the chain is this long (verify_audit is measured over it).
AUDIT_EVENT_COUNT = 1_000_000
# Its own random stream, so that the main stream's draws (and the rest of the dataset) stay as they were.
AUDIT_SEED = SEED + 2

PROBE_DEVELOPER = "bench.developer"
PROBE_COORDINATOR = "bench.coordinator"
PROBE_PCU = "bench.pcu"
# A developer of another business group (the second): not cleared for the first group's OFFICIAL-SENSITIVE material,
# so the historic policy's timeline withholds from them what its versions frozen OFFICIAL-SENSITIVE recorded. Written
# after the 20,000 users and outside the role assignments' count, without a draw: the rest of the dataset is as it was.
PROBE_UNCLEARED = "bench.uncleared"
# The policy with 50 versions and 1,000 audit events, and an ordinary one to show that the pages' query
# counts do not grow with the history.
DETAIL_POLICY_ID = 12_345
SMALL_POLICY_ID = 12_346
# The same history (50 versions, 1,000 events), all of it in the policy's first 18 months, nine years ago:
# a busy policy that has been quiet since. Its timeline must not cost more than a recent one's.
HISTORIC_POLICY_ID = 12_347
# Its first five cycles' versions were frozen OFFICIAL-SENSITIVE; the sixth review's version re-marked it OFFICIAL (its
# publication records the downgrade), as it is now: the withheld view of its timeline (benchmarks.pages).
HISTORIC_SENSITIVE_CYCLES = 5
HEAVY_POLICY_IDS = (DETAIL_POLICY_ID, HISTORIC_POLICY_ID)
PROBE_POLICY_IDS = (DETAIL_POLICY_ID, SMALL_POLICY_ID, HISTORIC_POLICY_ID)

# Name, code, share of the policies. The probe co-ordinator holds the biggest group (the worst case).
BUSINESS_GROUPS = [
    ("Territorial Policing", "TP", 0.30),
    ("Met Operations", "MO", 0.20),
    ("Specialist Crime & Operations", "SCO", 0.15),
    ("Specialist Operations", "SO", 0.15),
    ("Professionalism", "PROF", 0.10),
    ("Met Headquarters", "HQ", 0.10),
]
UNIT_NAMES = [
    "Custody", "Response", "Neighbourhoods", "Roads and Transport", "Firearms", "Public Order",
    "Safeguarding", "Intelligence", "Training", "Digital Forensics", "Criminal Justice", "Licensing",
    "Estates", "Finance", "People Services", "Information Rights",
]
# Most policies are published (implementation or monitoring); the rest are spread over the cycle.
STATUS_MIX = [
    (Status.IMPLEMENTATION, 38), (Status.MONITORING, 34), (Status.WITHDRAWN, 4), (Status.SCOPING, 7),
    (Status.COMMISSIONING, 3), (Status.DEVELOPMENT, 8), (Status.SUBMITTED_FOR_QA, 2), (Status.QA_PASSED, 1),
    (Status.WITH_LEAD, 1), (Status.APPROVED, 1), (Status.AWAITING_PUBLICATION, 1),
]
# Statuses whose newest version is still an editable draft.
DRAFTING_STATUSES = frozenset({Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT})
ONCE_PUBLISHED = frozenset({*PUBLISHED_STATUSES, Status.WITHDRAWN})
GRANT_MIX = [("view_policy", 40), ("consult_policy", 40), ("draft_policy", 20)]
TOPICS = [
    "Stop and search", "Use of force", "Body-worn video", "Missing persons", "Domestic abuse", "Custody care",
    "Vehicle pursuits", "Mental health", "Information security", "Social media", "Business interests",
    "Expenses", "Flexible working", "Evidence handling", "Covert surveillance", "Hate crime", "Firearms licensing",
    "Taser deployment", "Victim care", "Protest policing", "Drones", "Data retention", "Overtime", "Uniform",
    "Dog handling", "Child protection", "Disclosure", "Vetting", "Lone working", "Equipment loans",
]
DOCUMENT_KINDS = ["policy", "procedure", "guidance", "standards", "framework"]
FIRST_NAMES = ["Alex", "Sam", "Priya", "Tom", "Aisha", "Chris", "Jo", "Kwame", "Laura", "Mohammed", "Niamh",
               "Olu", "Rachel", "Sunil", "Tariq", "Yasmin", "Dan", "Grace", "Hannah", "Ian"]
LAST_NAMES = ["Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Ahmed", "Evans", "Okafor",
              "Wilson", "Murphy", "Clarke", "Hughes", "Singh", "Walker", "Ali", "Green", "Hall", "Wood"]
JOB_TITLES = ["Police Constable", "Sergeant", "Inspector", "Chief Inspector", "Policy Officer",
              "Senior Policy Adviser", "Police Staff", "Superintendent"]
# What fills a drafting cycle between submissions (action names as the services write them).
DRAFTING_ACTIONS = [
    "policy.draft_saved", "sop.draft_saved", "consultation.recorded", "consultation.response_recorded",
    "eia.updated", "workbook.updated", "policy.access_granted",
]

# What the daily chase finds (notifications.services.chase_plan). Drawn from a stream of their own, so
# the main stream's draws, and all that version 4 drew from it (statuses, groups, people, developers,
# grants, version numbers), are unchanged; only the dates of the last publications are spread differently.
CHASE_SEED = SEED + 1
# Days since a policy was last published, as a piecewise-linear inverse CDF of a uniform draw: reviews
# fall due 36 months (1,095 days) after publication and are chased from 6 months (912 days) before, so
# about 10% of published policies are in the review window and 4% overdue; most were reviewed in time.
LAST_PUBLISHED_DAYS_AGO = [(0.0, 0), (0.86, 912), (0.96, 1095), (1.0, 1280)]
# Leavers whose accounts are deactivated while policies still name them (orphans for the chase).
INACTIVE_USER_SHARE = 0.01
# Work in the approval pipeline waits this many days on average (exponential): a few per cent wait more
# than the 10 working days after which it is chased as stuck.
PIPELINE_MEAN_WAIT_DAYS = 4
PIPELINE_STATUSES = frozenset({Status.COMMISSIONING, Status.SUBMITTED_FOR_QA, Status.QA_PASSED,
                               Status.WITH_LEAD, Status.APPROVED, Status.AWAITING_PUBLICATION})
SUBMITTED_STATUSES = PIPELINE_STATUSES - {Status.COMMISSIONING}
# Policies approved by the emergency route (EIA outstanding): a share of those published in the last
# 240 days, a few dozen in all.
EMERGENCY_SHARE = 0.005
EMERGENCY_RECENT_DAYS = 240
# Monitoring reports: one published per past year; the report for the current year, when it falls due
# within a month either side of today, is in progress for half of the policies: a draft, with the
# co-ordinator for quality assurance (waiting PIPELINE_MEAN_WAIT_DAYS on average), or with PCU.
CURRENT_REPORT_MIX = [("none", 50), ("draft", 25), ("submitted", 15), ("qa_passed", 10)]
# ... and a few policies missed last year's report: overdue by 1 to 13 months.
MISSED_REPORT_SHARE = 0.04


@dataclass
class Probes:
    developer_id: int
    coordinator_id: int
    pcu_id: int
    detail_reference: str
    small_reference: str
    historic_reference: str
    uncleared_id: int


@dataclass
class DatasetSummary:
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


def reference_of(policy_id: int) -> str:
    return f"POL-{policy_id:06d}"


# --- detection ---------------------------------------------------------------------------------------


def dataset_present() -> bool:
    """The marker row is written in the same transaction as the data, so it means "complete"."""
    marker = ReferenceCounter.objects.filter(name=MARKER_COUNTER).first()
    return marker is not None and marker.last_value == DATASET_VERSION and Policy.objects.exists()


def probes() -> Probes:
    ids = dict(User.objects.filter(username__in=[PROBE_DEVELOPER, PROBE_COORDINATOR, PROBE_PCU, PROBE_UNCLEARED])
               .values_list("username", "pk"))
    return Probes(ids[PROBE_DEVELOPER], ids[PROBE_COORDINATOR], ids[PROBE_PCU],
                  reference_of(DETAIL_POLICY_ID), reference_of(SMALL_POLICY_ID), reference_of(HISTORIC_POLICY_ID),
                  ids[PROBE_UNCLEARED])


def dataset_day() -> dt.date:
    """The day the dataset was generated for: its due dates are relative to it."""
    return dt.date.fromordinal(ReferenceCounter.objects.get(name=DAY_COUNTER).last_value)


def dataset_counts() -> dict[str, int]:
    """Exact row counts of the tables the benchmarks read (cheap enough at this size)."""
    from assessments.models import MonitoringReport
    from publication.models import Publication

    tables = {
        "policies": Policy, "policy_versions": PolicyVersion, "users": User, "business_groups": BusinessGroup,
        "units": Unit, "role_assignments": RoleAssignment, "object_grants": PolicyUserObjectPermission,
        "policy_developers": Policy.developers.through, "publications": Publication, "audit_events": AuditEvent,
        "monitoring_reports": MonitoringReport, "qa_signoffs": QASignOff,
    }
    counts = {}
    with connection.cursor() as cursor:
        for label, model in tables.items():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(model._meta.db_table))
                           .as_string(cursor.cursor))
            counts[label] = cursor.fetchone()[0]
    return counts


# The columns the generator writes for each frozen version (the rest take their Django default).
VERSION_COLUMNS = (
    "id", "policy", "major", "minor", "statement", "summary_of_changes", "revises_published", "author",
    "created_at", "submitted_at", "submitted_by", "content_hash", "draft_revision", "details",
)


# --- generation ----------------------------------------------------------------------------------------


def _unlisted_fields(model, field_names: Sequence[str]) -> list:
    """The model's columns the generator does not list, each filled with what Django would give it.

    COPY bypasses Django's defaults, so a NOT NULL column added to a model later (the statement's health and
    safety section was one) would otherwise break the dataset. A nullable column is left to NULL; a column
    Django could not fill either is a generator that must list it, said by name.
    """
    listed = {model._meta.get_field(name).name for name in field_names}
    unlisted = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in listed or model_field.primary_key:
            continue
        if model_field.has_default() or model_field.db_default is not models.NOT_PROVIDED:
            unlisted.append(model_field)
        elif model_field.null:
            continue
        elif model_field.empty_strings_allowed and model_field.blank:
            unlisted.append(model_field)
        else:
            raise ValueError(f"{model.__name__}.{model_field.name} is NOT NULL without a default: "
                             "the dataset generator must list it")
    return unlisted


def _column_value(model_field):
    if model_field.has_default():
        return model_field.get_db_prep_save(model_field.get_default(), connection)
    if model_field.db_default is not models.NOT_PROVIDED:
        return model_field.get_db_prep_save(model_field.db_default, connection)
    return ""


def _copy(model, field_names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows into the model's table; column names come from the model so they follow the schema.

    Columns the generator does not list get Django's default for them (see ``_unlisted_fields``); a callable
    default is called once per row, a constant one computed once.
    """
    unlisted = _unlisted_fields(model, field_names)
    constant = [not callable(f.default) for f in unlisted]
    fixed = [_column_value(f) if is_constant else None for f, is_constant in zip(unlisted, constant, strict=True)]
    columns = [model._meta.get_field(name).column for name in field_names] + [f.column for f in unlisted]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if unlisted:
                row = (*row, *(value if is_constant else _column_value(f)
                               for f, is_constant, value in zip(unlisted, constant, fixed, strict=True)))
            copy.write_row(row)
            count += 1
    return count


def _weighted(rng: random.Random, choices: Sequence[tuple[object, float]], k: int) -> list:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights=weights, k=k)


class _Generator:
    def __init__(self, log):
        self.rng = random.Random(SEED)
        self.chase_rng = random.Random(CHASE_SEED)
        self.log = log
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.today = self.now.date()
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def phase(self, name: str, function) -> None:
        started = time.perf_counter()
        count = function()
        elapsed = time.perf_counter() - started
        self.timings[name] = round(elapsed, 2)
        if count is not None:
            self.counts[name] = count
        rows = f"{count:>9,} rows" if count is not None else " " * 14
        self.log(f"  {name:<22} {rows}  {elapsed:6.1f} s")

    def _past(self, days_back_max: int, days_back_min: int = 0) -> dt.datetime:
        seconds = self.rng.randint(days_back_min * 86_400, days_back_max * 86_400)
        return self.now - dt.timedelta(seconds=seconds, microseconds=self.rng.randint(0, 999_999))

    # reference data and people

    def groups_and_units(self) -> int:
        self.group_ids = list(range(1, len(BUSINESS_GROUPS) + 1))
        self.group_weights = [share for _, _, share in BUSINESS_GROUPS]
        _copy(BusinessGroup, ["id", "name", "code", "is_active"],
              ((gid, name, code, True) for gid, (name, code, _) in zip(self.group_ids, BUSINESS_GROUPS, strict=True)))
        self.units_by_group: dict[int, list[int]] = {}
        rows = []
        unit_id = 0
        for gid, (_, code, _) in zip(self.group_ids, BUSINESS_GROUPS, strict=True):
            for name in self.rng.sample(UNIT_NAMES, UNITS_PER_GROUP):
                unit_id += 1
                rows.append((unit_id, gid, f"{code} {name}", True))
                self.units_by_group.setdefault(gid, []).append(unit_id)
        _copy(Unit, ["id", "business_group", "name", "is_active"], rows)
        return len(self.group_ids) + len(rows)

    def users(self) -> int:
        rng = self.rng
        probes = [PROBE_DEVELOPER, PROBE_COORDINATOR, PROBE_PCU]
        self.probe_developer, self.probe_coordinator, self.probe_pcu = 1, 2, 3
        self.probe_uncleared = USER_COUNT + 1
        self.regular_users = list(range(len(probes) + 1, USER_COUNT + 1))
        self.home_group = dict(zip(self.regular_users,
                                   rng.choices(self.group_ids, weights=self.group_weights, k=len(self.regular_users)),
                                   strict=True))
        joined = self.now - dt.timedelta(days=3650)
        # Leavers keep their role assignments and stay named on policies until someone reassigns them.
        self.inactive_users = set(self.chase_rng.sample(self.regular_users,
                                                        round(INACTIVE_USER_SHARE * len(self.regular_users))))

        def rows():
            for uid in range(1, USER_COUNT + 1):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                username = probes[uid - 1] if uid <= len(probes) else f"user{uid:05d}"
                # "!" is Django's unusable password: these accounts sign in only through force_login.
                yield ("!", None, False, username, first, last, f"{username}@example.police.uk", False,
                       uid not in self.inactive_users, joined, rng.choice(JOB_TITLES))
            yield ("!", None, False, PROBE_UNCLEARED, "Robin", "Hale", f"{PROBE_UNCLEARED}@example.police.uk", False,
                   True, joined, "Policy Officer")

        return _copy(User, ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                            "email", "is_staff", "is_active", "date_joined", "job_title"], _with_ids(rows()))

    def role_assignments(self) -> int:
        rng = self.rng
        rows: list[tuple] = []
        taken: set[tuple[int, str, int | None]] = set()

        def assign(user_id: int, role: str, group_id: int | None, unit_id: int | None = None) -> bool:
            key = (user_id, role, group_id)
            if key in taken:
                return False
            taken.add(key)
            rows.append((len(rows) + 1, user_id, role, group_id, unit_id, self.now))
            return True

        # The probes hold exactly one role each, so what they see is easy to reason about.
        assign(self.probe_developer, Role.DEVELOPER, self.group_ids[0])
        assign(self.probe_coordinator, Role.COORDINATOR, self.group_ids[0])
        assign(self.probe_pcu, Role.PCU, None)

        self.developers_by_group: dict[int, list[int]] = {gid: [] for gid in self.group_ids}
        membership_counts = _weighted(rng, [(1, 30), (2, 20), (3, 15), (4, 15), (5, 10), (6, 10)],
                                      len(self.regular_users))
        for uid, how_many in zip(self.regular_users, membership_counts, strict=True):
            home = self.home_group[uid]
            others = rng.sample([gid for gid in self.group_ids if gid != home], how_many - 1)
            for gid in [home, *others]:
                assign(uid, Role.DEVELOPER, gid)
                self.developers_by_group[gid].append(uid)

        by_home: dict[int, list[int]] = {gid: [] for gid in self.group_ids}
        for uid in self.regular_users:
            by_home[self.home_group[uid]].append(uid)

        def pick(gid: int, role: str, count: int, unit_id: int | None = None) -> list[int]:
            chosen = []
            while len(chosen) < count:
                uid = rng.choice(by_home[gid])
                if assign(uid, role, gid, unit_id):
                    chosen.append(uid)
            return chosen

        # Policy managers: 20 per unit (unit-scoped) and 5 group-wide per group.
        self.managers_by_unit = {}
        for gid in self.group_ids:
            for unit_id in self.units_by_group[gid]:
                self.managers_by_unit[unit_id] = pick(gid, Role.MANAGER, 20, unit_id)
            pick(gid, Role.MANAGER, 5)
        self.coordinators_by_group = {gid: pick(gid, Role.COORDINATOR, 10) for gid in self.group_ids}
        self.leads_by_group = {gid: pick(gid, Role.LEAD, 2) for gid in self.group_ids}
        self.owners_by_group = {gid: pick(gid, Role.OWNER, 8) for gid in self.group_ids}
        self.force_wide: dict[str, list[int]] = {}
        for role, count in [(Role.PCU, 25), (Role.DCFD, 15), (Role.DOI, 15), (Role.SHRMT, 15)]:
            self.force_wide[role] = []
            while len(self.force_wide[role]) < count:
                user_id = rng.choice(self.regular_users)
                if assign(user_id, role, None):
                    self.force_wide[role].append(user_id)
        self.role_assignment_count = len(rows)
        # The reader not cleared for the first group's material: outside the count, so the grants are as they were.
        assign(self.probe_uncleared, Role.DEVELOPER, self.group_ids[1])
        return _copy(RoleAssignment, ["id", "user", "role", "business_group", "unit", "created_at"], rows)

    # policies and their history

    def policies(self) -> int:
        rng = self.rng
        statuses = _weighted(rng, STATUS_MIX, POLICY_COUNT)
        groups = rng.choices(self.group_ids, weights=self.group_weights, k=POLICY_COUNT)
        # The detail probes are ordinary published OFFICIAL policies of the first group, visible to everyone.
        for policy_id in PROBE_POLICY_IDS:
            statuses[policy_id - 1] = Status.MONITORING if policy_id == HISTORIC_POLICY_ID else Status.IMPLEMENTATION
            groups[policy_id - 1] = self.group_ids[0]
        self.policy_status: list[str] = statuses
        self.policy_group: list[int] = groups
        self.policy_created: list[dt.datetime] = []
        self.policy_publications: list[list[dt.date]] = []
        self.policy_title: list[str] = []
        self.policy_status_changed: list[dt.datetime] = []
        self.policy_monitoring_due: list[dt.date | None] = []
        self.policy_marking: list[str] = []
        chase_rng = self.chase_rng

        def rows():
            for index in range(POLICY_COUNT):
                policy_id = index + 1
                status, gid = statuses[index], groups[index]
                unit_id = rng.choice(self.units_by_group[gid])
                created = self._past(3650, 30)
                publications: list[dt.date] = []
                if policy_id in HEAVY_POLICY_IDS:
                    # Ten review cycles, each ending in a publication: over the policy's life, or (historic)
                    # all within its first 18 months, nine years ago.
                    created = self.now - dt.timedelta(days=(9 if policy_id == HISTORIC_POLICY_ID else 6) * 365)
                    end = created.date() + dt.timedelta(days=540) if policy_id == HISTORIC_POLICY_ID else self.today
                    step = (end - created.date()) / 11
                    publications = [created.date() + step * (cycle + 1) for cycle in range(10)]
                elif status in ONCE_PUBLISHED or (status in DRAFTING_STATUSES and rng.random() < 0.4):
                    # Published at least once; a draft in progress may be the review of a published policy,
                    # which stays in force (and keeps its dates) until the reviewed version is published.
                    # Last published within 3.5 years (LAST_PUBLISHED_DAYS_AGO): 4% are overdue for their
                    # 3-yearly review.
                    last = self.today - dt.timedelta(days=_days_ago(rng.randint(0, 1280) / 1280))
                    publications = [last]
                    if rng.random() < 0.3:
                        publications.insert(0, last - dt.timedelta(days=rng.randint(300, 1100)))
                    created = dt.datetime.combine(publications[0], dt.time(10, 0), tzinfo=dt.UTC) - dt.timedelta(
                        days=rng.randint(20, 200), seconds=rng.randint(0, 86_399))
                first_published = publications[0] if publications else None
                last_published = publications[-1] if publications else None
                review_due = _add_months(last_published, 36) if last_published else None
                monitoring_due = _next_anniversary(last_published, self.today) if last_published else None
                if status in PUBLISHED_STATUSES and chase_rng.random() < MISSED_REPORT_SHARE:
                    # Last year's report was never published, so the due date has not moved on since.
                    missed = _add_months(monitoring_due, -12)
                    monitoring_due = missed if missed > last_published else monitoring_due
                emergency_due = None
                if (status == Status.IMPLEMENTATION and policy_id not in PROBE_POLICY_IDS
                        and (self.today - last_published).days <= EMERGENCY_RECENT_DAYS
                        and chase_rng.random() < EMERGENCY_SHARE):
                    # Approved just before publication; the EIA is due within 6 months of the approval.
                    emergency_due = last_published + dt.timedelta(days=chase_rng.randint(1, 170))
                sensitive = policy_id not in PROBE_POLICY_IDS and rng.random() < 0.08
                title = f"{rng.choice(TOPICS)} {rng.choice(DOCUMENT_KINDS)} ({policy_id})"
                self.policy_created.append(created)
                self.policy_publications.append(publications)
                self.policy_title.append(title)
                updated = created + dt.timedelta(days=rng.randint(0, 900))
                if last_published:
                    updated = max(updated, dt.datetime.combine(last_published, dt.time(9, 30), tzinfo=dt.UTC))
                updated = min(self.now, updated)
                status_changed = updated
                if status in PIPELINE_STATUSES:
                    waited = dt.timedelta(days=chase_rng.expovariate(1 / PIPELINE_MEAN_WAIT_DAYS))
                    status_changed = max(created + dt.timedelta(days=1), self.now - waited)
                    updated = max(updated, status_changed)
                elif status == Status.WITHDRAWN and last_published:
                    # Withdrawn some time after its last publication, spread over the days since (not all at the
                    # moment of the build, where they would fill Notices' newest page); from the id, so the
                    # generator's random sequence is untouched.
                    in_force_from = dt.datetime.combine(last_published, dt.time(9, 30), tzinfo=dt.UTC)
                    share = (policy_id * 2_654_435_761 % 1000 + 1) / 1001
                    status_changed = min(self.now, in_force_from + (self.now - in_force_from) * share)
                self.policy_status_changed.append(status_changed)
                self.policy_monitoring_due.append(monitoring_due)
                self.policy_marking.append("official_sensitive" if sensitive else "official")
                row = (
                    policy_id, reference_of(policy_id), title,
                    f"Sets out how the force manages {title.split(' (')[0].lower()}.",
                    "All police officers and police staff.",
                    gid, unit_id,
                    "local" if rng.random() < 0.1 else "corporate",
                    rng.choice(["high", "medium", "medium", "low"]),
                    "official_sensitive" if sensitive else "official",
                    (not sensitive) and rng.random() < 0.8,
                    f"RF/{gid}/{policy_id}" if rng.random() < 0.5 else "",
                    rng.choice(self.owners_by_group[gid]), rng.choice(self.leads_by_group[gid]),
                    rng.choice(self.managers_by_unit[unit_id]), rng.choice(self.coordinators_by_group[gid]),
                    review_due, monitoring_due, first_published, last_published, emergency_due is not None,
                    emergency_due, status, status_changed, created, updated,
                )
                if policy_id == HISTORIC_POLICY_ID:
                    # The details its versions are frozen with (lifecycle.details.DETAIL_FIELDS).
                    self.historic_details = {
                        "title": row[2], "purpose": row[3], "relevant_to": row[4], "protective_marking": row[9],
                        "suitable_for_publication_scheme": row[10], "risk_tier": row[8],
                        "registered_file_reference": row[11], "legislation_links": [],
                    }
                yield row

        return _copy(Policy, [
            "id", "reference", "title", "purpose", "relevant_to", "business_group", "owning_unit", "kind",
            "risk_tier", "protective_marking", "suitable_for_publication_scheme", "registered_file_reference",
            "owner", "designated_lead", "policy_manager", "coordinator", "review_due_on", "monitoring_report_due_on",
            "first_published_on", "last_published_on", "not_impact_assessed", "emergency_eia_due_on", "status",
            "status_changed_at", "created_at", "updated_at",
        ], rows())

    def developers(self) -> int:
        rng = self.rng
        self.policy_developers: list[list[int]] = []
        rows = []
        for index in range(POLICY_COUNT):
            named = rng.sample(self.developers_by_group[self.policy_group[index]], rng.choice([1, 1, 2, 2, 3]))
            self.policy_developers.append(named)
            rows.extend((index + 1, user_id) for user_id in named)
        # The probe developer is named on 30 policies of its group, a third of them drafts.
        first_group = [i for i in range(POLICY_COUNT) if self.policy_group[i] == self.group_ids[0]
                       and i + 1 not in PROBE_POLICY_IDS]
        drafts = [i for i in first_group if self.policy_status[i] in DRAFTING_STATUSES]
        chosen = set(rng.sample(drafts, PROBE_DEVELOPER_POLICIES // 3))
        while len(chosen) < PROBE_DEVELOPER_POLICIES:
            chosen.add(rng.choice(first_group))
        for index in sorted(chosen):
            self.policy_developers[index].append(self.probe_developer)
            rows.append((index + 1, self.probe_developer))
        rows = [(row_id, *row) for row_id, row in enumerate(rows, start=1)]
        return _copy(Policy.developers.through, ["id", "policy", "user"], rows)

    def _version_plan(self, index: int) -> tuple[list[tuple[int, int]], bool, list[int]]:
        """(version numbers, whether the newest is an open draft, positions of the published versions)."""
        rng = self.rng
        status = self.policy_status[index]
        publications = self.policy_publications[index]
        if index + 1 in HEAVY_POLICY_IDS:
            # 50 versions: ten review cycles of five drafts, the last of each published.
            numbers = [(major, minor) for major in range(1, 11) for minor in range(DETAIL_VERSIONS // 10)]
            return numbers, False, [position for position, (_, minor) in enumerate(numbers) if minor == 4]
        drafting = status in DRAFTING_STATUSES
        if drafting and publications:
            # Under review: the published 1.x stays in force while the 2.0 draft is worked on.
            published = [(1, minor) for minor in range(len(publications))]
            return [*published, (2, 0)], True, list(range(len(publications)))
        numbers = [(1, minor) for minor in range(rng.choice([1, 1, 1, 2, 2, 3]))]
        if not publications:
            return numbers, drafting, []
        # A live publication per version at most: a second publication is of a newer version.
        if len(publications) > 1 and len(numbers) < 2:
            numbers.append((1, 1))
        return numbers, False, [len(numbers) - 1] if len(publications) == 1 else [0, len(numbers) - 1]

    def _heavy_version_times(self, index: int, major: int, minor: int) -> tuple[dt.datetime, dt.datetime]:
        """Cycle ``major`` runs from the previous publication to its own; its five drafts are spread over it."""
        publications = self.policy_publications[index]
        start = (self.policy_created[index] if major == 1 else
                 dt.datetime.combine(publications[major - 2], dt.time(12, 0), tzinfo=dt.UTC))
        end = dt.datetime.combine(publications[major - 1], dt.time(9, 0), tzinfo=dt.UTC)
        span = end - start
        created = start + span * (minor + 1) / 7
        return created, created + span / 14

    def versions(self) -> int:
        rng = self.rng
        self.published_versions: list[list[tuple[int, dt.date]]] = [[] for _ in range(POLICY_COUNT)]
        self.newest_version: list[int] = []
        self.sensitive_versions: set[int] = set()

        def rows():
            version_id = 0
            for index in range(POLICY_COUNT):
                policy_id = index + 1
                numbers, open_draft, published_positions = self._version_plan(index)
                created = self.policy_created[index]
                step = (self.now - created) / (len(numbers) + 1)
                publications = iter(self.policy_publications[index])
                for position, (major, minor) in enumerate(numbers):
                    version_id += 1
                    author = rng.choice(self.policy_developers[index])
                    is_draft = open_draft and position == len(numbers) - 1
                    if policy_id in HEAVY_POLICY_IDS:
                        version_created, submitted = self._heavy_version_times(index, major, minor)
                    else:
                        version_created = created + step * position
                        submitted = None if is_draft else version_created + step / 2
                    if position in published_positions:
                        published_on = next(publications)
                        self.published_versions[index].append((version_id, published_on))
                        # A version is submitted (and approved) before it is published.
                        latest = dt.datetime.combine(published_on, dt.time(9, 0), tzinfo=dt.UTC) - dt.timedelta(days=1)
                        submitted = min(submitted, latest)
                        version_created = min(version_created, submitted - dt.timedelta(days=1))
                    if position == len(numbers) - 1 and self.policy_status[index] in SUBMITTED_STATUSES:
                        # The version in the approval pipeline: submitted when the policy entered it (or
                        # before, for the later stages); the chase counts a submission's wait from here.
                        status_changed = self.policy_status_changed[index]
                        submitted = (status_changed if self.policy_status[index] == Status.SUBMITTED_FOR_QA
                                     else min(submitted, status_changed))
                        version_created = min(version_created, submitted - dt.timedelta(hours=1))
                    yield (
                        version_id, policy_id, major, minor,
                        f"<p>{self.policy_title[index]}, version {major}.{minor}. The force will apply this policy "
                        "consistently, lawfully and proportionately.</p>",
                        "" if position == 0 else "Updated after consultation.",
                        major > 1 or (position > 0 and bool(self.policy_publications[index])),
                        author, version_created, submitted, None if is_draft else author,
                        "" if is_draft else f"{rng.getrandbits(256):064x}", rng.randint(0, 12),
                        self._frozen_details(policy_id, version_id, major, is_draft),
                    )
                self.newest_version.append(version_id)

        return _copy(PolicyVersion, VERSION_COLUMNS, rows())

    def _frozen_details(self, policy_id: int, version_id: int, major: int, is_draft: bool) -> str | None:
        """The details a version is frozen with (PolicyVersion.details): the historic policy's, its first cycles'
        OFFICIAL-SENSITIVE (HISTORIC_SENSITIVE_CYCLES); None for the rest, frozen before versions recorded them."""
        if policy_id != HISTORIC_POLICY_ID or is_draft:
            return None
        details = dict(self.historic_details)
        if major <= HISTORIC_SENSITIVE_CYCLES:
            self.sensitive_versions.add(version_id)
            # An OFFICIAL-SENSITIVE version is never suitable for the Publication Scheme (lifecycle.services.details).
            details.update(protective_marking="official_sensitive", suitable_for_publication_scheme=False)
        return json.dumps(details)

    def publications(self) -> int:
        from publication.models import Publication

        rng = self.rng
        pcu = self.force_wide[Role.PCU]

        def rows():
            publication_id = 0
            for index in range(POLICY_COUNT):
                for version_id, published_on in self.published_versions[index]:
                    publication_id += 1
                    published_at = dt.datetime.combine(published_on, dt.time(9, 30), tzinfo=dt.UTC)
                    scheme = self.policy_status[index] != Status.WITHDRAWN and rng.random() < 0.6
                    scheme = scheme and version_id not in self.sensitive_versions
                    yield (publication_id, index + 1, version_id, True, rng.random() < 0.7, scheme, None,
                           Publication.Status.PUBLISHED, rng.choice(pcu), published_at - dt.timedelta(days=2),
                           published_at, rng.choice(pcu))

        return _copy(Publication, [
            "id", "policy", "policy_version", "on_intranet", "in_notices", "on_publication_scheme", "scheduled_for",
            "status", "requested_by", "requested_at", "published_at", "published_by",
        ], rows())

    def qa_signoffs(self) -> int:
        """Sign-offs of the versions in the approval pipeline: some of the three disciplines for a submission
        (all three would have passed it), all three for the later stages."""
        rng = self.chase_rng
        disciplines = [QADiscipline.PCU, QADiscipline.DCFD, QADiscipline.DOI]
        rows = []
        for index in range(POLICY_COUNT):
            status = self.policy_status[index]
            if status not in SUBMITTED_STATUSES:
                continue
            status_changed = self.policy_status_changed[index]
            if status == Status.SUBMITTED_FOR_QA:
                signed = [discipline for discipline in disciplines if rng.random() < 0.4][:2]
            else:
                signed = disciplines
            for discipline in signed:
                if status == Status.SUBMITTED_FOR_QA:
                    signed_at = status_changed + (self.now - status_changed) * rng.random()
                else:
                    signed_at = status_changed - dt.timedelta(hours=rng.randint(1, 72))
                rows.append((len(rows) + 1, self.newest_version[index], discipline, QAOutcome.PASSED,
                             rng.choice(self.force_wide[Role(discipline)]), signed_at, ""))
        return _copy(QASignOff, ["id", "policy_version", "discipline", "outcome", "signed_by", "signed_at",
                                 "comments"], rows)

    def monitoring_reports(self) -> int:
        """A published report for every past year of a published policy, and the current year's report in
        progress for some of those due now (CURRENT_REPORT_MIX)."""
        from assessments.models import MonitoringReport

        rng = self.chase_rng
        report_status = MonitoringReport.Status
        pcu = self.force_wide[Role.PCU]
        window_start, window_end = self.today - dt.timedelta(days=30), self.today + dt.timedelta(days=30)
        text = "Applied consistently; no complaints upheld; no adverse impact identified."

        def at(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)

        def waited() -> dt.timedelta:
            return dt.timedelta(days=rng.expovariate(1 / PIPELINE_MEAN_WAIT_DAYS))

        def rows():
            for index in range(POLICY_COUNT):
                if self.policy_status[index] not in PUBLISHED_STATUSES:
                    continue
                group = self.policy_group[index]
                # Each report marked as its policy is (no policy of the bench has been re-marked).
                marking = self.policy_marking[index]
                author, coordinator = self.policy_developers[index][0], rng.choice(self.coordinators_by_group[group])
                due = self.policy_monitoring_due[index]
                start = self.policy_publications[index][-1]
                end = _add_months(start, 12)
                while end < due:
                    submitted = at(end - dt.timedelta(days=rng.randint(0, 20)))
                    qa_at = submitted + dt.timedelta(days=rng.randint(1, 10))
                    yield (index + 1, start, end, text, text, text, text, author, report_status.PUBLISHED, submitted,
                           coordinator, qa_at, "", qa_at + dt.timedelta(days=rng.randint(1, 7)), rng.choice(pcu),
                           submitted - dt.timedelta(days=14), marking)
                    start, end = end, _add_months(end, 12)
                if due > window_end:
                    continue
                if due < window_start:
                    state = "draft" if rng.random() < 0.3 else "none"
                else:
                    state = _weighted(rng, CURRENT_REPORT_MIX, 1)[0]
                period_start = _add_months(due, -12)
                if state == "draft":
                    yield (index + 1, period_start, due, text, "", "", "", author, report_status.DRAFT, None, None,
                           None, "", None, None, self.now - dt.timedelta(days=rng.randint(1, 60)), marking)
                elif state == "submitted":
                    submitted = self.now - waited()
                    yield (index + 1, period_start, due, text, text, text, text, author, report_status.SUBMITTED,
                           submitted, None, None, "", None, None, submitted - dt.timedelta(days=7), marking)
                elif state == "qa_passed":
                    qa_at = self.now - waited()
                    submitted = qa_at - dt.timedelta(days=rng.randint(1, 10))
                    yield (index + 1, period_start, due, text, text, text, text, author, report_status.QA_PASSED,
                           submitted, coordinator, qa_at, "", None, None, submitted - dt.timedelta(days=7),
                           marking)

        return _copy(MonitoringReport, [
            "id", "policy", "period_start", "period_end", "compliance", "benefits", "performance", "diversity_impact",
            "author", "status", "submitted_at", "qa_by", "qa_at", "qa_comments", "published_at", "published_by",
            "created_at", "protective_marking",
        ], _with_ids(rows()))

    def grants(self) -> int:
        rng = self.rng
        permission_ids = dict(Permission.objects.filter(
            content_type__app_label="lifecycle", content_type__model="policy",
            codename__in=[codename for codename, _ in GRANT_MIX],
        ).values_list("codename", "pk"))
        mix = [(permission_ids[codename], weight) for codename, weight in GRANT_MIX]
        wanted = ACCESS_ROW_COUNT - self.role_assignment_count
        seen: set[tuple[int, int, int]] = set()
        rows = []
        # The probe developer: a handful of grants on other groups' drafts.
        elsewhere = [i + 1 for i in range(POLICY_COUNT)
                     if self.policy_group[i] != self.group_ids[0] and self.policy_status[i] in DRAFTING_STATUSES]
        for policy_id in rng.sample(elsewhere, PROBE_DEVELOPER_GRANTS):
            codename = rng.choice(["draft_policy", "consult_policy"])
            seen.add((self.probe_developer, permission_ids[codename], policy_id))
            rows.append((len(rows) + 1, self.probe_developer, permission_ids[codename], policy_id))
        users = self.regular_users
        while len(rows) < wanted:
            batch = wanted - len(rows)
            candidates = zip(rng.choices(users, k=batch), _weighted(rng, mix, batch),
                             rng.choices(range(1, POLICY_COUNT + 1), k=batch), strict=True)
            for user_id, permission_id, policy_id in candidates:
                key = (user_id, permission_id, policy_id)
                if key not in seen:
                    seen.add(key)
                    rows.append((len(rows) + 1, user_id, permission_id, policy_id))
        return _copy(PolicyUserObjectPermission, ["id", "user", "permission", "content_object"], rows)

    def _heavy_history(self, policy_id: int) -> list[tuple]:
        """1,000 events for a heavy policy: ten cycles of drafting, consultation, QA, approval and
        publication, in the order the services would write them."""
        rng = self.rng
        index = policy_id - 1
        developers = self.policy_developers[index]
        group = self.policy_group[index]
        lead, coordinator = self.leads_by_group[group][0], self.coordinators_by_group[group][0]
        pcu = self.force_wide[Role.PCU][0]
        per_cycle = DETAIL_AUDIT_EVENTS // 10
        events = []
        cycle_start = self.policy_created[index]
        for cycle, published_on in enumerate(self.policy_publications[index]):
            published_at = dt.datetime.combine(published_on, dt.time(9, 30), tzinfo=dt.UTC)
            closing = [("policy.qa_passed", pcu), ("policy.forwarded_to_lead", coordinator), ("policy.approved", lead),
                       ("policy.forwarded_for_publication", coordinator), ("policy.published", pcu)]
            opening = [("policy.created" if cycle == 0 else "policy.review_started", developers[0])]
            working = []
            for minor in range(DETAIL_VERSIONS // 10):
                working.append(("policy.submitted_for_qa", developers[0]))
                if minor < 4:
                    working.append(("policy.returned_from_qa", pcu))
            while len(opening) + len(working) + len(closing) < per_cycle:
                action = rng.choice(DRAFTING_ACTIONS)
                working.insert(rng.randrange(len(working) + 1), (action, rng.choice(developers)))
            cycle_events = [*opening, *working, *closing]
            step = (published_at - cycle_start) / (len(cycle_events) + 1)
            for position, (action, actor) in enumerate(cycle_events):
                moment = published_at if action == "policy.published" else cycle_start + step * (position + 1)
                changes = {"cycle": cycle + 1, "note": f"{action} in cycle {cycle + 1}"}
                if (policy_id == HISTORIC_POLICY_ID and action == "policy.published"
                        and cycle == HISTORIC_SENSITIVE_CYCLES):
                    # The review's downgrade in force with its version (publication.services.publish_now records it).
                    changes.update(version=f"{cycle + 1}.{DETAIL_VERSIONS // 10 - 1}",
                                   protective_marking=["official_sensitive", "official"])
                events.append((moment, actor, action, policy_id, changes))
            cycle_start = published_at + dt.timedelta(days=1)
        return events

    def _filler_events(self, count: int) -> list[tuple]:
        """Drafting work (DRAFTING_ACTIONS by a named developer) on ordinary policies, at random moments of
        their lives: what makes a real trail long. The probe policies keep exactly their own history."""
        rng = random.Random(AUDIT_SEED)
        probes = set(PROBE_POLICY_IDS)
        now_seconds = self.now.timestamp()
        events = []
        while len(events) < count:
            policy_id = rng.randint(1, POLICY_COUNT)
            if policy_id in probes:
                continue
            index = policy_id - 1
            created = self.policy_created[index].timestamp()
            moment = dt.datetime.fromtimestamp(created + rng.random() * (now_seconds - created), tz=dt.UTC)
            action = rng.choice(DRAFTING_ACTIONS)
            events.append((moment, rng.choice(self.policy_developers[index]), action, policy_id,
                           {"note": action}))
        return events

    def audit_events(self) -> int:
        events = []
        for index in range(POLICY_COUNT):
            policy_id = index + 1
            if policy_id in HEAVY_POLICY_IDS:
                continue
            events.append((self.policy_created[index], self.policy_developers[index][0], "policy.created", policy_id,
                           {"reference": reference_of(policy_id), "version": "1.0"}))
            for _, published_on in self.published_versions[index]:
                moment = dt.datetime.combine(published_on, dt.time(9, 30), tzinfo=dt.UTC)
                events.append((moment, None, "policy.published", policy_id, {"on_intranet": True}))
        for policy_id in HEAVY_POLICY_IDS:
            events.extend(self._heavy_history(policy_id))
        events.extend(self._filler_events(AUDIT_EVENT_COUNT - len(events)))
        events.sort(key=lambda event: event[0])
        usernames = dict(User.objects.values_list("pk", "username"))
        # Keyed exactly as core.audit.audit_log keys a new event, so verify_audit walks an intact chain.
        key_id, key = audit_current_key()
        chain = {"previous_hash": GENESIS_HASH}

        def rows():
            previous_hash = GENESIS_HASH
            for sequence, (occurred_at, actor_id, action, policy_id, changes) in enumerate(events, start=1):
                fields = {
                    "sequence": sequence, "occurred_at": occurred_at, "actor_id": actor_id,
                    "actor_username": usernames.get(actor_id, ""), "action": action,
                    "object_type": "lifecycle.policy", "object_id": str(policy_id), "policy_id": policy_id,
                    "changes": changes,
                    "object_repr": f"{reference_of(policy_id)} {self.policy_title[policy_id - 1]}"[:300],
                    "previous_hash": previous_hash,
                }
                event_mac = compute_event_mac(key=key, key_id=key_id, **fields)
                yield (sequence, sequence, occurred_at, actor_id, fields["actor_username"], action,
                       fields["object_type"], fields["object_id"], fields["object_repr"], policy_id,
                       json.dumps(changes), previous_hash, event_mac, ALGORITHM_HMAC_SHA256, key_id)
                previous_hash = chain["previous_hash"] = event_mac

        count = _copy(AuditEvent, ["id", "sequence", "occurred_at", "actor", "actor_username", "action", "object_type",
                                   "object_id", "object_repr", "policy_id", "changes", "previous_hash", "hash",
                                   "mac_algorithm", "key_id"], rows())
        last_hash = chain["previous_hash"]
        AuditChainHead.objects.update_or_create(id=1, defaults={
            "last_sequence": count, "last_hash": last_hash, "legacy_until": 0,
            "mac": compute_head_mac(key=key, last_sequence=count, last_hash=last_hash, legacy_until=0)})
        return count

    def finish(self) -> None:
        from assessments.models import MonitoringReport
        from publication.models import Publication

        models = [BusinessGroup, Unit, User, RoleAssignment, Policy, Policy.developers.through, PolicyVersion,
                  Publication, PolicyUserObjectPermission, AuditEvent, QASignOff, MonitoringReport]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        ReferenceCounter.objects.update_or_create(name="policy", defaults={"last_value": POLICY_COUNT})
        ReferenceCounter.objects.update_or_create(name=DAY_COUNTER, defaults={"last_value": self.today.toordinal()})
        ReferenceCounter.objects.update_or_create(name=MARKER_COUNTER, defaults={"last_value": DATASET_VERSION})


def _with_ids(rows: Iterable[tuple]) -> Iterable[tuple]:
    return ((row_id, *row) for row_id, row in enumerate(rows, start=1))


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1, day=min(day.day, 28))


def _days_ago(uniform: float) -> int:
    """Days since the last publication for a uniform draw in [0, 1] (LAST_PUBLISHED_DAYS_AGO's inverse CDF)."""
    for (low, low_days), (high, high_days) in itertools.pairwise(LAST_PUBLISHED_DAYS_AGO):
        if uniform <= high:
            return round(low_days + (uniform - low) / (high - low) * (high_days - low_days))
    return LAST_PUBLISHED_DAYS_AGO[-1][1]


def _next_anniversary(day: dt.date, today: dt.date) -> dt.date:
    """The annual monitoring report falls due on the publication's anniversary; the last month's are overdue."""
    due = _add_months(day, 12)
    while due < today - dt.timedelta(days=30):
        due = _add_months(due, 12)
    return due


def generate(log=print) -> DatasetSummary:
    """Fill an empty, migrated bench database. One transaction: either all of it or none."""
    generator = _Generator(log)
    started = time.perf_counter()
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        if not CHECK_FOREIGN_KEYS:
            with connection.cursor() as cursor:
                # Rows are consistent by construction; skip the per-row foreign-key triggers while loading.
                cursor.execute("SET LOCAL session_replication_role = replica")
        generator.phase("business groups+units", generator.groups_and_units)
        generator.phase("users", generator.users)
        generator.phase("role assignments", generator.role_assignments)
        generator.phase("policies", generator.policies)
        generator.phase("policy developers", generator.developers)
        generator.phase("policy versions", generator.versions)
        generator.phase("QA sign-offs", generator.qa_signoffs)
        generator.phase("publications", generator.publications)
        generator.phase("monitoring reports", generator.monitoring_reports)
        generator.phase("object grants", generator.grants)
        generator.phase("audit events", generator.audit_events)
        generator.phase("counters+sequences", generator.finish)
    except BaseException:
        atomic.__exit__(*sys.exc_info())
        raise
    # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: PostgreSQL checks them all at this commit.
    generator.phase("commit (FK checks)", lambda: atomic.__exit__(None, None, None))
    generator.phase("vacuum analyze", vacuum_analyze)
    generator.timings["total"] = round(time.perf_counter() - started, 2)
    return DatasetSummary(counts=generator.counts, timings=generator.timings)


def vacuum_analyze() -> None:
    """Fresh statistics and a visibility map, as a long-running database would have."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
