"""Migration 0011 added Notification.report, the monitoring report an inbox item tells of, so that the header's count,
the inbox and the digest read the report's marking by one join instead of four subqueries of the outbox, the audit
trail and the reports, planned again on every page (make bench, issue 16).

The items already written take the report they tell of, as notifications.selectors read it until now:
  - an item the relay wrote of an event: the report the event is about (notifications.links.report_named: the event's
    object, or the report its changes name), where that report exists;
  - a remedial action's reminder: the report the action was directed after (its chased_item is the response);
  - a reminder of a report waiting for quality assurance, which names no report: read until now as about every
    report of its policy made before it, and withheld where any of them was OFFICIAL-SENSITIVE. It takes such a
    report where there is one, otherwise the one made last before it, so that no item shown to nobody before is shown
    to someone now.
Other items tell of no report. Only the items that tell of one are written."""

from django.db import migrations

REPORT_TYPE = "assessments.monitoringreport"


def _event_report_sql(vendor: str) -> str:
    if vendor == "postgresql":
        object_report = "a.object_id ~ '^[0-9]{1,18}$'"
        named = ("CASE WHEN jsonb_typeof(a.changes -> 'report') = 'number' AND (a.changes ->> 'report') ~ '^[0-9]{1,18}$' "
                 "THEN (a.changes ->> 'report')::bigint END")
        object_id = "a.object_id::bigint"
    else:
        object_report = "a.object_id <> '' AND a.object_id NOT GLOB '*[^0-9]*' AND length(a.object_id) <= 18"
        named = ("CASE WHEN json_type(a.changes, '$.report') = 'integer' THEN json_extract(a.changes, '$.report') END")
        object_id = "CAST(a.object_id AS INTEGER)"
    named_report = f"""
    SELECT m.id FROM core_outboxevent o JOIN core_auditevent a ON a.id = o.audit_event_id
    JOIN assessments_monitoringreport m ON m.id = (
        CASE WHEN a.object_type = '{REPORT_TYPE}' AND {object_report} THEN {object_id} ELSE {named} END)
    WHERE o.id = notifications_notification.source_event_id"""
    return f"""
UPDATE notifications_notification SET report_id = ({named_report})
WHERE source_event_id IS NOT NULL AND report_id IS NULL AND EXISTS ({named_report})
"""


REMEDIAL_SQL = """
UPDATE notifications_notification SET report_id = (
    SELECT x.report_id FROM notifications_reminder r JOIN assessments_monitoringresponse x ON x.id = r.chased_item
    WHERE r.id = notifications_notification.reminder_id)
WHERE report_id IS NULL AND reminder_id IN (SELECT id FROM notifications_reminder WHERE kind = 'remedial_action')
"""

QA_SQL = """
UPDATE notifications_notification SET report_id = (
    SELECT m.id FROM assessments_monitoringreport m
    WHERE m.policy_id = notifications_notification.policy_id AND m.created_at <= notifications_notification.created_at
    ORDER BY CASE WHEN m.protective_marking = 'official_sensitive' THEN 0 ELSE 1 END, m.created_at DESC, m.id DESC
    LIMIT 1)
WHERE report_id IS NULL AND reminder_id IN (SELECT id FROM notifications_reminder WHERE kind = 'monitoring_qa')
"""


def items_take_the_report_they_tell_of(apps, schema_editor):
    schema_editor.execute(_event_report_sql(schema_editor.connection.vendor))
    schema_editor.execute(REMEDIAL_SQL)
    schema_editor.execute(QA_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0011_notification_report'),
    ]

    operations = [
        migrations.RunPython(items_take_the_report_they_tell_of, migrations.RunPython.noop),
    ]
