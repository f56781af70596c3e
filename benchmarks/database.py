"""The benchmark's own database: derived from DATABASE_URL, created on first use, dropped on --rebuild.

Only databases whose name ends in ``_bench`` are ever created or dropped, so a mistyped URL can never
destroy the application's or the test suite's database.
"""

from __future__ import annotations

import logging
import os
import warnings
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/policyhub"
SUFFIX = "_bench"
# Production (settings.base) keeps connections for 60 s; settings.test closes them after every request,
# which would make each HTTP measurement pay for a new PostgreSQL connection instead of the page.
PRODUCTION_CONN_MAX_AGE = 60


class BenchDatabaseError(RuntimeError):
    pass


def bench_database_url(source_url: str | None = None) -> str:
    """BENCH_DATABASE_URL if given, else DATABASE_URL with ``_bench`` appended to the database name."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        url = explicit
    else:
        parts = urlsplit(source_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise BenchDatabaseError(f"The benchmarks need PostgreSQL; DATABASE_URL has scheme {parts.scheme!r}.")
        name = parts.path.lstrip("/") or "policyhub"
        if not name.endswith(SUFFIX):
            name += SUFFIX
        url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    if not database_name(url).endswith(SUFFIX):
        raise BenchDatabaseError(f"Refusing to use {database_name(url)!r}: the bench database name must end in "
                                 f"{SUFFIX!r}.")
    return url


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _maintenance_conninfo(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in {"postgres", "pgsql"} else parts.scheme
    return urlunsplit((scheme, parts.netloc, "/postgres", parts.query, ""))


def create_database(url: str, *, drop_first: bool = False) -> bool:
    """Create the bench database if missing (or after dropping it). Returns True if it was created."""
    name = database_name(url)
    if not name.endswith(SUFFIX):
        raise BenchDatabaseError(f"Refusing to create or drop {name!r}.")
    with psycopg.connect(_maintenance_conninfo(url), autocommit=True) as connection:
        if drop_first:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def configure_django(url: str, *, server_settings: dict[str, str] | None = None) -> None:
    """Point settings.test at the bench database and start Django. Call before importing any model.

    ``server_settings`` (from --pg-set) are passed to PostgreSQL as connection options, to compare e.g.
    jit=off with the server's default in the same harness."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "policyhub.settings.test"
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    database["CONN_MAX_AGE"] = PRODUCTION_CONN_MAX_AGE
    if server_settings:
        options = " ".join(f"-c {name}={value}" for name, value in server_settings.items())
        database.setdefault("OPTIONS", {})["options"] = options
    # The test client's host; settings.test does not list it because pytest-django adds it itself.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # force_login would log four axes lines per client; whitenoise warns that collectstatic was not run.
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def server_facts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW jit_above_cost")
        jit_above_cost = cursor.fetchone()[0]
    return {"server_version": version, "shared_buffers": shared_buffers, "work_mem": work_mem, "jit": jit,
            "jit_above_cost": jit_above_cost}


def settle(log=print) -> None:
    """Write out what earlier scenarios left dirty (CHECKPOINT) before the next one is timed. A rolled-back chase of
    2.1 million reminders and its VACUUM leave a checkpoint's worth of pages behind it, and the scenario after it
    was timed while PostgreSQL wrote them: one person_handover of 2,000 policies took 10.8 s beside a p50 of 1.5 s.
    CHECKPOINT needs a superuser or pg_checkpoint: without either, the run goes on and says so."""
    from django.db import ProgrammingError, connection, transaction

    try:
        # In a savepoint of its own: a refusal leaves a transaction around it usable.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except ProgrammingError as refused:
        if not isinstance(refused.__cause__, psycopg.errors.InsufficientPrivilege):
            raise
        log("  (no CHECKPOINT between scenarios: the bench's role may not; timings may include earlier writes)")

