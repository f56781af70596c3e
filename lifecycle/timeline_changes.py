"""What an audit event recorded as changed, in words for the timeline (lifecycle.timeline): each field by its label,
before and after, dates in the one format, people by name, choices by label. What a reader may not read of it is left
out here, in the reading (the stored event is never rewritten): the "before" that may be a version frozen
OFFICIAL-SENSITIVE (``withheld_before``), and a publication's cleared copy (``without_cleared_copy``)."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from core.dates import date_shown, datetime_shown
from core.models import Role
from lifecycle.details import LABELS as DETAIL_LABELS
from lifecycle.selectors import CLEARED_COPY
from lifecycle.services.access import GRANTABLE
from lifecycle.states import QADiscipline, Status

# Keys recorded for the machine (routing, integrity), shown only in the raw event; the version is in the heading. The
# monitoring report an event names ("report", its id: what decides who reads the event, timeline_events) is in its
# words already, by its period. So are the other records an event names by id, for the evidence: the sentence says
# what each is ("Review concluded with no change needed", "Published files stored", "Advice given"), and its number
# read "No change review: 1" (QA walk 2026-12-05, 33).
HIDDEN_KEYS = frozenset({"version", "notify_user_ids", "content_hash", "sections", "draft_revision", "revision",
                         "created", "emergency_request", "report", "no_change_review", "withdrawal_decision",
                         "local_agreement", "publication", "invitation", "comment"})
# Keys recorded as a record's id that the timeline names: a policy moved to another business group and unit records
# their ids (lifecycle.services.people.changes), which read "Business group: 7, 8". Their names are looked up once for
# the page (``records_in``; lifecycle.timeline.entries), as people's are.
NAMED_RECORDS = {"business_group": "core.businessgroup", "owning_unit": "core.unit", "unit": "core.unit"}
# Keys recorded as [start, end]: a monitoring report's period, read as the report is named ("1 April 2025 to 31 March
# 2026"), not as a list ("31 March 2025, 31 March 2026", QA walk 2026-12-05, 33).
RANGE_KEYS = frozenset({"period"})
# Lists left out when empty: a QA return records both (``services.quality_assurance``), one of them often empty, and
# the line is then no news ("Had passed it (none)"); the return notice leaves them out the same way
# (``next_steps.after_qa_return``).
OMITTED_WHEN_EMPTY = frozenset({"passed", "not_yet_checked", "advice_withdrawn"})
# Keys recorded as [before, after] (a title and the statement's short texts as a draft is saved: services.drafting;
# the due dates, which earlier events of a publication, a review concluding no change and the Lead's response to a
# monitoring report record alone: a value that is not a pair is shown as it is; the protective marking a review's
# publication brings into force, which read "OFFICIAL-SENSITIVE, OFFICIAL", with nothing to say which was which; the
# approval route a change of risk tier moves the policy to, services.details). A change of document details records
# each detail so, under "details": each is a row of its own (``_detail_rows``).
BEFORE_AFTER_KEYS = frozenset({"status", "review_due_on", "monitoring_report_due_on", "title", "summary_of_changes",
                               "health_and_safety", "health_and_safety_statement", "protective_marking",
                               "approval_route", "business_group"})
# Of the keys recorded as [before, after], those whose "before" is the workflow's state or a due date, not words of
# a document: kept when an earlier version is withheld from the reader (``withheld_before``).
STATE_KEYS = frozenset({"status", "review_due_on", "monitoring_report_due_on", "business_group"})
# Keys naming a person by username, shown by name (looked up once for the page: lifecycle.timeline.entries). A test
# scans the services for every key recorded as a username (tests/lifecycle/test_timeline_plain_words.py).
PERSON_KEYS = frozenset({"user", "risk_owner", "pcu_agreed_by", "from", "holder", "asked_by", "remedial_owner",
                         "decided_by", "invitee", "designated_lead"})
# Keys recorded as a choice of a model other than the event's object (a step's event is the policy's), by its label:
# the Lead's response to a monitoring report ("Remedial action", not "remedial"), a QA outcome, DCFD's answer at a
# review concluding no change, a stored file's audience. Read from the app registry, as ``_field_choices`` reads the
# event's own object (lifecycle does not import the apps that build on it, rule 20).
CHOICES_OF_KEY = {"outcome": ("assessments.monitoringresponse", "lifecycle.qasignoff"),
                  "eia_outcome": ("lifecycle.nochangereview",), "audience": ("publication.publishedfile",)}
# Labels of keys that are not a model field of the event's object.
LABELS = {
    "status": "Status", "version": "Version", "reason": "Reason", "reasons": "Reasons", "comments": "Comments",
    "discipline": "Quality assurance by", "returned_version": "Version returned", "new_draft": "New draft version",
    "previous_version": "Previous version", "board": "Approving board", "risk_owner": "Risk owner",
    "pcu_agreed_by": "Agreed for PCU by", "risk_statement": "Risk statement", "cycle": "Cycle",
    "review_due_on": "Review due", "monitoring_report_due_on": "Monitoring report due",
    "scheduled_for": "Publication date", "user": "Person", "permission": "Permission", "role": "Role",
    "business_group": "Business group", "unit": "Unit", "parts": "Parts", "from": "From", "to": "To",
    "policies": "Policies handed over", "kept": "Policies kept", "consultee": "Consultee",
    "organisation": "Organisation", "type": "Consultee type", "before": "Before", "response": "Response",
    "decision_taken": "Decision taken", "eia_was_due_on": "EIA was due", "period_start": "Period from",
    "period_end": "Period to", "title": "Title", "protective_marking": "Protective marking",
    "address": "Address", "also_holds": "Also holds", "note": "Note", "holder": "Holder", "object": "Object",
    "usable": "Can sign in with a password", "username": "Username", "asked_by": "Asked by",
    "eia_due_on": "EIA due by", "eia_outcome": "Equality Impact Assessment",
    "remedial_owner": "Remedial action owner", "remedial_due_on": "Remedial action due by", "late_by_days": "Days late",
    "period": "Period", "owning_unit": "Owning unit", "sha256": "SHA-256", "size": "Size in bytes",
    "invitee": "Invited", "designated_lead": "Designated Lead", "superseded_by": "Superseded by version",
    # A return from quality assurance: what the other disciplines had recorded of the submission returned.
    "passed": "Had passed it", "not_yet_checked": "Had not yet checked it",
    # A review draft withdrawn: its versions, the version in force, and whom the invitations to advise on it named.
    "withdrawn_versions": "Versions withdrawn", "version_in_force": "Version in force",
    "advice_withdrawn": "Invitations to advise withdrawn", "withdrawn_marking": "Marking of the versions withdrawn",
}
PART_LABELS = {"owner": "Management Board owner", "designated_lead": "Designated Lead",
               "policy_manager": "Policy Manager", "coordinator": "Co-ordinator", "developer": "Policy Developer"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CHOICE_LABELS = {"status": dict(Status.choices), "role": dict(Role.choices),
                  **dict.fromkeys(("discipline", "passed", "not_yet_checked"), dict(QADiscipline.choices)),
                  # What access to a draft a person was given or lost (lifecycle.services.access), in its words.
                  "permission": {codename: words[0].upper() + words[1:] for codename, words in GRANTABLE.items()}}
# Keys recorded under another name than their object's field.
_FIELD_OF_KEY = {"type": "consultee_type", "protective_marking_in_force": "protective_marking",
                 "withdrawn_marking": "protective_marking"}


@functools.lru_cache(maxsize=512)
def _field_choices(object_type: str, key: str) -> dict[str, str]:
    """The labels of a choice field of the event's object (a policy's kind, an EIA's decision), by value; empty when
    the key is no choice field of it."""
    try:
        field = apps.get_model(object_type)._meta.get_field(_FIELD_OF_KEY.get(key, key))
    except (LookupError, ValueError, FieldDoesNotExist):
        return {}
    return {str(value): str(label) for value, label in (field.flatchoices or ())}


@functools.lru_cache(maxsize=64)
def _key_choices(key: str) -> dict[str, str]:
    """The labels of a key recorded as a choice of another model (``CHOICES_OF_KEY``), by value."""
    labels: dict[str, str] = {}
    for model in CHOICES_OF_KEY.get(key, ()):
        labels.update(_field_choices(model, key))
    return labels


@dataclass
class Change:
    label: str
    before: str | None = None  # None: the field has one value (``after``), not a before and after
    after: str = ""

    @property
    def has_before(self) -> bool:
        return self.before is not None


@functools.lru_cache(maxsize=1024)
def _field_label(object_type: str, key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(key).verbose_name).capitalize()
    except (LookupError, ValueError, FieldDoesNotExist):
        return key.replace("_", " ").capitalize()


def format_value(value, *, names: dict, key: str = "", object_type: str = "") -> str:
    """A recorded value in words: dates in the one format, people by name (``names``, by username), records by name
    (``names`` by (model, id): ``records_in``), choices by label (the key's, or the event's object's field's), nothing
    as "none"."""
    if value is None or value == "" or value == []:
        return "(none)"
    if key in NAMED_RECORDS and isinstance(value, int) and not isinstance(value, bool):
        return names.get((NAMED_RECORDS[key], value), "(no longer recorded)")
    if key in RANGE_KEYS and isinstance(value, list) and len(value) == 2:
        return " to ".join(format_value(item, names=names) for item in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "legislation_links" and isinstance(value, list):
        # Links to legislation (lifecycle.details), each by its title and address.
        return "; ".join(f"{link.get('title', '')} ({link.get('url', '')})" if isinstance(link, dict) else str(link)
                         for link in value)
    if isinstance(value, list):
        return ", ".join(format_value(item, names=names, key=key, object_type=object_type) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_field_label('', k)}: {format_value(v, names=names, key=k)}" for k, v in value.items())
    text = str(value)
    if key in PERSON_KEYS or key == "to":
        return names.get(text, text)
    if _ISO_DATE.match(text):
        return date_shown(datetime.date.fromisoformat(text))
    if _ISO_DATETIME.match(text):
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return text
        return datetime_shown(moment)
    if text in _CHOICE_LABELS.get(key, {}):
        return str(_CHOICE_LABELS[key][text])
    if key and object_type and (label := _field_choices(object_type, key).get(text)):
        return label
    if key in CHOICES_OF_KEY and (label := _key_choices(key).get(text)):
        return label
    return text


def withheld_before(changes: dict) -> dict:
    """``changes`` with only the "after" of what they record as [before, after] (but the state and due dates,
    ``STATE_KEYS``): for a reader not cleared for an earlier version of the policy, frozen OFFICIAL-SENSITIVE
    (``earlier_withheld``, lifecycle.selectors.timeline_events), whose words the "before" may be. A review's
    publication records the title it replaced, and its draft's first change of a detail the detail as the
    OFFICIAL-SENSITIVE version had it (review of 2026-12-05, finding 1); the Versions page leaves that version out for
    them, and so does the timeline its words. The stored event is as it was written; PCU reads it whole."""
    shown = {}
    for key, value in changes.items():
        if key in STATE_KEYS:
            shown[key] = value
        elif key in BEFORE_AFTER_KEYS and isinstance(value, list) and len(value) == 2:
            shown[key] = value[1]
        elif key == "details" and isinstance(value, dict):
            # Marked as the "after" alone: a detail's value may itself be a list of two (links to legislation).
            shown[key] = {name: {"after": pair[1] if isinstance(pair, list) and len(pair) == 2 else pair,
                                 "withheld": True} for name, pair in value.items()}
        elif key == "values" and isinstance(value, dict):
            shown[key] = {name: {"after": pair.get("after"), "withheld": True} if isinstance(pair, dict) else
                          {"after": pair, "withheld": True} for name, pair in value.items()}
        else:
            shown[key] = value
    return shown


def without_cleared_copy(changes: dict) -> dict:
    """``changes`` without the cleared copy of a publication (``CLEARED_COPY``: its hash and size among the files
    stored and replaced), for a reader not cleared for it: the Publication page leaves that copy out for them, and its
    hash on the timeline told them the policy has an OFFICIAL-SENSITIVE SOP (review of 2026-12-05, finding 4)."""
    return {key: {audience: copy for audience, copy in value.items() if audience != CLEARED_COPY}
            if key in ("files", "replaces") and isinstance(value, dict) else value
            for key, value in changes.items()}


def describe_changes(event: dict, names: dict, *, cleared: bool = False) -> list[Change]:
    """An event row's (``EVENT_FIELDS``) recorded changes, each field by its label, before and after; the "before"
    left out where it may be a version the reader may not read (``earlier_withheld``: ``withheld_before``), and the
    cleared copy of a publication unless the reader is ``cleared`` for the policy's OFFICIAL-SENSITIVE material."""
    changes = event["changes"] if isinstance(event["changes"], dict) else {}
    if not cleared:
        changes = without_cleared_copy(changes)
    if event.get("earlier_withheld"):
        changes = withheld_before(changes)
    object_type = event["object_type"]
    rows: list[Change] = []
    for key, value in changes.items():
        if key in HIDDEN_KEYS or (key in OMITTED_WHEN_EMPTY and not value):
            continue
        if key == "values" and isinstance(value, dict):
            for name, pair in value.items():
                pair = pair if isinstance(pair, dict) else {"after": pair}
                rows.append(Change(_field_label(object_type, name),
                                   None if pair.get("withheld") else
                                   format_value(pair.get("before"), names=names, key=name, object_type=object_type),
                                   format_value(pair.get("after"), names=names, key=name, object_type=object_type)))
        elif key == "details" and isinstance(value, dict):
            rows.extend(_detail_rows(value, names=names, object_type=object_type))
        elif key == "parts" and isinstance(value, list):
            for item in value:
                if isinstance(item, list) and len(item) == 3:
                    part, before, after = item
                    rows.append(Change(PART_LABELS.get(part, str(part)), names.get(before, before or "(none)"),
                                       names.get(after, after or "(none)")))
        elif key == "to" and isinstance(value, dict):
            for part, username in value.items():
                rows.append(Change(f"New {PART_LABELS.get(part, part)}", None, names.get(username, username)))
        elif key in BEFORE_AFTER_KEYS and isinstance(value, list) and len(value) == 2 and value[0] == value[1]:
            # A date a step restates and leaves as it is (a review concluding no change): shown once, as events
            # recording the date alone are.
            rows.append(Change(_field_label(object_type, key), None,
                               format_value(value[1], names=names, key=key, object_type=object_type)))
        elif key in BEFORE_AFTER_KEYS and isinstance(value, list) and len(value) == 2:
            rows.append(Change(_field_label(object_type, key),
                               format_value(value[0], names=names, key=key, object_type=object_type),
                               format_value(value[1], names=names, key=key, object_type=object_type)))
        elif isinstance(value, dict) and set(value) == {"length"} and isinstance(value["length"], list) \
                and len(value["length"]) == 2:
            # A rich text's edit, recorded by its length (the text itself is in the version's revisions).
            before, after = value["length"]
            rows.append(Change(_field_label(object_type, key), None,
                               f"Edited: {before} characters before, {after} after"))
        else:
            rows.append(Change(_field_label(object_type, key), None,
                               format_value(value, names=names, key=key, object_type=object_type)))
    return rows


def _detail_rows(details: dict, *, names: dict, object_type: str) -> list[Change]:
    """A change of document details (``lifecycle.services.details``: {name: [before, after]}), a row for each detail
    by its label (``lifecycle.details.LABELS``), before → after in words; the "after" alone where ``withheld_before``
    kept only that. The QA walk read them as one "Details" row of raw values, each before and after joined by a
    comma ("Protective marking: official, official_sensitive")."""
    rows = []
    for name, pair in details.items():
        label = DETAIL_LABELS.get(name) or _field_label(object_type, name)
        if isinstance(pair, dict) and pair.get("withheld"):
            rows.append(Change(label, None, format_value(pair.get("after"), names=names, key=name,
                                                         object_type=object_type)))
        elif isinstance(pair, list) and len(pair) == 2:
            before, after = (format_value(value, names=names, key=name, object_type=object_type) for value in pair)
            rows.append(Change(label, before, after))
        else:
            rows.append(Change(label, None, format_value(pair, names=names, key=name, object_type=object_type)))
    return rows


def records_in(changes) -> set[tuple[str, int]]:
    """The records (``NAMED_RECORDS``) ``changes`` name by id, as (model, id)."""
    found: set[tuple[str, int]] = set()
    if not isinstance(changes, dict):
        return found
    for key, model in NAMED_RECORDS.items():
        value = changes.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) and not isinstance(item, bool):
                found.add((model, item))
    return found


def usernames_in(changes) -> set[str]:
    found: set[str] = set()
    if not isinstance(changes, dict):
        return found
    for key, value in changes.items():
        if key in PERSON_KEYS and isinstance(value, str):
            found.add(value)
        elif key == "parts" and isinstance(value, list):
            found.update(str(item) for part in value if isinstance(part, list) for item in part[1:] if item)
        elif key == "to" and isinstance(value, dict):
            found.update(str(item) for item in value.values() if item)
    return found
