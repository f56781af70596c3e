"""A library document is dated by its version's latest publication, and keeps its first only when it was re-published
since (a review concluding no change, publication.services): the library said "published 31 March 2023" beside a
next review date counted from the re-publication of 5 December 2026, which the register and the Publication Scheme
showed (QA walk 2026-12-05, 51). The rows are derived data: those of re-published versions, few, are corrected here,
so that no reindex is needed for it (library_reindex would give the same)."""

from django.db import migrations, models
from django.db.models import Count, Max, Min
from django.utils import timezone


def date_re_published_versions(apps, schema_editor):
    Publication = apps.get_model("publication", "Publication")
    LibraryDocument = apps.get_model("library", "LibraryDocument")
    versions = (Publication.objects.filter(status="published").values("policy_version_id")
                .annotate(count=Count("pk"), first=Min("published_at"), last=Max("published_at"))
                .filter(count__gt=1))
    for row in versions:
        LibraryDocument.objects.filter(policy_version_id=row["policy_version_id"]).update(
            published_on=timezone.localdate(row["last"]), first_published_on=timezone.localdate(row["first"]))


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0006_monitoring_report_documents_take_the_reports_marking"),
        ("publication", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="librarydocument",
            name="first_published_on",
            field=models.DateField(blank=True, null=True),
        ),
        # Backwards: the column goes, and published_on stays the latest (rebuilt from what is published by
        # library_reindex).
        migrations.RunPython(date_re_published_versions, migrations.RunPython.noop, elidable=False),
    ]
