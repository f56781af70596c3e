"""`make run` on SQLite waits for a lock instead of answering 500 "database is locked" (issue 11, finding 9):
ten people signing in at the same moment, three times over, against the dev server with the local settings.
A subprocess server on a spare port and a throwaway database, so it shares nothing with the PostgreSQL tests."""

import http.cookiejar
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.web.make_run import local_env

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 10
ROUNDS = 3


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stderr.read()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _sign_in_round(base: str, usernames: list[str]) -> list[int]:
    """Each client fetches the sign-in form, then all post at once. Returns the status codes."""
    openers, tokens = [], []
    for _ in usernames:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                             NoRedirect)
        page = opener.open(f"{base}/sign-in/", timeout=30).read().decode()
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
        openers.append(opener)
    barrier = threading.Barrier(len(usernames))
    statuses: list[int] = [0] * len(usernames)

    def post(index: int) -> None:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": tokens[index], "username": usernames[index],
                                       "password": "policyhub-demo"}).encode()
        request = urllib.request.Request(f"{base}/sign-in/", data=body, headers={"Referer": f"{base}/sign-in/"})
        barrier.wait()
        try:
            statuses[index] = openers[index].open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(usernames))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


@pytest.mark.sqlite
def test_ten_concurrent_posts_on_make_runs_database_get_no_500(tmp_path, demo_sqlite):
    # `make run`'s database (migrated and seeded: tests/web/conftest.py), a copy of its own.
    database = demo_sqlite.copy_to(tmp_path / "concurrent.sqlite3")
    env = local_env(database, DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
    usernames = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from demo.management.commands.seed_demo import "
         "DEMO_USERNAMES; print(' '.join(DEMO_USERNAMES))"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert len(usernames) >= CLIENTS
    port = _spare_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz/", server)
        statuses = [status for round_ in range(ROUNDS)
                    for status in _sign_in_round(base, usernames[round_ % 2: round_ % 2 + CLIENTS])]
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert 500 not in statuses and "database is locked" not in log, (statuses, log[-3000:])
    assert statuses == [302] * (CLIENTS * ROUNDS), statuses
