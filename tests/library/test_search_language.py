"""The library's search language, as its hint promises ("Put a phrase in "quotes", and a minus sign before a word to
leave it out"): words all required, "quoted phrases", a minus sign excluding a word or phrase, and "or" between
alternatives, the same on PostgreSQL (websearch_to_tsquery) and on the SQLite fallback ``make run`` uses. A user
walk on the demo found "abuse -zzz" matching nothing (the fallback searched for the text "-zzz"), and "-" answered
with "No documents match '-'" above "Enter the words to search for."

The suite runs on PostgreSQL: the full-text path is tested over HTTP, the fallback's parser as a unit, its matching
against an in-memory SQLite database (Django's own SQLite backend, as ``make run`` has it), and both over HTTP on
the same documents (the fallback forced on PostgreSQL's regular expressions)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from library.models import LibraryDocument
from library.selectors import SearchTerm, has_search_words, parsed_search, simple_match
from library.selectors import search as search_module
from tests.library.helpers import published
from tests.module_data import module_data

pytestmark = pytest.mark.django_db


# --- the parser, as websearch_to_tsquery reads the same text ------------------------------------------------------

def term(*words, excluded=False) -> SearchTerm:
    return SearchTerm(words=tuple(words), excluded=excluded)


@pytest.mark.parametrize(("text", "expected"), [
    # websearch_to_tsquery('english', 'abuse -zzz') is 'abus' & !'zzz'
    ("abuse -zzz", [[term("abuse"), term("zzz", excluded=True)]]),
    ("health -domestic", [[term("health"), term("domestic", excluded=True)]]),
    # a minus sign on its own still applies to the next word: 'abus' & !'zzz'
    ("abuse - zzz", [[term("abuse"), term("zzz", excluded=True)]]),
    # two minus signs cancel: 'abus' & !!'zzz'
    ("abuse --zzz", [[term("abuse"), term("zzz")]]),
    ('"domestic abuse" -taser', [[term("domestic", "abuse"), term("taser", excluded=True)]]),
    ('-"domestic abuse" health', [[term("domestic", "abuse", excluded=True), term("health")]]),
    # a common word inside a phrase keeps its place: 'abus' <2> 'trust'
    ('"abuse of trust"', [[term("abuse", None, "trust")]]),
    # and elsewhere is dropped, excluded or not: 'abus'
    ("the abuse -the", [[term("abuse")]]),
    # "or" between words: the alternatives of groups of words, 'a' & 'b' | 'c'
    ("stop search or custody", [[term("stop"), term("search")], [term("custody")]]),
    ("Stop OR search or -custody", [[term("stop")], [term("search")], [term("custody", excluded=True)]]),
    # "or" with nothing on one side, or after a minus sign, is a common word: 'abus'
    ("or abuse or", [[term("abuse")]]),
    ("abuse -or", [[term("abuse")]]),
    # words joined by punctuation are a phrase ('abuse-rel' <-> 'abus' <-> 'relat'); other operators are ignored
    ("abuse-related (taser) & !custody", [[term("abuse", "related"), term("taser"), term("custody")]]),
    ('"unclosed phrase', [[term("unclosed", "phrase")]]),
    ("Émigré naïve", [[term("émigré"), term("naïve")]]),
])
def test_the_fallback_reads_a_search_as_websearch_to_tsquery_does(text, expected):
    assert [list(group) for group in parsed_search(text)] == expected


@pytest.mark.parametrize("text", ["-", "- -", '""', '" - "', "--", "!!! ((( ))) & | <-> :*", "💥", "  "])
def test_operators_alone_are_nothing_to_search_for(text):
    assert not has_search_words(text)
    assert parsed_search(text) == ()


@pytest.mark.parametrize("text", ["the and of", "or", "-the", "abuse", '"of"'])
def test_words_are_something_to_search_for_even_common_ones(text):
    # Common words are searched for and then explained ("too common"); only a search without words is no search.
    assert has_search_words(text)


# --- the fallback's matching, on SQLite -------------------------------------------------------------------------

SQLITE_DOCUMENTS = {
    "TP-001": ("Domestic abuse", "Officers attend every report of domestic abuse at once, and record it."),
    "TP-002": ("Use of force", "A complaint of abuse after a taser discharge is recorded; the abused person is "
                               "seen by a health professional."),
    "TP-003": ("Occupational health", "Health checks of officers who carry equipment, and their domestic needs."),
    "TP-004": ("Trust", "An abuse of trust by an officer; Abuse-related misconduct. page and manage."),
}


@pytest.fixture
def sqlite():
    """An in-memory SQLite database through Django's own SQLite backend (its REGEXP function, its lookups), holding
    the columns the fallback searches."""
    wrapper = DatabaseWrapper({
        "ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "OPTIONS": {}, "TIME_ZONE": None,
        "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {},
        "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}, alias="library_sqlite")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE library_librarydocument (id integer PRIMARY KEY, reference text, title text, "
                       "body text)")
        for reference, (title, body) in SQLITE_DOCUMENTS.items():
            cursor.execute("INSERT INTO library_librarydocument (reference, title, body) VALUES (%s, %s, %s)",
                           [reference, title, body])
    yield wrapper
    wrapper.close()


def found_on_sqlite(wrapper, text: str) -> list[str]:
    query = (LibraryDocument.objects.filter(simple_match(parsed_search(text)))
             .order_by("reference").values_list("reference", flat=True).query)
    sql, params = query.get_compiler(connection=wrapper).as_sql()
    with wrapper.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(("text", "expected"), [
    ("abuse", ["TP-001", "TP-002", "TP-004"]),
    # the walk's searches: a word no document has leaves the results as they were
    ("abuse -zzz", ["TP-001", "TP-002", "TP-004"]),
    ("abuse -taser", ["TP-001", "TP-004"]),
    ("health -domestic", ["TP-002"]),
    ("abuse - taser", ["TP-001", "TP-004"]),
    ('"domestic abuse"', ["TP-001"]),
    ('abuse -"domestic abuse"', ["TP-002", "TP-004"]),
    ('"abuse of trust"', ["TP-004"]),
    ("taser or trust", ["TP-002", "TP-004"]),
    ("taser health or domestic -officers", ["TP-002"]),
    # the title is searched as the text is (PostgreSQL's vector holds both), and the reference
    ("occupational", ["TP-003"]),
    ("tp-003", ["TP-003"]),
    # words, not parts of words: "age" is in "page" and "manage", the word "age" in none
    ("age", []),
    # a word's own endings, as the English stemmer finds them ("abused", "Abuse-related"), in any case
    ("ABUSE -domestic -taser", ["TP-004"]),
    ("the abuse -the", ["TP-001", "TP-002", "TP-004"]),
    ("-abuse", ["TP-003"]),
])
def test_the_fallback_matches_on_sqlite_as_the_hint_promises(sqlite, text, expected):
    assert found_on_sqlite(sqlite, text) == expected


# --- both paths over HTTP, on the same published documents ---------------------------------------------------

def build_documents(people):
    """Three policies whose statements alone hold these made-up words (the factories' own text holds none), published
    once for the module (tests/module_data.py): the searches only read them, each test in a fresh copy (``people``)."""
    published(people, title="Attendance", statement="<p>Attend every tapirish okapiish report at once.</p>")
    published(people, title="Complaints", statement="<p>An okapiish complaint after a kiwiish tapirish discharge "
                                                     "is recorded.</p>")
    published(people, title="Equipment", statement="<p>Only a kiwiish check of the equipment.</p>")
    return people


built_documents, people = module_data(build_documents, name="built_documents", copy="people")


@pytest.fixture
def documents(people):
    """The three policies of ``built_documents``, in the test's database."""


@pytest.fixture(params=["postgresql", "fallback"])
def path(request, monkeypatch):
    """The PostgreSQL full-text search, or the fallback ``make run`` uses on SQLite (chosen by the connection's
    vendor; here run on PostgreSQL's own regular expressions)."""
    if request.param == "fallback":
        monkeypatch.setattr(search_module, "connection", SimpleNamespace(vendor="sqlite"))
    return request.param


def titles_found(page: str) -> set[str]:
    listed = page.split('class="govuk-list app-library-results"', 1)
    if len(listed) == 1:
        return set()
    return set(re.findall(r'<h2 class="govuk-heading-s[^"]*">\s*<a class="govuk-link" href="[^"]+">([^<]+)</a>',
                          listed[1]))


@pytest.mark.parametrize(("text", "expected"), [
    ("okapiish", {"Attendance", "Complaints"}),
    ("okapiish -zzzish", {"Attendance", "Complaints"}),
    ("okapiish -kiwiish", {"Attendance"}),
    ("kiwiish -tapirish", {"Equipment"}),
    ("okapiish - kiwiish", {"Attendance"}),
    ('"tapirish okapiish"', {"Attendance"}),
    ('okapiish -"tapirish okapiish"', {"Complaints"}),
    ('"complaint after a kiwiish"', {"Complaints"}),
    ("okapiish or kiwiish", {"Attendance", "Complaints", "Equipment"}),
    ("zzzish or kiwiish -okapiish", {"Equipment"}),
    ("the okapiish -the", {"Attendance", "Complaints"}),
])
def test_both_searches_honour_the_hint_alike(client, people, documents, path, text, expected):
    client.force_login(people.developer)
    response = client.get("/library/", {"q": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert titles_found(page) == expected, page
    assert f"{len(expected)} document{'s' if len(expected) != 1 else ''} match" in page


def test_a_word_no_document_holds_changes_nothing_excluded(client, people, documents, path):
    """The walk's report: "abuse" gave 10 documents and "abuse -zzz" none."""
    client.force_login(people.developer)
    alone = titles_found(client.get("/library/", {"q": "okapiish"}).content.decode())
    assert alone == {"Attendance", "Complaints"}
    for text in ("okapiish -zzzish", "okapiish -zzzish -yyyish", "-zzzish okapiish"):
        assert titles_found(client.get("/library/", {"q": text}).content.decode()) == alone, text


@pytest.mark.parametrize("text", ["-", "- -", '""', '" - "', "!!! ((( ))) & | <-> :*"])
def test_a_search_with_no_words_is_no_search_with_one_message(client, people, documents, path, text):
    client.force_login(people.developer)
    response = client.get("/library/", {"q": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No documents match" not in page and "No policies to show" not in page
    assert "too common" not in page and "Enter the words to search for" not in page
    assert page.count("There are no words to search for in") == 1
    # treated as no search: the policies are listed as they are without one
    assert titles_found(page) == {"Attendance", "Complaints", "Equipment"}
    assert "3 policies" in page
    assert "search for ‘" not in page.split("</title>")[0]


def test_only_common_words_are_explained_on_both(client, people, documents, path):
    client.force_login(people.developer)
    page = client.get("/library/", {"q": "the and of"}).content.decode()
    assert "too common to search" in page
    assert titles_found(page) == set()
