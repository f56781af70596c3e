"""The results table (stdout) and its JSON twin (test-artifacts/bench.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.scenarios import Row

COLUMNS = ["case", "user", "p50 ms", "p95 ms", "baseline p50 ms", "ratio", "queries", "target", "result"]


def _cells(row: Row) -> list[str]:
    result = "-" if row.passed is None else ("PASS" if row.passed else "FAIL")
    return [
        row.measurement, row.user, f"{row.p50_ms:.2f}", f"{row.p95_ms:.2f}",
        "-" if row.baseline_p50_ms is None else f"{row.baseline_p50_ms:.2f}",
        "-" if row.ratio is None else f"{row.ratio:.2f}",
        "-" if row.queries is None else str(row.queries), row.target, result,
    ]


def table(rows: list[Row]) -> str:
    cells = [COLUMNS, *(_cells(row) for row in rows)]
    widths = [max(len(line[index]) for line in cells) for index in range(len(COLUMNS))]
    numeric = {2, 3, 4, 5, 6}

    def render(line: list[str]) -> str:
        return "  ".join(value.rjust(widths[i]) if i in numeric else value.ljust(widths[i])
                         for i, value in enumerate(line)).rstrip()

    separator = "  ".join("-" * width for width in widths)
    return "\n".join([render(COLUMNS), separator, *(render(line) for line in cells[1:])])


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


def code_state(directory: Path) -> dict:
    """Which code was measured: the commit, and the app files changed since (the working tree is measured)."""
    git = shutil.which("git")
    if git is None:
        return {}

    def run(*arguments: str) -> str:
        # Fixed arguments, no shell, no user input.
        completed = subprocess.run([git, *arguments], cwd=directory, capture_output=True, text=True, check=False)  # noqa: S603
        return completed.stdout

    # Porcelain lines are "XY path": two status letters (either may be a space), a space, the path.
    changed = [line[3:] for line in run("status", "--porcelain").splitlines()
               if line[3:].endswith(".py") and not line[3:].startswith(("benchmarks/", "tests/"))]
    return {"commit": run("rev-parse", "--short", "HEAD").strip(), "uncommitted_app_files": changed}
