"""`make run`'s database, made once per test run: the SQLite tests start from a copy of it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.make_run import DemoDatabase, local_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory) -> DemoDatabase:
    """Migrating a new SQLite database and seeding the demo took each SQLite test a minute of its own on a busy
    machine, for the same file each time. It is made once per run: under pytest-xdist by the first worker to ask,
    the others waiting on a lock in the run's shared temporary directory, then reading the same file."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's directory, above each worker's own
    database, seeded = shared / "make-run-demo.sqlite3", shared / "make-run-demo.seed.txt"
    with open(shared / "make-run-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not seeded.exists():
            database.unlink(missing_ok=True)  # what a worker that failed to make it left
            env = local_env(database)
            outputs = []
            for args in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
                done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                      text=True, timeout=300)
                assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
                outputs.append(done.stdout)
            seeded.write_text(outputs[-1])
    return DemoDatabase(path=database, seed_output=seeded.read_text())
