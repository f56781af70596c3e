"""The search on SQLite (make run), which has no full-text search: the search language of the PostgreSQL path
(``language.parsed_search``) matched by regular expressions, unranked, with an extract around the first word
searched for; bounded as the PostgreSQL search is.
"""

from __future__ import annotations

import re

from django.db.models import F, QuerySet
from django.utils.safestring import SafeString

from library.selectors.language import SearchTerm, has_search_words, parsed_search, simple_match, wanted_words
from library.selectors.results import (
    HEADLINE_CHARACTERS,
    MAX_RANKED,
    NO_WORDS,
    PAGE_SIZE,
    TOO_COMMON,
    SearchResults,
    marked,
)
from library.services import MATCH_END, MATCH_START

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


def search_simple(documents: QuerySet, text: str, page: int) -> SearchResults:
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
    words = wanted_words(groups)
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
