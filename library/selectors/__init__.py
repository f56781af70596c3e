"""Reads of the library, already filtered to what the user may see. Split by concern:

- ``visibility``: which documents a reader may see (the one rule, ``library_visibility``), within a scope, narrowed
  by the page's filters;
- ``results``: a page of results as the pages show it (``SearchResults``, ``LibraryResult``, extracts marked) and
  the bounds on the work of reading one (rule 19);
- ``language``: the search language, as websearch_to_tsquery reads it, written out in Python;
- ``fallback``: the search on SQLite (make run), by that language's regular expressions;
- ``search``: the search, PostgreSQL's full-text search ranked in one statement, or the fallback;
- ``browse``: the library with no words searched, its Policy Statements in title order;
- ``entry``: one policy's documents as published, in force or an earlier version.

Importing from ``library.selectors`` is the public interface; the modules import one another in that order.
"""

from library.selectors.browse import library_browse
from library.selectors.entry import LibraryEntry, library_entry
from library.selectors.fallback import EXTRACT_RADIUS, MAX_SIMPLE_TERMS
from library.selectors.language import STOP_WORDS, SearchTerm, has_search_words, parsed_search, simple_match
from library.selectors.results import (
    DISPLAY_COLUMNS,
    DISPLAY_FIELDS,
    HEADLINE_CHARACTERS,
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    MAX_RANKED,
    NO_WORDS,
    PAGE_SIZE,
    TOO_COMMON,
    LibraryResult,
    SearchResults,
    marked,
    page_number_of,
)
from library.selectors.search import EXTRACT_WINDOW, HEADLINE_OPTIONS, SEARCH_CONFIG, library_search
from library.selectors.visibility import Scope, library_documents, library_visibility, narrowed

__all__ = [
    "DISPLAY_COLUMNS", "DISPLAY_FIELDS", "EXTRACT_RADIUS", "EXTRACT_WINDOW", "HEADLINE_CHARACTERS", "HEADLINE_OPTIONS",
    "MAX_PAGE", "MAX_QUERY_LENGTH", "MAX_RANKED", "MAX_SIMPLE_TERMS", "NO_WORDS", "PAGE_SIZE", "SEARCH_CONFIG",
    "STOP_WORDS", "TOO_COMMON", "LibraryEntry", "LibraryResult", "Scope", "SearchResults", "SearchTerm",
    "has_search_words", "library_browse", "library_documents", "library_entry", "library_search",
    "library_visibility", "marked", "narrowed", "page_number_of", "parsed_search", "simple_match",
]
