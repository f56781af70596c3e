"""Settings shared by every environment. Everything that differs between machines comes from
environment variables (see .env.example)."""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# True only in settings.production: seed_demo refuses to run there unless forced.
POLICYHUB_PRODUCTION = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_prose_editor",
    "django_fsm",
    "guardian",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "core",
    "lifecycle",
    "assessments",
    "publication",
    "demo",
    "notifications",
    "acknowledgements",
    "library",
    "workspace",
    "oversight",
    "guidance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Scheme's stored PDF to an anonymous client, answered like a static file, with the view's checks and the
    # stack's headers; anything else goes on (publication.middleware).
    "publication.middleware.scheme_file_download",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # django-csp's, the settings' policy built once per process (core.middleware.CSPMiddleware).
    "core.middleware.CSPMiddleware",
    # A form's address (require_POST) opened as a page: a page saying so, not an empty 405 (core.middleware).
    "core.middleware.form_address_opened_as_a_page",
    # "Error: " at the start of the title of every page showing an error summary (core.middleware).
    "core.middleware.error_in_title",
    "core.middleware.security_headers",
    "core.middleware.htmx_sign_in_redirect",
    "core.middleware.session_lifetime",
    # A policy reference typed in lower case in an address: 301 to the one in capitals (core.middleware); last, so
    # the redirect carries the headers every response does.
    "core.middleware.reference_case",
]

ROOT_URLCONF = "policyhub.urls"
WSGI_APPLICATION = "policyhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.service",
                "core.context_processors.session_timeout",
                "notifications.context_processors.unread",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}


def prepared_on_the_server(database: dict) -> dict:
    """On PostgreSQL, statements are bound on the server and those a connection sends again are prepared (psycopg's
    ``prepare_threshold``: from the fifth time), so PostgreSQL plans each once per connection, not once a request.
    Django's default binds on the client and prepares nothing: every page paid to plan each of its statements again
    (make bench, issue 16: the signed-in person's statement alone 1.03 ms a request, 0.08 ms prepared; the overview
    8.5 -> 5.4-6.0 ms, the Django floor 2.3 -> 1.0-1.2 ms, with the same SQL). Connections are kept for a minute
    (``conn_max_age``), and each keeps its own. Off (POLICYHUB_DB_PREPARED_STATEMENTS=false) behind a pooler that
    shares connections between transactions (PgBouncer's transaction mode before 1.21): prepared statements belong
    to one connection."""
    if database.get("ENGINE", "").endswith("postgresql") and env_bool("POLICYHUB_DB_PREPARED_STATEMENTS", True):
        database.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
    return database


prepared_on_the_server(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, loading the signed-in person's roles and unread count with them (one query, not three).
    "workspace.backends.PersonBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # A stated limit, said in the new password's hint (core.accounts).
    {"NAME": "core.accounts.MaximumLengthValidator"},
]
LOGIN_URL = "login"
# A reset link works once, and for this long.
PASSWORD_RESET_TIMEOUT = 2 * 3600
# Password reset requests: (at most, per seconds) per client address, then per e-mail address typed.
POLICYHUB_PASSWORD_RESET_LIMITS = (
    (int(env("POLICYHUB_RESET_PER_ADDRESS_PER_HOUR", "10")), 3600),
    (int(env("POLICYHUB_RESET_PER_EMAIL_PER_HOUR", "3")), 3600),
)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous user row; anonymous visitors only ever see published, public material.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: three counters, each with its own limit (core/lockout.py says why and what it trades off).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
POLICYHUB_LOCKOUT_COUNTERS = [
    (["username", "ip_address"], AXES_FAILURE_LIMIT),
    (["ip_address"], int(env("AXES_ADDRESS_FAILURE_LIMIT", "30"))),
    (["username"], int(env("AXES_USERNAME_FAILURE_LIMIT", "30"))),
]
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _limit in POLICYHUB_LOCKOUT_COUNTERS]
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
# Failures while locked out neither extend the lock nor count: one address cannot run up an account's count.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
# The client address behind the reverse proxy: how many proxies in front of the app append to
# X-Forwarded-For (0: use the connection's address and ignore the header, which a client can forge).
POLICYHUB_TRUSTED_PROXY_COUNT = int(env("POLICYHUB_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"

LANGUAGE_CODE = "en-gb"
# Dates as people read them, "2 March 2026" (core.dates), wherever one is printed without a format.
FORMAT_MODULE_PATH = ["policyhub.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files (issue 14: each publication's PDFs, rendered once and checked against their SHA-256 at every
# download). Never served directly from MEDIA_URL: publication.views serves them after the check.
MEDIA_ROOT = env("POLICYHUB_MEDIA_ROOT", str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Django's database sessions, the row read with a statement compiled once (core.sessions).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request, and in any case this long after signing in
# (core.middleware.session_lifetime). The session row lasts a little longer, so that the person can be told why.
POLICYHUB_SESSION_IDLE_TIMEOUT = timedelta(minutes=int(env("POLICYHUB_SESSION_IDLE_MINUTES", "30")))
POLICYHUB_SESSION_MAX_AGE = timedelta(hours=int(env("POLICYHUB_SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = int((POLICYHUB_SESSION_MAX_AGE + POLICYHUB_SESSION_IDLE_TIMEOUT).total_seconds())
# WCAG 2.2.1 (Timing Adjustable), as GOV.UK services do it: a signed-in page warns this long before either limit, and
# offers to stay signed in (the idle one only); typing in a form keeps the session alive, with at most one request
# this often (templates/base.html, frontend/js/application.js, core.views.session_keep_alive).
POLICYHUB_SESSION_TIMEOUT_WARNING = timedelta(minutes=2)
POLICYHUB_SESSION_KEEP_ALIVE_EVERY = timedelta(minutes=5)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
# A form refused for its CSRF check says nothing was saved and leads back to its page after sign-in (core.views).
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only our own files, and inline script or style only with the
# per-response nonce ({{ CSP_NONCE }} in templates; form media through the with_csp_nonce filter).
# The rich-text editor (Tiptap, in django-prose-editor) injects its fixed base stylesheet as an inline <style>
# that no nonce can reach: allowed by the hash of exactly that text. tests/core/test_headers.py recomputes it
# from the installed editor.js, so an upgrade that changes it fails there.
TIPTAP_BASE_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, TIPTAP_BASE_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features the service never uses (core.middleware.security_headers).
POLICYHUB_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), fullscreen=(self), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PolicyHub <policyhub@example.police.uk>")

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# "rate_limits" is shared by every web process (password reset limits), so it lives in Redis.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                    "KEY_PREFIX": "policyhub"},
    # The Corporate Health Indicators worked out for a period (oversight.indicators_cache), kept under the audit
    # chain's head: in Redis, so that every web process (and the exports and board report after the page) reads them.
    "indicators": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                   "KEY_PREFIX": "policyhub"},
}
# The public pages and files (publication.ratelimit), counted per client address in Redis, in the cache named here.
RATELIMIT_USE_CACHE = "rate_limits"
POLICYHUB_PUBLIC_PAGE_RATE = env("POLICYHUB_PUBLIC_PAGE_RATE", "120/m")
POLICYHUB_PUBLIC_FILE_RATE = env("POLICYHUB_PUBLIC_FILE_RATE", "30/m")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# No loss: acknowledge after the task ran, requeue if the worker dies, one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died is redelivered after this many seconds (longer than the longest task).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    # Spreadsheets prepared in the background (core.exports) are kept for a day.
    "delete-old-spreadsheets": {
        "task": "core.tasks.delete_old_spreadsheets",
        "schedule": crontab(minute=7),
    },
    # PDFs of drafts prepared by the worker (publication.services.draft_pdfs) are kept for a day.
    "delete-old-draft-pdfs": {
        "task": "publication.tasks.delete_old_draft_pdfs",
        "schedule": crontab(minute=37),
    },
    "publish-scheduled-publications": {
        "task": "publication.tasks.publish_due_publications",
        "schedule": crontab(minute="*/15"),
    },
    # A publication's files are rendered by a task queued after it commits; this renders any whose task was lost.
    "store-publication-files": {
        "task": "publication.tasks.store_missing_publication_files",
        "schedule": crontab(minute="*/5"),
    },
    "relay-outbox": {
        "task": "notifications.tasks.relay_outbox",
        "schedule": timedelta(seconds=int(env("POLICYHUB_OUTBOX_RELAY_SECONDS", "10"))),
    },
    # Hourly through the working day: the ledger makes repeats harmless, and a run lost with the broker is
    # made up within the hour.
    "chase": {
        "task": "notifications.tasks.chase_daily",
        "schedule": crontab(hour="6-18", minute=30),
    },
    # Digests whose send task was lost (broker restarted, worker killed) are sent again.
    "send-pending-digests": {
        "task": "notifications.tasks.send_pending_digests",
        "schedule": crontab(minute="*/10"),
    },
}
# After the commit of a web request, relay the outbox in-process (only sensible with eager Celery).
POLICYHUB_RELAY_ON_COMMIT = False

# Chasing (issue: "Chasing on time"). Days are calendar days unless named working days (Monday to Friday, less the
# bank holidays of England and Wales: core.working_days). Work waiting on a stage (QA, the Lead, publication...) is
# chased from its stage's deadline, declared with the SOP's words in lifecycle.deadlines.STAGE_DEADLINES.
POLICYHUB_CHASE = {
    # SOP: "allow at least 6 months for a basic review": start-now, then 3 and 1 months before.
    "review_months_before": [6, 3, 1],
    "monitoring_months_before": [1],
    "overdue_every_days": 7,
    # Days overdue before the chase also goes to the co-ordinator, then the Lead, then the Management Board owner.
    "escalate_after_days": {"coordinator": int(env("CHASE_ESCALATE_COORDINATOR_DAYS", "14")),
                            "lead": int(env("CHASE_ESCALATE_LEAD_DAYS", "42")),
                            "owner": int(env("CHASE_ESCALATE_OWNER_DAYS", "90"))},
    "emergency_eia_every_days": 7,
}
POLICYHUB_BASE_URL = env("POLICYHUB_BASE_URL", "http://127.0.0.1:8000")

# SOP, "Monitoring and review": review at least every 3 years, monitoring report annually.
POLICYHUB_REVIEW_INTERVAL_MONTHS = 36
POLICYHUB_MONITORING_INTERVAL_MONTHS = 12
# Emergency route: "the impact assessment must be completed as soon as reasonably practicable".
POLICYHUB_EMERGENCY_EIA_DAYS = int(env("POLICYHUB_EMERGENCY_EIA_DAYS", "28"))
POLICYHUB_SERVICE_NAME = "PolicyHub"
# The force the service belongs to, named with its logo on every page (issue 17: the public pages must say whose
# they are). POLICYHUB_FORCE_LOGO_URL: an image's address (absolute, or under STATIC_URL); empty for none.
POLICYHUB_FORCE_NAME = env("POLICYHUB_FORCE_NAME", "Metropolitan Police Service")
POLICYHUB_FORCE_LOGO_URL = env("POLICYHUB_FORCE_LOGO_URL", "")
# The Policy Co-ordination Unit's contact, in every page's footer and on the error pages.
POLICYHUB_PCU_EMAIL = env("POLICYHUB_PCU_EMAIL", "policy.coordination@example.police.uk")
POLICYHUB_PCU_PHONE = env("POLICYHUB_PCU_PHONE", "")
# Where the public asks for what is not published (Freedom of Information Act 2000).
POLICYHUB_FOI_EMAIL = env("POLICYHUB_FOI_EMAIL", "foi@example.police.uk")
POLICYHUB_FOI_ADDRESS = env("POLICYHUB_FOI_ADDRESS", "")
POLICYHUB_FOI_URL = env("POLICYHUB_FOI_URL", "")

# --- The audit trail (core/audit.py; issue 11, finding 3) ------------------------------------------------------
# The key of the audit chain's HMAC. It is a secret of the app, never stored in the database: whoever holds only
# the database cannot recompute the chain. Production requires one (settings.production); elsewhere a fixed
# development key is derived so `make run` and the tests need no set-up. Rotate by moving the old key to
# POLICYHUB_AUDIT_PREVIOUS_KEYS (comma-separated): events keep naming the key that signed them.
POLICYHUB_AUDIT_KEY = env("POLICYHUB_AUDIT_KEY") or hashlib.sha256(b"policyhub-development-audit-key").hexdigest()
POLICYHUB_AUDIT_PREVIOUS_KEYS = env_list("POLICYHUB_AUDIT_PREVIOUS_KEYS")
# The chain head is appended here (JSON lines, fsync'd) periodically and after each publication. Put it on
# storage the database administrator cannot write: another host's mount, a WORM bucket's sync directory, or at
# least a file with `chattr +a`. Empty: anchoring off, the default outside production (which requires it), since a
# local database is thrown away and recreated while a file would keep naming its old chain.
POLICYHUB_AUDIT_ANCHOR_PATH = env("POLICYHUB_AUDIT_ANCHOR_PATH", "")
# Audit actions after whose commit the head is anchored at once.
POLICYHUB_AUDIT_ANCHOR_ACTIONS = ["policy.published"]
CELERY_BEAT_SCHEDULE["anchor-audit-chain"] = {
    "task": "core.tasks.anchor_audit_chain",
    "schedule": timedelta(minutes=int(env("POLICYHUB_AUDIT_ANCHOR_MINUTES", "15"))),
}
# Two database roles (PostgreSQL): DATABASE_URL is the app's role, which owns no table and so can neither switch
# the append-only triggers off nor TRUNCATE; MIGRATION_DATABASE_URL, when set, is the owner's, used only by
# `manage.py migrate --database owner` and `manage.py db_roles --database owner` (see docker-compose.yml).
if env("MIGRATION_DATABASE_URL"):
    DATABASES["owner"] = dj_database_url.parse(env("MIGRATION_DATABASE_URL"), conn_max_age=0)
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each rendering step ("Step 5 - Creating layout - Page 3") at INFO: hundreds of lines
    # per publication that bury the messages people need (seed_demo's demo logins among them).
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
