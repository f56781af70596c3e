"""A withdrawn version says the marking it was read under (``PolicyVersion.withdrawn_marking``, migration 0029, which
recorded it for every version withdrawn before): the database refuses one withdrawn without it (house style, rule 7;
review of 2026-12-06, LOW: the widened trigger let the withdrawing UPDATE set it empty). Its own migration, after the
backfill's, so that the check is added once every row satisfies it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0029_version_withdrawn_marking"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("withdrawn_at__isnull", True), models.Q(("withdrawn_marking", ""), _negated=True),
                                   _connector="OR"),
                name="policy_version_withdrawn_has_marking"),
        ),
    ]
