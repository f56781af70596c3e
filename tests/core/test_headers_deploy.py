"""The production settings (issue 11, finding 9): they refuse the example or a short secret key, and
`manage.py check --deploy` is clean with the environment that .env.example documents."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = "from django.conf import settings; print('SECRET_KEY accepted', len(settings.SECRET_KEY))"


def documented_environment() -> dict[str, str]:
    """.env.example as docker-compose reads it (KEY=value, literal), with the secrets it says to generate."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key] = value.replace("$$", "$")
    values.update(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), POLICYHUB_AUDIT_KEY=secrets.token_urlsafe(48))
    return values


def run_production(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **documented_environment()}
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "policyhub.settings.production"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def start_with_key(key: str) -> subprocess.CompletedProcess:
    return run_production("-c", f"import django; django.setup(); {SHOW}", DJANGO_SECRET_KEY=key)


# Fixed values: pytest-xdist needs every worker to collect the same test ids.
@pytest.mark.parametrize("key", [
    "change-me",  # .env.example's value
    "insecure-local-development-key-change-me",  # the development default in settings.base
    "Zq3vT9pLw2XkR7mN4bYc8sJf1Hd6GtEaUo5V",  # random-looking but short (36 characters)
    "a" * 60,  # long but not random
], ids=["example", "development", "short", "not-random"])
def test_production_refuses_the_example_or_a_weak_secret_key(key):
    result = start_with_key(key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_generated_key():
    result = start_with_key(secrets.token_urlsafe(50))

    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY accepted" in result.stdout


def test_make_run_prods_default_key_is_accepted():
    default = re.search(r"^DJANGO_SECRET_KEY \?= (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)

    assert start_with_key(default).returncode == 0


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "ERROR",
                            POLICYHUB_AUDIT_ANCHOR_PATH=str(tmp_path / "anchor.jsonl"))

    assert result.returncode == 0, result.stderr
    issues = re.findall(r"\((\w+\.[EW]\d+)\)", result.stdout + result.stderr)
    if not (ROOT / "static").is_dir():  # `make frontend` builds it; not a matter of the deployment settings
        issues = [issue for issue in issues if issue != "staticfiles.W004"]
    assert issues == [], result.stdout + result.stderr
