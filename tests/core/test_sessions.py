"""core.sessions: Django's database sessions, the row read with a statement compiled once. It must read exactly what
Django's store reads: the session of that key while unexpired, and nothing (the key forgotten) otherwise."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.test import Client
from django.utils import timezone

from core.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_is_the_engine():
    assert settings.SESSION_ENGINE == "core.sessions"


def test_a_session_reads_as_djangos_store_reads_it():
    session = DjangoSessionStore()
    session["answer"] = {"policy": "POL-000042", "seen": [1, 2]}
    session.create()

    ours = SessionStore(session.session_key)
    assert ours.load() == DjangoSessionStore(session.session_key).load() == {"answer": {"policy": "POL-000042",
                                                                                       "seen": [1, 2]}}
    assert ours.session_key == session.session_key


def test_an_expired_or_unknown_session_is_empty_and_its_key_forgotten():
    session = SessionStore()
    session["answer"] = 42
    session.set_expiry(60)
    session.create()
    key = session.session_key

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        expired = SessionStore(key)
        assert expired.load() == {}
        assert expired.session_key is None

    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_signing_in_and_out_goes_through_it():
    client = Client()
    client.force_login(UserFactory(username="reader"))
    assert client.get("/").status_code == 200
    assert client.get("/policies/").status_code == 200
    client.post("/sign-out/")
    assert client.get("/policies/").status_code == 302
