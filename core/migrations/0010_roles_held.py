"""core.RolesHeld: each person's roles as one text, kept by triggers on core_roleassignment (whatever writes it), and
filled from the assignments already there.

PostgreSQL: statement-level triggers (a bulk insert or the bench's COPY refreshes each person once), calling one
function that recomputes the text of the people changed from their assignments. Two transactions changing one
person's roles at once are taken one after the other: the function locks the person's row before it reads their
assignments, in a statement of its own, so it sees what the other committed (READ COMMITTED) and neither writes a
text missing the other's role. The function runs as the tables' owner (SECURITY DEFINER): the app's role may only
read the table (``manage.py db_roles``), so nothing but this function can write it.

SQLite (``make run``): row triggers doing the same for the person of each row (one writer at a time: no lock)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db import per_database

# "role:business group id", sorted by code point (COLLATE "C": Python's sorted()), joined by commas.
POSTGRESQL = [
    """
CREATE OR REPLACE FUNCTION core_roles_held_refresh(people bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- Each person's row, created if need be, locked in id order (two changes of several people cannot deadlock).
    INSERT INTO core_rolesheld (user_id, key)
        SELECT DISTINCT person, '' FROM unnest(people) AS person ORDER BY person
        ON CONFLICT (user_id) DO NOTHING;
    PERFORM 1 FROM core_rolesheld WHERE user_id = ANY(people) ORDER BY user_id FOR UPDATE;
    -- Read after the lock, in a statement of its own: what another change of the same people committed is seen.
    UPDATE core_rolesheld AS held SET key = COALESCE((
            SELECT string_agg(items.item, ',' ORDER BY items.item COLLATE "C") FROM (
                SELECT assignment.role || ':' || COALESCE(assignment.business_group_id::text, '') AS item
                FROM core_roleassignment AS assignment WHERE assignment.user_id = held.user_id) AS items), '')
        WHERE held.user_id = ANY(people);
    DELETE FROM core_rolesheld WHERE user_id = ANY(people) AND key = '';
END
$$
""",
    """
CREATE OR REPLACE FUNCTION core_roles_held_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    people bigint[] := '{}';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        people := ARRAY(SELECT user_id FROM core_rolesheld);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        people := people || ARRAY(SELECT user_id FROM changed_to);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        people := people || ARRAY(SELECT user_id FROM changed_from);
    END IF;
    PERFORM core_roles_held_refresh(people);
    RETURN NULL;
END
$$
""",
    "CREATE TRIGGER core_roles_held_insert AFTER INSERT ON core_roleassignment REFERENCING NEW TABLE AS changed_to "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_roles_held_follow()",
    "CREATE TRIGGER core_roles_held_update AFTER UPDATE ON core_roleassignment REFERENCING OLD TABLE AS changed_from "
    "NEW TABLE AS changed_to FOR EACH STATEMENT EXECUTE FUNCTION core_roles_held_follow()",
    "CREATE TRIGGER core_roles_held_delete AFTER DELETE ON core_roleassignment REFERENCING OLD TABLE AS changed_from "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_roles_held_follow()",
    "CREATE TRIGGER core_roles_held_truncate AFTER TRUNCATE ON core_roleassignment "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_roles_held_follow()",
    "SELECT core_roles_held_refresh(ARRAY(SELECT DISTINCT user_id FROM core_roleassignment))",
    "ANALYZE core_rolesheld",
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS core_roles_held_{event} ON core_roleassignment"
      for event in ("insert", "update", "delete", "truncate")),
    "DROP FUNCTION IF EXISTS core_roles_held_follow()",
    "DROP FUNCTION IF EXISTS core_roles_held_refresh(bigint[])",
]


def _sqlite_refresh(person: str) -> str:
    return (f"DELETE FROM core_rolesheld WHERE user_id = {person}; "
            f"INSERT INTO core_rolesheld (user_id, key) SELECT person, held FROM ("
            f"SELECT {person} AS person, group_concat(item, ',') AS held FROM ("
            f"SELECT role || ':' || COALESCE(business_group_id, '') AS item FROM core_roleassignment "
            f"WHERE user_id = {person} ORDER BY item)) WHERE held IS NOT NULL;")


SQLITE = [
    f"CREATE TRIGGER core_roles_held_insert AFTER INSERT ON core_roleassignment BEGIN "
    f"{_sqlite_refresh('NEW.user_id')} END",
    f"CREATE TRIGGER core_roles_held_update AFTER UPDATE ON core_roleassignment BEGIN "
    f"{_sqlite_refresh('OLD.user_id')} {_sqlite_refresh('NEW.user_id')} END",
    f"CREATE TRIGGER core_roles_held_delete AFTER DELETE ON core_roleassignment BEGIN "
    f"{_sqlite_refresh('OLD.user_id')} END",
    "INSERT INTO core_rolesheld (user_id, key) SELECT user_id, group_concat(item, ',') FROM ("
    "SELECT user_id, role || ':' || COALESCE(business_group_id, '') AS item FROM core_roleassignment "
    "ORDER BY user_id, item) GROUP BY user_id",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS core_roles_held_{event}" for event in ("insert", "update", "delete")]


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_user_leaver_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='RolesHeld',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='roles_held', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('key', models.TextField()),
            ],
            options={
                'verbose_name_plural': 'roles held',
            },
        ),
        per_database(postgresql=(POSTGRESQL, POSTGRESQL_REVERSE), sqlite=(SQLITE, SQLITE_REVERSE)),
    ]
