"""`make test`: the real PostgreSQL and Redis (override with DATABASE_URL / REDIS_URL)."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, env, env_bool, prepared_on_the_server

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/policyhub"), conn_max_age=0
    )
}
prepared_on_the_server(DATABASES["default"])
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Fault tests run a real Celery worker process with a file-based backend; the suite itself uses locmem.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "test-artifacts" / "mail"))
# Each run's stored files under the work tree's own test-artifacts (tests that tamper with files use a tmp dir).
MEDIA_ROOT = env("POLICYHUB_MEDIA_ROOT", str(BASE_DIR / "test-artifacts" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Eager in the test process; the fault tests start real workers with CELERY_TASK_ALWAYS_EAGER=false.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
AXES_FAILURE_LIMIT = 5
# Anchoring off: each test database is thrown away, so a shared anchor file would name chains that no longer
# exist. The audit tests give themselves a file of their own.
POLICYHUB_AUDIT_ANCHOR_PATH = env("POLICYHUB_AUDIT_ANCHOR_PATH", "")
# Every test client comes from 127.0.0.1: the limits are tested with their own rate and address
# (tests/publication/test_rate_limits.py), and stay out of the way elsewhere.
POLICYHUB_PUBLIC_PAGE_RATE = env("POLICYHUB_PUBLIC_PAGE_RATE", "100000/m")
POLICYHUB_PUBLIC_FILE_RATE = env("POLICYHUB_PUBLIC_FILE_RATE", "100000/m")
# Each test process (pytest-xdist worker) counts its rate limits under a key prefix of its own, and a test that
# empties its counts deletes only its own keys (tests/rate_limits.py): the Redis database is shared, and a flush by
# one worker emptied another's counts in the middle of a test of the limits.
CACHES = {**CACHES, "rate_limits": {  # noqa: F405
    **CACHES["rate_limits"],  # noqa: F405
    "KEY_PREFIX": f"policyhub-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"}}
