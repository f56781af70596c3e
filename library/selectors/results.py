"""A page of results, as the library's pages show it, and the bounds on the work of reading one.

Bounded work (rule 19): the words searched are at most ``MAX_QUERY_LENGTH`` characters; at most ``MAX_RANKED``
matching documents are ranked (a query matching more is told so, and asked to narrow it); a page holds
``PAGE_SIZE``; extracts are taken from the first ``HEADLINE_CHARACTERS`` of a document.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe

from library.services import MATCH_END, MATCH_START

MAX_QUERY_LENGTH = 200
MAX_RANKED = 10_000
PAGE_SIZE = 20
MAX_PAGE = MAX_RANKED // PAGE_SIZE
HEADLINE_CHARACTERS = 100_000


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


NO_WORDS = "Enter the words to search for."
TOO_COMMON = ("Every word you searched for is too common to search on its own (words like ‘the’ and ‘and’). Add a "
              "more specific word.")


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


def marked(extract: str) -> SafeString:
    """An extract with its matches in <mark>: the text escaped first, then the markers (which the indexed text
    never holds) turned into the tags."""
    escaped = html.escape(extract or "", quote=False)
    return mark_safe(escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))  # noqa: S308
