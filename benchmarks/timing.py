"""Timing and query counting.

Cases are run interleaved (rep 1 of every case, then rep 2 ...) so the baseline and the measured code see
the same cache state and the same background noise. Queries are counted in a separate pass, because
CaptureQueriesContext turns on the debug cursor and would slow the timed runs down.
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Case:
    """``prepare()`` runs untimed before each repetition (e.g. loading a fresh user); its result is passed
    to ``run``, which is timed."""

    name: str
    run: Callable[[object], object]
    prepare: Callable[[], object] = lambda: None


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Timing:
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 0.95)


def time_interleaved(cases: list[Case], *, repeat: int, warmup: int) -> dict[str, Timing]:
    samples: dict[str, list[float]] = {case.name: [] for case in cases}
    # Move everything alive now (Django, the app, the data loaded so far) out of the collector's reach: a
    # full collection of a Django process costs tens of milliseconds, and the timed runs never pay for it.
    gc.collect()
    gc.freeze()
    try:
        for repetition in range(warmup + repeat):
            for case in cases:
                argument = case.prepare()
                gc.disable()
                try:
                    started = time.perf_counter()
                    case.run(argument)
                    elapsed = time.perf_counter() - started
                finally:
                    gc.enable()
                if repetition >= warmup:
                    samples[case.name].append(elapsed * 1000)
            gc.collect()
    finally:
        gc.unfreeze()
    return {name: Timing(values) for name, values in samples.items()}


def run_capturing(case: Case) -> tuple[object, list[str]]:
    """One untimed run of the case: its value and the SQL it sent (prepare's queries excluded)."""
    argument = case.prepare()
    with CaptureQueriesContext(connection) as context:
        value = case.run(argument)
    return value, [query["sql"] for query in context.captured_queries]


def capture_queries(case: Case) -> list[str]:
    """The SQL one run of the case sends (prepare's queries excluded)."""
    return run_capturing(case)[1]


def template_ms(case: Case, *, runs: int = 10) -> float:
    """The median time one run of the case spends rendering templates (the outermost render of each template the
    view renders, includes inside it), measured in runs of its own, apart from the timed ones. What the same run
    would cost with a template engine that took no time: the run's p50 less this (issue 16's "Jinja2 for the hot
    templates, if Django templates cannot get there")."""
    from django.template.backends.django import Template

    render = Template.render
    spent = [0.0]
    depth = [0]

    def timed_render(self, *args, **kwargs):
        depth[0] += 1
        started = time.perf_counter()
        try:
            return render(self, *args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent[0] += time.perf_counter() - started

    samples = []
    Template.render = timed_render
    try:
        for _ in range(runs):
            spent[0] = 0.0
            case.run(case.prepare())
            samples.append(spent[0] * 1000)
    finally:
        Template.render = render
    return statistics.median(samples)


def is_read(statement: str) -> bool:
    """A statement that reads: a SELECT, a WITH, or a UNION of SELECTs in brackets (the dashboard's attention list),
    which a page's replayed baseline runs and which is not a write on GET."""
    return statement.lstrip().upper().startswith(("SELECT", "WITH", "("))


def compiled_by_jit(statements: list[str]) -> list[str]:
    """The statements whose plan PostgreSQL would JIT-compile (EXPLAIN's "JIT" section, present only then).

    A plan estimated above jit_above_cost is compiled before it runs, and compiling is slow: PCU's My work took
    560 ms at 100,000 policies, 13 ms of it the query and the rest LLVM (EXPLAIN ANALYZE: "Optimization 425.812 ms,
    Emission 264.845 ms"), while its ratio passed at 1.01, as the replayed baseline was compiled too. So a page
    whose statements would be compiled fails whatever its ratio: the estimate is what must come down (an index, or
    a query the planner can bound). Nothing when the server runs with jit off."""
    compiled = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for statement in statements:
            raw.execute("EXPLAIN (FORMAT JSON) " + statement)
            plan = raw.fetchone()[0]
            if "JIT" in (json.loads(plan) if isinstance(plan, str) else plan)[0]:
                compiled.append(statement)
    return compiled
