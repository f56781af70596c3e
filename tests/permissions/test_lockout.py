"""Repeated failed sign-ins lock the username-and-address pair for a while (django-axes), with a clear message.

The test settings lock after 5 failures (``AXES_FAILURE_LIMIT``); the lockout lasts ``AXES_COOLOFF_TIME``.
Django's LoginView passes the request to ``authenticate``, which django-axes needs to know the address.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("savepoint")

SIGN_IN = "/sign-in/"
LOCKED = "temporarily locked"


def sign_in(username: str, password: str, address: str):
    return Client().post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(username: str, address: str) -> list:
    return [sign_in(username, "not-the-password", address) for _ in range(settings.AXES_FAILURE_LIMIT)]


def is_locked_out(response) -> bool:
    return response.status_code in (403, 429) and LOCKED in response.content.decode()


def test_the_limit_is_five_failures_in_the_test_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_below_the_limit_show_the_sign_in_form_again():
    UserFactory(username="officer")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in("officer", "not-the-password", "10.0.0.1")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    assert sign_in("officer", DEMO_PASSWORD, "10.0.0.1").status_code == 302  # signed in


def test_repeated_failures_lock_the_username_from_that_address_even_with_the_right_password():
    UserFactory(username="officer")
    fail_until_locked("officer", "10.0.0.1")

    response = sign_in("officer", DEMO_PASSWORD, "10.0.0.1")

    assert is_locked_out(response), response.status_code
    content = response.content.decode()
    assert "Your account is temporarily locked" in content
    assert "too many unsuccessful attempts" in content
    assert "_auth_user_id" not in response.client.session


def test_the_same_username_from_another_address_is_not_locked():
    UserFactory(username="officer")
    fail_until_locked("officer", "10.0.0.1")

    response = sign_in("officer", DEMO_PASSWORD, "10.0.0.2")

    assert response.status_code == 302 and response["Location"] == "/"
    assert not is_locked_out(response)


def test_another_username_from_the_same_address_is_not_locked():
    UserFactory(username="officer")
    UserFactory(username="analyst")
    fail_until_locked("officer", "10.0.0.1")

    response = sign_in("analyst", DEMO_PASSWORD, "10.0.0.1")

    assert response.status_code == 302 and response["Location"] == "/"


def test_the_lockout_ends_after_the_cool_off_period():
    UserFactory(username="officer")
    fail_until_locked("officer", "10.0.0.1")
    assert is_locked_out(sign_in("officer", DEMO_PASSWORD, "10.0.0.1"))

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)):
        response = sign_in("officer", DEMO_PASSWORD, "10.0.0.1")

    assert response.status_code == 302 and response["Location"] == "/"
