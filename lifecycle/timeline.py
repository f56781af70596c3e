"""The audit trail as people read it: one plain-English sentence per event, who did it (full name and role), and
what changed (each field by its label, before and after), with dates in one format.

Where an event is a step's, its sentence is the step's own declaration (``Step.done`` in ``lifecycle.workflow``);
every other audit action has its sentence in ``SENTENCES`` below, keyed by ``core.events.AuditAction``. A test
fails for any action without one: adding an action means adding its line here (or ``done=`` on its step).

What changed is worded in ``lifecycle.timeline_changes``, which leaves out what the reader may not read of it; which
events a reader sees at all is ``lifecycle.selectors.timeline_events``'s (by the frozen marking of each event's
version).

The raw event (action code, sequence, hash and recorded changes) is not rewritten: PCU still sees it, for
evidence, beside the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pprint import pformat

from django.db.models import CharField, Count, Value
from django.utils import timezone

# One format for every date and time the timeline writes, the service's ("2 December 2026", "2 December 2026, 14:05").
from core.compiled import CompiledValues
from core.dates import datetime_shown
from core.events import AuditAction
from core.models import AuditEvent, BusinessGroup, Role, Unit, User
from lifecycle import workflow
from lifecycle.permissions import role_rows_of_outer_user
from lifecycle.selectors import timeline_events, user_may_see_drafts, user_may_see_sensitive, visible_policies
from lifecycle.states import QADiscipline
from lifecycle.steps import WorkFirst
from lifecycle.timeline_changes import NAMED_RECORDS, Change, describe_changes, records_in, usernames_in

# What happened, for each audit action no step declares (a step's sentence is its ``done``). One line per action.
SENTENCES: dict[AuditAction, str] = {
    AuditAction.POLICY_CREATED: "Policy started in scoping",
    AuditAction.POLICY_DRAFT_SAVED: "Policy Statement draft saved",
    AuditAction.POLICY_PUBLICATION_SCHEDULED: "Publication scheduled",
    AuditAction.POLICY_PUBLICATION_CANCELLED: "Scheduled publication cancelled",
    AuditAction.POLICY_PUBLICATION_BROUGHT_FORWARD: "Scheduled publication brought forward",
    AuditAction.POLICY_PUBLICATION_SUPERSEDED: "Scheduled publication superseded",
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY: "Retrospective Equality Impact Assessment signed off",
    AuditAction.POLICY_DETAILS_CHANGED: "Document details changed",
    AuditAction.POLICY_ADVICE_INVITED: "Advice invited",
    AuditAction.POLICY_ADVICE_WITHDRAWN: "Invitation to advise withdrawn",
    AuditAction.POLICY_ADVICE_GIVEN: "Advice given",
    AuditAction.POLICY_ADVICE_WITHDRAWN_NOT_CLEARED: "Invitation to advise withdrawn: the adviser is no longer cleared "
                                                     "for OFFICIAL-SENSITIVE material of its business group",
    AuditAction.POLICY_ACCESS_REVOKED_NOT_CLEARED: "Access to the draft taken away: its holder is no longer cleared "
                                                   "for OFFICIAL-SENSITIVE material of its business group",
    AuditAction.POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS: "Designated Lead no longer cleared for an "
                                                          "OFFICIAL-SENSITIVE local work instruction supplementing "
                                                          "it: PCU told to name a cleared Lead",
    AuditAction.POLICY_ACKNOWLEDGEMENT_AUDIENCE_CHOSEN: "Staff chosen to read and acknowledge it",
    AuditAction.POLICY_ACKNOWLEDGED: "Read and acknowledged",
    AuditAction.PUBLICATION_FILES_STORED: "Published files stored",
    AuditAction.PUBLICATION_FILE_TAMPERED: "A stored published file failed its integrity check",
    AuditAction.PUBLICATION_FILES_NOT_STORED: "Published files could not be stored: PCU told",
    AuditAction.PUBLICATION_FILES_STORE_REQUESTED: "Published files to be stored again",
    AuditAction.SOP_REDACTION_RECORDED: "Part of an SOP withheld from the public copy",
    AuditAction.SOP_REDACTION_REMOVED: "Withheld part of an SOP published again",
    AuditAction.REFERENCE_SUBJECT_CREATED: "Subject heading created",
    AuditAction.REFERENCE_SUBJECT_CHANGED: "Subject heading changed",
    AuditAction.REFERENCE_SUBJECT_DELETED: "Subject heading deleted",
    AuditAction.POLICY_ACCESS_GRANTED: "Access to the draft given",
    AuditAction.POLICY_ACCESS_REVOKED: "Access to the draft taken away",
    AuditAction.POLICY_REASSIGNED: "Holder of a part in the policy changed",
    AuditAction.POLICY_MOVED_BUSINESS_GROUP: "Policy moved to another business group",
    AuditAction.POLICY_HANDED_OVER: "Handed over from a leaver",
    AuditAction.PERSON_HANDED_OVER: "A leaver's policies handed over",
    AuditAction.SOP_CREATED: "Standard Operating Procedure added",
    AuditAction.SOP_DRAFT_SAVED: "Standard Operating Procedure draft saved",
    AuditAction.SOP_REMOVED_FROM_DRAFT: "Standard Operating Procedure removed from the draft",
    AuditAction.CONSULTATION_RECORDED: "Consultation recorded",
    AuditAction.CONSULTATION_RESPONSE_RECORDED: "Consultation response recorded",
    AuditAction.EIA_UPDATED: "Equality Impact Assessment updated",
    AuditAction.WORKBOOK_UPDATED: "Corporate Policy Workbook updated",
    AuditAction.MONITORING_REPORT_CREATED: "Monitoring report started",
    AuditAction.MONITORING_REPORT_UPDATED: "Monitoring report updated",
    AuditAction.MONITORING_REPORT_PERIOD_CORRECTED: "Monitoring report's period corrected",
    AuditAction.MONITORING_REPORT_DISCARDED: "Monitoring report draft discarded",
    AuditAction.MONITORING_REPORT_SUBMITTED: "Monitoring report submitted for quality assurance",
    AuditAction.MONITORING_REPORT_RETURNED: "Monitoring report returned with comments",
    AuditAction.MONITORING_REPORT_QA_PASSED: "Monitoring report passed quality assurance",
    AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED: "Remedial action directed by the Lead recorded as done",
    AuditAction.MONITORING_REPORT_READ_FOR_REVIEW: "Monitoring report read for the review",
    AuditAction.MONITORING_REPORT_PUBLISHED: "Monitoring report published",
    AuditAction.ROLE_ASSIGNED: "Role given",
    AuditAction.ROLE_REVOKED: "Role taken away",
    AuditAction.ROLE_CONFLICT_FLAGGED: "Role flagged: the person already holds another independent check",
    AuditAction.USER_CREATED: "Account created",
    AuditAction.USER_CHANGED: "Account changed",
    AuditAction.USER_DEACTIVATED: "Account closed",
    AuditAction.REFERENCE_BUSINESSGROUP_CREATED: "Business group created",
    AuditAction.REFERENCE_BUSINESSGROUP_CHANGED: "Business group changed",
    AuditAction.REFERENCE_BUSINESSGROUP_DELETED: "Business group deleted",
    AuditAction.REFERENCE_UNIT_CREATED: "Unit created",
    AuditAction.REFERENCE_UNIT_CHANGED: "Unit changed",
    AuditAction.REFERENCE_UNIT_DELETED: "Unit deleted",
    AuditAction.REFERENCE_BOARD_CREATED: "Approving board created",
    AuditAction.REFERENCE_BOARD_CHANGED: "Approving board changed",
    AuditAction.REFERENCE_BOARD_DELETED: "Approving board deleted",
    AuditAction.REFERENCE_APPROVALROUTE_CREATED: "Approval route created",
    AuditAction.REFERENCE_APPROVALROUTE_CHANGED: "Approval route changed",
    AuditAction.REFERENCE_APPROVALROUTE_DELETED: "Approval route deleted",
    AuditAction.SITE_PAGE_UPDATED: "Public information page changed",
    AuditAction.AUTH_SIGNED_IN: "Signed in",
    AuditAction.AUTH_SIGNED_OUT: "Signed out",
    AuditAction.AUTH_SIGN_IN_FAILED: "Sign-in failed",
    AuditAction.AUTH_LOCKED_OUT: "Sign-in locked out after repeated failures",
    AuditAction.USER_PASSWORD_SET_BY_ADMIN: "Password set by an administrator",
    AuditAction.USER_PASSWORD_CHANGED: "Password changed",
    AuditAction.USER_PASSWORD_RESET: "Password reset by e-mail",
    AuditAction.USER_PASSWORD_CHANGED_OUTSIDE_SERVICES: "Password changed outside PolicyHub's services",
    AuditAction.ROLE_ASSIGNED_OUTSIDE_SERVICES: "Role given outside PolicyHub's services",
    AuditAction.ROLE_REVOKED_OUTSIDE_SERVICES: "Role taken away outside PolicyHub's services",
    AuditAction.GRANT_ADDED_OUTSIDE_SERVICES: "Access given outside PolicyHub's services",
    AuditAction.GRANT_REMOVED_OUTSIDE_SERVICES: "Access taken away outside PolicyHub's services",
}

# The step whose declaration words each step's event; the QA sign-off is one step for three disciplines' actions
# (its audit action is PCU's), each worded by its ``done`` with the discipline named: SOP stage 4, PCU "in
# conjunction with DCFD and DOI", so one discipline's pass is its part, not the whole (PASS_QA's event).
QA_SIGN_OFF_DISCIPLINES = {AuditAction.qa_signed_off(discipline).value: discipline.upper()
                           for discipline in QADiscipline.values}
STEP_OF_ACTION: dict[str, workflow.Step] = {step.audit.value: step for step in workflow.STEPS} | dict.fromkeys(
    QA_SIGN_OFF_DISCIPLINES, workflow.SIGN_OFF_QA)


# The work done first before a step, worded by its own declaration (``WorkFirst.done``), as a step's event is.
WORK_FIRST_OF_ACTION: dict[str, WorkFirst] = {work.audit.value: work for work in workflow.WORKS_FIRST
                                              if work.audit is not None}


def sentence_for(action: str) -> str:
    """What happened, in words; "" for an action nobody declared a sentence for (a test forbids that)."""
    step = STEP_OF_ACTION.get(action) or WORK_FIRST_OF_ACTION.get(action)
    if step is not None and step.done:
        discipline = QA_SIGN_OFF_DISCIPLINES.get(action)
        return step.done.format(discipline=discipline) if discipline else step.done
    try:
        return SENTENCES.get(AuditAction(action), "")
    except ValueError:
        return ""


# --- who ---------------------------------------------------------------------------------------------------

# Roles as the timeline names them after a person.
ROLE_NAMES = {
    Role.PCU: "PCU", Role.DCFD: "DCFD", Role.DOI: "DOI", Role.SHRMT: "SHRMT",
    Role.LEAD: "Designated Lead", Role.COORDINATOR: "Co-ordinator", Role.MANAGER: "Policy Manager",
    Role.DEVELOPER: "Policy Developer", Role.OWNER: "Management Board owner",
}
_ROLE_ORDER = list(ROLE_NAMES)
SYSTEM = "PolicyHub (scheduled job)"


def person_name(user: User | None, username: str = "") -> str:
    if user is None:
        return username or SYSTEM
    return user.get_full_name() or user.username


def _actor_name(row: dict) -> str:
    """``person_name`` of an event row's actor (``EVENT_FIELDS``), without loading the account."""
    if row["actor_id"] is None:
        return row["actor_username"] or SYSTEM
    return f"{row['actor__first_name']} {row['actor__last_name']}".strip() or row["actor__username"]


@dataclass
class Entry:
    """One event as the timeline shows it: its words worked out once, here, so that the page only writes them
    (lifecycle/templatetags/policy_history.py). ``event`` is the event's row (``EVENT_FIELDS``)."""

    event: dict
    sentence: str
    actor: str
    role: str
    changes: list[Change] = field(default_factory=list)
    version: str = ""  # the version the event is about, for the heading ("Approved (version 1.0)")
    occurred: str = ""  # when, in the one format ("2 March 2026, 10:00"), in the service's time zone
    occurred_iso: str = ""  # the same moment for <time datetime>
    recorded: str = ""  # the recorded changes as they are, for PCU's evidence ("" when not shown)


# What the timeline reads of an event and its actor: a row each, not the event and account objects (the page's
# 50 events; an event is never changed, so nothing else of it is needed to show it).
EVENT_FIELDS = ("sequence", "occurred_at", "actor_id", "actor_username", "actor__first_name", "actor__last_name",
                "actor__username", "action", "object_type", "object_id", "object_repr", "hash", "changes")


def event_rows(events):
    """The events (a queryset of AuditEvent, a page of them) as the rows ``entries`` reads, each with its actor's
    roles (``actor_roles``, "role:group:unit,..."): one query, whoever the actors are (a page of system events, or
    of events nobody acted in, asks no more and no fewer queries than any other)."""
    return events.values(*EVENT_FIELDS, "earlier_withheld").annotate(actor_roles=role_rows_of_outer_user("actor_id"))


def _page_rows(*, policy_id: int, drafts: bool, sensitive: bool):
    return event_rows(timeline_events(policy_id=policy_id, drafts=drafts, sensitive=sensitive))


def _count(*, policy_id: int, drafts: bool, sensitive: bool):
    # COUNT(*), as QuerySet.count() asks: the events' index answers it alone (COUNT of a column reads every row).
    return (timeline_events(policy_id=policy_id, drafts=drafts, sensitive=sensitive).order_by().values("policy_id")
            .annotate(count=Count("*")).values("count"))


# Compiled once per process (core.compiled): the rows' actor roles subquery and the count took Django longer to compile
# than PostgreSQL took to run them (make bench, timeline page). Keyed by (drafts, sensitive), as ``PolicyEvents``.
_KEYS = [(drafts, sensitive) for drafts in (False, True) for sensitive in (False, True)]
_PAGE_ROWS = {key: CompiledValues(AuditEvent, partial(_page_rows, drafts=key[0], sensitive=key[1]),
                                  ints=("policy_id",)) for key in _KEYS}
_COUNTS = {key: CompiledValues(AuditEvent, partial(_count, drafts=key[0], sensitive=key[1]), ints=("policy_id",))
           for key in _KEYS}
_ROW_NAMES = (*EVENT_FIELDS, "earlier_withheld", "actor_roles")


class PolicyEvents:
    """The events of ``policy`` that ``user`` sees (``timeline_events``), as the rows ``event_rows`` gives (dicts),
    for a ``CountedPaginator`` (``count``) to page through: a page is one statement, the count another, each compiled
    once per process."""

    def __init__(self, *, policy, user) -> None:
        self.policy_id = policy.pk
        self.drafts = user_may_see_drafts(user=user, policy=policy)
        # Probe F1: an OFFICIAL-SENSITIVE SOP's events (its title and marking) only for those cleared for it, as the
        # statement, PDF and revisions show the SOP (a colleague invited to advise, or a supported policy's Lead, may
        # see the drafts without being cleared). So for a monitoring report made OFFICIAL-SENSITIVE, whose publication
        # is among the public milestones every member of staff reads once a review's downgrade is published.
        self.sensitive = user_may_see_sensitive(user=user, policy=policy)

    def count(self) -> int:
        rows = _COUNTS[self.drafts, self.sensitive].rows(policy_id=self.policy_id)
        return rows[0][0] if rows else 0

    def __getitem__(self, index: slice) -> list[dict]:
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        suffix, suffix_params = (" OFFSET %s", (start,)) if stop is None else (" LIMIT %s OFFSET %s",
                                                                                (stop - start, start))
        return [dict(zip(_ROW_NAMES, row, strict=True))
                for row in _PAGE_ROWS[self.drafts, self.sensitive].rows(policy_id=self.policy_id, suffix=suffix,
                                                        suffix_params=suffix_params)]


def _roles_held(rows: str | None, business_group_id: int | None) -> list[str]:
    """An actor's roles from ``actor_roles``: those held force-wide or in the policy's business group."""
    held = set()
    for row in (rows or "").split(","):
        if row:
            role, group, _unit = row.split(":")
            if not group or business_group_id is None or int(group) == business_group_id:
                held.add(role)
    return sorted(held, key=_ROLE_ORDER.index)


# pformat's width: a value whose one-line form fits is written on one line.
_PPRINT_WIDTH = 80
_SCALARS = (str, int, float, bool, type(None))


def _one_line(value) -> str | None:
    """What pprint writes for a recorded (JSON) value on one line, its dicts' keys sorted; None for anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return repr(value)
    if kind is list:
        items = [_one_line(item) for item in value]
        return None if None in items else "[" + ", ".join(items) + "]"
    if kind is dict and all(type(key) is str for key in value):
        items = [_one_line(value[key]) for key in sorted(value)]
        return None if None in items else "{" + ", ".join(
            f"{key!r}: {item}" for key, item in zip(sorted(value), items, strict=True)) + "}"
    return None


def _recorded(changes) -> str:
    """The recorded changes as ``{{ changes|pprint }}`` (pformat) writes them: on one line when they fit, worked out
    here without pprint's machinery (make bench: a fifth of the timeline's own time for PCU's 50 events)."""
    line = _one_line(changes)
    if line is not None and len(line) <= _PPRINT_WIDTH:
        return line
    try:
        return pformat(changes)
    except Exception as error:  # what the pprint filter writes for a value it cannot format
        return f"Error in formatting: {error.__class__.__name__}: {error}"


def entries(events, *, cleared: bool, business_group_id: int | None = None, recorded: bool = False,
            reader=None) -> list[Entry]:
    """The event rows (``event_rows``) as the timeline's entries: one query more for the whole page, whatever its
    length, when the changes name people (their names), one when they name business groups or units by id (a move:
    their names, ``_record_names``), and one when they name a replacement (``reader``'s sight of it). ``cleared``: the
    reader is cleared for the policy's OFFICIAL-SENSITIVE material (``PolicyEvents.sensitive``; ``describe_changes``).
    ``recorded``: with each event's recorded changes as they are (PCU's evidence)."""
    events = _replacements_seen_by(list(events), reader)
    usernames = set().union(*(usernames_in(event["changes"]) for event in events)) if events else set()
    names: dict = {user.username: person_name(user) for user in User.objects.filter(username__in=usernames)} \
        if usernames else {}
    names.update(_record_names(set().union(*(records_in(event["changes"]) for event in events)) if events else set()))
    role_shown: dict[int | None, str] = {}
    zone = timezone.get_current_timezone()
    shown = []
    for event in events:
        changes = event["changes"] if isinstance(event["changes"], dict) else {}
        discipline = changes.get("discipline")
        if event["action"].startswith("policy.qa_signed_off.") and discipline:
            role = str(discipline).upper()
        else:
            role = role_shown.get(event["actor_id"])
            if role is None:
                held = _roles_held(event["actor_roles"], business_group_id)
                role = role_shown[event["actor_id"]] = ", ".join(ROLE_NAMES[Role(value)] for value in held)
        version = changes.get("version")
        moment = event["occurred_at"].astimezone(zone)
        shown.append(Entry(event=event, sentence=sentence_for(event["action"]), actor=_actor_name(event), role=role,
                           changes=describe_changes(event, names, cleared=cleared),
                           version=str(version) if version else "",
                           occurred=datetime_shown(moment, zone=zone), occurred_iso=moment.isoformat(),
                           recorded=_recorded(event["changes"]) if recorded else ""))
    return shown


def _record_names(records: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The names of the business groups and units the page's events name by id (``records_in``), {(model, id): name}:
    one query for the page, none when no event names one (only a move to another business group does)."""
    if not records:
        return {}
    ids = {model: [pk for named, pk in records if named == model] for model in set(NAMED_RECORDS.values())}
    groups = BusinessGroup.objects.filter(pk__in=ids["core.businessgroup"]).values_list(
        Value("core.businessgroup", output_field=CharField()), "pk", "name")
    units = Unit.objects.filter(pk__in=ids["core.unit"]).values_list(
        Value("core.unit", output_field=CharField()), "pk", "name")
    return {(model, pk): name for model, pk, name in groups.union(units, all=True)}


def _replacements_seen_by(events: list[dict], reader) -> list[dict]:
    """``events``, a withdrawal's "replaced_by" left out of those naming a policy ``reader`` may not see (a decision
    recorded before the reference was looked up among the decider's policies could name one out of sight: review 4);
    the stored event is unchanged. One query for the page, none when no event names a replacement or no reader is
    given (the public milestones name none)."""
    named = {changes["replaced_by"] for event in events
             if isinstance(changes := event["changes"], dict) and changes.get("replaced_by")}
    if not named or reader is None:
        return events
    unseen = named - set(visible_policies(user=reader).filter(reference__in=named)
                         .values_list("reference", flat=True))
    if not unseen:
        return events
    return [{**event, "changes": {key: value for key, value in event["changes"].items() if key != "replaced_by"}}
            if isinstance(event["changes"], dict) and event["changes"].get("replaced_by") in unseen else event
            for event in events]
