"""Separation of duties on a monitoring report: issue 11's rule (lifecycle.duties) applied to the report's own small
cycle, by what people did, not the roles they hold.

SOP, "6. Monitoring and review": "The results of this monitoring must be recorded in a Monitoring Report template on
an annual basis, and submitted to the Business Group Policy Co-ordinator for quality assurance. Once satisfied, the
Business Group Policy Co-ordinator will send the report to the Policy Co-ordination Unit to arrange for it to be
published". The roles: policy developers "Compile monitoring reports"; the co-ordinator will "Quality assure
monitoring reports to ensure they are 'fit for purpose'"; the Designated Lead will "Review monitoring and compliance
results and direct appropriate remedial action"; PCU provides "the 'gateway' function for the internal and external
publication of ... monitoring reports". Each checks the work of those before: one person holds one part of a report.
A co-ordinator who is also a named developer and rewrote a colleague's report may not pass it (review 4), as a Lead
who wrote part of a draft may not approve it.

The parts are declared once (``REPORT_PARTS``, ``REPORT_DECISIONS``); which part bars which is
``lifecycle.duties.conflict_among``'s, the versions' own rule. The services (assessments.services) check it under the
row lock; the report's page and the Lead's response step (lifecycle.workflow_monitoring) offer only what it allows.
"""

from __future__ import annotations

from django.db.models import BooleanField, CharField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle.duties import conflict_among
from lifecycle.states import Duty

# Creating, saving any section of, or submitting the report makes the person one of its writers, whoever created it.
REPORT_WRITING_ACTIONS = (
    AuditAction.MONITORING_REPORT_CREATED, AuditAction.MONITORING_REPORT_UPDATED,
    AuditAction.MONITORING_REPORT_SUBMITTED,
)
# Each part someone may have taken in a report: the name of its condition (``report_part_conditions``), and how it
# reads in a sentence ("you wrote or submitted it").
REPORT_PARTS: dict[str, tuple[Duty, str]] = {
    "wrote": (Duty.AUTHOR, "wrote or submitted it"),
    "assured": (Duty.QA, "quality-assured it"),
    "responded": (Duty.APPROVER, "responded to it as the Designated Lead"),
    "published": (Duty.PUBLISHER, "published it"),
}
# The decisions taken on a report, by the part they are, as said in a refusal: "You cannot <decision> this report".
REPORT_DECISIONS: dict[Duty, str] = {
    Duty.QA: "quality-assure",
    Duty.APPROVER: "respond to",
    Duty.PUBLISHER: "publish",
}


def report_part_conditions(model, user_id: int) -> dict[str, Q]:
    """What the user ``user_id`` did on a report, as conditions on its MonitoringReport row (``model``), by
    ``REPORT_PARTS``' names: ``wrote``, its author or anyone who saved a section of it or submitted it (their audit
    events on it); ``assured``, ``responded`` and ``published``, its quality assurance, the Lead's response to it and
    its publication."""
    writes = AuditEvent.objects.filter(object_type=model._meta.label_lower,
                                       object_id=Cast(OuterRef("pk"), output_field=CharField()),
                                       actor_id=user_id, action__in=REPORT_WRITING_ACTIONS)
    responses = model._meta.get_field("response").related_model.objects
    return {
        "wrote": Q(author_id=user_id) | Q(Exists(writes)),
        "assured": Q(qa_by_id=user_id),
        "responded": Q(Exists(responses.filter(report_id=OuterRef("pk"), decided_by_id=user_id))),
        "published": Q(published_by_id=user_id),
    }


def report_parts_held(user, report) -> dict[Duty, str]:
    """What ``user`` has already done on ``report``, as {duty: how it reads in a sentence}. One query."""
    flags = {name: ExpressionWrapper(condition, output_field=BooleanField())
             for name, condition in report_part_conditions(type(report), user.pk).items()}
    row = type(report).objects.filter(pk=report.pk).order_by().annotate(**flags).values(*flags).first() or {}
    return {duty: how for name, (duty, how) in REPORT_PARTS.items() if row.get(name)}


def report_conflict(held: dict[Duty, str], duty: Duty) -> str | None:
    """The sentence refusing ``duty`` to someone who already took the parts ``held`` of a report; None if free."""
    how = conflict_among(held, duty)
    if how is None:
        return None
    return (f"You cannot {REPORT_DECISIONS[duty]} this monitoring report: you {how}, and one person may not hold two "
            "parts in the same report (separation of duties).")


def check_report_separation(user, report, duty: Duty) -> None:
    """Refuse ``user`` ``duty`` on ``report`` if a part they took in it bars them (one query). Asked under the row
    lock by the service taking the decision."""
    refusal = report_conflict(report_parts_held(user, report), duty)
    if refusal is not None:
        raise ApplicationError(f"{refusal} Nothing was changed.", code="forbidden")


def reports_free_for(reports: QuerySet, user, duty: Duty) -> QuerySet:
    """Of ``reports``, those on which ``user`` took no part that bars ``duty``: the same rule, as a filter (for the
    Lead's response form's choices and whether its step is offered)."""
    conditions = report_part_conditions(reports.model, user.pk)
    barred = Q()
    for name, (part, _) in REPORT_PARTS.items():
        if conflict_among({part: ""}, duty) is not None:
            barred |= conditions[name]
    return reports.exclude(barred)
