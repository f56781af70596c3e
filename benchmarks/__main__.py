"""``python -m benchmarks [--repeat N] [--warmup N] [--rebuild] [--strict] [--explain] [--json PATH]``"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from benchmarks import database

# Every scenario, in the order it runs. Default ones run without --only; the others on request.
SCENARIOS = {"register", "pages", "http", "detail", "home", "chase", "audit", "load", "redline", "publication",
             "people", "oversight", "library"}
DEFAULT_SCENARIOS = "register,pages,detail,chase,audit,load,redline,publication,people,oversight,library"
# A chase scan takes seconds (about 20 s with the 2.1 million reminders to read the dataset's audiences ask for):
# its repetitions are capped unless --chase-repeat says otherwise.
CHASE_REPEAT_CAP = 5
# A redline of two maximal statements takes a few hundred milliseconds: its repetitions are capped too.
REDLINE_REPEAT_CAP = 10
# The scenarios that read the bench dataset; the redline is pure and runs without it.
DATABASE_SCENARIOS = SCENARIOS - {"redline"}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="timed repetitions per measurement (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed repetitions first (default 3)")
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database and generate it again")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any measurement fails its target")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of the filtered register's queries")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default test-artifacts/bench.json)")
    parser.add_argument("--only", default=DEFAULT_SCENARIOS,
                        help="comma-separated subset of: register (a), pages (every page against its own SQL), "
                        "http (b) and home (d) (older comparisons with (a)'s baseline, not in the default run), "
                        "detail (c), chase (e), audit (verify_audit over a million events), load (gunicorn, "
                        "production settings), redline (f, needs no database), publication (g: stored PDF "
                        "download, 40-page pack, Scheme index), people (h: handover, revisions), oversight (i: the "
                        "dashboard and the indicators against their bare statements, the register's XLSX export's "
                        "memory), library (j: "
                        "the library's search, outstanding acknowledgements). "
                        f"Default: {DEFAULT_SCENARIOS}")
    parser.add_argument("--load-requests", type=int, default=2000, help="requests of the load run (default 2000)")
    parser.add_argument("--load-concurrency", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--chase-repeat", type=int, default=None,
                        help="timed repetitions of the chase scenarios (default: --repeat, at most "
                        f"{CHASE_REPEAT_CAP})")
    parser.add_argument("--pg-set", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL setting for the measured connections, e.g. jit=off (repeatable)")
    arguments = parser.parse_args(argv)
    if arguments.repeat < 1 or arguments.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    if arguments.chase_repeat is None:
        arguments.chase_repeat = min(arguments.repeat, CHASE_REPEAT_CAP)
    elif arguments.chase_repeat < 1:
        parser.error("--chase-repeat must be at least 1")
    arguments.only = {name.strip() for name in arguments.only.split(",") if name.strip()}
    if not arguments.only or arguments.only - SCENARIOS:
        parser.error(f"--only takes a comma-separated subset of {', '.join(sorted(SCENARIOS))}")
    arguments.server_settings = {}
    for item in arguments.pg_set:
        name, separator, value = item.partition("=")
        if not separator or not name.replace("_", "").replace(".", "").isalnum() or not value.isalnum():
            parser.error(f"--pg-set expects NAME=VALUE with a simple value, e.g. jit=off (got {item!r})")
        arguments.server_settings[name] = value
    return arguments


def log(message: str = "") -> None:
    print(message, flush=True)


def prepare_database(url: str, *, rebuild: bool, server_settings: dict[str, str]) -> dict:
    """Create and migrate the bench database; generate the dataset unless a complete one is there."""
    started = time.perf_counter()
    created = database.create_database(url, drop_first=rebuild)
    database.configure_django(url, server_settings=server_settings)
    database.migrate()
    migrate_seconds = time.perf_counter() - started
    log(f"Database {database.database_name(url)}: {'created' if created else 'exists'}, migrated in "
        f"{migrate_seconds:.1f} s")

    from django.db import connection

    from benchmarks import dataset
    from core.models import User

    if dataset.dataset_present():
        log(f"Dataset version {dataset.DATASET_VERSION} present: reusing it (--rebuild to regenerate).")
        return {"generated": False, "migrate_seconds": round(migrate_seconds, 2)}
    if User.objects.exists():
        log("An incomplete or outdated dataset is present: recreating the database.")
        connection.close()
        database.create_database(url, drop_first=True)
        database.migrate()
    log(f"Generating dataset version {dataset.DATASET_VERSION} (COPY, one transaction):")
    summary = dataset.generate(log=log)
    log(f"  {'total':<22} {'':14}  {summary.timings['total']:6.1f} s")
    return {"generated": True, "migrate_seconds": round(migrate_seconds, 2), "generation_seconds": summary.timings}


def target_notes(only: set[str]) -> dict[str, str]:
    """The targets of the scenarios that ran (each module keeps its own)."""
    import importlib

    from benchmarks import scenarios

    notes = {name: note for name, note in scenarios.TARGET_NOTES.items()
             if {"register": "register", "http register": "http", "home": "home", "chase": "chase",
                 "detail pages": "detail"}[name] in only}
    for name in ("pages", "audit", "load", "redline", "publication", "people", "library"):
        if name in only:
            notes[name] = importlib.import_module(f"benchmarks.{name}").TARGET_NOTE
    if "oversight" in only:
        notes.update(importlib.import_module("benchmarks.oversight").TARGET_NOTES)
    return notes


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    run_started = time.perf_counter()
    url = database.bench_database_url()
    uses_database = bool(arguments.only & DATABASE_SCENARIOS)
    if uses_database:
        setup = prepare_database(url, rebuild=arguments.rebuild, server_settings=arguments.server_settings)
    else:
        database.configure_django(url, server_settings=arguments.server_settings)
        setup = {}
        log("Redline only: no database needed (the bench dataset is neither generated nor read).")
    if arguments.server_settings:
        log("PostgreSQL settings for this run: " + ", ".join(f"{k}={v}" for k, v in arguments.server_settings.items()))

    from django.conf import settings

    from benchmarks import (
        chase,
        dataset,
        floor,
        library,
        oversight,
        pages,
        people,
        publication,
        redline,
        report,
        scenarios,
    )

    probes = dataset.probes() if uses_database else None
    counts = dataset.dataset_counts() if uses_database else {}
    if uses_database:
        log("Dataset: " + ", ".join(f"{label.replace('_', ' ')} {count:,}" for label, count in counts.items()))
        log(f"Role assignments + object grants: {counts['role_assignments'] + counts['object_grants']:,}")
    capped = [f"{cap} for the {name}" for name, cap in
              (("chase", arguments.chase_repeat), ("redline", min(arguments.repeat, REDLINE_REPEAT_CAP)))
              if name in arguments.only]
    capped_note = f" ({', '.join(capped)})" if capped else ""
    log(f"Measuring: {arguments.repeat} repetitions{capped_note} after {arguments.warmup} warm-up, interleaved "
        "with the baseline.\n")

    if uses_database:
        # What every scenario reads is made before the first one runs, so that no row depends on which scenarios
        # ran before it (the chase's first run reads the audiences).
        library.ensure_library(log=log)
        log(f"Acknowledgement audiences: {library.ensure_audiences(probes):,}")
        database.settle(log=log)

    measure_started = time.perf_counter()
    plans = scenarios.explain_register(probes, log=log) if arguments.explain and uses_database else None
    rows = []
    if arguments.only & {"register", "http", "home"}:
        # (b) and (d) are compared with (a)'s baseline, so (a) runs whenever they do.
        register_rows, baseline, visible = scenarios.measure_register(
            probes, repeat=arguments.repeat, warmup=arguments.warmup)
        rows += register_rows
    if "http" in arguments.only:
        rows += scenarios.measure_http_register(
            probes, repeat=arguments.repeat, warmup=arguments.warmup, baseline=baseline, visible=visible)
    if "pages" in arguments.only:
        rows += floor.measure_pages_and_floor([case for case in pages.PAGES if case.scenario == "pages"], probes,
                                              repeat=arguments.repeat, warmup=arguments.warmup)
    if "detail" in arguments.only:
        rows += scenarios.measure_detail_pages(probes, repeat=arguments.repeat, warmup=arguments.warmup)
    if "home" in arguments.only:
        rows += scenarios.measure_home(probes, repeat=arguments.repeat, warmup=arguments.warmup, baseline=baseline)
    if "chase" in arguments.only:
        database.settle(log=log)
        rows += chase.measure_chase(repeat=arguments.chase_repeat, warmup=arguments.warmup, log=log)
    if "people" in arguments.only:
        database.settle(log=log)
        rows += people.measure_people(probes, repeat=arguments.repeat, warmup=arguments.warmup, log=log)
    if "audit" in arguments.only:
        database.settle(log=log)
        from benchmarks import audit

        rows += audit.measure_audit(repeat=min(arguments.repeat, audit.AUDIT_REPEAT_CAP), log=log)
    if "load" in arguments.only:
        database.settle(log=log)
        from benchmarks import load

        rows += load.measure_load(probes, requests=arguments.load_requests,
                                  concurrency=arguments.load_concurrency, log=log)
    if "oversight" in arguments.only:
        database.settle(log=log)
        rows += oversight.measure_dashboard(probes, repeat=arguments.repeat, warmup=arguments.warmup, log=log)
        rows += oversight.measure_indicators(probes, repeat=arguments.repeat, warmup=arguments.warmup, log=log)
        rows += oversight.measure_xlsx_export(probes, log=log)
    if "redline" in arguments.only:
        rows += redline.measure_redline(repeat=min(arguments.repeat, REDLINE_REPEAT_CAP),
                                        warmup=min(arguments.warmup, 1), log=log)
    if "publication" in arguments.only:
        database.settle(log=log)
        rows += publication.measure_publication(repeat=arguments.repeat, warmup=arguments.warmup, log=log)
    if "library" in arguments.only:
        database.settle(log=log)
        rows += library.measure_library(probes, repeat=arguments.repeat, warmup=arguments.warmup, log=log)
    measure_seconds = time.perf_counter() - measure_started

    log(report.table(rows))
    if "pages" in arguments.only:
        log("\nPages without their templates (the bound of any faster template engine):")
        for line in pages.template_lines(rows):
            log(line)
    log("\nTargets:")
    for name, note in target_notes(arguments.only).items():
        log(f"  {name}: {note}")
    failures = [row for row in rows if row.passed is False]
    if failures:
        log("\nWhy each failing row failed (its detail; the full statements are in the JSON):")
        for row in failures:
            log(f"  {row.measurement} ({row.user}): ratio {row.ratio if row.ratio is None else f'{row.ratio:.2f}'}"
                f"; {row.detail[:400]}")
    total_seconds = time.perf_counter() - run_started
    log(f"\n{len(failures)} of {sum(row.passed is not None for row in rows)} measurements FAIL their target. "
        f"Measuring took {measure_seconds:.1f} s; the whole run {total_seconds:.1f} s.")

    json_path = arguments.json or Path(settings.BASE_DIR) / "test-artifacts" / "bench.json"
    report.write_json(json_path, {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database.database_name(url),
        "server": database.server_facts() if uses_database else None,
        "server_settings": arguments.server_settings,
        "code": report.code_state(Path(settings.BASE_DIR)),
        "dataset_version": dataset.DATASET_VERSION if uses_database else None,
        "dataset_day": dataset.dataset_day().isoformat() if uses_database else None,
        "dataset": counts,
        "setup": setup,
        "repeat": arguments.repeat,
        "chase_repeat": arguments.chase_repeat,
        "warmup": arguments.warmup,
        "targets": target_notes(arguments.only),
        "results": [row.as_dict() for row in rows],
        "failures": len(failures),
        "measure_seconds": round(measure_seconds, 2),
        "total_seconds": round(total_seconds, 2),
        **({"explain": plans} if plans is not None else {}),
    })
    log(f"Results written to {json_path}")
    return 1 if arguments.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
