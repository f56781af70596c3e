"""One transaction for the package, and the publication world built inside it once (the pattern of
tests/permissions): every combination of protective marking × Publication Scheme flag × stage × redaction is a
policy driven through the real services, with its files stored. The tests only read, so nothing is rolled back
between them; the package's transaction is rolled back at the end.

No test in this package may use pytest-django's own ``db`` fixture or ``django_db`` mark: their teardown closes the
connection, and with it the package's transaction."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from tests.publication_visibility.world import build_world


@pytest.fixture(scope="package")
def package_transaction(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    request_logger = logging.getLogger("django.request")
    level, media_root = request_logger.level, settings.MEDIA_ROOT
    request_logger.setLevel(logging.ERROR)  # hundreds of deliberate 404s
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("publication-media"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_logger.setLevel(level)
            settings.MEDIA_ROOT = media_root


@pytest.fixture
def db(package_transaction):
    """The package's transaction (see the module docstring)."""


@pytest.fixture(scope="package")
def world(package_transaction):
    return build_world()
