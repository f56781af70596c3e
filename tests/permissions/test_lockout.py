"""Repeated failed sign-ins lock sign-in for a while (django-axes, core/lockout.py), with a clear message.

Three counters with their own limits: a username from one address (5 in the test settings), an address
alone (30) and a username alone (30). Behind the reverse proxy the client's address is read from the
proxy's entry in X-Forwarded-For (``POLICYHUB_TRUSTED_PROXY_COUNT``), never from what the client wrote.
Django's LoginView passes the request to ``authenticate``, which django-axes needs to know the address.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from core.lockout import client_address
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("savepoint")

SIGN_IN = "/sign-in/"
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."
PROXY = "10.0.0.254"


def sign_in(username: str, password: str, address: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(SIGN_IN, {"username": username, "password": password}, **extra)


def fail_until_locked(username: str, address: str) -> list:
    return [sign_in(username, "not-the-password", address) for _ in range(settings.AXES_FAILURE_LIMIT)]


def is_locked_out(response) -> bool:
    return response.status_code == 429 and LOCKED in response.content.decode()


def is_signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_the_limits_in_the_test_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.POLICYHUB_LOCKOUT_COUNTERS == [
        (["username", "ip_address"], 5), (["ip_address"], 30), (["username"], 30),
    ]
    assert settings.POLICYHUB_TRUSTED_PROXY_COUNT == 0


def test_failures_below_the_limit_show_the_sign_in_form_again():
    UserFactory(username="officer")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in("officer", "not-the-password", "10.0.0.1")
        assert response.status_code == 200
        assert "Too many" not in response.content.decode()
    assert is_signed_in(sign_in("officer", DEMO_PASSWORD, "10.0.0.1"))


def test_repeated_failures_lock_the_username_from_that_address_even_with_the_right_password():
    UserFactory(username="officer")
    fail_until_locked("officer", "10.0.0.1")

    response = sign_in("officer", DEMO_PASSWORD, "10.0.0.1")

    assert is_locked_out(response), response.status_code
    content = response.content.decode()
    assert "Sign-in is temporarily locked" in content
    assert "PT15M" not in content
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in response.client.session


def test_the_same_username_from_another_address_is_not_locked():
    UserFactory(username="officer")
    fail_until_locked("officer", "10.0.0.1")

    assert is_signed_in(sign_in("officer", DEMO_PASSWORD, "10.0.0.2"))


def test_another_username_from_the_same_address_is_not_locked():
    UserFactory(username="officer")
    UserFactory(username="analyst")
    fail_until_locked("officer", "10.0.0.1")

    assert is_signed_in(sign_in("analyst", DEMO_PASSWORD, "10.0.0.1"))


def test_the_lockout_ends_after_the_cool_off_period():
    UserFactory(username="officer")
    fail_until_locked("officer", "10.0.0.1")
    assert is_locked_out(sign_in("officer", DEMO_PASSWORD, "10.0.0.1"))

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)):
        response = sign_in("officer", DEMO_PASSWORD, "10.0.0.1")

    assert is_signed_in(response)


@override_settings(POLICYHUB_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_an_attacker_cannot_lock_out_lead_for_everyone():
    """Issue 11, finding 8: behind the proxy everyone shared its address, so five failures locked ``lead``."""
    UserFactory(username="lead")
    for forged in range(settings.AXES_FAILURE_LIMIT * 2):
        # The attacker writes a different address into the header each time; the proxy appends the real one.
        sign_in("lead", "not-the-password", PROXY, forwarded_for=f"198.51.100.{forged}, 203.0.113.9")

    assert is_locked_out(sign_in("lead", DEMO_PASSWORD, PROXY, forwarded_for="203.0.113.9"))
    assert is_signed_in(sign_in("lead", DEMO_PASSWORD, PROXY, forwarded_for="192.0.2.10"))


def test_password_spraying_from_one_address_is_limited():
    """Issue 11, finding 8: one password tried against many usernames was never limited."""
    UserFactory(username="victim")
    limit = settings.POLICYHUB_LOCKOUT_COUNTERS[1][1]
    for number in range(limit - 1):
        assert not is_locked_out(sign_in(f"user{number}", "Summer2026!", "10.0.0.66"))
    assert is_locked_out(sign_in("user-last", "Summer2026!", "10.0.0.66"))  # the limit-th failure locks

    assert is_locked_out(sign_in("victim", DEMO_PASSWORD, "10.0.0.66"))
    assert is_signed_in(sign_in("victim", DEMO_PASSWORD, "10.0.0.67"))


def test_one_office_behind_one_address_is_not_locked_by_a_few_typos():
    people = [UserFactory(username=f"officer{number}") for number in range(10)]
    for person in people:
        sign_in(person.username, "typo", "10.0.0.80")
        sign_in(person.username, "typo again", "10.0.0.80")
    for person in people:
        assert is_signed_in(sign_in(person.username, DEMO_PASSWORD, "10.0.0.80"))


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count():
    UserFactory(username="sprayer")
    limit = settings.POLICYHUB_LOCKOUT_COUNTERS[1][1]
    for number in range(limit - 1):
        sign_in(f"user{number}", "Summer2026!", "10.0.0.66")
    assert is_signed_in(sign_in("sprayer", DEMO_PASSWORD, "10.0.0.66"))

    sign_in("user-last", "Summer2026!", "10.0.0.66")

    assert is_locked_out(sign_in("sprayer", DEMO_PASSWORD, "10.0.0.66"))


def test_guessing_at_one_account_from_many_addresses_is_limited():
    UserFactory(username="lead")
    limit = settings.POLICYHUB_LOCKOUT_COUNTERS[2][1]
    addresses = limit // settings.AXES_FAILURE_LIMIT
    for number in range(addresses):
        fail_until_locked("lead", f"10.1.0.{number}")

    assert is_locked_out(sign_in("lead", DEMO_PASSWORD, "10.2.0.1"))


def test_one_address_cannot_run_up_an_accounts_count_while_locked_out():
    UserFactory(username="lead")
    for _ in range(settings.POLICYHUB_LOCKOUT_COUNTERS[2][1] + 5):
        sign_in("lead", "not-the-password", "10.0.0.99")

    assert is_signed_in(sign_in("lead", DEMO_PASSWORD, "10.0.0.100"))


@pytest.mark.parametrize(("proxies", "forwarded_for", "expected"), [
    (0, "198.51.100.1", "10.0.0.254"),  # no trusted proxy: the header is the client's own word
    (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # one proxy: its entry, the right-most
    (2, "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),  # two proxies: the outer one's entry
    (1, None, "10.0.0.254"),  # not through the proxy as documented
    (2, "203.0.113.9", "10.0.0.254"),  # fewer hops than proxies
    (1, "not-an-address", "10.0.0.254"),
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_the_client_address_behind_trusted_proxies(proxies, forwarded_for, expected):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().post(SIGN_IN, **extra)
    with override_settings(POLICYHUB_TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected
