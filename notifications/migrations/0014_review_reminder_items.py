"""A review reminder's item in the ledger's exactly-once key (``Reminder.chased_item``): the review date it chases,
20260301 for 1 March 2026 (notifications.services.rules.review_item). The defect left open on 2026-12-05: a review
brought forward is chased for its new date, whose steps may fall on a day the old date's used ("6 months before" 1
March 2026 is "3 months before" 1 December 2025); with one item for every date, the new date's reminder was not written.

The review reminders already written take the item of the date they chase (their ``item_due_on``), as the chase now
writes them: without it, the next chase would write again, under the new item, the step each policy was last reminded
of. Rows that differed in the key still differ (only the item is added), so none collides."""

from django.db import migrations
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

REVIEW_DUE = "review_due"


def review_reminders_number_their_date(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Reminder.objects.filter(kind=REVIEW_DUE, item_due_on__isnull=False, chased_item=0).update(
        chased_item=ExtractYear("item_due_on") * 10_000 + ExtractMonth("item_due_on") * 100 + ExtractDay("item_due_on"))


def review_reminders_unnumber(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Reminder.objects.filter(kind=REVIEW_DUE).update(chased_item=0)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0013_reminder_closed_because'),
    ]

    operations = [
        migrations.RunPython(review_reminders_number_their_date, review_reminders_unnumber),
    ]
