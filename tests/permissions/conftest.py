"""The permission world: built once for this package, inside a transaction rolled back at the end.

The matrix asks thousands of questions of the same few policies, so the world (``world.build_world``) is
built once and walked through the cycle as the questions go (``World.at(status)``). It lives in one outer
transaction on the test database connection, opened here and rolled back when the package's tests are done,
so nothing outlives them. A test that changes anything does it through ``World.attempt``, in a savepoint
that is rolled back.

Tests that use the world must not use pytest-django's ``db`` fixture: its teardown closes the connection,
and with it this transaction (see ``db`` below).
"""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.permissions.world import build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def db(world):
    """In this package ``db`` means the shared world's transaction. A test module that uses the world says
    ``pytestmark = pytest.mark.usefixtures("db")``: that is how pytest-django learns the test database must
    be created, while its own ``db`` fixture, which would close the connection after each test (Django's
    TestCase does) and with it the world's transaction, is not used. Tests that want a database of their own,
    without the world, use ``@pytest.mark.django_db`` instead."""
