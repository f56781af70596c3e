"""The sign-in and account pages speak GOV.UK, as the rest of the service does (QA10 item 8): an error message per
question ("Enter your username"), not Django's "This field is required." twice or "Please enter a correct username
and password. Note that both fields may be case-sensitive."; the service's own name in the header, not "Publication
Scheme"; and a new password has a stated maximum length (128), said in its hint and enforced by a validator in
AUTH_PASSWORD_VALIDATORS, where a 10,000-character one was accepted."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import DEMO_PASSWORD, UserFactory
from tests.rate_limits import clear_rate_limits

pytestmark = pytest.mark.django_db

DJANGO_WORDS = ("This field is required", "Please enter a correct username", "Enter a valid email address",
                "Your old password was entered incorrectly", "The two password fields didn")


@pytest.fixture(autouse=True)
def empty_rate_limits():
    clear_rate_limits()
    yield
    clear_rate_limits()


def _errors(html: str) -> list[str]:
    """The error summary's messages, as read."""
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


def _header_name(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", re.search(
        r'govuk-service-navigation__service-name">(.*?)</span>', html, re.S).group(1)).split())


def test_signing_in_with_nothing_typed_asks_for_each_in_govuk_words():
    html = Client().post("/sign-in/", {}).content.decode()
    assert _errors(html) == ["Enter your username", "Enter your password"]
    assert html.count("Enter your username") == 2  # the summary and the field, as GOV.UK shows them
    assert not any(words in html for words in DJANGO_WORDS)
    assert re.search(r"<title>Error: Sign in", html)


def test_a_wrong_password_is_said_in_govuk_words():
    UserFactory(username="officer")
    html = Client().post("/sign-in/", {"username": "officer", "password": "not it"}).content.decode()
    assert _errors(html) == ["Enter the username and password you were given: the username or the password is not "
                             "right"]
    assert not any(words in html for words in DJANGO_WORDS)


def test_the_sign_in_and_reset_pages_name_the_service_not_the_scheme():
    for path in ("/sign-in/", "/account/password/reset/", "/account/password/reset/sent/"):
        assert _header_name(Client().get(path).content.decode()) == "PolicyHub", path
    # The Scheme's own pages keep its name.
    assert _header_name(Client().get("/publication-scheme/").content.decode()) == "Publication Scheme"


def test_changing_the_password_speaks_govuk():
    client = Client()
    client.force_login(UserFactory(username="officer"))
    empty = client.post("/account/password/", {}).content.decode()
    assert _errors(empty) == ["Enter your current password", "Enter a new password", "Enter the new password again"]
    wrong = client.post("/account/password/", {"old_password": "not it", "new_password1": "a-long-new-pass-2026",
                                               "new_password2": "a-long-new-pass-2026"}).content.decode()
    assert _errors(wrong) == ["The current password is not right: enter the password you sign in with now"]
    mismatch = client.post("/account/password/", {"old_password": DEMO_PASSWORD,
                                                  "new_password1": "a-long-new-pass-2026",
                                                  "new_password2": "a-long-new-pass-2027"}).content.decode()
    assert _errors(mismatch) == ["Enter the same new password twice: the two you typed are different"]
    for html in (empty, wrong, mismatch):
        assert not any(words in html for words in DJANGO_WORDS)


def test_asking_for_a_reset_speaks_govuk():
    empty = Client().post("/account/password/reset/", {}).content.decode()
    assert _errors(empty) == ["Enter your email address"]
    malformed = Client().post("/account/password/reset/", {"email": "not an address"}).content.decode()
    assert _errors(malformed) == ["Enter an email address in the correct format, like name@example.police.uk"]


def test_a_new_password_has_a_stated_maximum_length():
    person = UserFactory(username="officer")
    with pytest.raises(ValidationError, match="128 characters or fewer"):
        validate_password("x7-" * 43, user=person)  # 129 characters
    validate_password("x7-" * 42 + "ab", user=person)  # 128
    client = Client()
    client.force_login(person)
    page = client.get("/account/password/").content.decode()
    assert "128 characters or fewer" in page  # the hint says it before anyone types
    long = "Qz9-" * 2500
    refused = client.post("/account/password/", {"old_password": DEMO_PASSWORD, "new_password1": long,
                                                  "new_password2": long}).content.decode()
    assert "Your password must be 128 characters or fewer" in _errors(refused)
    person.refresh_from_db()
    assert person.check_password(DEMO_PASSWORD)
