"""The events a policy's timeline lists (``timeline_events``): which of its audited events a reader sees, by their
part in its drafting and by their clearance for its OFFICIAL-SENSITIVE material.

An event is read by the frozen marking of the version it belongs to, not by the policy's marking now (review of
2026-12-05, finding 1): a review that re-marks a policy OFFICIAL does not unmark the versions published
OFFICIAL-SENSITIVE before it, which the Versions and Notices pages, the library and the search go on leaving out for
those not cleared (``frozen_marking_readable``). The audit trail is append-only: nothing here rewrites an event, it
chooses which to read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat

from core.events import AuditAction
from core.models import AuditEvent
from core.models.audit import PUBLIC_MILESTONE_ACTIONS
from lifecycle.models import Policy, PolicyVersion, StandardOperatingProcedure
from lifecycle.selectors.visibility import FROZEN_SENSITIVE
from lifecycle.states import ProtectiveMarking

# A policy's public milestones (core.models.audit, where a partial index holds just these rows in timeline order).
PUBLIC_TIMELINE_ACTIONS = list(PUBLIC_MILESTONE_ACTIONS)

# The audience of a publication's copy for staff cleared for its OFFICIAL-SENSITIVE material
# (publication.PublishedFile.Audience.CLEARED; lifecycle imports nothing of publication, and a test holds the two
# together). Its events name it: the files stored ("files", "replaces") and a stored file failing its check.
CLEARED_COPY = "cleared"
# The other audiences' copies, every member of staff's and the public's (PublishedFile.Audience).
OTHER_COPIES = ("staff", "public")


def timeline_events(*, policy_id: int, drafts: bool, sensitive: bool = True) -> QuerySet[AuditEvent]:
    """Every audited event of the policy, newest first, each with ``earlier_withheld`` (``_earlier_withheld``).
    Staff with no part in its drafting (``drafts`` False: ``user_may_see_drafts``) see only its public milestones
    (not draft saves, QA comments or decisions in progress). Those not cleared for OFFICIAL-SENSITIVE material
    (``sensitive`` False: ``user_may_see_sensitive``) do not see:

    - the events of its versions frozen OFFICIAL-SENSITIVE (``_without_sensitive_versions``), as the Versions page
      leaves those versions out (``policy_versions``);
    - the events of its OFFICIAL-SENSITIVE SOPs (their title and marking), as ``sop_versions_for`` and
      ``version_revisions`` leave those SOPs out of the statement, the PDF and the revisions;
    - those of its monitoring reports made OFFICIAL-SENSITIVE, as its Monitoring pages leave those out
      (assessments.selectors);
    - those only about the cleared copy of a publication, as its Publication page leaves that copy out (review of
      2026-12-05, finding 4: its hash told that the policy has an OFFICIAL-SENSITIVE SOP)."""
    events = AuditEvent.objects.filter(policy_id=policy_id)
    if not drafts:
        events = events.filter(action__in=PUBLIC_TIMELINE_ACTIONS)
    if not sensitive:
        events = _uncleared_read(events, policy_id)
    return events.annotate(earlier_withheld=_earlier_withheld(policy_id, sensitive=sensitive)).order_by("-sequence")


def _uncleared_read(events: QuerySet[AuditEvent], policy_id: int) -> QuerySet[AuditEvent]:
    """``events`` (of the policy) without those withheld from a reader not cleared for its OFFICIAL-SENSITIVE
    material (``timeline_events`` says which): the one rule, read by the timeline and by the notifications' relay
    (``events_withheld_from_uncleared``)."""
    sensitive_sops = (StandardOperatingProcedure.objects
                      .filter(policy_id=policy_id, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
                      .annotate(text_id=Cast("pk", CharField())).values("text_id"))
    events = events.exclude(object_type=StandardOperatingProcedure._meta.label_lower, object_id__in=sensitive_sops)
    events = _without_sensitive_reports(events, policy_id)
    events = _without_sensitive_versions(events, policy_id)
    return events.exclude(
        Q(action=AuditAction.PUBLICATION_FILES_STORED, changes__files__has_key=CLEARED_COPY)
        & ~Q(changes__files__has_any_keys=list(OTHER_COPIES))
        | Q(action=AuditAction.PUBLICATION_FILE_TAMPERED, changes__audience=CLEARED_COPY))


def holds_sensitive_record(policy: str = "pk") -> Q:
    """The Q of a policy (``policy``: where the query's model holds its id) with a record that keeps its own
    OFFICIAL-SENSITIVE marking, whatever the policy is marked now: a version frozen OFFICIAL-SENSITIVE
    (``FROZEN_SENSITIVE``), an OFFICIAL-SENSITIVE SOP or monitoring report. Only such a policy, if OFFICIAL now, has
    events its timeline withholds from a reader not cleared (``_uncleared_read``); of any other, none is (the
    relay asks ``events_withheld_from_uncleared`` only of these). Three EXISTS, in the query that reads the policies."""
    report_model = Policy._meta.get_field("monitoring_reports").related_model
    sensitive = {"protective_marking": ProtectiveMarking.OFFICIAL_SENSITIVE}
    return (Q(Exists(PolicyVersion.objects.filter(FROZEN_SENSITIVE, policy_id=OuterRef(policy))))
            | Q(Exists(StandardOperatingProcedure.objects.filter(policy_id=OuterRef(policy), **sensitive)))
            | Q(Exists(report_model.objects.filter(policy_id=OuterRef(policy), **sensitive))))


def events_withheld_from_uncleared(*, policy_id: int, event_ids: Iterable[int]) -> set[int]:
    """Which of ``event_ids``, audited events of the policy, its timeline withholds from a reader not cleared for its
    OFFICIAL-SENSITIVE material (``_uncleared_read``): those that happened while it was OFFICIAL-SENSITIVE (of a version
    frozen so, or naming none while the newest version or the version in force then was), or are about its
    OFFICIAL-SENSITIVE SOPs, monitoring reports or the cleared copy of a publication. The notifications' relay tells
    such an event, relayed after a review's downgrade was published, as the OFFICIAL-SENSITIVE event it was (security
    review: the policy's marking when relayed let it reach those not cleared). An id not of the policy's events is
    answered withheld. One query; none for no ids."""
    asked = set(event_ids)
    if not asked:
        return set()
    readable = _uncleared_read(AuditEvent.objects.filter(policy_id=policy_id, pk__in=sorted(asked)), policy_id)
    return asked - set(readable.order_by().values_list("pk", flat=True))


def _without_sensitive_versions(events: QuerySet[AuditEvent], policy_id: int) -> QuerySet[AuditEvent]:
    """``events`` without those of the policy's versions frozen OFFICIAL-SENSITIVE (``FROZEN_SENSITIVE``): an event
    belongs to the version it names ("version": its number, as nearly every event of a policy records it), or, naming
    none (a consultation recorded, a workbook or EIA saved, access given), to the version that was the newest when it
    happened. Those versions' milestones (published, a review concluding no change and its reason), their statement's
    purpose and title, their QA and approval comments: none of them is the OFFICIAL version's to show."""
    number = Concat(Cast("major", CharField()), Value("."), Cast("minor", CharField()), output_field=CharField())
    sensitive_numbers = (PolicyVersion.objects.filter(FROZEN_SENSITIVE, policy_id=policy_id)
                         .annotate(number=number).values("number"))
    # Versions are numbered in the order they are made (under the policy's row lock): the newest then is the one with
    # the highest number made by then, read down the versions' unique (policy, major, minor) index, not sorted.
    # Whether it is frozen OFFICIAL-SENSITIVE is FROZEN_SENSITIVE's to say: its details, or the marking a version was
    # withdrawn under (review of 2026-12-06, HIGH: the details alone let a withdrawn version that had proposed the
    # downgrade pass its cycle's consultation to those not cleared).
    newest_then = (PolicyVersion.objects.filter(policy_id=policy_id, created_at__lte=OuterRef("occurred_at"))
                   .order_by("-major", "-minor")
                   .annotate(frozen=Case(When(FROZEN_SENSITIVE, then=Value(True)), default=Value(False),
                                         output_field=BooleanField())).values("frozen")[:1])
    # Or the version in force then was (the last published by then): a review that downgrades the policy is drafted,
    # consulted on and advised on while the version in force keeps it OFFICIAL-SENSITIVE, its own version frozen
    # OFFICIAL (security review of 2026-12-06); once that version is published, what follows is OFFICIAL.
    in_force_then = (PolicyVersion.objects.filter(policy_id=policy_id, publications__status="published",
                                                  publications__published_at__lte=OuterRef("occurred_at"))
                     .order_by("-publications__published_at")
                     .annotate(frozen=Case(When(FROZEN_SENSITIVE, then=Value(True)), default=Value(False),
                                           output_field=BooleanField())).values("frozen")[:1])
    return (events
            .alias(version_named=Coalesce(KeyTextTransform("version", "changes"), Value(""),
                                          output_field=CharField()),
                   any_sensitive=Exists(PolicyVersion.objects.filter(FROZEN_SENSITIVE, policy_id=policy_id)),
                   sensitive_then=Coalesce(Subquery(newest_then), Value(False), output_field=BooleanField()),
                   in_force_sensitive_then=Coalesce(Subquery(in_force_then), Value(False),
                                                    output_field=BooleanField()))
            .exclude(Q(version_named__in=sensitive_numbers)
                     # In this order: the newest version then is looked up only for an event naming none, of a policy
                     # with a version frozen OFFICIAL-SENSITIVE (asked once for the statement), not for every event.
                     | Q(version_named="") & Q(any_sensitive=True)
                     & (Q(sensitive_then=True) | Q(in_force_sensitive_then=True))))


def _earlier_withheld(policy_id: int, *, sensitive: bool):
    """Whether the reader may not read a version of the policy made before the event (frozen OFFICIAL-SENSITIVE, the
    reader not cleared): the "before" of what the event records changed may be that version's (the title a review's
    publication replaced, the purpose its draft started from), which the timeline then leaves out
    (lifecycle.timeline.describe_changes). Always False for those cleared."""
    if sensitive:
        return Value(False, output_field=BooleanField())
    # After the first such version was made: the moment read once for the statement (not a lookup an event, which
    # the oldest page's OFFSET made for every event before it: 30 ms more for 1,000 events).
    first_made = (PolicyVersion.objects.filter(FROZEN_SENSITIVE, policy_id=policy_id).order_by()
                  .values("policy_id").annotate(first=Min("created_at")).values("first"))
    return Coalesce(ExpressionWrapper(Q(occurred_at__gt=Subquery(first_made)), output_field=BooleanField()),
                    Value(False), output_field=BooleanField())


def _without_sensitive_reports(events: QuerySet[AuditEvent], policy_id: int) -> QuerySet[AuditEvent]:
    """``events`` without those of the policy's monitoring reports made OFFICIAL-SENSITIVE (their publication among
    the public milestones; their QA comments, the Lead's response and what a review changed in response to them):
    the report's own events, and those naming it in their changes ("report"). A report keeps the marking it was made
    under (assessments.MonitoringReport.protective_marking) when a review's downgrade is published. Read through the
    policy's relation (as lifecycle.gates reads the reports), so lifecycle imports nothing of assessments."""
    report_model = Policy._meta.get_field("monitoring_reports").related_model
    sensitive_reports = (report_model.objects
                         .filter(policy_id=policy_id, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
                         .annotate(text_id=Cast("pk", CharField())).values("text_id"))
    named = Coalesce(KeyTextTransform("report", "changes"), Value(""), output_field=CharField())
    # A "Review date brought forward" the Lead's response wrote before that event named its report (review of
    # 2026-12-05; the audit trail is append-only, so such events stay as written): it quotes the report's period and
    # the Lead's reasons. It is read by the response's own event, which names the report and was written next in the
    # same transaction (the chain's head is locked for it, so their sequences are adjacent).
    response_names_sensitive = Exists(
        AuditEvent.objects.filter(policy_id=policy_id, sequence=OuterRef("sequence") + 1,
                                  action=AuditAction.MONITORING_REPORT_RESPONDED)
        .alias(report_named=named).filter(report_named__in=sensitive_reports))
    return (events.alias(report_named=named)
            .exclude(Q(object_type=report_model._meta.label_lower, object_id__in=sensitive_reports)
                     | Q(report_named__in=sensitive_reports)
                     | (Q(action=AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD, report_named="")
                        & response_names_sensitive)))


def marking_raised_at(*, policy_id: int):
    """When the policy was last re-marked OFFICIAL-SENSITIVE (``lifecycle.services.details`` records the marking the
    re-marking put in force, ``protective_marking_in_force``), or None if it never was. For the pages that tell a
    reader cleared for the policy's OFFICIAL-SENSITIVE material that a version published OFFICIAL is now so (the
    library); never for a reader who is not: they are told nothing of an OFFICIAL-SENSITIVE policy. One query, on the
    policy's timeline index."""
    return (AuditEvent.objects.filter(policy_id=policy_id, action=AuditAction.POLICY_DETAILS_CHANGED,
                                      changes__protective_marking_in_force=ProtectiveMarking.OFFICIAL_SENSITIVE)
            .order_by("-sequence").values_list("occurred_at", flat=True).first())
