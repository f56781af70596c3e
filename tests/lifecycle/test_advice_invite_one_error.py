"""A colleague's username longer than the box takes (a hand-made post, 151 characters) got two errors that contradict
each other: "must be 150 characters or fewer" and "Enter the colleague's username" (QA10 item 13). One, the true one."""

from __future__ import annotations

from types import SimpleNamespace

from lifecycle.forms.advice import AdviceInviteForm

# The person the form's one-time token is drawn for (core.submissions; drawing it reads only their id).
INVITER = SimpleNamespace(pk=1)


def test_a_username_too_long_gets_one_error():
    form = AdviceInviteForm({"who": AdviceInviteForm.COLLEAGUE, "username": "a" * 151}, submitter=INVITER)
    assert not form.is_valid()
    assert form.errors["username"] == ["The colleague's username must be 150 characters or fewer"]


def test_a_username_not_typed_is_asked_for():
    form = AdviceInviteForm({"who": AdviceInviteForm.COLLEAGUE, "username": "  "}, submitter=INVITER)
    assert not form.is_valid()
    assert form.errors["username"] == ["Enter the colleague's username"]
