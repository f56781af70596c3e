"""``manage.py verify_audit``: prove the audit chain is unbroken, keyed, and agrees with its anchors."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from core.audit import WalkFailed, audit_anchor_verified, audit_verify_chain


class ProgressBar:
    """A one-line bar on a terminal (stderr), nothing otherwise, so cron and CI logs stay clean."""

    WIDTH = 40

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        fraction = min(done / total, 1.0) if total else 1.0
        filled = int(self.WIDTH * fraction)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} events "
                          f"({rate:,.0f}/s)")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = ("Walk the audit chain (keyed MACs, links, the chain head and the anchors kept outside the database) and "
            "report the first broken link. Exit status 1 if broken.")

    def add_arguments(self, parser):
        parser.add_argument("--since-anchor", action="store_true",
                            help="Verify only the events after the last verified anchor (incremental).")
        parser.add_argument("--no-anchor", action="store_true",
                            help="Do not record this verification as a verified anchor.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows fetched per round trip.")
        parser.add_argument("--progress", choices=["auto", "always", "never"], default="auto",
                            help="Progress bar on stderr: auto shows it on a terminal only.")
        parser.add_argument("--jobs", default="auto",
                            help="Worker processes for a long walk (PostgreSQL): a number, or auto (one per CPU "
                                 "once there are 100,000 events or more to walk).")

    def handle(self, *args, since_anchor, no_anchor, batch_size, progress, jobs, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        jobs = _jobs(jobs)
        show = progress == "always" or (progress == "auto" and sys.stderr.isatty())
        bar = ProgressBar(sys.stderr) if show else None
        started = time.monotonic()
        try:
            report = audit_verify_chain(batch_size=batch_size, since_anchor=since_anchor, progress=bar, jobs=jobs)
        except WalkFailed as error:
            raise CommandError(f"The chain could not be walked to the end, so nothing is proven: {error}") from error
        finally:
            if bar:
                bar.close()
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not report.ok:
            raise CommandError(report.message)
        if not no_anchor and report.last_sequence:
            try:
                audit_anchor_verified(report=report, source="verify_audit")
            except OSError as error:  # the chain is intact: say the anchor was not recorded, don't fail
                self.stderr.write(self.style.WARNING(f"The verified head was not anchored: {error}"))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(report.message))
        if options["verbosity"] > 1:
            self.stdout.write(f"{report.checked} events in {elapsed:.2f} s.")


def _jobs(value: str) -> int | None:
    if value == "auto":
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise CommandError(f"--jobs must be auto or a whole number of at least 1, not {value!r}.")
    return jobs
