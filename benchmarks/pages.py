"""Pages against their own bare SQL: the case interface other benchmarks add to.

Every page a person lands on is measured as the server runs it (the whole request: Django's WSGI handler called
with a WSGI environ and the person's session cookie, as gunicorn calls it: middleware, view, template; ``_Server``)
for each probe user, against **its own bare SQL**: the very statements that one request of that page
sends for that user (session, user, and the page's data), captured once and replayed through a raw cursor as the
page sent them (the SQL and its parameters apart, bound on the server, so planned and prepared as the page's are),
every row fetched, with no Python of the app around them. So the ratio is exactly "what the app adds to the
SQL it needs", and the baseline follows the page when its queries change: a page with a cheaper plan gets a
cheaper baseline, and one sending more queries is caught by the query budget, not hidden in the ratio.

Adding a page (the interface; keep to it, others rely on it)::

    from benchmarks.pages import PAGES, PageCase

    PAGES.append(PageCase(
        name="people",                                        # unique; shown in the table
        url=lambda probes: f"/policies/{probes.detail_reference}/people/",
        users=("co-ordinator", "PCU"),                         # of USER_LABELS; default: USERS, all three
        expect="Developers",                                   # text the page must contain (a 200 is not enough)
    ))

``ratio`` (default 1.5) and ``queries`` (default 12) are the targets; ``headers`` are sent with the request
(e.g. ``{"HX-Request": "true"}`` for an htmx fragment); ``scenario`` groups cases for ``--only`` (default "pages").
Each row's detail also gives the time the page spends in its templates (``timing.template_ms``, in runs apart from
the timed ones) and the ratio the page would have if they took no time: the bound of any faster template engine.
A case's row passes when p50 <= ratio x its baseline's p50, the query count is within budget, the page answered
200 with ``expect`` in it, and (``same_queries_as``) it sends as many queries as another URL (no growth with
the data). Only SELECTs are replayed; a page that writes on GET is reported as a failure.
"""

from __future__ import annotations

import contextlib
import http.cookies
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.dataset import Probes
from benchmarks.scenarios import Row, _ratio
from benchmarks.timing import Case, capture_queries, compiled_by_jit, is_read, template_ms, time_interleaved
from core.models import User

USERS = ("developer", "co-ordinator", "PCU")
# A reader not cleared for the probe policies' OFFICIAL-SENSITIVE material (a developer of another business group:
# benchmarks.dataset.PROBE_UNCLEARED), for the pages that read it otherwise; named in a case's ``users``.
NOT_CLEARED = "not cleared"
USER_LABELS = (*USERS, NOT_CLEARED)
# The targets for every page a person lands on.
PAGE_RATIO = 1.5
PAGE_QUERY_BUDGET = 12


@dataclass(frozen=True)
class PageCase:
    name: str
    url: Callable[[Probes], str]
    users: tuple[str, ...] = USERS
    headers: dict[str, str] = field(default_factory=dict)
    expect: str = ""
    ratio: float = PAGE_RATIO
    queries: int = PAGE_QUERY_BUDGET
    # Another URL of the same page whose query count must be the same (e.g. a policy with no history).
    same_queries_as: Callable[[Probes], str] | None = None
    scenario: str = "pages"

    @property
    def target(self) -> str:
        same = ", q=small" if self.same_queries_as else ""
        return f"ratio<={self.ratio:g}, q<={self.queries}{same}"


def _user_ids(probes: Probes) -> dict[str, int]:
    return {"developer": probes.developer_id, "co-ordinator": probes.coordinator_id, "PCU": probes.pcu_id,
            NOT_CLEARED: probes.uncleared_id}


class _Server:
    """GET requests as the WSGI server makes them, for one signed-in person: Django's WSGI handler (what gunicorn
    calls) with a WSGI environ carrying the session cookie the test client signed them in with.

    Not the test client itself: it builds each request through a request factory, keeps a cookie jar, connects
    signals to keep the templates and contexts rendered, and wraps the response for assertions, none of which a
    server does (measured at 100,000 policies: 0.15-0.25 ms a request, charged to the page). The database
    connection is kept between requests, as production keeps it (settings.base: ``conn_max_age=60``); the test
    settings close it after each request, and a new connection costs more than most pages' SQL.

    The cookies the answers set are sent back, as a browser sends them: the CSRF cookie (without it every page
    minted a new CSRF secret, which no browser's second page does) and the idle timeout's last-seen cookie (whose
    signature every page then checks, as it does for a person)."""

    def __init__(self, client: Client):
        self.handler = WSGIHandler()
        self.cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        self.cookie = self._header()

    def _header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _keep(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            for key, morsel in http.cookies.SimpleCookie(value).items():
                if morsel["max-age"] in ("0", 0) or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        self.cookie = self._header()

    def get(self, url: str, headers: dict[str, str]) -> bytes:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_COOKIE": self.cookie,
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
        }
        status: list[str] = []
        headers: list[tuple[str, str]] = []

        def start_response(line, response_headers, _exc_info=None):
            status.append(line)
            headers.extend(response_headers)

        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            getattr(response, "close", lambda: None)()
        if not status[0].startswith("200"):
            raise AssertionError(f"GET {url} answered {status[0]}")
        self._keep(headers)
        return body


# How many prepared statements the measuring connection keeps (psycopg's ``prepared_max``; its default, 100, is
# what production keeps). The pages measured here send about 180 different statements between them for the three
# users (a statement compiled for one reader is its own), each again only after every other case has run once; their
# replays send the same ones (``_replay``). psycopg keeps the last ``prepared_max`` statements it prepared and the
# counts of those it has not yet, so with too little room each was dropped before it came round again and was planned
# afresh on every request. Measured 2026-12-05, when the replays still sent the logged text (116 statements more,
# their values written in):
# with room for 100, at the end of a pass 26 of the pages' statements and 10 of the replays' were prepared, and the
# overview's replay took 4.06 ms, 2.30 ms with room for all. With room for every statement, a page and its replay are
# prepared once and run as a connection serving the page many times runs them (settings.base.prepared_on_the_server).
# Each row says how many different statements the pass sent; a pass sending as many as there is room for fails, as
# not like-for-like.
PREPARED_MAX = 1000


def _room_for(size: int, connection) -> int | None:
    """Let ``connection`` keep ``size`` prepared statements; what it kept before (None: it prepares none)."""
    raw = getattr(connection, "connection", None)
    if connection.vendor != "postgresql" or raw is None or not hasattr(raw, "prepared_max"):
        return None
    before, raw.prepared_max = raw.prepared_max, size
    return before


def _room_for_every_statement(sender=None, connection=None, **_kwargs) -> None:
    _room_for(PREPARED_MAX, connection)


@contextlib.contextmanager
def _connection_kept():
    """The connection kept between requests for the duration, as in production (``_Server``), with room for every
    statement measured to stay prepared (``PREPARED_MAX``)."""
    kept = connection.settings_dict.get("CONN_MAX_AGE")
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.ensure_connection()  # so that the room it had is known, and given back
    close_at, connection.close_at = connection.close_at, None
    connection_created.connect(_room_for_every_statement, dispatch_uid="benchmarks.pages.prepared_max")
    room = _room_for(PREPARED_MAX, connection)
    try:
        yield
    finally:
        connection_created.disconnect(dispatch_uid="benchmarks.pages.prepared_max")
        connection.settings_dict["CONN_MAX_AGE"] = kept
        connection.close_at = close_at
        if room is not None:
            _room_for(room, connection)
            # psycopg gives up one prepared statement for each new one it prepares, so the smaller room alone would
            # leave the pass's statements prepared for the bench's later scenarios on this connection (the review
            # of 2026-12-06: 303 held with room for 100). DEALLOCATE ALL empties its cache and the server's.
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")


def prepared_statements() -> tuple[int, int] | None:
    """(statements the measuring connection holds prepared now, how many it may hold); None when it prepares none
    (not PostgreSQL, or prepared statements switched off)."""
    raw = getattr(connection, "connection", None)
    if connection.vendor != "postgresql" or raw is None or getattr(raw, "prepare_threshold", None) is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0], raw.prepared_max


@contextlib.contextmanager
def _statements_sent(sent: set[str]):
    """Every statement the app sends meanwhile, as its text without its values (what psycopg prepares by)."""

    def record(execute, sql, params, many, context):
        sent.add(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield


def _like_for_like(distinct: int) -> list[str]:
    """The rows' line on prepared statements: how many different statements the pass sent, and a problem (the
    second item) when there was not room for all of them to stay prepared."""
    held = prepared_statements()
    if held is None:
        return []
    lines = [f"prepared statements: the pass sent {distinct} different ones, room for {held[1]}"]
    if distinct >= held[1]:
        lines.append(f"{distinct} different statements and room for {held[1]} prepared: some were dropped and "
                     "planned again, so the baseline is not like-for-like (raise benchmarks.pages.PREPARED_MAX)")
    return lines


def _get(server: _Server, url: str, headers: dict[str, str]) -> bytes:
    return server.get(url, headers)


def _replay(statements: list[tuple[str, object]]) -> Callable[[object], int]:
    """The baseline: the page's reads as it sent them (each statement's SQL and its parameters apart, as it binds
    them on the server: ``prepared_on_the_server``), through one raw cursor, every row fetched. So PostgreSQL
    plans and prepares them as it does the page's: the very statements, prepared once for both. Not the text
    Django logs, with the values written in: that is another statement to PostgreSQL, which it planned once for
    those values and kept, where the page's own, with its values as parameters, is planned for them on every
    request when no plan suits every value (make bench, 2026-12-05: the register's, My work's, the library's and
    Notices' statements, custom-planned at each of 7 to 31 runs out of 7 to 31; Notices' list of publications
    1.9 ms of planning to 1.4 ms of execution). The baseline left out what the page could not."""

    def run(_argument) -> int:
        rows = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: no Django wrapper, no debug capture
            for sql, params in statements:
                raw.execute(sql, params)
                rows += len(raw.fetchall())
        return rows

    return run


def _capture(case: Case) -> tuple[list[str], list[tuple[str, object]]]:
    """One untimed run of the case: the statements it sent as Django logs them (their values written in: to read,
    count and EXPLAIN) and as they were sent (SQL and parameters apart: to replay), in the same order."""
    sent: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    argument = case.prepare()
    with CaptureQueriesContext(connection) as logged, connection.execute_wrapper(record):
        case.run(argument)
    return [query["sql"] for query in logged.captured_queries], sent


def reads_as_sent(statements: list[str], sent: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The reads among ``_capture``'s statements, as they were sent: the page's own SQL for its baseline."""
    return [bound for statement, bound in zip(statements, sent, strict=True) if is_read(statement)]


@dataclass
class _Measured:
    case: PageCase
    user: str
    url: str
    page: Case
    baseline: Case
    statements: list[str]
    writes: list[str]
    small_queries: int | None
    content: str
    jit: list[str]


def _prepare(case: PageCase, user: str, client: _Server, probes: Probes) -> _Measured:
    url = case.url(probes)
    headers = dict(case.headers)
    page = Case(f"page:{case.name}:{user}", lambda _, c=client, u=url, h=headers: _get(c, u, h))
    # One untimed request first: the caches a second request finds (role index, templates) are warm.
    content = page.run(None).decode()
    statements, sent = _capture(page)
    if len(sent) != len(statements):
        raise AssertionError(f"{url}: {len(statements)} statements logged, {len(sent)} sent")
    reads = [statement for statement in statements if is_read(statement)]
    writes = [statement for statement in statements if not is_read(statement)]
    bound_reads = reads_as_sent(statements, sent)
    small_queries = None
    if case.same_queries_as is not None:
        small_url = case.same_queries_as(probes)
        small = Case("small", lambda _, c=client, u=small_url, h=headers: _get(c, u, h))
        small.run(None)
        small_queries = len(capture_queries(small))
    baseline = Case(f"page-sql:{case.name}:{user}", _replay(bound_reads))
    return _Measured(case, user, url, page, baseline, statements, writes, small_queries, content,
                     compiled_by_jit(reads))


def measure_pages(cases: list[PageCase], probes: Probes, *, repeat: int, warmup: int) -> list[Row]:
    """Every (case, user) against its own replayed SQL, all timed interleaved in one pass."""
    ids = _user_ids(probes)
    clients: dict[str, _Server] = {}
    for user in {user for case in cases for user in case.users}:
        client = Client()
        client.force_login(User.objects.get(pk=ids[user]))
        clients[user] = _Server(client)
    sent: set[str] = set()
    with _connection_kept():
        with _statements_sent(sent):
            measured = [_prepare(case, user, clients[user], probes) for case in cases for user in case.users]
        # The replays send the pages' own statements: ``sent`` holds both.
        prepared = _like_for_like(len(sent))
        timings = time_interleaved([case for item in measured for case in (item.baseline, item.page)],
                                   repeat=repeat, warmup=warmup)
        templates = {item.page.name: template_ms(item.page) for item in measured}
    rows = []
    for item in measured:
        page, base = timings[item.page.name], timings[item.baseline.name]
        ratio = _ratio(page.p50, base.p50)
        templates_ms = templates[item.page.name]
        untemplated = (f"templates {templates_ms:.1f} ms, without them "
                       f"{_ratio(page.p50 - templates_ms, base.p50):.2f}x")
        queries = len(item.statements)
        problems = []
        if item.case.expect and item.case.expect not in item.content:
            problems.append(f"page lacks {item.case.expect!r}")
        if item.writes:
            problems.append(f"{len(item.writes)} writes on GET")
        if item.small_queries is not None and item.small_queries != queries:
            problems.append(f"{item.small_queries} queries on the small policy")
        elif item.small_queries is not None:
            problems.append(f"small policy: {item.small_queries} queries")
        if len(prepared) > 1:
            problems.append(prepared[1])
        if item.jit:
            problems.append(f"{len(item.jit)} statement(s) JIT-compiled (plan above jit_above_cost): "
                            + " | ".join(statement[:160] for statement in item.jit))
        passed = (ratio <= item.case.ratio and queries <= item.case.queries and not item.writes and not item.jit
                  and len(prepared) < 2
                  and (not item.case.expect or item.case.expect in item.content)
                  and (item.small_queries is None or item.small_queries == queries))
        hx = " (htmx)" if item.case.headers.get("HX-Request") == "true" else ""
        rows.append(Row(f"{item.case.name}: GET {item.url}{hx}", item.user, page.p50, page.p95, base.p50, ratio,
                        queries, item.case.target, passed,
                        "; ".join([f"own SQL: {len(item.statements) - len(item.writes)} statements",
                                   untemplated, *prepared[:1], *problems]),
                        item.statements))
    return rows


def _detail_url(name: str) -> Callable[[Probes], str]:
    return lambda probes: reverse(name, args=[probes.detail_reference])


def _small_url(name: str) -> Callable[[Probes], str]:
    return lambda probes: reverse(name, args=[probes.small_reference])


# A change whose "before" is withheld (lifecycle.timeline_changes.withheld_before), as
# lifecycle/templatetags/policy_history.py writes it (CHANGE): the re-marking publication's marking as a reader not
# cleared for the versions before it reads it, the "after" alone; those cleared read both values.
WITHHELD_BEFORE = ('Protective marking</dt>\n            '
                   '<dd class="govuk-summary-list__value app-user-text">OFFICIAL</dd>')

# The pages of issue 16, for the three probe users. Other benchmarks append their own (see the module's doc).
PAGES: list[PageCase] = [
    PageCase("My work", lambda probes: reverse("home"), expect="My work"),
    PageCase("register", lambda probes: reverse("lifecycle:register"), expect='id="result-count"'),
    PageCase("register fragment", lambda probes: reverse("lifecycle:register") + "?page=2",
             headers={"HX-Request": "true", "HX-Trigger": "register-results"}, expect='id="result-count"'),
    PageCase("overview", _detail_url("lifecycle:detail"), same_queries_as=_small_url("lifecycle:detail")),
    PageCase("timeline", _detail_url("lifecycle:timeline"), same_queries_as=_small_url("lifecycle:timeline")),
    PageCase("versions", _detail_url("lifecycle:versions"), same_queries_as=_small_url("lifecycle:versions")),
    # The timeline as staff not cleared for the policy's OFFICIAL-SENSITIVE material read it (review of 2026-12-05,
    # finding 1): the historic policy, OFFICIAL now, its first five cycles' versions frozen OFFICIAL-SENSITIVE. Their
    # events are left out, and of the sixth publication's downgrade only the "after" is shown: the marking alone,
    # where those cleared read "OFFICIAL-SENSITIVE, OFFICIAL" (WITHHELD_BEFORE).
    PageCase("timeline, not cleared", lambda probes: reverse("lifecycle:timeline", args=[probes.historic_reference]),
             users=(NOT_CLEARED,), expect=WITHHELD_BEFORE, same_queries_as=_small_url("lifecycle:timeline")),
    # Where staff land to read policies, and the public's list: each read a page in the order of a partial index
    # and stopped there (the library's count at 10,001; the Scheme's counted from two index-only scans).
    PageCase("library", lambda probes: reverse("library:index"), expect='id="result-count"'),
    PageCase("notices", lambda probes: reverse("notices:index"), expect='id="publication-'),
    PageCase("Publication Scheme", lambda probes: reverse("publication:scheme"), expect="policies published</h2>"),
]

TARGET_NOTE = (f"issue: each page p50 <= {PAGE_RATIO:g} x its own SQL (the statements one request of it sends, "
               f"replayed raw) for developer, co-ordinator and PCU; <= {PAGE_QUERY_BUDGET} queries, the same for a "
               "policy with no history; no statement JIT-compiled (its plan estimated above jit_above_cost). The "
               "floors' rows (benchmarks.floor, timed in the same pass: Django's, a "
               "signed-in request answered with a constant, and the layout's, a signed-in page with only the layout) "
               "are information: what any page spends before its view starts")


def template_lines(rows: list[Row]) -> list[str]:
    """One line per page row: its templates' time and the ratio it would have without them (printed under the
    table; the detail of each row in bench.json)."""
    lines = []
    for row in rows:
        for part in row.detail.split("; "):
            if part.startswith("templates "):
                lines.append(f"  {row.measurement} ({row.user}): {row.ratio:.2f}x, {part}")
    return lines
