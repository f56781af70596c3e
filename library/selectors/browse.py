"""The library with no words searched: the Policy Statements (of the archive, for that scope) in title order, a page
at a time, counted up to the ranked limit.
"""

from __future__ import annotations

from django.db.models import Exists, F, IntegerField, OuterRef, QuerySet, Subquery

from library.models import DocumentKind, LibraryDocument
from library.selectors.results import DISPLAY_FIELDS, MAX_RANKED, PAGE_SIZE, LibraryResult, SearchResults
from library.selectors.visibility import Scope, library_documents, narrowed


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
