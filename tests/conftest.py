"""Fixtures shared by every test package: the cast of one force, and policies at any point of the cycle."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from oversight.indicators_cache import indicators_forget_all
from publication import scheme_files
from tests import fast_flush
from tests.factories import People, advance_to, fill_development, make_people, reload

# The test files that take longest, longest first (each over 13 s of its worker's time in the second run of
# 2026-12-06: 13 min 25 s for 3,403 tests; `make test PYTEST_ARGS="--junitxml=..."` gives each test's time).
# `make test` runs the files in the order collected (--no-loadscope-reorder), these first and then the rest with the
# most tests first, as pytest-xdist orders them itself; it deals each file whole to the first worker free. xdist's own
# order put every file of one test last, several of them a minute or more long: the run ended with one worker on them
# and the other idle.
LONGEST_FILES_FIRST = (
    "tests/browser/test_flows.py",
    "tests/browser/test_accessibility.py",
    "tests/permissions/test_matrix.py",
    "tests/notifications/test_faults.py",
    "tests/permissions/test_matrix_under_review.py",
    "tests/publication_visibility/test_what_each_reader_sees.py",
    "tests/web/test_sqlite_concurrency.py",
    "tests/browser/test_people_records.py",
    "tests/permissions/test_load_bearing.py",
    "tests/browser/test_register_htmx.py",
    "tests/browser/test_keyboard.py",
    "tests/notifications/test_chase.py",
    "tests/browser/test_csp.py",
    "tests/core/test_no_django_default_messages.py",
    "tests/browser/test_no_javascript.py",
    "tests/acknowledgements/test_acknowledgements.py",
    "tests/library/test_library.py",
    "tests/publication/test_early_download.py",
    "tests/lifecycle/test_withdraw_review_draft.py",
    "tests/browser/test_pages_qa10.py",
)


def pytest_configure(config):
    # After each transactional test, rows deleted rather than tables truncated (tests/fast_flush.py: 2 s -> 0.05 s).
    fast_flush.install()


def pytest_collection_modifyitems(config, items):
    """On pytest-xdist's workers, whole files in the order above, each file's tests in the order they had (see
    LONGEST_FILES_FIRST). The same order on every worker, as xdist requires. A run without workers keeps
    pytest-django's order."""
    if not hasattr(config, "workerinput"):
        return
    rank = {path: index for index, path in enumerate(LONGEST_FILES_FIRST)}
    file_of = {item: item.nodeid.split("::", 1)[0] for item in items}
    tests_in = Counter(file_of.values())
    first_at: dict[str, int] = {}
    position = {}
    for index, item in enumerate(items):
        first_at.setdefault(file_of[item], index)
        position[item] = index
    items.sort(key=lambda item: (rank.get(file_of[item], len(rank)), -tests_in[file_of[item]],
                                 first_at[file_of[item]], position[item]))


@pytest.fixture
def people(db) -> People:
    """Territorial Policing's developer, manager, co-ordinator, Lead and owner; force-wide PCU, DCFD, DOI and
    SHRMT; and Specialist Crime & Operations' Lead (``lead2``), developer and co-ordinator."""
    return make_people()


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction for the whole test module, rolled back when its tests are done: what a module builds once
    (``module_people`` and the module's own data built on it) lives in it, and each test's ``db`` is a savepoint
    inside it, rolled back after the test, as with Django's ``TestCase.setUpTestData``. A module using it may not
    hold a transactional test (``transaction=True``, ``live_server``): that one commits and flushes."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_people(module_transaction) -> People:
    """``people`` made once for the module (see ``module_transaction``). What a module builds on it, and each test's
    fresh copy of that (``fresh_copy``, so that nothing one test changes in memory reaches the next), are the pair of
    fixtures tests/module_data.py makes."""
    return make_people()


@pytest.fixture
def policy_in(people):
    """``policy_in("with_lead")``: a new Territorial Policing policy driven to that status through the real
    services. Extra keyword arguments go to ``policy_create``."""

    def make(status: str = "scoping", **overrides):
        return advance_to(people.policy(**overrides), status, people)

    return make


@pytest.fixture
def ready_to_submit(policy_in, people):
    """A Territorial Policing policy in development with everything its submission asks for (and no SOP yet)."""
    policy = policy_in("development")
    fill_development(policy, people)
    return reload(policy)


@pytest.fixture(autouse=True)
def scheme_files_forgotten():
    """What the Scheme's downloads remember in Redis (publication.scheme_files) repeats records of the test's
    database, which is rolled back: none of it may carry over to the next test (whose first policy has the same
    reference)."""
    yield
    scheme_files.forget_all()


@pytest.fixture(autouse=True)
def indicators_forgotten():
    """The indicators kept in Redis (oversight.indicators_cache) are keyed by the audit chain's head, which a new test
    database (--create-db) writes again identically for the same test: what an earlier run kept, perhaps by older
    code, must not be read by the next."""
    yield
    indicators_forget_all()
