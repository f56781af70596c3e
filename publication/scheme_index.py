"""The Publication Scheme's index: its policies by title, narrowed by words in what the Scheme publishes of them
(PostgreSQL full-text search; plain matching on SQLite), by business group and by subject, read as values rows, in a
constant number of queries whatever the number of policies (issue 14). Each entry's page, and what a version
publishes, are publication.selectors'."""

import datetime
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Exists, Func, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from core.compiled import compiled_per_key
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


def scheme_policies(*, text: str = "", business_group=None, subject=None) -> QuerySet[Policy]:
    """The policies on the Scheme, by title, optionally narrowed by words in what the Scheme publishes of them (the
    title, purpose, "relevant to" and statement of the version on the Scheme, never a review's draft), or by a
    reference, and by business group and subject. One query for the page and one to count it, whatever the number
    of policies (issue 14: the index with a constant query count). PostgreSQL full-text search (a GIN index on the
    frozen versions, migration 0007); plain matching on SQLite (``make run``). ``business_group`` and ``subject``:
    ``SchemeFilter`` rows (``scheme_filter_choices``). The page reads its rows as values (``scheme_page_details``)."""
    policies = _scheme_policy_set()
    if business_group is not None:
        policies = policies.filter(business_group_id=business_group.pk)
    if subject is not None:
        policies = policies.filter(subject_id=subject.pk)
    text = (text or "")[:MAX_SEARCH_LENGTH].strip()
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
    purpose, "relevant to" or statement of the version on the Scheme, or the reference."""
    for word in text.split()[:MAX_SEARCH_WORDS]:
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


def scheme_page_details(policies: QuerySet[Policy]) -> list[SchemeRow]:
    """The rows of one page of the index (``policies``: the page of ``scheme_policies``), and in one more query,
    however long the Scheme, the date each policy's current version went on the Scheme and the title that version
    was frozen with."""
    rows = list(policies.values_list(*SCHEME_ROW_FIELDS, named=True))
    current = (Publication.objects.filter(policy_id__in=[row.pk for row in rows],
                                          status=Publication.Status.PUBLISHED, on_publication_scheme=True,
                                          superseded_at__isnull=True)
               .annotate(frozen_title=KeyTextTransform("title", "policy_version__details"))
               .order_by("policy_id", "-published_at").values_list("policy_id", "published_at", "frozen_title"))
    latest: dict[int, tuple] = {}
    for policy_id, published_at, frozen_title in current:
        latest.setdefault(policy_id, (timezone.localtime(published_at).date() if published_at else None, frozen_title))
    listed = []
    for row in rows:
        published_on, frozen_title = latest.get(row.pk, (row.last_published_on, None))
        listed.append(SchemeRow(row.reference, frozen_title or row.title, row.business_group__name, row.subject__name,
                                published_on))
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
