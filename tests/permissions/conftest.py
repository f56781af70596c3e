"""One transaction for the whole package, and the permission world built inside it.

The matrix asks thousands of questions of the same few policies, so the world (``world.build_world``) is built
once and walked through the cycle as the questions go (``World.at(status)``). It lives in one outer transaction
on the test database connection, opened here and rolled back when the package's tests are done, so nothing
outlives them. A test that changes anything does it in a savepoint that is rolled back: ``World.attempt`` and
``world.sandboxed`` for tests of the world, the ``savepoint`` fixture for the others (the lockout tests).

No test in this package may use pytest-django's own ``db`` fixture or ``django_db`` mark: their teardown closes
the connection (Django's TestCase does), and with it the package's transaction. See ``db`` below.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from lifecycle.selectors import policy_list
from tests.permissions.rules_table import PERSONAS
from tests.permissions.world import build_world

PERSONA_USERNAMES = [persona.label for persona in PERSONAS]


@pytest.fixture(scope="package")
def package_transaction(django_db_setup, django_db_blocker):
    # Thousands of deliberate 404s: do not log a warning for each.
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.ERROR)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_logger.setLevel(level)


@pytest.fixture
def db(package_transaction):
    """In this package ``db`` means the package's transaction. A test module says
    ``pytestmark = pytest.mark.usefixtures("db")``: that is how pytest-django learns the test database must be
    created, while its own ``db`` fixture, which would close the connection after each test and with it the
    package's transaction, is not used."""


@pytest.fixture(scope="package")
def world(package_transaction):
    return build_world()


@pytest.fixture(scope="module")
def visible_ids(world):
    """policy_list's answer per persona and point of the axis, asked once (it is one query)."""
    answers = {}

    def visible(persona):
        key = (persona.label, world.status)
        if key not in answers:
            answers[key] = set(policy_list(user=world.user(persona)).values_list("pk", flat=True))
        return answers[key]

    return visible


@pytest.fixture
def savepoint(db):
    """Whatever the test changes is rolled back after it. Inside it the world's users (if the world is built on
    this worker) step aside from the personas' usernames, so that a test may create its own ``lead``; the
    rollback gives them back."""
    with transaction.atomic():
        get_user_model().objects.filter(username__in=PERSONA_USERNAMES).update(
            username=Concat(Value("world_"), F("username")))
        yield
        transaction.set_rollback(True)
