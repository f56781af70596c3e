"""`make run`'s Notices on SQLite: "Older notices" always said there were none (QA walk of 2026-12-06). The page's
statements are compiled once with a marker for the time a page goes back from (publication.notices._staff_reads); on
SQLite Django compiles a datetime into text, so the marker was never found among the parameters and the older page
asked for what was published before 1900. Run in a subprocess on a copy of the demo's database
(tests/web/conftest.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.make_run import local_env

ROOT = Path(__file__).resolve().parents[2]

OLDER = r"""
import django
django.setup()
from core.models import User
from publication.notices import staff_notices

pcu = User.objects.get(username="pcu")
first = staff_notices(user=pcu, limit=2)
assert len(first) == 2, first
older = staff_notices(user=pcu, before=first[-1].at, limit=50)
assert older, "no older notices"
assert all(notice.at < first[-1].at for notice in older), [(notice.key, notice.at) for notice in older]
everything = staff_notices(user=pcu, limit=500)
assert [notice.key for notice in older] == [notice.key for notice in everything if notice.at < first[-1].at][:50]
print("older ok", len(older))
"""


@pytest.mark.sqlite
def test_older_notices_on_the_demos_sqlite(tmp_path, demo_sqlite):
    env = local_env(demo_sqlite.copy_to(tmp_path / "notices.sqlite3"))
    result = subprocess.run([sys.executable, "-c", OLDER], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-3000:]}"
    assert "older ok" in result.stdout
