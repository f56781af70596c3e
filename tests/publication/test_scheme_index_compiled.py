"""The Publication Scheme's index without search text, read by statements compiled once per process (issue 16:
publication.scheme_index.SchemeRows and scheme_page_details): the same pages, counts and rows as the queryset read
them before, for every shape of the filters and every page number, in fewer statements and with no statement
compiled on a request."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models.fields.json import KeyTextTransform
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.states import Status
from publication import scheme_index
from publication.models import Publication
from publication.scheme_index import (
    SCHEME_ROW_FIELDS,
    SchemeRow,
    scheme_filter_choices,
    scheme_index_page,
    scheme_policies,
)
from tests.factories import advance_to
from tests.publication.test_scheme_and_notices import _publish, publish

pytestmark = pytest.mark.django_db

# A page of two policies, so that a few policies make several pages (the compiled statements take the page's size
# as a parameter).
PAGE_SIZE = 2
# Page numbers as the address may give them: none, in range, the last, past it, below 1, not a number, a float's
# text (not a number to the paginator either), and past anything a database could offset.
NUMBERS = (None, "", "1", "2", "3", "4", "5", "6", "99", "0", "-3", "abc", "2.0", "1.5", " 2 ", str(10 ** 30))


def queryset_page(number, **criteria) -> tuple[int, int, int, list[SchemeRow]]:
    """The index's page as the queryset read it before the compiled statements (the paginator over
    ``scheme_policies``, the page's values, and the current publications of its ids by a queryset): its number, the
    count, the number of pages and its rows."""
    page = Paginator(scheme_policies(**criteria), PAGE_SIZE).get_page(number)
    rows = list(page.object_list.values_list(*SCHEME_ROW_FIELDS, named=True))
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
        listed.append(SchemeRow(row.reference, frozen_title or row.title, row.business_group__name,
                                row.subject__name, published_on))
    return page.number, page.paginator.count, page.paginator.num_pages, listed


def compiled_page(number, **criteria) -> tuple[int, int, int, list[SchemeRow]]:
    page = scheme_index_page(number=number, **criteria)
    return page.number, page.paginator.count, page.paginator.num_pages, list(page.object_list)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(scheme_index, "SCHEME_PAGE_SIZE", PAGE_SIZE)


@pytest.fixture
def scheme(people, subjects):
    """Seven policies on the Scheme in two business groups, of either subject or none (two of the same title, which
    their ids order), and one policy published off the Scheme."""
    custody, roads = subjects
    for title, subject in (("Custody", custody), ("Detention", custody), ("Roads", roads), ("Detention", None),
                           ("Arrest", roads)):
        publish(people, title=title, subject=subject)
    publish(people, title="Intranet only", subject=custody, scheme=False)
    sco = dataclasses.replace(people, group=people.group2, unit=people.unit2, developer=people.developer2,
                              lead=people.lead2, coordinator=people.coordinator2)
    for title, subject in (("Ports", custody), ("Borders", None)):
        _publish(advance_to(sco.policy(title=title, subject=subject, owner=None, policy_manager=None),
                            Status.AWAITING_PUBLICATION, sco), sco)


@pytest.fixture
def subjects(db):
    from core.models import Subject

    return Subject.objects.create(name="Custody", slug="custody"), Subject.objects.create(name="Roads", slug="roads")


def every_shape() -> list[dict]:
    """The filters as the form gives them: neither, a business group, a subject, or both (every group and subject
    on the Scheme, so that some pairs have no policy)."""
    choices = scheme_filter_choices()
    return [{"business_group": group, "subject": subject}
            for group, subject in itertools.product([None, *choices["business_groups"]], [None, *choices["subjects"]])]


def test_the_compiled_index_reads_what_the_queryset_read_for_every_filter_and_page(scheme, small_pages):
    shapes = every_shape()
    assert len(shapes) == 9
    seen_counts = set()
    for criteria, number in itertools.product(shapes, NUMBERS):
        expected = queryset_page(number, **criteria)
        assert compiled_page(number, **criteria) == expected, (criteria, number)
        seen_counts.add(expected[1])
    # Every shape was read, with pages of two, one (the last) and none.
    assert {7, 0, 1} <= seen_counts
    assert compiled_page(None)[3][0].reference and [row.title for row in compiled_page("4")[3]] == ["Roads"]


def test_a_page_past_those_read_forward_is_read_as_the_paginator_settles_on_it(scheme, small_pages, monkeypatch):
    """A page number past SCHEME_PAGES_READ_FORWARD reads the last page; one that is there after all (not at 100,000
    pages, but at one) is then read as the paginator asks for it."""
    monkeypatch.setattr(scheme_index, "SCHEME_PAGES_READ_FORWARD", 1)
    for criteria, number in itertools.product(every_shape(), NUMBERS):
        assert compiled_page(number, **criteria) == queryset_page(number, **criteria), (criteria, number)


def test_the_compiled_index_of_an_empty_scheme(people, small_pages):
    publish(people, title="Intranet only", scheme=False)
    for number in NUMBERS:
        assert compiled_page(number) == queryset_page(number) == (1, 0, 1, []), number


def test_a_search_is_read_by_its_queryset_as_before(scheme, small_pages):
    for criteria, number in itertools.product(every_shape(), ("1", "2", "9")):
        for text in ("detention", "  roads ", "zzzz"):
            assert compiled_page(number, text=text, **criteria) == queryset_page(number, text=text, **criteria)


def policy_statements(number, **criteria) -> tuple[int, int]:
    """How many statements the compiled index and the queryset send for a page: (compiled, queryset)."""
    counted = []
    for read in (compiled_page, queryset_page):
        with CaptureQueriesContext(connection) as captured:
            read(number, **criteria)
        counted.append(len(captured.captured_queries))
    return counted[0], counted[1]


def test_the_page_and_its_count_come_in_one_statement(scheme, small_pages):
    """The page asked for brings the count with it: one statement for both, where the queryset sent its COUNT and
    its page, and one for the page's publications. A page past the end costs the empty page and the last page with
    the count: two, as the count and the last page were; a page below 1 reads the last page at once."""
    assert policy_statements("1") == (2, 3)
    assert policy_statements("2", subject=every_shape()[1]["subject"]) == (2, 3)
    assert policy_statements("99") == (3, 3)
    assert policy_statements("0") == (2, 3)
    assert policy_statements("abc") == (2, 3)


def test_a_request_of_the_index_compiles_no_statement(client, scheme, monkeypatch):
    """make bench, 100,000 policies: the index spent about 2 ms of Python a request building and compiling its
    querysets (the page, the paginator's COUNT, the page's publications). After a first request of each shape,
    nothing is compiled: each statement is sent as it was compiled, with the request's values."""
    for address in ("/publication-scheme/", "/publication-scheme/?group=tp", "/publication-scheme/?subject=custody",
                    "/publication-scheme/?group=sco&subject=custody&page=9"):
        assert client.get(address).status_code == 200
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    for address in ("/publication-scheme/?page=2", "/publication-scheme/?group=tp&page=0",
                    "/publication-scheme/?subject=roads", "/publication-scheme/?group=tp&subject=custody&page=3"):
        page = client.get(address)
        assert page.status_code == 200 and "polic" in page.content.decode()
    assert compiled == []
    assert client.get("/publication-scheme/?q=detention").status_code == 200
    assert compiled  # a search's statements differ with its words: built and compiled as before
