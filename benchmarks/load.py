"""A load run: gunicorn with the production settings (as ``make run-prod`` starts it: policyhub.settings.production,
``gunicorn policyhub.wsgi:application -w 3``, plain HTTP on 127.0.0.1 with DJANGO_SECURE_COOKIES=false), on a
spare port of 127.0.0.1, over the bench database, and a bounded number of requests (default 2,000, 20 at a time)
across the pages of benchmarks.pages, signed in as the three probe users in turn.

Reports throughput, p50 and p99 of the response times, and the errors (any answer but 200, or a refused
connection): the target is none. Traffic goes to 127.0.0.1 only, and the run stops by itself: the requests are
counted and each has a timeout. Differences from ``make run-prod``: the bench database's owner connects (run-prod
connects as the policyhub_app role, created by ``manage.py db_roles`` for the whole PostgreSQL cluster, which a
benchmark does not do), no Celery worker or beat runs (no page waits on them), and the anchor file is temporary.
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.dataset import Probes
from benchmarks.scenarios import Row
from benchmarks.timing import percentile

WORKERS = 3  # make run-prod's
REQUEST_TIMEOUT_SECONDS = 60
STARTUP_TIMEOUT_SECONDS = 60
TARGET_NOTE = ("issue: gunicorn with the production settings on 127.0.0.1, a bounded run across the pages for the "
               "three probe users: throughput, p50, p99; errors = 0")


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sessions(probes: Probes, secret_key: str) -> dict[str, str]:
    """A signed-in session for each probe user, written as django.contrib.auth.login would, under the server's
    secret key (the session's auth hash is keyed with it)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    from benchmarks.pages import _user_ids
    from core.middleware import LAST_SEEN_AT, SIGNED_IN_AT
    from core.models import User

    cookies = {}
    with override_settings(SECRET_KEY=secret_key):
        for label, pk in _user_ids(probes).items():
            user = User.objects.get(pk=pk)
            session = SessionStore()
            now = time.time()
            session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "workspace.backends.PersonBackend",
                            HASH_SESSION_KEY: user.get_session_auth_hash(), SIGNED_IN_AT: now, LAST_SEEN_AT: now})
            session.create()
            cookies[label] = session.session_key
    return cookies


def _server(port: int, secret_key: str, anchor_path: str, log) -> subprocess.Popen:
    from django.conf import settings

    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER']}{':' + database['PASSWORD'] if database['PASSWORD'] else ''}@"
           f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "policyhub.settings.production", "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": secret_key, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false", "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "POLICYHUB_AUDIT_KEY": settings.POLICYHUB_AUDIT_KEY, "POLICYHUB_AUDIT_ANCHOR_PATH": anchor_path,
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "policyhub.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS),
               "--log-level", "warning"]
    log(f"Load: {' '.join(command[1:])} (policyhub.settings.production)")
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdout=subprocess.DEVNULL,  # noqa: S603
                            stderr=subprocess.PIPE, text=True)


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz/ in time")


def measure_load(probes: Probes, *, requests: int, concurrency: int, log=print) -> list[Row]:
    from benchmarks.pages import PAGES

    secret_key = secrets.token_urlsafe(50)
    cookies = _sessions(probes, secret_key)
    targets = [(case.url(probes), case.headers, user) for case in PAGES for user in case.users]
    port = _spare_port()
    with tempfile.TemporaryDirectory() as directory:
        process = _server(port, secret_key, os.path.join(directory, "anchors.jsonl"), log)
        try:
            _wait_until_up(port, process)
            # Each worker's first request of each page pays for its imports and template compilation.
            warmup_errors: dict[str, int] = {}
            for url, headers, user in targets:
                for _ in range(WORKERS):
                    try:
                        status = _request(port, url, headers, cookies[user])[1]
                        what = None if status == 200 else f"warm-up: HTTP {status} on {url}"
                    except (OSError, http.client.HTTPException) as error:
                        what = f"warm-up: {type(error).__name__} on {url}"
                    if what:
                        warmup_errors[what] = warmup_errors.get(what, 0) + 1
            samples, errors, elapsed = _run(port, targets, cookies, requests=requests, concurrency=concurrency)
            errors.update(warmup_errors)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    throughput = len(samples) / elapsed if elapsed else 0.0
    p50 = sorted(samples)[len(samples) // 2] if samples else float("nan")
    p99 = percentile(samples, 0.99) if samples else float("nan")
    error_text = "; ".join(f"{count} x {what}" for what, count in sorted(errors.items())) or "no errors"
    return [Row(f"load: gunicorn -w {WORKERS}, production settings, {requests:,} requests, {concurrency} at a time",
                "(all three)", p50, p99, None, None, None, "errors = 0 (p95 column: p99)", not errors,
                f"{throughput:.1f} requests/s over {elapsed:.1f} s; p99 {p99:.1f} ms; {error_text}")]


def _request(port: int, url: str, headers: dict[str, str], session_key: str, connection=None):
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    connection.request("GET", url, headers={**headers, "Cookie": f"sessionid={session_key}", "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    return connection, response.status


def _run(port: int, targets, cookies, *, requests: int, concurrency: int):
    counter = iter(range(requests))
    lock = threading.Lock()
    samples: list[float] = []
    errors: dict[str, int] = {}

    def client() -> None:
        connection = None
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            url, headers, user = targets[index % len(targets)]
            started = time.perf_counter()
            try:
                connection, status = _request(port, url, headers, cookies[user], connection)
                what = None if status == 200 else f"HTTP {status} on {url}"
            except (OSError, http.client.HTTPException) as error:
                connection, what = None, f"{type(error).__name__} on {url}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if what:
                    errors[what] = errors.get(what, 0) + 1
                else:
                    samples.append(elapsed)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, errors, time.perf_counter() - started
