"""Two more reasons a reminder was closed (``Reminder.closed_because``): "the review draft was withdrawn" (the reminders
of the draft's stage, closed by the withdrawal's status change, where they were closed with no reason, or as a step
taken), and "your discipline's quality assurance sign-off was recorded" (a quality assurance discipline's reminder of
work waiting too long, closed by its sign-off while the others have not signed; it stayed open before).

Reminders of work waiting too long that the withdrawal of a review draft closed with no reason (the code before: its
draft_reminders_stop recorded none) are given theirs: closed, not handed over, no reason recorded, of a cycle whose
versions were withdrawn, on a policy not itself withdrawn (whose own withdrawal closed them before reasons were
recorded)."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def reasons_of_withdrawn_drafts_give(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    PolicyVersion = apps.get_model("lifecycle", "PolicyVersion")
    withdrawn_draft = PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                                   withdrawn_at__isnull=False)
    Reminder.objects.filter(kind="stuck", superseded_at__isnull=False, closed_because="", handed_to__isnull=True,
                            ).exclude(policy__status="withdrawn").filter(Exists(withdrawn_draft)).update(
        closed_because="draft_withdrawn")


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0026_review_draft_withdrawn'),
        ('notifications', '0015_reminder_closed_when_work_done'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reminder',
            name='closed_because',
            field=models.CharField(blank=True, choices=[('action_completed', 'the action was recorded as done'), ('draft_withdrawn', 'the review draft was withdrawn'), ('handed_over', 'it was handed over with the work'), ('impact_assessed', 'the impact assessment, and all else the emergency approval skipped, was signed off'), ('orphan_resolved', 'the part it named has a holder who may act, or is chased to someone else'), ('policy_withdrawn', 'the policy was withdrawn'), ('qa_signed_off', "your discipline's quality assurance sign-off was recorded"), ('report_assured', 'the co-ordinator quality-assured the report (passed or returned it)'), ('report_submitted', 'a monitoring report answering the date due was submitted'), ('review_completed', 'the review is done and its next date set'), ('review_date_changed', 'the review date was changed, and reminders follow the new date'), ('step_taken', 'the step it waited for was taken')], db_default='', default='', max_length=20),
        ),
        migrations.RunPython(reasons_of_withdrawn_drafts_give, migrations.RunPython.noop),
    ]
