"""`make run`: SQLite, background jobs executed eagerly in the web process, debug off unless DJANGO_DEBUG=true."""

from .base import *  # noqa: F403
from .base import env_bool

# Off by default: the demo shows the service's own pages for a page not found or an error, as people will see them,
# not Django's technical page listing every URL (two Chromium walks met it on a stale form's 404). DJANGO_DEBUG=true
# for a developer's tracebacks.
DEBUG = env_bool("DJANGO_DEBUG", False)
# WhiteNoise serves the static files from their sources, as the dev server does only in debug mode; and picks up a
# rebuilt stylesheet without a restart while debugging.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Eager execution: no broker needed for the zero-set-up demo; the same task code runs in-process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
POLICYHUB_RELAY_ON_COMMIT = True
# `make run` needs no Redis: the password-reset rate limits count in the one process (base.py uses Redis,
# shared by every web process).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-limits"},
    "indicators": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "indicators"},
}

# SQLite under the dev server's threads: a write waits up to 20 s for the lock instead of failing at once with
# "database is locked" (a 500 under 10 concurrent posts). IMMEDIATE takes the write lock when a transaction
# starts, so two transactions never both read and then deadlock upgrading to write (SQLite would refuse one
# without waiting, busy timeout or not); WAL lets pages be read while another request writes.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update({  # noqa: F405
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
    # A covering index (Policy.Meta: policy_on_scheme_idx, its INCLUDE columns for the Publication Scheme's count on
    # PostgreSQL) is made on SQLite without them, as Django warns on every start: nothing is lost but the speed of
    # make bench's 100,000 policies, which runs on PostgreSQL.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
