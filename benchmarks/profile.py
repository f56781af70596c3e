"""``python -m benchmarks.profile [--label before] [--requests 30] [PAGE ...]``: where a page's time goes.

Profiles the bench's pages (benchmarks.pages.PAGES, by name; all of them by default) with cProfile, signed in
as each probe user, over the bench dataset (which ``python -m benchmarks`` generates), and writes the top of
the profile, by cumulative and by own time, to test-artifacts/profile/<label>-<page>-<user>.txt, next to the
page's p50 and that of its own SQL. Run it before and after a change to keep the evidence of what it bought.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

from benchmarks import database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("pages", nargs="*", help="page names (benchmarks.pages.PAGES); default: all")
    parser.add_argument("--label", default="profile", help="file name prefix, e.g. before or after")
    parser.add_argument("--requests", type=int, default=30, help="profiled requests per page and user")
    parser.add_argument("--users", default="developer,co-ordinator,PCU")
    parser.add_argument("--top", type=int, default=45, help="lines of each listing")
    arguments = parser.parse_args(argv)
    database.configure_django(database.bench_database_url())

    from django.conf import settings
    from django.test import Client

    from benchmarks import dataset, pages
    from core.models import User

    if not dataset.dataset_present():
        print("No bench dataset: run python -m benchmarks first.", file=sys.stderr)
        return 1
    probes = dataset.probes()
    ids = pages._user_ids(probes)
    wanted = set(arguments.pages)
    cases = [case for case in pages.PAGES if not wanted or case.name in wanted]
    directory = Path(settings.BASE_DIR) / "test-artifacts" / "profile"
    directory.mkdir(parents=True, exist_ok=True)
    with pages._connection_kept():
        for case in cases:
            for user in [name for name in arguments.users.split(",") if name in case.users]:
                client = Client()
                client.force_login(User.objects.get(pk=ids[user]))
                url = case.url(probes)
                text, page_p50, sql_p50 = profile_page(client, url, dict(case.headers), requests=arguments.requests,
                                                       top=arguments.top, title=f"{case.name} GET {url} as {user}")
                name = re.sub(r"[^a-z0-9]+", "-", f"{arguments.label}-{case.name}-{user}".lower()).strip("-")
                path = directory / f"{name}.txt"
                path.write_text(text.replace(str(Path(settings.BASE_DIR)) + "/", ""))
                print(f"{case.name:<20} {user:<13} p50 {page_p50:7.1f} ms  SQL {sql_p50:6.1f} ms  -> {path}")
    return 0


def profile_page(client, url: str, headers: dict[str, str], *, requests: int, top: int,
                 title: str) -> tuple[str, float, float]:
    """``requests`` GETs of ``url`` by the signed-in ``client`` under cProfile, as make bench measures the page (as
    the server runs it, benchmarks.pages._Server); the profile's top ``top`` lines by cumulative and by own time,
    under a line with the page's unprofiled p50 and that of its own SQL, replayed as it was sent
    (benchmarks.pages._prepare). Returns (text, page p50 ms, SQL p50 ms)."""
    from benchmarks import pages
    from benchmarks.timing import Case

    server = pages._Server(client)
    page = Case("page", lambda _: pages._get(server, url, headers))
    page.run(None)
    replay = pages._replay(pages.reads_as_sent(*pages._capture(page)))
    page_ms, sql_ms = [], []
    for _ in range(5):
        for samples, run in ((page_ms, page.run), (sql_ms, replay)):
            started = time.perf_counter()
            run(None)
            samples.append((time.perf_counter() - started) * 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        page.run(None)
    profiler.disable()
    page_p50, sql_p50 = statistics.median(page_ms), statistics.median(sql_ms)
    out = io.StringIO()
    out.write(f"{title}: {requests} requests profiled; unprofiled p50 {page_p50:.1f} ms, its own SQL "
              f"{sql_p50:.1f} ms\n\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue(), page_p50, sql_p50


if __name__ == "__main__":
    sys.exit(main())
