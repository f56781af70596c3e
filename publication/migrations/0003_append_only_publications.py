"""A publication, once published, is evidence (issue 11, finding 3). Only a trigger.

SOP, stage 5: PCU arranges publication "on the Corporate Policy Intranet; in Notices; on the MPS Publication
Scheme". What was published, where, when and by whom is never rewritten or removed. The one change a published
row may take is being superseded by the next version's publication: superseded_by and superseded_at are set once,
from empty, and never changed again. Columns added later are frozen too unless this trigger is changed."""

from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only

SUPERSEDING_ONLY = "'superseded_by_id' - 'superseded_at'"
PUBLISHED_AND_REWRITTEN = (
    "OLD.status = 'published' AND (TG_OP = 'DELETE'"
    f" OR (to_jsonb(NEW) - {SUPERSEDING_ONLY}) IS DISTINCT FROM (to_jsonb(OLD) - {SUPERSEDING_ONLY})"
    " OR (OLD.superseded_at IS NOT NULL AND NEW.superseded_at IS DISTINCT FROM OLD.superseded_at)"
    " OR (OLD.superseded_by_id IS NOT NULL AND NEW.superseded_by_id IS DISTINCT FROM OLD.superseded_by_id))"
)
forward, reverse = append_only_trigger_sql(
    "publication_publication", when=PUBLISHED_AND_REWRITTEN,
    message="a published publication is evidence: only its superseding may be recorded, once",
)


class Migration(migrations.Migration):
    dependencies = [("publication", "0002_publication_superseded")]
    operations = [postgres_only(forward, reverse)]
