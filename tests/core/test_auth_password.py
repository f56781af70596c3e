"""Changing one's own password (/account/password/) and resetting it by e-mail (issue 11, finding 9: "users
cannot change or reset their own password"). The reset never says whether an account exists, and requests are
limited per client address and per e-mail address in the shared Redis cache."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from core.accounts import PasswordChangeForm, SetPasswordForm
from core.events import AuditAction
from core.models import AuditEvent
from core.tasks import send_password_reset_email
from tests.factories import DEMO_PASSWORD, UserFactory
from tests.rate_limits import clear_rate_limits

pytestmark = pytest.mark.django_db

CHANGE = "/account/password/"
RESET = "/account/password/reset/"
NEW_PASSWORD = "a-long-new-passphrase-2026"


@pytest.fixture(autouse=True)
def empty_rate_limits():
    clear_rate_limits()
    yield
    clear_rate_limits()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sign_in(username: str, password: str, address: str = "10.9.0.1"):
    return Client().post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address)


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/password/reset/\S+/)", message.body).group(1)


# --- change -----------------------------------------------------------------------------------------------


def test_the_change_page_needs_a_signed_in_user():
    response = Client().get(CHANGE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=/account/password/")


def test_the_header_links_to_change_password_and_the_page_uses_govuk_inputs():
    client = signed_in(UserFactory(username="officer"))

    home = client.get("/").content.decode()
    page = client.get(CHANGE).content.decode()

    assert f'href="{CHANGE}"' in home and "Change password" in home
    assert "<h1 class=\"govuk-heading-l\">Change your password</h1>" in page
    for name in ("old_password", "new_password1", "new_password2"):
        assert re.search(rf'<input type="password" name="{name}"[^>]*class="govuk-input', page) or re.search(
            rf'<input[^>]*class="govuk-input[^"]*"[^>]*name="{name}"', page), name
        assert f'<label class="govuk-label govuk-label--s" for="id_{name}">' in page


def test_changing_the_password_keeps_this_session_ends_the_others_and_is_audited():
    user = UserFactory(username="officer")
    this_device, other_device = signed_in(user), signed_in(user)

    response = this_device.post(CHANGE, {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
    assert "Your password has been changed." in this_device.get("/").content.decode()
    assert other_device.get("/").status_code == 302  # the other session's auth hash no longer matches
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_changed")
    assert event.actor_id == user.pk and event.object_id == str(user.pk)
    # A known action: the outbox relay routes it (to nobody) instead of leaving it waiting as unknown.
    assert AuditAction(event.action) is AuditAction.USER_PASSWORD_CHANGED
    assert not AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_CHANGED_OUTSIDE_SERVICES).exists()
    assert NEW_PASSWORD not in str(event.changes) and user.password not in str(event.changes)


@pytest.mark.parametrize(("data", "message"), [
    ({"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
     "The current password is not right"),
    ({"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
     "Enter the same new password twice"),
    ({"old_password": DEMO_PASSWORD, "new_password1": "password", "new_password2": "password"},
     "This password is too common"),
    ({"old_password": DEMO_PASSWORD, "new_password1": "", "new_password2": ""}, "Enter a new password"),
])
def test_a_refused_change_says_why_and_changes_nothing(data, message):
    user = UserFactory(username="officer")

    response = signed_in(user).post(CHANGE, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and message in body and "govuk-input--error" in body
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()


# --- reset ------------------------------------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_reset():
    assert f'href="{RESET}"' in Client().get("/sign-in/").content.decode()


def test_a_reset_link_sets_a_new_password_once_and_is_audited():
    user = UserFactory(username="officer", email="officer@example.police.uk")
    client = Client()

    response = client.post(RESET, {"email": "Officer@example.police.uk"})

    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.police.uk"]
    assert mail.outbox[0].subject == "Set a new PolicyHub password"
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                                         "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/done/"
    assert AuditEvent.objects.get(action="user.password_reset").actor_id == user.pk
    assert sign_in("officer", NEW_PASSWORD).status_code == 302
    again = Client().get(link, follow=True).content.decode()
    assert "The link has expired" in again


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address():
    UserFactory(username="officer", email="officer@example.police.uk")

    known = Client().post(RESET, {"email": "officer@example.police.uk"}, follow=True)
    unknown = Client().post(RESET, {"email": "nobody@example.police.uk"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    strip_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce-[^\s;]+|nonce="[^"]+"')
    assert strip_token.sub("", known.content.decode()) == strip_token.sub("", unknown.content.decode())
    assert len(mail.outbox) == 1


def test_a_malformed_address_gets_a_message_not_an_error():
    response = Client().post(RESET, {"email": "not an address"})

    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()


def test_reset_requests_are_limited_per_email_address_known_or_not():
    UserFactory(username="officer", email="officer@example.police.uk")
    per_email, _window = settings.POLICYHUB_PASSWORD_RESET_LIMITS[1]
    for email in ("officer@example.police.uk", "nobody@example.police.uk"):
        for number in range(per_email):
            response = Client().post(RESET, {"email": email}, REMOTE_ADDR=f"10.3.0.{number}")
            assert response.status_code == 302

        limited = Client().post(RESET, {"email": email.upper()}, REMOTE_ADDR="10.3.1.1")

        assert limited.status_code == 429
        assert "too many requests to reset a password for this email address" in limited.content.decode()
    assert len(mail.outbox) == per_email


def test_reset_requests_are_limited_per_client_address():
    per_address, _window = settings.POLICYHUB_PASSWORD_RESET_LIMITS[0]
    for number in range(per_address):
        assert Client().post(RESET, {"email": f"person{number}@example.police.uk"},
                             REMOTE_ADDR="10.4.0.1").status_code == 302

    limited = Client().post(RESET, {"email": "another@example.police.uk"}, REMOTE_ADDR="10.4.0.1")

    assert limited.status_code == 429
    assert "from this network address" in limited.content.decode()
    assert Client().post(RESET, {"email": "another@example.police.uk"}, REMOTE_ADDR="10.4.0.2").status_code == 302


def test_the_limits_are_counted_in_redis_shared_by_every_process():
    assert isinstance(caches["rate_limits"], RedisCache)
    Client().post(RESET, {"email": "someone@example.police.uk"}, REMOTE_ADDR="10.5.0.1")
    # A new connection (another process would open its own) sees the same count.
    assert any(b"rate:reset-address" in key for key in caches["rate_limits"]._cache.get_client().keys("*"))


def test_the_reset_email_is_sent_by_a_task_that_rechecks_the_account(monkeypatch):
    """The request only queues the task (an SMTP conversation only for existing accounts would show in the
    time taken); the task makes the token from the account as it is when it runs."""
    queued = []
    monkeypatch.setattr(send_password_reset_email, "delay", lambda **kwargs: queued.append(kwargs))
    user = UserFactory(username="officer", email="officer@example.police.uk")

    Client().post(RESET, {"email": "officer@example.police.uk"})

    assert queued == [{"user_id": user.pk, "email": "officer@example.police.uk", "domain": "testserver",
                       "use_https": False}]
    assert mail.outbox == []
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert send_password_reset_email.run(**queued[0]) is False
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert send_password_reset_email.run(**queued[0]) is True
    assert len(mail.outbox) == 1 and "/account/password/reset/" in mail.outbox[0].body


def test_with_redis_unreachable_the_reset_still_answers_the_same(settings):
    settings.CACHES = {**settings.CACHES, "rate_limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    UserFactory(username="officer", email="officer@example.police.uk")

    for email in ("officer@example.police.uk", "nobody@example.police.uk"):
        response = Client().post(RESET, {"email": email})
        assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "action"), [
    (PasswordChangeForm, AuditAction.USER_PASSWORD_CHANGED), (SetPasswordForm, AuditAction.USER_PASSWORD_RESET)])
def test_a_password_forms_save_is_the_audited_change(form_class, action):
    """Whoever calls a password form's save() (a view, the admin, a script) changes the password through
    core.accounts.user_password_set: the change is recorded, never made unrecorded."""
    user = UserFactory(username="saver")
    data = {"new_password1": "a-long-new-passphrase-9", "new_password2": "a-long-new-passphrase-9"}
    if form_class is PasswordChangeForm:
        data["old_password"] = DEMO_PASSWORD
    form = form_class(user, data)
    assert form.is_valid(), form.errors
    assert form.save() == user
    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase-9")
    assert AuditEvent.objects.filter(action=action, object_id=str(user.pk)).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_CHANGED_OUTSIDE_SERVICES).exists()
