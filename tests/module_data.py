"""Data built once for a test module, and a fresh copy of it for each test: the shape of ``TestCase.setUpTestData``,
stated once. A module writes::

    built, built_copy = module_data(build)      # build(people) -> what the tests read
    people, policy = part(0), part(1)           # when build returns a tuple: its parts, each a fixture

``built`` (module-scoped) runs ``build(module_people)`` once, inside the module's transaction (tests/conftest.py,
``module_transaction``): what a test changes is rolled back after it. ``built_copy`` gives each test a fresh copy
(``fresh_copy``), so that nothing one test changes in memory reaches the next. A module using it may not hold a
transactional test (``transaction=True``, ``live_server``).

With ``media=True`` the build writes files: it runs with a media directory of the module's as MEDIA_ROOT and is
called as ``build(people, TestCase.captureOnCommitCallbacks)``, to run the on-commit callbacks that render the files
(inside the module's transaction nothing commits), as a test's ``django_capture_on_commit_callbacks`` would. Each
test then has its own copy of those files as MEDIA_ROOT, so that no file a test writes reaches the next."""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable

import pytest
from django.test import TestCase, override_settings

from tests.factories import fresh_copy


def module_data(build: Callable, *, media: bool = False, name: str = "built", copy: str = "built_copy"):
    """The pair of fixtures (``name``, module-scoped; ``copy``, one a test) for what ``build`` makes. Bind them to
    the same names in the module (``built, built_copy = module_data(...)``); other names (``name``, ``copy``) serve
    where a conftest's pair and a module's own meet."""
    if media:
        def built_once(module_people, tmp_path_factory):
            media_root = tmp_path_factory.mktemp("media")
            with override_settings(MEDIA_ROOT=str(media_root)):
                return build(module_people, TestCase.captureOnCommitCallbacks), media_root

        def copied(db, settings, tmp_path, **built):
            made, media_root = built[name]
            settings.MEDIA_ROOT = str(shutil.copytree(media_root, tmp_path / "media"))
            return fresh_copy(made)

        copied_asks = ("db", "settings", "tmp_path")
    else:
        def built_once(module_people):
            return build(module_people)

        def copied(db, **built):
            return fresh_copy(built[name])

        copied_asks = ("db",)
    # The copy asks for the module's data by its name (before the test's ``db``: pytest sets up the module-scoped
    # fixture first, so the data lives in the module's transaction, not in the first test's savepoint).
    return (pytest.fixture(scope="module", name=name)(built_once),
            pytest.fixture(name=copy)(_asking(copied, name, *copied_asks)))


def part(index: int, *, of: str = "built_copy"):
    """A fixture giving the ``index``-th part of the test's copy (``people = part(0)``: the fixture is named by the
    name it is bound to)."""

    def the_part(**copied):
        return copied[of][index]

    return pytest.fixture(_asking(the_part, of))


def _asking(function: Callable, *names: str) -> Callable:
    """``function``, seen by pytest as asking for the fixtures ``names`` (pytest reads a fixture's requests from its
    signature; these names are only known when the fixtures are made)."""
    function.__signature__ = inspect.Signature(
        [inspect.Parameter(each, inspect.Parameter.KEYWORD_ONLY) for each in names])
    return function
