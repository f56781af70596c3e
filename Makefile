# PolicyHub developer commands. `make` on its own lists them.
#
# Everything runs from the project's own virtualenv (.venv) and front-end build (frontend/ -> static/).
# Installs are stamped, so a second `make run` or `make test` skips straight to the work.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
# The stamp's name carries a hash of pyproject.toml, so changing a pinned dependency reinstalls.
PYPROJECT_HASH := $(shell (sha256sum pyproject.toml 2>/dev/null || shasum -a 256 pyproject.toml) | cut -c1-16)
INSTALL_STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)

NODE_MODULES_STAMP := frontend/node_modules/.npm-ci-stamp
STATIC_STAMP := static/.built
FRONTEND_SOURCES := frontend/build.sh $(wildcard frontend/scss/*.scss frontend/js/*.js)

# `make test` and `make bench` use the local PostgreSQL and Redis; `make run-prod` uses its own database.
# A DATABASE_URL given on the command line or in the environment wins for all of them.
ifeq ($(origin DATABASE_URL),undefined)
TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/policyhub
PROD_DATABASE_URL := postgres://postgres@127.0.0.1:5432/policyhub_prod
else
TEST_DATABASE_URL := $(DATABASE_URL)
PROD_DATABASE_URL := $(DATABASE_URL)
endif
REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
# Two workers (this kind of machine has 2 cores); a test file stays on one worker, so module-scoped data
# (the permission matrix's world) is built once. The files go in the order tests/conftest.py gives them (the longest
# first), not reordered by xdist.
PYTEST_PARALLEL ?= -n 2 --dist loadfile --no-loadscope-reorder
BENCH_ARGS ?=
DJANGO_SECRET_KEY ?= run-prod-local-only-not-a-real-secret-0123456789abcdefghijklmnop

LOCAL_ENV := DJANGO_SETTINGS_MODULE=policyhub.settings.local
TEST_ENV := DJANGO_SETTINGS_MODULE=policyhub.settings.test DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(REDIS_URL)'
PROD_ENV := DJANGO_SETTINGS_MODULE=policyhub.settings.production \
	DATABASE_URL='$(PROD_DATABASE_URL)' \
	REDIS_URL='$(REDIS_URL)' \
	DJANGO_SECRET_KEY='$(DJANGO_SECRET_KEY)' \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECURE_COOKIES=false \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv install frontend chromium run test lint bench run-prod clean distclean

help: ## List the targets
	@echo "PolicyHub: make <target>"
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

venv: install ## Create .venv and install the Python dependencies (alias of install)

install: $(INSTALL_STAMP) ## Create .venv if missing and install pyproject's dependencies with the test extra

$(VPY):
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install -q --upgrade pip
	@# pyproject declares no packages, so this installs the pinned dependencies only.
	$(VPY) -m pip install -q ".[test]"
	@rm -rf $(VENV)/.installed-* build *.egg-info
	@touch $@

frontend: $(STATIC_STAMP) ## Install the npm packages (when the lock changed) and build static/

$(NODE_MODULES_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

$(STATIC_STAMP): $(NODE_MODULES_STAMP) $(FRONTEND_SOURCES)
	bash frontend/build.sh
	@touch $@

chromium: ## Install Debian's Chromium for the browser tests, if it is missing
	@if [ -x /usr/bin/chromium ]; then \
		:; \
	elif [ "$$(id -u)" -ne 0 ]; then \
		echo "chromium: /usr/bin/chromium is missing and we are not root; skipping install (browser tests need it: apt-get install chromium)."; \
	else \
		echo "chromium: installing Debian's chromium package"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

run: install frontend ## Run the demo on http://127.0.0.1:8000 (SQLite, demo data, tasks run in-process)
	$(LOCAL_ENV) $(VPY) manage.py migrate --noinput
	$(LOCAL_ENV) $(VPY) manage.py seed_demo
	$(LOCAL_ENV) $(VPY) manage.py runserver 127.0.0.1:8000

test: install frontend chromium ## Lint, then run the test suite against PostgreSQL and Redis (PYTEST_ARGS=...)
	$(VENV)/bin/ruff check .
	$(TEST_ENV) $(VPY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: install ## ruff check
	$(VENV)/bin/ruff check .

bench: install frontend ## Run the benchmarks (python -m benchmarks; BENCH_ARGS=...)
	@if [ ! -f benchmarks/__main__.py ]; then \
		echo "bench: there is no benchmarks/ package yet (benchmarks/__main__.py); nothing to run." >&2; \
		exit 1; \
	fi
	DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(REDIS_URL)' $(VPY) -m benchmarks $(BENCH_ARGS)

# run-prod connects the app as its own role (policyhub_app: owns no table, cannot disable the append-only
# triggers or truncate); migrations and db_roles run as the owner (PROD_DATABASE_URL). Local-only secrets.
run-prod: PROD_APP_DB_PASSWORD ?= run-prod-local-only-app-password
run-prod: POLICYHUB_AUDIT_KEY ?= run-prod-local-only-audit-key-not-a-real-secret-0123456789
run-prod: PROD_APP_DATABASE_URL = postgres://policyhub_app:$(PROD_APP_DB_PASSWORD)@127.0.0.1:5432/$(notdir $(PROD_DATABASE_URL))
run-prod: PROD_AUDIT_ENV = POLICYHUB_AUDIT_KEY='$(POLICYHUB_AUDIT_KEY)' \
	POLICYHUB_AUDIT_ANCHOR_PATH='$(CURDIR)/var/run-prod-audit-anchor.jsonl'
run-prod: install frontend ## Run the deployment shape locally: gunicorn + Celery worker + beat (needs PostgreSQL and Redis)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "run-prod: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
	@$(VENV)/bin/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).ping()" "$(REDIS_URL)" \
		|| { echo "run-prod: Redis is not answering at $(REDIS_URL)" >&2; exit 1; }
	@# Create the database on first use; "already exists" is the normal case afterwards.
	createdb -h 127.0.0.1 -U postgres $(notdir $(PROD_DATABASE_URL)) 2>/dev/null || true
	@# As the owner: the schema, then the app's role and its grants (again after every migrate).
	$(PROD_ENV) $(PROD_AUDIT_ENV) MIGRATION_DATABASE_URL='$(PROD_DATABASE_URL)' \
		$(VPY) manage.py migrate --database owner --noinput
	$(PROD_ENV) $(PROD_AUDIT_ENV) MIGRATION_DATABASE_URL='$(PROD_DATABASE_URL)' \
		POLICYHUB_APP_DB_PASSWORD='$(PROD_APP_DB_PASSWORD)' \
		$(VPY) manage.py db_roles --database owner --app-role policyhub_app
	$(PROD_ENV) $(PROD_AUDIT_ENV) $(VPY) manage.py collectstatic --noinput
	@# Worker and beat run in the background; the trap stops them when gunicorn exits or on Ctrl-C.
	@echo "run-prod: Celery worker and beat in the background, gunicorn on http://127.0.0.1:8000 (Ctrl-C stops all)"
	@set -euo pipefail; \
	export $(PROD_ENV) $(PROD_AUDIT_ENV); \
	export DATABASE_URL='$(PROD_APP_DATABASE_URL)'; \
	pids=(); \
	trap 'kill "$${pids[@]}" 2>/dev/null || true; wait' EXIT; \
	trap 'exit 130' INT TERM; \
	$(VENV)/bin/celery -A policyhub worker --loglevel=INFO & pids+=($$!); \
	$(VENV)/bin/celery -A policyhub beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule & pids+=($$!); \
	$(VENV)/bin/gunicorn policyhub.wsgi:application -b 127.0.0.1:8000 -w 3

clean: ## Remove build outputs and caches (static/, staticfiles/, node_modules, caches)
	rm -rf static staticfiles frontend/node_modules test-artifacts .pytest_cache .ruff_cache build *.egg-info celerybeat-schedule*
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean ## clean, and also remove .venv and the local SQLite database
	rm -rf $(VENV) db.sqlite3
