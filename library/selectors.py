"""Reads of the library, already filtered to what the user may see.

Visibility (lifecycle.selectors, one rule): the library holds only published documents, which every member of staff
may read, OFFICIAL-SENSITIVE ones aside: those only for staff cleared for the policy's business group
(``cleared_business_groups``, as ``user_may_see_sensitive``). Anonymous visitors get nothing (the views ask for a
sign-in; here, an empty queryset).

Bounded work (rule 19): the words searched are at most ``MAX_QUERY_LENGTH`` characters; at most ``MAX_RANKED``
matching documents are ranked (a query matching more is told so, and asked to narrow it); a page holds
``PAGE_SIZE``; extracts are taken from the first ``HEADLINE_CHARACTERS`` of a document.
"""

from __future__ import annotations

import datetime
import html
import operator
import re
import threading
from dataclasses import dataclass, field
from functools import reduce
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from core.models import RoleAssignment, Unit
from library.models import DocumentKind, LibraryDocument
from library.services import MATCH_END, MATCH_START
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import cleared_business_groups, sop_versions_for
from lifecycle.states import ProtectiveMarking

MAX_QUERY_LENGTH = 200
MAX_RANKED = 10_000
PAGE_SIZE = 20
MAX_PAGE = MAX_RANKED // PAGE_SIZE
HEADLINE_CHARACTERS = 100_000
SEARCH_CONFIG = "english"


class Scope:
    CURRENT = "current"
    SUPERSEDED = "superseded"
    ARCHIVE = "archive"
    CHOICES = [(CURRENT, "Documents in force"), (SUPERSEDED, "Documents in force and earlier versions"),
               (ARCHIVE, "The archive of withdrawn policies")]


def library_visibility(user) -> Q:
    """The Q a library document must match to be shown to ``user``: OFFICIAL-SENSITIVE ones only to staff cleared for
    their business group, and a local work instruction's only to its business group's staff (those working in one of
    its units, or holding a role in it; issue 13). A force-wide role sees everything.

    With the user's roles not loaded yet, the clearance is asked in the same statement (a hashed subquery and an init
    plan, each run once), not by a query of its own: a search is then one statement, as the bare ranked query it is
    measured against."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    official = Q(protective_marking=ProtectiveMarking.OFFICIAL)
    if getattr(user, "_policyhub_roles", None) is None:
        roles = RoleAssignment.objects.filter(user_id=user.pk)
        cleared_here = Q(business_group_id__in=roles.values("business_group_id"))
        return Q(Exists(roles.filter(business_group_id__isnull=True))) | (
            (official | cleared_here) & (Q(local_to_group=False) | cleared_here | _unit_group(user)))
    cleared = cleared_business_groups(user)
    if cleared is None:
        return Q()
    cleared_here = Q(business_group_id__in=cleared)
    return (official | cleared_here) & (Q(local_to_group=False) | cleared_here | _unit_group(user))


def _unit_group(user) -> Q:
    """Documents of the business group the user works in (their unit's), whatever their roles."""
    if user.unit_id is None:
        return Q(pk__in=[])
    return Q(business_group_id__in=Unit.objects.filter(pk=user.unit_id).values("business_group_id"))


def library_documents(*, user, scope: str = Scope.CURRENT) -> QuerySet[LibraryDocument]:
    documents = LibraryDocument.objects.filter(library_visibility(user))
    if scope == Scope.ARCHIVE:
        return documents.filter(is_withdrawn=True)
    if scope == Scope.SUPERSEDED:
        return documents.filter(is_withdrawn=False)
    return documents.filter(is_current=True)


@dataclass
class SearchResults:
    # LibraryResult rows (LibraryDocument instances on SQLite, whose search reads them with their text).
    documents: list = field(default_factory=list)
    total: int = 0
    page_number: int = 1
    # More matched than are ranked: the results are the best of the first MAX_RANKED, and the person is told.
    capped: bool = False
    # Why nothing could be searched (every word too common), for the page to say.
    message: str = ""

    @property
    def page_count(self) -> int:
        return max(1, -(-min(self.total, MAX_RANKED) // PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def has_next(self) -> bool:
        return self.page_number < self.page_count

    @property
    def first_index(self) -> int:
        return (self.page_number - 1) * PAGE_SIZE + 1 if self.documents else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.documents) - 1 if self.documents else 0


def page_number_of(value) -> int:
    """The page asked for, as a number within 1..MAX_PAGE (anything else is page 1)."""
    text = str(value or "")
    if not text.isdigit() or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def narrowed(documents: QuerySet, *, business_group=None, subject=None, relevant_to: str = "") -> QuerySet:
    if business_group is not None:
        documents = documents.filter(business_group_id=business_group.pk)
    if subject is not None:
        documents = documents.filter(policy__subject_id=subject.pk)
    if relevant_to:
        # Who the document was published as relevant to (its own column, as its result shows): the policy's own is a
        # review's draft, which staff without a part in it may not read (security probe F5).
        documents = documents.filter(relevant_to__icontains=relevant_to)
    return documents


def library_search(*, user, text: str, scope: str = Scope.CURRENT, page: int = 1, **filters) -> SearchResults:
    """The documents matching ``text`` (at most MAX_QUERY_LENGTH characters: the form refuses longer), best first,
    one page, each with ``headline`` (an extract, matches marked, escaped). One statement on PostgreSQL (a second
    when nothing matches, to say why); none for a search with no words in it (the view lists the policies instead)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not has_search_words(text):
        return SearchResults(page_number=page, message=NO_WORDS)
    if connection.vendor != "postgresql":
        return _search_simple(narrowed(library_documents(user=user, scope=scope), **filters), text, page)
    offset = (page - 1) * PAGE_SIZE
    ranked, total = _ranked_page(user, scope, filters, text, offset)
    results = SearchResults(documents=ranked, total=min(total, MAX_RANKED), page_number=page,
                            capped=total > MAX_RANKED)
    if not total and not _has_lexemes(text):
        results.message = TOO_COMMON
    return results


NO_WORDS = "Enter the words to search for."
TOO_COMMON = ("Every word you searched for is too common to search on its own (words like ‘the’ and ‘and’). Add a "
              "more specific word.")


# ts_headline's options: the markers ``marked`` turns into <mark>, about 35 words, in up to two fragments.
HEADLINE_OPTIONS = (f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=35, MinWords=15, MaxFragments=2, "
                    'FragmentDelimiter=" … "')


# What a result shows, read with the page's rows (no second query; never the text or the vector): the row's own
# columns (the policy's title and "relevant to" as published, the version's number) and its business group's name.
DISPLAY_FIELDS = ("id", "policy_id", "policy_version_id", "kind", "sop_id", "monitoring_report_id", "reference",
                  "title", "policy_title", "relevant_to", "version_number", "protective_marking", "business_group_id",
                  "is_current", "is_withdrawn", "published_on")
DISPLAY_COLUMNS = ", ".join([f"document.{name}" for name in DISPLAY_FIELDS] + ["business_group.name"])


class LibraryResult(NamedTuple):
    """A result as the page shows it (library.templatetags.library_results): its DISPLAY_FIELDS, its business group's
    name and, for a search, its rank and extract. Values, not LibraryDocument instances: a page of 20 instances, each
    of a model whose text and vector are deferred, cost more Python than the statement that read them (make bench,
    100,000 policies: the library took about twice its own SQL)."""

    id: int
    policy_id: int
    policy_version_id: int | None
    kind: str
    sop_id: int | None
    monitoring_report_id: int | None
    reference: str
    title: str
    policy_title: str
    relevant_to: str
    version_number: str
    protective_marking: str
    business_group_id: int
    is_current: bool
    is_withdrawn: bool
    published_on: datetime.date | None
    business_group_name: str
    rank: float | None = None
    # The extract of a search (matches marked, escaped); None when browsing.
    headline: SafeString | None = None

    @property
    def pk(self) -> int:
        return self.id


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
    words = _wanted_words(parsed_search(text))
    return max(words, key=len) if words else ""


def _has_lexemes(text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, text])
        return bool(cursor.fetchone()[0])


def marked(extract: str) -> SafeString:
    """An extract with its matches in <mark>: the text escaped first, then the markers (which the indexed text
    never holds) turned into the tags."""
    escaped = html.escape(extract or "", quote=False)
    return mark_safe(escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))  # noqa: S308


# --- the search language, for the SQLite fallback ---------------------------------------------------------------

# PostgreSQL's English stop words (tsearch_data/english.stop), which websearch_to_tsquery('english', ...) drops: the
# fallback drops them too, or "the abuse" would need the word "the" on SQLite and not on PostgreSQL, and "-the"
# would leave out every document.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its
itself they them their theirs themselves what which who whom this that these those am is are was were be been being
have has had having do does did doing a an the and but if or because as until while of at by for with about against
between into through during before after above below to from up down in out on off over under again further then once
here there when where why how all any both each few more most other some such no nor not only own same so than too
very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())
# A word, as the fallback reads one (letters and digits; PostgreSQL's parser splits at the same places, near enough).
_WORD = re.compile(r"[^\W_]+")
# What websearch_to_tsquery reads as one operand: up to a space, a quote or one of the plain tsquery syntax's
# operators, which it skips (it reads only quotes, "or" and a minus sign at the start of a word).
_CHUNK = re.compile(r'[^\s"!&|()<]+')
_SKIPPED = frozenset("!&|()<")


def has_search_words(text: str) -> bool:
    """Whether ``text`` holds anything to search for once its operators are set aside ("-", '""' and "- -" do not;
    a common word does, and is explained as too common)."""
    return bool(_WORD.search(text or ""))


@dataclass(frozen=True)
class SearchTerm:
    """A word, or a phrase's words in order (None: a common word, which keeps its place in the phrase, as
    'abus' <2> 'trust' does for "abuse of trust"), and whether a minus sign leaves it out."""
    words: tuple[str | None, ...]
    excluded: bool = False


def _term(text: str, *, excluded: bool) -> SearchTerm | None:
    """Words joined by punctuation ("abuse-related") are a phrase, as PostgreSQL reads them; common words at either
    end go, and a term of common words alone is no term."""
    words = [None if word in STOP_WORDS else word for word in _WORD.findall(text.lower())]
    while words and words[0] is None:
        words.pop(0)
    while words and words[-1] is None:
        words.pop()
    return SearchTerm(words=tuple(words), excluded=excluded) if words else None


def parsed_search(text: str) -> tuple[tuple[SearchTerm, ...], ...]:
    """``text`` read as websearch_to_tsquery reads it (the PostgreSQL path): the alternatives ("or" between words) of
    which a document must match one, each the terms it must hold all of, or (with a minus sign) none of. Words are
    required; "quoted words" are a phrase; a minus sign at the start of a word or phrase leaves it out (two put it
    back); "or" between words is an alternative; the plain tsquery operators (! & | ( ) <) are skipped; common words
    are dropped. Empty when there is nothing to search for."""
    groups: list[tuple[SearchTerm, ...]] = []
    group: list[SearchTerm] = []
    minus_signs, waiting_for_word, position = 0, True, 0
    while position < len(text):
        character = text[position]
        if character.isspace() or character in _SKIPPED:
            position += 1
            continue
        if character == "-":
            minus_signs, waiting_for_word, position = minus_signs + 1, True, position + 1
            continue
        if character == '"':
            end = text.find('"', position + 1)
            end = len(text) if end < 0 else end
            operand, position = text[position + 1:end], end + 1
        else:
            chunk = _CHUNK.match(text, position)
            operand, position = chunk.group(), chunk.end()
            if not waiting_for_word and operand.lower() == "or":
                groups.append(tuple(group))
                group, minus_signs, waiting_for_word = [], 0, True
                continue
        term = _term(operand, excluded=minus_signs % 2 == 1)
        if term is not None:
            group.append(term)
        minus_signs, waiting_for_word = 0, False
    groups.append(tuple(group))
    return tuple(group for group in groups if group)


def _wanted_words(groups) -> list[str]:
    """The words searched for, not those left out: what an extract is taken around and marks."""
    return list(dict.fromkeys(word for group in groups for term in group if not term.excluded
                              for word in term.words if word is not None))


def _term_pattern(term: SearchTerm) -> str:
    """A regular expression read alike by Python (Django's REGEXP on SQLite) and PostgreSQL (~*): the term's words
    each at the start of a word, in order, words apart. A word matches with any ending ("abuse" finds "abused"), the
    nearest the fallback comes to the English stemmer; it misses a changed stem ("abuse" and "abusing")."""
    parts = [r"\w+" if word is None else re.escape(word) + r"\w*" for word in term.words]
    return r"(?:^|\W)" + r"\W+".join(parts)


def simple_match(groups) -> Q:
    """The documents ``parsed_search`` asks for, by their reference, title or text (what PostgreSQL's vector holds):
    one of the alternatives, each with every term it requires and none it leaves out. Nothing for no alternatives."""
    alternatives = []
    for group in groups:
        every = Q()
        for term in group:
            pattern = _term_pattern(term)
            found = Q(reference__iregex=pattern) | Q(title__iregex=pattern) | Q(body__iregex=pattern)
            every &= ~found if term.excluded else found
        alternatives.append(every)
    return reduce(operator.or_, alternatives) if alternatives else Q(pk__in=[])


# Bounded work: the fallback's statement tests at most this many terms (the rest of a long search is not searched).
MAX_SIMPLE_TERMS = 12
EXTRACT_RADIUS = 120


def _bounded(groups) -> tuple[tuple[SearchTerm, ...], ...]:
    kept, left = [], MAX_SIMPLE_TERMS
    for group in groups:
        if left <= 0:
            break
        kept.append(group[:left])
        left -= len(group)
    return tuple(kept)


def _search_simple(documents: QuerySet, text: str, page: int) -> SearchResults:
    """SQLite (make run): the search language of the PostgreSQL path (``parsed_search``), matched by regular
    expressions on the reference, title and text, in reference order, with an extract around the first word
    searched for. Unranked; bounded as the PostgreSQL search is."""
    if not has_search_words(text):
        return SearchResults(page_number=page, message=NO_WORDS)
    groups = _bounded(parsed_search(text))
    if not groups:
        return SearchResults(page_number=page, message=TOO_COMMON)
    documents = documents.filter(simple_match(groups))
    total = documents.count()
    offset = (page - 1) * PAGE_SIZE
    listed = list(documents.annotate(business_group_name=F("business_group__name"))
                  .order_by("reference", "kind", "pk")[offset:offset + PAGE_SIZE])
    words = _wanted_words(groups)
    for document in listed:
        document.headline = _extract(document.body, words) if words else None
    return SearchResults(documents=listed, total=min(total, MAX_RANKED), page_number=page,
                         capped=total > MAX_RANKED)


def _extract(body: str, words: list[str]) -> SafeString:
    lowered = body[:HEADLINE_CHARACTERS].lower()
    positions = [lowered.find(word.lower()) for word in words]
    found = [position for position in positions if position >= 0]
    start = max(min(found) - EXTRACT_RADIUS, 0) if found else 0
    end = start + 2 * EXTRACT_RADIUS + 60
    # Whole words at both ends ("… t at scoping" read as a typo): start after a space, end before one.
    if start:
        space = body.find(" ", start, min(found) if found else end)
        start = space + 1 if space >= 0 else start
    if end < len(body):
        space = body.rfind(" ", start, end)
        end = space if space > start else end
    window = body[start:end]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    window = pattern.sub(lambda match: f"{MATCH_START}{match.group(0)}{MATCH_END}", window)
    return marked(("… " if start else "") + window + (" …" if start + len(window) < len(body) else ""))


def _capped_count(documents: QuerySet) -> Subquery:
    """How many ``documents`` there are, counted up to MAX_RANKED + 1 (all a page says: the total up to MAX_RANKED,
    and whether there are more), as a subquery the page's statement runs once. COUNT(*) OVER () counted every row
    before the LIMIT, so the page's rows could not be read in the order of an index and stopped at the page: make
    bench, 100,000 policies, the landing page sorted all 75,000 statements in force (160-345 ms); counting 10,001
    of them instead reads a few thousand pages (about 20 ms) and the page's 20 rows come from
    library_statement_title_idx."""
    return Subquery(documents.order_by().values("pk")[:MAX_RANKED + 1],
                    template="(SELECT COUNT(*) FROM (%(subquery)s) AS counted)", output_field=IntegerField())


def library_browse(*, user, scope: str = Scope.CURRENT, page: int = 1, **filters) -> SearchResults:
    """No words: the Policy Statements (of the archive, for that scope) in title order, a page at a time."""
    statements = narrowed(library_documents(user=user, scope=scope), **filters).filter(kind=DocumentKind.STATEMENT)
    if scope == Scope.SUPERSEDED:
        statements = statements.filter(is_current=True)
    elif scope == Scope.ARCHIVE:
        # A withdrawn policy once, by its last version (versions are numbered, and their ids given, in order).
        statements = statements.exclude(Exists(LibraryDocument.objects.filter(
            policy_id=OuterRef("policy_id"), kind=DocumentKind.STATEMENT, policy_version_id__gt=OuterRef(
                "policy_version_id"))))
    offset = (page - 1) * PAGE_SIZE
    rows = list(statements.annotate(business_group_name=F("business_group__name"), total=_capped_count(statements))
                .order_by("title", "pk").values_list(*DISPLAY_FIELDS, "business_group_name", "total")
                [offset:offset + PAGE_SIZE])
    listed = [LibraryResult(*row[:-1]) for row in rows]
    total = rows[0][-1] if listed else (statements[:MAX_RANKED + 1].count() if page > 1 else 0)
    return SearchResults(documents=listed, total=min(total, MAX_RANKED), page_number=page,
                         capped=total > MAX_RANKED)


# --- one policy in the library ------------------------------------------------------------------


@dataclass
class LibraryEntry:
    policy: Policy
    version: PolicyVersion | None
    statement: LibraryDocument
    documents: list[LibraryDocument]
    sop_versions: list
    eia: object | None
    reports: list
    other_versions: list[LibraryDocument]
    in_force: LibraryDocument | None


def library_entry(*, user, reference: str, number: str | None = None) -> LibraryEntry:
    """A policy's documents as published on the intranet: the version in force (or, with ``number``, an earlier
    published version, marked superseded; or, for a withdrawn policy, its last version, in the archive). 404 for
    anything the user may not read, as for anything that does not exist."""
    statements = (LibraryDocument.objects.filter(library_visibility(user), reference=reference,
                                                 kind=DocumentKind.STATEMENT)
                  .select_related("policy_version", "policy__business_group", "policy__owning_unit")
                  .defer("body", "search_vector").order_by("-policy_version__major", "-policy_version__minor"))
    listed = list(statements[:200])
    if not listed:
        raise Http404("No such policy in the library.")
    newest = listed[0]
    in_force = next((document for document in listed if document.is_current), None)
    if number is None:
        chosen = in_force or (newest if newest.is_withdrawn else None)
    else:
        chosen = next((document for document in listed if document.policy_version.number == number), None)
    if chosen is None:
        raise Http404("No such version in the library.")
    version = chosen.policy_version
    documents = list(LibraryDocument.objects.filter(library_visibility(user), policy_id=chosen.policy_id)
                     .filter(Q(policy_version=version) | Q(kind=DocumentKind.MONITORING_REPORT))
                     .defer("body", "search_vector"))
    readable_sops = {document.sop_id for document in documents if document.kind == DocumentKind.SOP}
    eia_listed = any(document.kind == DocumentKind.EIA for document in documents)
    reports = {document.monitoring_report_id for document in documents
               if document.kind == DocumentKind.MONITORING_REPORT}
    policy = chosen.policy
    return LibraryEntry(
        policy=policy, version=version, statement=chosen, documents=documents,
        sop_versions=[sop_version for sop_version in sop_versions_for(user=user, version=version)
                      if sop_version.sop_id in readable_sops],
        eia=getattr(version, "eia", None) if eia_listed else None,
        reports=list(policy.monitoring_reports.filter(pk__in=reports).order_by("-period_end")),
        other_versions=[document for document in listed if document.pk != chosen.pk],
        in_force=in_force,
    )
