"""PostgreSQL: the stored tsvector, kept up to date by a trigger (whatever writes the row), and its GIN index.

Weights: the reference and title A, the text B. The text is indexed up to 300,000 characters, and if a document's
vector would pass PostgreSQL's 1 MB limit for a tsvector (many distinct words, multi-byte text), up to 50,000: an
index entry is never the reason a publication fails."""

from django.db import migrations

from core.db import postgres_only

FORWARD = """
CREATE OR REPLACE FUNCTION library_document_search_vector() RETURNS trigger AS $$
BEGIN
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('pg_catalog.english', coalesce(NEW.reference, '') || ' ' || coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('pg_catalog.english', left(coalesce(NEW.body, ''), 300000)), 'B');
    EXCEPTION WHEN program_limit_exceeded THEN
        NEW.search_vector :=
            setweight(to_tsvector('pg_catalog.english', coalesce(NEW.reference, '') || ' ' || coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('pg_catalog.english', left(coalesce(NEW.body, ''), 50000)), 'B');
    END;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS library_document_search_vector_trigger ON library_librarydocument;
CREATE TRIGGER library_document_search_vector_trigger BEFORE INSERT OR UPDATE OF reference, title, body
    ON library_librarydocument FOR EACH ROW EXECUTE FUNCTION library_document_search_vector();
CREATE INDEX IF NOT EXISTS library_document_search_idx ON library_librarydocument USING gin (search_vector);
"""

REVERSE = """
DROP INDEX IF EXISTS library_document_search_idx;
DROP TRIGGER IF EXISTS library_document_search_vector_trigger ON library_librarydocument;
DROP FUNCTION IF EXISTS library_document_search_vector();
"""


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [postgres_only(FORWARD, REVERSE)]
