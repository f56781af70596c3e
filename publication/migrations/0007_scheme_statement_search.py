"""PostgreSQL: the Publication Scheme searches the published text (issue 14) through a GIN index.

What the Scheme shows of a policy is the version on the Scheme: the title, purpose and "relevant to" it was frozen
with (``PolicyVersion.details``) and its statement. A frozen version never changes, so its search vector is an
expression index on the version, partial to frozen versions (drafts, saved often, are never indexed, and never
searched from a public page). Weights: the title A, the purpose and "relevant to" B, the statement C. As the
library's trigger: the statement up to 300,000 characters, or 50,000 if the vector would pass PostgreSQL's 1 MB
limit, so an index entry is never the reason a submission fails. The index lives on lifecycle's table, but only
publication reads it (``publication.selectors.SchemeTextVector`` names the same function)."""

from django.db import migrations

from core.db import postgres_only

FORWARD = """
CREATE OR REPLACE FUNCTION publication_scheme_text_vector(details jsonb, statement text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    BEGIN
        RETURN setweight(to_tsvector('pg_catalog.english', coalesce(details->>'title', '')), 'A')
            || setweight(to_tsvector('pg_catalog.english', coalesce(details->>'purpose', '') || ' '
                                     || coalesce(details->>'relevant_to', '')), 'B')
            || setweight(to_tsvector('pg_catalog.english', left(coalesce(statement, ''), 300000)), 'C');
    EXCEPTION WHEN program_limit_exceeded THEN
        RETURN setweight(to_tsvector('pg_catalog.english', coalesce(details->>'title', '')), 'A')
            || setweight(to_tsvector('pg_catalog.english', left(coalesce(statement, ''), 50000)), 'C');
    END;
END;
$$;
CREATE INDEX IF NOT EXISTS publication_scheme_text_idx ON lifecycle_policyversion
    USING gin (publication_scheme_text_vector(details, statement)) WHERE submitted_at IS NOT NULL;
-- Statistics on the indexed expression, so that the planner knows a common word matches thousands of versions.
ANALYZE lifecycle_policyversion;
"""

REVERSE = """
DROP INDEX IF EXISTS publication_scheme_text_idx;
DROP FUNCTION IF EXISTS publication_scheme_text_vector(jsonb, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0013_health_and_safety_statement"),
        ("publication", "0006_published_file_renditions"),
    ]

    operations = [postgres_only(FORWARD, REVERSE)]
