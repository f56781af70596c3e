"""An inbox item told of an event on a review draft is closed when the draft is withdrawn (``Notification.closed_at``,
``closed_because``): "No longer needed", with why, as a reminder closed is. Items written before about a draft already
withdrawn are closed now by the same rule (notifications.services.inbox.draft_items_close; the withdrawal's own notice
left as it is), as of when it was withdrawn (its versions' ``withdrawn_at``)."""

from django.db import migrations, models


def items_of_withdrawn_drafts_close(apps, schema_editor):
    PolicyVersion = apps.get_model("lifecycle", "PolicyVersion")
    Notification = apps.get_model("notifications", "Notification")
    # One statement per withdrawn version: few.
    for policy_id, major, minor, withdrawn_at in PolicyVersion.objects.filter(withdrawn_at__isnull=False).values_list(
            "policy_id", "major", "minor", "withdrawn_at").order_by("pk"):
        Notification.objects.filter(policy_id=policy_id, closed_at__isnull=True,
                                    source_event__audit_event__changes__version=f"{major}.{minor}").exclude(
            source_event__audit_event__action="policy.review_draft_withdrawn").update(
            closed_at=withdrawn_at, closed_because="draft_withdrawn")


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0026_review_draft_withdrawn'),
        ('notifications', '0016_reminder_closed_draft_withdrawn_qa_signed_off'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='notification',
            name='closed_because',
            field=models.CharField(blank=True, choices=[('action_completed', 'the action was recorded as done'), ('draft_withdrawn', 'the review draft was withdrawn'), ('handed_over', 'it was handed over with the work'), ('impact_assessed', 'the impact assessment, and all else the emergency approval skipped, was signed off'), ('orphan_resolved', 'the part it named has a holder who may act, or is chased to someone else'), ('policy_withdrawn', 'the policy was withdrawn'), ('qa_signed_off', "your discipline's quality assurance sign-off was recorded"), ('report_assured', 'the co-ordinator quality-assured the report (passed or returned it)'), ('report_submitted', 'a monitoring report answering the date due was submitted'), ('review_completed', 'the review is done and its next date set'), ('review_date_changed', 'the review date was changed, and reminders follow the new date'), ('step_taken', 'the step it waited for was taken')], db_default='', default='', max_length=20),
        ),
        migrations.RunPython(items_of_withdrawn_drafts_close, migrations.RunPython.noop),
    ]
