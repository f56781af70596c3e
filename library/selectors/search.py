"""The library's search: the documents matching the words searched that the reader may see, best first, a page at a
time, each with an extract. On PostgreSQL, full-text search, ranked and bounded, in one statement assembled around
Django's own SQL, compiled once per reader (``_compiled_matches``, ``_ranked_page``); on SQLite, the fallback
(``fallback``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F

from library.selectors.fallback import search_simple
from library.selectors.language import has_search_words, parsed_search, wanted_words
from library.selectors.results import (
    DISPLAY_COLUMNS,
    HEADLINE_CHARACTERS,
    MAX_QUERY_LENGTH,
    MAX_RANKED,
    NO_WORDS,
    PAGE_SIZE,
    TOO_COMMON,
    LibraryResult,
    SearchResults,
    marked,
)
from library.selectors.visibility import Scope, library_documents, narrowed
from library.services import MATCH_END, MATCH_START
from lifecycle.selectors import cleared_business_groups

SEARCH_CONFIG = "english"


def library_search(*, user, text: str, scope: str = Scope.CURRENT, page: int = 1, **filters) -> SearchResults:
    """The documents matching ``text`` (at most MAX_QUERY_LENGTH characters: the form refuses longer), best first,
    one page, each with ``headline`` (an extract, matches marked, escaped). One statement on PostgreSQL (a second
    when nothing matches, to say why); none for a search with no words in it (the view lists the policies instead)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not has_search_words(text):
        return SearchResults(page_number=page, message=NO_WORDS)
    if connection.vendor != "postgresql":
        return search_simple(narrowed(library_documents(user=user, scope=scope), **filters), text, page)
    offset = (page - 1) * PAGE_SIZE
    ranked, total = _ranked_page(user, scope, filters, text, offset)
    results = SearchResults(documents=ranked, total=min(total, MAX_RANKED), page_number=page,
                            capped=total > MAX_RANKED)
    if not total and not _has_lexemes(text):
        results.message = TOO_COMMON
    return results


# ts_headline's options: the markers ``marked`` turns into <mark>, about 35 words, in up to two fragments.
HEADLINE_OPTIONS = (f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=35, MinWords=15, MaxFragments=2, "
                    'FragmentDelimiter=" … "')


# Stands for the words searched in the statement compiled once per reader (_compiled_matches); never sent.
_TEXT_MARKER = "\x1fpolicyhub-library-search-words\x1f"


@dataclass(frozen=True)
class _CompiledMatches:
    sql: str
    params: tuple
    # Where in ``params`` the words searched go.
    text_at: tuple[int, ...]


def _reader_key(user) -> tuple:
    """Everything library_visibility and narrowed read of the reader: the compiled statement is the same for two
    readers with the same key. Roles loaded for the request (workspace.backends) become the cleared groups in the
    SQL; otherwise the statement asks for them by the user's id."""
    if user is None or not user.is_authenticated or not user.is_active:
        return (None,)
    roles = getattr(user, "_policyhub_roles", None)
    if roles is None:
        return (user.pk, user.unit_id, "roles asked in the statement")
    cleared = cleared_business_groups(user)
    return (user.pk, user.unit_id, None if cleared is None else tuple(sorted(cleared)))


_MATCHES_COMPILED: dict[tuple, _CompiledMatches | None] = {}
_MATCHES_COMPILED_MAX = 1_024
_MATCHES_LOCK = threading.Lock()


def _compiled_matches(user, scope: str, filters: dict) -> _CompiledMatches | None:
    """The ids and ranks of the first MAX_RANKED + 1 documents matching the words searched that ``user`` may see
    within ``scope`` and ``filters``: Django's SQL for it, compiled once per reader and filters (building the
    visibility filter and compiling it took longer than PostgreSQL took to run the search: make bench, issue 14),
    the words a parameter. None when the reader may see nothing."""
    business_group, subject = filters.get("business_group"), filters.get("subject")
    key = (_reader_key(user), scope, getattr(business_group, "pk", None), getattr(subject, "pk", None),
           filters.get("relevant_to") or "")
    if key in _MATCHES_COMPILED:
        return _MATCHES_COMPILED[key]
    query = SearchQuery(_TEXT_MARKER, search_type="websearch", config=SEARCH_CONFIG)
    matches = narrowed(library_documents(user=user, scope=scope), **filters).filter(search_vector=query)
    inner = (matches.annotate(rank=SearchRank(F("search_vector"), query)).order_by()
             .values("id", "rank")[:MAX_RANKED + 1])
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        compiled = None
    else:
        text_at = tuple(index for index, value in enumerate(params) if value == _TEXT_MARKER)
        if not text_at or any(_TEXT_MARKER in str(value) for index, value in enumerate(params)
                              if index not in text_at):
            raise RuntimeError("The library search's statement must take the words searched as whole parameters.")
        compiled = _CompiledMatches(sql, tuple(params), text_at)
    with _MATCHES_LOCK:
        while len(_MATCHES_COMPILED) >= _MATCHES_COMPILED_MAX:
            _MATCHES_COMPILED.pop(next(iter(_MATCHES_COMPILED)))
        _MATCHES_COMPILED[key] = compiled
    return compiled


def _ranked_page(user, scope: str, filters: dict, text: str, offset: int) -> tuple[list[LibraryResult], int]:
    """The results (each with its rank and extract) of one page of the documents matching ``text`` that ``user`` may
    see, best first, and how many matched (at most MAX_RANKED + 1), in one statement. Bounded: the first MAX_RANKED +
    1 matches the GIN index gives are ranked, not all of them; only ids and ranks are carried through the count and
    the sort; ts_headline reads a window of the text of the page's rows alone, after the LIMIT; what a result shows
    is read from those rows only, with their business group's name (make bench, 5,000 matches of 166,000 documents:
    carrying the text through the sort spilled it to disk, 7x the bare ranked query; joining the policy and version
    for display, a lower() of each row's text for the extract and a separate query for the reader's roles, 2.5-3.4x).
    Django cannot select from a subquery, so the statement is assembled around Django's own compiled SQL
    (``_compiled_matches``), every value a parameter."""
    compiled = _compiled_matches(user, scope, filters)
    if compiled is None:
        return [], 0
    inner_params = list(compiled.params)
    for index in compiled.text_at:
        inner_params[index] = text
    # The extract is taken from a window of EXTRACT_WINDOW characters around the first place the search's most
    # specific word appears in lower case, capitalised or in capitals (or the start, when only another form of it
    # does): ts_headline parses all it is given, so a window keeps its cost the same for a 500,000-character SOP as
    # for a short one. strpos on the text as it is (lower() of each row's first 100,000 characters cost as much as
    # the headline itself).
    statement = (
        "SELECT page.id, page.rank, page.total, " + DISPLAY_COLUMNS + ", "  # noqa: S608
        "ts_headline(%s::regconfig, substr(document.body, greatest(coalesce(least("
        "nullif(strpos(left(document.body, %s), %s), 0), nullif(strpos(left(document.body, %s), initcap(%s)), 0), "
        "nullif(strpos(left(document.body, %s), upper(%s)), 0)), 1) - %s, 1), %s), "
        "websearch_to_tsquery(%s::regconfig, %s), %s) "
        "FROM (SELECT matches.id, matches.rank, COUNT(*) OVER () AS total FROM (" + compiled.sql + ") AS matches "
        "ORDER BY matches.rank DESC, matches.id LIMIT %s OFFSET %s) AS page "
        "JOIN library_librarydocument document ON document.id = page.id "
        "JOIN core_businessgroup business_group ON business_group.id = document.business_group_id "
        "ORDER BY page.rank DESC, page.id")
    anchor = _anchor_word(text)
    with connection.cursor() as cursor:
        cursor.execute(statement, [SEARCH_CONFIG, *[HEADLINE_CHARACTERS, anchor] * 3, EXTRACT_WINDOW // 3,
                                   EXTRACT_WINDOW, SEARCH_CONFIG, text, HEADLINE_OPTIONS, *inner_params, PAGE_SIZE,
                                   offset])
        rows = cursor.fetchall()
    if rows:
        return [LibraryResult(*row[3:-1], rank=row[1], headline=marked(row[-1])) for row in rows], rows[0][2]
    if offset == 0:
        return [], 0
    # Past the last page: how many there are, for the page to say so.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (" + compiled.sql + ") AS matches", inner_params)  # noqa: S608
        return [], cursor.fetchone()[0]


EXTRACT_WINDOW = 600


def _anchor_word(text: str) -> str:
    """The longest word searched for (not one left out with a minus sign, nor a common word), lower case: where the
    extract is taken. Empty (no anchor: the extract starts at the beginning) when there is none; strpos of '' is 1."""
    words = wanted_words(parsed_search(text))
    return max(words, key=len) if words else ""


def _has_lexemes(text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, text])
        return bool(cursor.fetchone()[0])
