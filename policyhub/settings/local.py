"""`make run`: SQLite, debug, background jobs executed eagerly in the web process."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
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
