"""Sending a create form in a test as its page would (core.submissions): with the one-time token the page draws."""

from __future__ import annotations

from core.models import User
from core.submissions import submission_token_issue


def sent_once(user, purpose: str) -> dict:
    """The one-time token a create form's page draws for ``user`` (core.submissions: ``POLICY_CREATE`` ...), as a
    person who just opened the page would send it."""
    return {"submission": submission_token_issue(user=user, purpose=purpose)}


# Someone to send a create form in a test of the form alone (no database): a token is signed for their id.
FORM_SENDER = User(pk=1, username="form.sender")


def bound_once(form_class, data=None, **kwargs):
    """A create form (core.submissions.OneTimeSubmissionForm) sent by ``FORM_SENDER`` with ``data`` and the token its
    page would have drawn; unbound without ``data``."""
    if data is not None:
        data = {**data, **sent_once(FORM_SENDER, form_class.submission_purpose)}
    return form_class(data, submitter=FORM_SENDER, **kwargs)
