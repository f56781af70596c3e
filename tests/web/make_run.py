"""`make run`'s database for the SQLite tests (tests/web/conftest.py makes it once per run), and its environment."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoDatabase:
    """A SQLite database as `make run` leaves it (``migrate``, then ``seed_demo``, each in a process of its own with
    the local settings), and what ``seed_demo`` printed."""

    path: Path
    seed_output: str

    def copy_to(self, path: Path) -> Path:
        """A file of its own for a test: what one test writes is never read by another. (The local settings keep
        SQLite in WAL mode; a committed database's last connection has folded its log back, copied if it has not.)"""
        for suffix in ("", "-wal"):
            if Path(f"{self.path}{suffix}").exists():
                shutil.copyfile(f"{self.path}{suffix}", f"{path}{suffix}")
        return path


def local_env(database: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run`'s commands: the local settings on ``database``."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "policyhub.settings.local",
            "DATABASE_URL": f"sqlite:///{database}", **extra}
