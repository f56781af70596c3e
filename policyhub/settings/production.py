"""Production: PostgreSQL, Redis, gunicorn, Celery worker and beat. Every secret from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool

POLICYHUB_PRODUCTION = True
DEBUG = False

if not os.environ.get("DJANGO_SECRET_KEY"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
# The key signs sessions and password-reset links: an example value or a short one lets anyone forge them.
# 50 characters and 5 different ones are what Django's own deployment check (security.W009) asks for.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_EXAMPLES = {"change-me", "insecure-local-development-key-change-me"}
if os.environ["DJANGO_SECRET_KEY"] in SECRET_KEY_EXAMPLES or "change-me" in os.environ["DJANGO_SECRET_KEY"]:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the example value: generate one, e.g. "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
if len(os.environ["DJANGO_SECRET_KEY"]) < SECRET_KEY_MIN_LENGTH or len(set(os.environ["DJANGO_SECRET_KEY"])) < 5:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long and random, e.g. "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production (PostgreSQL).")
# The audit chain's key (core/audit.py) is the one secret the database must never hold; the anchor file is where
# the chain head is kept outside the database. Production refuses to start without either.
POLICYHUB_AUDIT_KEY = os.environ.get("POLICYHUB_AUDIT_KEY", "")
# Not the Django secret key either: that one is needed by every web process for sessions, and rotating it must
# not orphan the audit chain.
if (len(POLICYHUB_AUDIT_KEY) < 32 or "change-me" in POLICYHUB_AUDIT_KEY
        or os.environ["DJANGO_SECRET_KEY"] == POLICYHUB_AUDIT_KEY):
    raise ImproperlyConfigured(
        "POLICYHUB_AUDIT_KEY must be set in production to a random value of at least 32 characters, other than "
        "DJANGO_SECRET_KEY, e.g. "
        "python3 -c \"import secrets; print(secrets.token_urlsafe(48))\". Keep it out of the database and its backups."
    )
POLICYHUB_AUDIT_ANCHOR_PATH = os.environ.get("POLICYHUB_AUDIT_ANCHOR_PATH", "")
if not POLICYHUB_AUDIT_ANCHOR_PATH:
    raise ImproperlyConfigured("POLICYHUB_AUDIT_ANCHOR_PATH must be set in production: the append-only file, "
                               "outside the database, where the audit chain head is anchored.")

# DJANGO_SECURE_COOKIES=true (the default) says the site is served over HTTPS: then Django also redirects plain
# HTTP (the healthcheck sends X-Forwarded-Proto like the proxy) and sends HSTS, so that `manage.py check --deploy`
# is clean. `make run-prod` sets it false for plain HTTP on 127.0.0.1, which turns both off.
HTTPS_ONLY = env_bool("DJANGO_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", HTTPS_ONLY)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000" if HTTPS_ONLY else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Preloading HSTS is decided for the force's whole registrable domain (the list takes no subdomains), not by
# one application on a subdomain: the check that asks for it does not apply here.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
