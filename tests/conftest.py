"""Fixtures shared by every test package: the cast of one force, and policies at any point of the cycle."""

from __future__ import annotations

import pytest
from django.db import transaction

from oversight.indicators_cache import indicators_forget_all
from publication import scheme_files
from tests.factories import People, advance_to, fill_development, make_people, reload


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
