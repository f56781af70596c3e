"""The Publication Scheme's index: its policies by title, narrowed by words in what the Scheme publishes of them
(PostgreSQL full-text search; plain matching on SQLite), by business group and by subject, read as values rows, in a
constant number of queries whatever the number of policies (issue 14). Without words to search for, the page, its
count and its publications are read by statements compiled once per process (issue 16, ``scheme_index_page``).
Each entry's page, and what a version publishes, are publication.selectors'."""

import datetime
from functools import partial
from math import ceil
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from core.compiled import CompiledValues, compiled_per_key
from core.models import BusinessGroup, Subject
from lifecycle.models import Policy
from lifecycle.models.policy import ON_THE_SCHEME
from publication.models import Publication

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10

# The policy's side of being on the Scheme (the publication's side is scheme_publications'): in force, OFFICIAL
# and marked suitable. Written on Policy so that the index reads policies and asks for a publication by EXISTS,
# which PostgreSQL answers with a semi-join (make bench, 100,000 policies: pk IN (...) with a subquery per row for
# the date took 0.4 s to count and 2.3 s for a deep page). Declared with Policy (lifecycle.models.policy), whose
# partial indexes on exactly this condition read the Scheme's index by title and count it.
ON_SCHEME_POLICY = ON_THE_SCHEME


def _scheme_policy_set() -> QuerySet[Policy]:
    current_there = Publication.objects.filter(policy_id=OuterRef("pk"), status=Publication.Status.PUBLISHED,
                                               on_publication_scheme=True, superseded_at__isnull=True)
    return Policy.objects.filter(ON_SCHEME_POLICY).filter(Exists(current_there))


def search_text(text: str | None) -> str:
    """What the index searches for in ``text``: its first MAX_SEARCH_LENGTH characters, stripped ("": no search)."""
    return (text or "")[:MAX_SEARCH_LENGTH].strip()


def scheme_policies(*, text: str = "", business_group=None, subject=None) -> QuerySet[Policy]:
    """The policies on the Scheme, by title, optionally narrowed by words in what the Scheme publishes of them (the
    title, purpose, "relevant to" and statement of the version on the Scheme, never a review's draft), or by a
    reference, and by business group and subject. One query for the page and one to count it, whatever the number
    of policies (issue 14: the index with a constant query count). PostgreSQL full-text search (a GIN index on the
    frozen versions, migration 0007); plain matching on SQLite (``make run``). ``business_group`` and ``subject``:
    ``SchemeFilter`` rows (``scheme_filter_choices``). The page reads its rows as values (``scheme_index_page``);
    without words to search for, from statements compiled once with the same filters (``SchemeRows``)."""
    policies = _scheme_policy_set()
    if business_group is not None:
        policies = policies.filter(business_group_id=business_group.pk)
    if subject is not None:
        policies = policies.filter(subject_id=subject.pk)
    text = search_text(text)
    if text:
        # The filters narrow the matches too, so that a bounded search is bounded within them.
        within = Q(**{f"policy__{name}": value.pk for name, value in
                      (("business_group_id", business_group), ("subject_id", subject)) if value is not None})
        search = scheme_text_search if connection.vendor == "postgresql" else scheme_text_simple
        policies = search(policies, text, within=within)
    return policies.order_by("title", "pk")


def _current_on_scheme() -> QuerySet[Publication]:
    """The publications on the Scheme now (the policy's side is ON_SCHEME_POLICY)."""
    return Publication.objects.filter(status=Publication.Status.PUBLISHED, on_publication_scheme=True,
                                      superseded_at__isnull=True)


class SchemeTextVector(Func):
    """The search vector of a frozen version's published text: the function of migration 0007, whose GIN index is
    on exactly this expression (so the planner uses it only when the query also asks for a frozen version)."""

    function = "publication_scheme_text_vector"
    output_field = SearchVectorField()


SEARCH_CONFIG = "english"


def _published_details_words(text: str, prefix: str) -> Q:
    """Every word of ``text`` in the published title, purpose or "relevant to" (``prefix`` leads from the query's
    model to the policy): for a version frozen before versions recorded their details, whose details are the
    policy's (``PolicyVersion.details_read``)."""
    matched = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        matched &= (Q(**{f"{prefix}title__icontains": word}) | Q(**{f"{prefix}purpose__icontains": word})
                    | Q(**{f"{prefix}relevant_to__icontains": word}))
    return matched


# A search's matches are bounded (rule 19): a word in every statement (100,000 policies at make bench) would
# otherwise read every version. Past this many, the page says so and asks for more words.
SCHEME_MAX_MATCHES = 2_000


def scheme_text_search(policies: QuerySet[Policy], text: str, *, within: Q | None = None) -> QuerySet[Policy]:
    """PostgreSQL: the policies whose version on the Scheme matches ``text`` as a web search ("quoted phrases",
    -excluded words, or), or whose reference is ``text``. The matching versions are found through the GIN index,
    at most SCHEME_MAX_MATCHES of them, as one uncorrelated subquery (hashed, not run per policy). A version frozen
    before versions recorded their details is found by its statement (and reference) alone."""
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    matching = (_current_on_scheme().filter(within or Q(), policy_version__submitted_at__isnull=False)
                .annotate(text_vector=SchemeTextVector("policy_version__details", "policy_version__statement"))
                .filter(text_vector=query).order_by().values("policy_id")[:SCHEME_MAX_MATCHES])
    return policies.filter(Q(pk__in=matching) | Q(reference__iexact=text))


def scheme_text_simple(policies: QuerySet[Policy], text: str, *, within: Q | None = None) -> QuerySet[Policy]:
    """Any database (SQLite has no full-text search): every word, up to MAX_SEARCH_WORDS, in the published title,
    purpose, "relevant to" or statement of the version on the Scheme, or the reference. Quotes around a phrase, as
    the PostgreSQL search reads one, are not part of its words (each word is then required, nearer than none)."""
    words = [word for word in (chunk.strip('"\u201c\u201d') for chunk in text.split()) if word]
    for word in words[:MAX_SEARCH_WORDS]:
        frozen = (Q(policy_version__statement__icontains=word)
                  | Q(frozen_title__icontains=word) | Q(frozen_purpose__icontains=word)
                  | Q(frozen_relevant_to__icontains=word)
                  | (Q(policy_version__details__isnull=True) & _published_details_words(word, "policy__")))
        matching = (_current_on_scheme().filter(within or Q()).annotate(
            frozen_title=KeyTextTransform("title", "policy_version__details"),
            frozen_purpose=KeyTextTransform("purpose", "policy_version__details"),
            frozen_relevant_to=KeyTextTransform("relevant_to", "policy_version__details"),
        ).filter(frozen).values("policy_id"))
        policies = policies.filter(Q(reference__iexact=word) | Q(pk__in=matching))
    return policies


# What a row of the index is read with (``scheme_page_details``): values, not Policy instances. The page built 50
# policies with every column, each with its business group and subject, and printed them through a loop of template
# nodes (make bench, 100,000 policies: the index took 1.8-3.5 times its own SQL).
SCHEME_ROW_FIELDS = ("pk", "reference", "title", "business_group__name", "subject__name", "last_published_on")


class SchemeRow(NamedTuple):
    """A policy as the Scheme's index lists it (publication.templatetags.publication_lists.scheme_rows)."""

    reference: str
    # The title its version on the Scheme was frozen with (a review may be retitling the draft), else its own.
    title: str
    business_group: str
    subject: str | None
    # The day its version went on the Scheme, in the service's time zone.
    published_on: datetime.date | None


# The index's page: 50 policies.
SCHEME_PAGE_SIZE = 50


def scheme_index_page(*, number=None, text: str = "", business_group=None, subject=None) -> Page:
    """The page ``number`` of the index (as ``Paginator.get_page`` settles on it: the first for anything but a
    number, the last past the end or below 1), narrowed as ``scheme_policies``, its rows SchemeRow.

    Without words to search for (the Scheme as it opens, and narrowed by its filters only), the page and its count
    come in one statement and its publications in another, each compiled once per process (``SchemeRows``,
    ``scheme_page_details``): building and compiling the page's queryset, the paginator's COUNT and the details'
    queryset took about 2 ms of Python a request. On the bench's data (100,000 policies, the first page through the
    test client), the request made 18,100 Python calls, compiled 9 statements and sent 5; now 9,800 calls, none
    compiled, 4 sent. A search's statements differ with its words, and are built as before."""
    if search_text(text):
        page = Paginator(scheme_policies(text=text, business_group=business_group, subject=subject),
                         SCHEME_PAGE_SIZE).get_page(number)
        rows = list(page.object_list.values_list(*SCHEME_ROW_FIELDS))
    else:
        listed = SchemeRows(business_group=business_group, subject=subject)
        listed.read(number)
        # A Paginator takes its count from the object list's count() (Django's documented protocol): the one read
        # with the page.
        page = Paginator(listed, SCHEME_PAGE_SIZE).get_page(number)
        rows = page.object_list
    page.object_list = scheme_page_details(rows)
    return page


def _scheme_rows(*, descending: bool, **narrowed: int) -> QuerySet[Policy]:
    """``scheme_policies(business_group=..., subject=...)``'s values of SCHEME_ROW_FIELDS (``narrowed``: their ids,
    as ``business_group_id`` and ``subject_id``), by title (``descending``: from the last), each with the count of
    them all as a last column: a scalar subquery, worked out once for the statement (an InitPlan), from the
    indexes the paginator's COUNT read (policy_on_scheme_idx, publication_on_scheme_idx)."""
    policies = _scheme_policy_set().filter(**narrowed)
    # COUNT(*) over the rows, grouped by nothing (a constant is no grouping): the paginator's own COUNT.
    counted = policies.order_by().values(scheme=Value(1)).annotate(count=Count("*")).values("count")
    ordering = ("-title", "-pk") if descending else ("title", "pk")
    return (policies.order_by(*ordering).values_list(*SCHEME_ROW_FIELDS)
            .annotate(scheme_count=Subquery(counted)))


# The index without search text, compiled once per process (core.compiled) for each of its four shapes (narrowed by
# neither, by a business group, by a subject, by both: the ids int markers), read from the first title or the last.
_SHAPES = ((), ("business_group_id",), ("subject_id",), ("business_group_id", "subject_id"))
_COMPILED_ROWS = {(shape, descending): CompiledValues(Policy, partial(_scheme_rows, descending=descending), ints=shape)
                  for shape in _SHAPES for descending in (False, True)}

# A page number past this is not read from the first title (its offset could overflow the database's): the last
# page is read, as the paginator settles on it past the end (rule 19: every input has a stated limit).
SCHEME_PAGES_READ_FORWARD = 100_000


def _page_asked(number) -> int:
    """The page number as ``Paginator.validate_number`` reads it; 1 for anything it does not take for a number
    (``Paginator.get_page`` then shows the first page)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (TypeError, ValueError):
        return 1


class SchemeRows:
    """``scheme_policies(business_group=..., subject=...)``'s rows (values of SCHEME_ROW_FIELDS, in order), for a
    Paginator: ``read(number)`` reads the page ``Paginator.get_page(number)`` settles on together with the count, in
    one statement compiled once per process, and the paginator's ``count()`` and slice of that page are then answered
    from it. Against the queryset's two statements, built and compiled on every request (the page's LIMIT/OFFSET
    read and the paginator's COUNT): one statement, no Python compiling it.

    A page past the end (an old link, an edited address) comes back empty, without its count: the last page is then
    read from the last title (the rows of the statement in reverse, LIMIT the page size, the last page's share of
    them), with the count, so that such a page costs two statements, as the count and the page did before; a page
    number below 1, or past SCHEME_PAGES_READ_FORWARD, reads the last page at once. Read backwards, the last page
    is no deeper than the first: on the bench's data (100,000 policies, 39,088 of them on the Scheme) a request of
    ?page=0 took 114 ms, the last page's OFFSET 39,050 read through the title index; now 13 ms, as the first page."""

    def __init__(self, *, business_group=None, subject=None) -> None:
        narrowed = {"business_group_id": business_group, "subject_id": subject}
        self._values = {name: chosen.pk for name, chosen in narrowed.items() if chosen is not None}
        self._shape = tuple(self._values)
        self._count: int | None = None
        # (start, rows): the rows read from ``start``, up to a page of them (every row there is, to the end, when
        # fewer).
        self._kept: tuple[int, list] | None = None

    def _read(self, *, descending: bool, start: int = 0, limit: int = 0) -> list[list]:
        """A page of rows (``limit`` of them, else SCHEME_PAGE_SIZE) from ``start``, or the last rows in reverse
        (``descending``), each with the count last."""
        limit = limit or SCHEME_PAGE_SIZE
        suffix, suffix_params = (" LIMIT %s", (limit,)) if descending else (" LIMIT %s OFFSET %s", (limit, start))
        # The compiled statement ends with its ORDER BY: the page is cut after it, both bounds parameters.
        return _COMPILED_ROWS[self._shape, descending].rows(suffix=suffix, suffix_params=suffix_params,
                                                            **self._values)

    def read(self, number) -> None:
        """Read the page ``Paginator.get_page(number)`` settles on, and the count of every row."""
        asked = _page_asked(number)
        if 1 <= asked <= SCHEME_PAGES_READ_FORWARD:
            start = (asked - 1) * SCHEME_PAGE_SIZE
            rows = self._read(descending=False, start=start)
            if rows or start == 0:
                # No row on the first page: none at all.
                self._keep(start, rows, count=rows[0][-1] if rows else 0)
                return
        # Past the end or below 1: the last page, read from the last title.
        rows = self._read(descending=True)
        count = rows[0][-1] if rows else 0
        last = (max(ceil(count / SCHEME_PAGE_SIZE), 1) - 1) * SCHEME_PAGE_SIZE
        self._keep(last, rows[:count - last][::-1], count=count)

    def _keep(self, start: int, rows: list[list], *, count: int) -> None:
        self._kept = (start, [row[:-1] for row in rows])
        self._count = count

    def count(self) -> int:
        if self._count is None:
            raise RuntimeError("SchemeRows.read() first: the count comes with the page.")
        return self._count

    def __getitem__(self, index: slice) -> list[list]:
        if not isinstance(index, slice) or index.step is not None or (index.start or 0) < 0 or index.stop is None:
            raise TypeError("SchemeRows takes a slice [start:stop].")
        start, stop = index.start or 0, index.stop
        if stop <= start:
            return []
        if self._kept is not None and self._kept[0] == start and stop - start <= SCHEME_PAGE_SIZE:
            return self._kept[1][:stop - start]
        # Another slice than the page read (a page past SCHEME_PAGES_READ_FORWARD that is there after all).
        return [row[:-1] for row in self._read(descending=False, start=start, limit=stop - start)]


# The current publications of a page's policies (``scheme_page_details``), compiled once per process: the page's ids
# are SCHEME_PAGE_SIZE int markers, those of a shorter page filled with its last (IN reads each id once).
_PAGE_POLICIES = tuple(f"policy_{place}" for place in range(SCHEME_PAGE_SIZE))


def _current_publications(**policy_ids: int) -> QuerySet[Publication]:
    return (_current_on_scheme().filter(policy_id__in=list(policy_ids.values()))
            .annotate(frozen_title=KeyTextTransform("title", "policy_version__details"))
            .order_by("policy_id", "-published_at").values_list("policy_id", "published_at", "frozen_title"))


_COMPILED_PUBLICATIONS = CompiledValues(Publication, _current_publications, ints=_PAGE_POLICIES)


def scheme_page_details(rows: list) -> list[SchemeRow]:
    """One page of the index as SchemeRow (``rows``: values of SCHEME_ROW_FIELDS, in order, at most SCHEME_PAGE_SIZE
    of them), and in one more query, however long the Scheme, the date each policy's current version went on the
    Scheme and the title that version was frozen with: a statement compiled once per process (the queryset of the
    page's ids was built and compiled on every request, searched or not)."""
    if not rows:
        return []
    if len(rows) > len(_PAGE_POLICIES):
        raise ValueError(f"A page of the Scheme's index has at most {len(_PAGE_POLICIES)} policies.")
    ids = [row[0] for row in rows]
    ids += [ids[-1]] * (len(_PAGE_POLICIES) - len(ids))
    current = _COMPILED_PUBLICATIONS.rows(**dict(zip(_PAGE_POLICIES, ids, strict=True)))
    latest: dict[int, tuple] = {}
    for policy_id, published_at, frozen_title in current:
        latest.setdefault(policy_id, (timezone.localtime(published_at).date() if published_at else None, frozen_title))
    listed = []
    for pk, reference, title, business_group, subject, last_published_on in rows:
        published_on, frozen_title = latest.get(pk, (last_published_on, None))
        listed.append(SchemeRow(reference, frozen_title or title, business_group, subject, published_on))
    return listed


class SchemeFilter(NamedTuple):
    """A business group or subject the index may be narrowed to: its id, what the form sends for it (a group's code, a
    subject's slug) and its name."""

    pk: int
    value: str
    name: str


def scheme_filter_choices() -> dict:
    """The business groups and subjects that have policies on the Scheme (two queries, each an EXISTS per group
    or subject, of which there are few), as SchemeFilter rows."""
    return {"business_groups": _filter_rows(BusinessGroup), "subjects": _filter_rows(Subject)}


def _filter_rows(model) -> list[SchemeFilter]:
    compiled = _compiled_filter_choices(model)
    return [] if compiled is None else [SchemeFilter(*row) for row in compiled.rows()]


@compiled_per_key(2)
def _compiled_filter_choices(model) -> QuerySet:
    """The statement of ``scheme_filter_choices`` for business groups or subjects, the same on every request: compiled
    once per process (core.compiled). Compiling its EXISTS of the Scheme's own EXISTS, and building the rows as model
    instances, took twice as long as PostgreSQL took to answer both (make bench, 100,000 policies: 2.9 ms of Python
    against 1.3 ms of SQL, on a page whose every statement is 14 ms)."""
    column, value = ("business_group_id", "code") if model is BusinessGroup else ("subject_id", "slug")
    return (model.objects.filter(Exists(_scheme_policy_set().filter(**{column: OuterRef("pk")})))
            .order_by("name").values_list("pk", value, "name"))
