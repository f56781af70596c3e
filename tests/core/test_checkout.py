"""What a clean clone of the repository holds (QA finding: a symbolic link ``media -> /work/main/media`` was
committed by mistake; in another checkout it pointed nowhere, or at itself, and every stored PDF failed with
"Too many levels of symbolic links", publishing logging the error and the downloads answering 500)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (BASE_DIR / ".git").exists(),
                                reason="not a git checkout")


def _tracked() -> list[tuple[str, str]]:
    """(mode, path) of every file git tracks."""
    listing = subprocess.run(["git", "ls-files", "-s", "-z"], cwd=BASE_DIR, check=True, capture_output=True,
                             text=True).stdout
    return [(entry.split(" ", 1)[0], entry.split("\t", 1)[1]) for entry in listing.split("\0") if entry]


def test_no_symbolic_link_is_tracked():
    """A link is the machine's, not the project's: git keeps its target as text (mode 120000), the same on every
    clone, where it points at a path that is not there."""
    links = [path for mode, path in _tracked() if mode == "120000"]
    assert links == []


def test_nothing_tracked_under_the_media_directory():
    """Uploaded and published files are written under MEDIA_ROOT at run time (``media/`` by default); none of
    them, and not the directory itself, belongs in the repository."""
    assert [path for _, path in _tracked() if path == "media" or path.startswith("media/")] == []
