"""A person's own account: changing and resetting their password (the forms on GOV.UK markup, the service
that saves and audits it, and the rate limits on reset requests)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.audit import audit_log
from core.events import AuditAction
from core.forms import GovUKForm

logger = logging.getLogger(__name__)


def _govuk_password_inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.PasswordInput):
            css = "govuk-input govuk-password-input__input govuk-!-width-one-half"
            if "govuk-input--error" in field.widget.attrs.get("class", ""):
                css += " govuk-input--error"
            field.widget.attrs["class"] = css
            field.widget.attrs["spellcheck"] = "false"


MAX_PASSWORD_LENGTH = 128


class MaximumLengthValidator:
    """A password has a stated limit (STYLE rule 19: every input has one), said in the new password's hint with the
    other validators' (AUTH_PASSWORD_VALIDATORS): a 10,000-character one was accepted (QA10 item 8)."""

    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(f"Your password must be {self.max_length} characters or fewer",
                                  code="password_too_long")

    def get_help_text(self):
        return f"Your password must be {self.max_length} characters or fewer."


# GOV.UK's error messages, a question at a time, instead of Django's "This field is required." (QA10 item 8).
REQUIRED = {"username": "Enter your username", "password": "Enter your password",
            "old_password": "Enter your current password", "new_password1": "Enter a new password",
            "new_password2": "Enter the new password again", "email": "Enter your email address"}


def _required_in_govuk_words(form: forms.Form) -> None:
    for name, field in form.fields.items():
        if name in REQUIRED:
            field.error_messages["required"] = REQUIRED[name]


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in, in GOV.UK words: "Please enter a correct username and password. Note that both fields may
    be case-sensitive." said nothing a person could act on in the service's voice."""

    error_messages = {
        "invalid_login": "Enter the username and password you were given: the username or the password is not right",
        "inactive": "This account is no longer in use: ask the Policy Co-ordination Unit if you still need it",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required_in_govuk_words(self)
        self.fields["username"].error_messages["max_length"] = "Your username is 150 characters or fewer"


class GovUKPasswordsMixin:
    """Password inputs styled like the other GOV.UK inputs; saving goes through ``user_password_set``."""

    error_messages = {
        "password_mismatch": "Enter the same new password twice: the two you typed are different",
        "password_incorrect": "The current password is not right: enter the password you sign in with now",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required_in_govuk_words(self)
        if "old_password" in self.fields:
            self.fields["old_password"].label = "Current password"
        _govuk_password_inputs(self)

    def full_clean(self):
        super().full_clean()
        _govuk_password_inputs(self)

    # What user_password_set records: "changed" (knowing the old one) or "reset" (by e-mail).
    how: str

    def save(self, commit=True):
        """Set the password through ``user_password_set``, which locks the row and audits the change (Django's own
        save would set it unrecorded)."""
        user_password_set(user=self.user, password=self.cleaned_data["new_password1"], how=self.how)
        return self.user


class PasswordChangeForm(GovUKPasswordsMixin, GovUKForm, auth_forms.PasswordChangeForm):
    how = "changed"


class SetPasswordForm(GovUKPasswordsMixin, GovUKForm, auth_forms.SetPasswordForm):
    how = "reset"


class PasswordResetForm(GovUKForm, auth_forms.PasswordResetForm):
    email = forms.EmailField(label="Email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                             error_messages={"required": REQUIRED["email"], "invalid": "Enter an email address in the "
                                             "correct format, like name@example.police.uk"})


RESET_EMAIL_SUBJECT = "account/password_reset_subject.txt"
RESET_EMAIL_BODY = "account/password_reset_email.txt"


def password_reset_email_send(*, user_id: int, email: str, domain: str, use_https: bool) -> bool:
    """Send the reset link to one account (run by the Celery task core.tasks.send_password_reset_email, so the
    request answers in the same time whether or not an account has the address). The token is made here, from
    the account as it is now: False if the account can no longer reset its password."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or user.email.lower() != email.lower():
        return False
    context = {
        "email": email, "domain": domain, "site_name": settings.POLICYHUB_SERVICE_NAME, "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    subject = "".join(render_to_string(RESET_EMAIL_SUBJECT, context).splitlines())
    send_mail(subject, render_to_string(RESET_EMAIL_BODY, context), None, [email])
    return True


@transaction.atomic
def user_password_set(*, user, password: str, how: str) -> None:
    """Set a user's password and record it. ``how``: "changed" (knowing the old one) or "reset" (by e-mail)."""
    locked = get_user_model().objects.select_for_update(no_key=True).get(pk=user.pk)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    user.password = locked.password  # the caller's object keeps its session valid (update_session_auth_hash)
    action = {"changed": AuditAction.USER_PASSWORD_CHANGED, "reset": AuditAction.USER_PASSWORD_RESET}[how]
    audit_log(actor=locked, action=action, obj=locked, changes={"username": locked.username})


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per ``window_seconds`` for one key, counted in the shared "rate_limits"
    cache (Redis in production), so every web process sees the same count."""

    name: str
    limit: int
    window_seconds: int

    def hit(self, key: str) -> bool:
        """Count one request; True if it is within the limit."""
        cache = caches["rate_limits"]
        cache_key = f"rate:{self.name}:{key}"
        try:
            cache.add(cache_key, 0, timeout=self.window_seconds)
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.add(cache_key, 1, timeout=self.window_seconds)
                count = 1
        except Exception:  # Redis unreachable: nothing is sent without it either (it is also the broker)
            logger.warning("Rate limit %s not counted: the rate_limits cache is unreachable", self.name)
            return True
        return count <= self.limit
