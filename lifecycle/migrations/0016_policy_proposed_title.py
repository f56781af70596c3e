"""A review's new title is proposed, not in force (issue 12): Policy.proposed_title holds it until the reviewed
version is published, and Policy.title stays the title in force.

A policy already under review whose draft was re-titled before this (its title no longer the one its last published
version was frozen with) gets its title in force back, and the draft's title becomes the proposed one."""

import json

from django.db import migrations, models

# The stages of a review: the version in force stays published while the next one is drafted and decided.
IN_REVIEW = ("scoping", "commissioning", "development", "submitted_for_qa", "qa_passed", "with_lead", "approved",
             "awaiting_publication")

LAST_PUBLISHED_DETAILS = (
    "SELECT v.details FROM lifecycle_policyversion v JOIN publication_publication p ON p.policy_version_id = v.id "
    "WHERE v.policy_id = %s AND p.status = 'published' ORDER BY p.published_at DESC LIMIT 1"
)


def restore_titles_in_force(apps, schema_editor):
    connection = schema_editor.connection
    if "publication_publication" not in connection.introspection.table_names():
        return  # a new database: nothing has been published
    Policy = apps.get_model("lifecycle", "Policy")
    under_review = Policy.objects.filter(first_published_on__isnull=False, status__in=IN_REVIEW)
    with connection.cursor() as cursor:
        for policy in under_review.only("pk", "title").iterator():
            cursor.execute(LAST_PUBLISHED_DETAILS, [policy.pk])
            row = cursor.fetchone()
            details = row[0] if row else None
            if isinstance(details, str):
                details = json.loads(details)
            in_force = (details or {}).get("title")
            if in_force and in_force != policy.title:
                Policy.objects.filter(pk=policy.pk).update(title=in_force, proposed_title=policy.title)


def keep_the_drafts_titles(apps, schema_editor):
    Policy = apps.get_model("lifecycle", "Policy")
    Policy.objects.exclude(proposed_title="").update(title=models.F("proposed_title"), proposed_title="")


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0015_no_change_review_updated_eia"),
    ]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="proposed_title",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.RunPython(restore_titles_in_force, keep_the_drafts_titles, elidable=False),
    ]
