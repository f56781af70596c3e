"""The acknowledgements CSV (/acknowledgements/export.csv): PCU, force-wide, everyone each version in force asks,
confirmed or outstanding; a manager, their units' staff, the same; anyone else, their own confirmations.

PCU's outstanding rows are the chase's own rule (``selectors.outstanding_sql``: one set-based statement, whatever
the number of people) read through a server-side cursor a chunk at a time, so that the export's memory stays flat
however many staff are asked (rule 19): the manager's way (``unit_rates``, every profile of their units held in
Python) would hold the whole force at once, which is why PCU's export once listed the confirmations only."""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from acknowledgements.confirmed import confirmed_export_rows
from acknowledgements.models import Acknowledgement, AcknowledgementAudience
from acknowledgements.selectors import in_force, outstanding_sql, unit_rates
from core.models import Role, Unit, User
from lifecycle.permissions import role_index

EXPORT_HEADER = ["policy", "title", "version", "username", "name", "unit", "status", "acknowledged_at",
                 "content_hash"]
# Rows fetched from the server-side cursor at a time.
CHUNK = 2000


def exports_force(user) -> bool:
    """PCU's export is the force's (every one asked, confirmed or outstanding); the page says so."""
    return (Role.PCU, None) in role_index(user)


def export_rows(*, user):
    """The acknowledgements ``user`` may export, as rows for a CSV: PCU, for each version in force asking staff,
    every confirmation and every one of the staff asked who has not confirmed; a manager, for each policy asking
    their units' staff, every one of those staff (confirmed or outstanding); anyone else, their own. Streamed
    (server-side cursors), never held whole."""
    yield EXPORT_HEADER
    if exports_force(user):
        yield from _force_confirmed_rows()
        yield from _force_outstanding_rows()
        return
    rates = unit_rates(user=user)
    if rates:
        for rate in rates:
            audience = rate.audience
            for username, name, confirmation in rate.people:
                yield [audience.policy.reference, audience.policy.title, audience.policy_version.number, username,
                       name, rate.unit.name, "confirmed" if confirmation else "outstanding",
                       confirmation.acknowledged_at.isoformat() if confirmation else "",
                       confirmation.content_hash if confirmation else ""]
        return
    # Their own: each titled as the version they confirmed, where they may read it now (acknowledgements.confirmed).
    yield from confirmed_export_rows(user=user)


def _force_confirmed_rows():
    rows = (Acknowledgement.objects.select_related("policy", "policy_version", "user", "user__unit")
            .only("policy__reference", "policy__title", "policy_version__major", "policy_version__minor",
                  "user__username", "user__first_name", "user__last_name", "user__unit__name",
                  "acknowledged_at", "content_hash").order_by("pk"))
    for row in rows.iterator(chunk_size=CHUNK):
        yield [row.policy.reference, row.policy.title, row.policy_version.number, row.user.username,
               row.user.get_full_name(), str(row.user.unit or ""), "confirmed", row.acknowledged_at.isoformat(),
               row.content_hash]


def _force_outstanding_rows():
    """Everyone a version in force asks who has not confirmed it, by policy and username: one statement."""
    audiences = (AcknowledgementAudience.objects.filter(in_force())
                 .annotate(audience_id=F("pk"), marking=F("policy__protective_marking"),
                           group_id=F("policy__business_group_id"), reference=F("policy__reference"),
                           title=F("policy__title"))
                 .order_by()
                 .values("audience_id", "policy_id", "major", "minor", "counts_from_minor", "marking", "group_id",
                         "reference", "title"))
    outstanding, params = outstanding_sql(audiences)
    user, unit = (connection.ops.quote_name(model._meta.db_table) for model in (User, Unit))
    # Table names from the models; every value a parameter.
    statement = (
        f"SELECT o.reference, o.title, o.major, o.minor, u.username, u.first_name, u.last_name, n.name "  # noqa: S608
        f"FROM ({outstanding}) o JOIN {user} u ON u.id = o.user_id LEFT JOIN {unit} n ON n.id = u.unit_id "
        f"ORDER BY o.reference, u.username")
    with connection.chunked_cursor() as cursor:
        cursor.execute(statement, params)
        while chunk := cursor.fetchmany(CHUNK):
            for reference, title, major, minor, username, first, last, unit_name in chunk:
                yield [reference, title, f"{major}.{minor}", username, f"{first} {last}".strip(), unit_name or "",
                       "outstanding", "", ""]
