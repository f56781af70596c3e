# syntax=docker/dockerfile:1
# PolicyHub production image: gunicorn serves the app (static files through WhiteNoise); the same
# image runs the Celery worker and beat (see docker-compose.yml).

# --- Front-end: GOV.UK Frontend styles and scripts, htmx -> /build/static -------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY frontend/ ./
RUN STATIC_DIR=/build/static bash build.sh

# --- Application ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=policyhub.settings.production

# WeasyPrint (policy PDFs) needs Pango and HarfBuzz; DejaVu gives it a font to fall back on.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libffi8 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so code changes reuse this layer. pyproject declares no packages: this
# installs the pinned dependencies only.
COPY pyproject.toml ./
RUN pip install . && python -c "import weasyprint"

COPY . .
COPY --from=frontend /build/static ./static

# collectstatic needs settings to load, not a database or a real secret.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    POLICYHUB_AUDIT_KEY=collectstatic-only-not-the-audit-key-0123456789 \
    POLICYHUB_AUDIT_ANCHOR_PATH=/tmp/collectstatic-anchor.jsonl \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home policyhub \
    && mkdir -p /app/media /var/lib/policyhub/audit-anchor \
    && chown policyhub:policyhub /app/media /var/lib/policyhub/audit-anchor \
    && chmod 0750 /var/lib/policyhub/audit-anchor
USER policyhub

EXPOSE 8000
CMD ["gunicorn", "policyhub.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
