"""A published monitoring report is evidence (issue 11, finding 3). Only a trigger.

SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on an annual
basis ... [PCU will] arrange for it to be published on the MPS Publication Scheme." What was published is never
rewritten or removed."""

from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only

forward, reverse = append_only_trigger_sql(
    "assessments_monitoringreport", when="OLD.status = 'published'",
    message="a published monitoring report is evidence: UPDATE and DELETE are refused",
)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_frozen_assessments")]
    operations = [postgres_only(forward, reverse)]
