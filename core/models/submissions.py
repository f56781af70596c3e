"""A create form sent once (STANDARDS: "Stale or double submits are refused politely"). Every form that adds a row
(a policy, an SOP, a consultation line, advice) carries a one-time token (core.submissions); the service that adds
the row records the token here in its own transaction, and a second post of the same form (the Back button, a
second click, a page re-sent) finds it and is told what the first one created, instead of creating it again. The
same form drawn again (Back without JavaScript fetches it anew, with a fresh token) and sent with the same details is
found by their fingerprint instead (``content_hash``), and the person asked whether they mean to create another."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SubmittedForm(models.Model):
    # The random part of the token (core.submissions.submission_token_issue): unique, so a second transaction
    # inserting the same one waits for the first and then fails, on PostgreSQL and SQLite alike.
    nonce = models.CharField(max_length=32, unique=True)
    # What the form creates (core.submissions: "policy.create", "sop.create" ...), which the token is signed for.
    purpose = models.CharField(max_length=40)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # What it created, in the words the second post is told ("POL-0018 “Taser deployment”"), and where that is.
    created = models.CharField(max_length=300, blank=True)
    landing = models.CharField(max_length=300, blank=True)
    # What it created, named for a link in a sentence ("POL-0018 “Taser deployment”", "the SOP “Searches”").
    named = models.CharField(max_length=300, blank=True)
    # A SHA-256 of the details the person sent (core.submissions.submission_check_repeat): the same person sending
    # the same form with the same details again soon after is asked first. The details themselves are kept where
    # they belong (the policy, the SOP ...), not twice.
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            # The one read of the repeat check: this person's claims of this form with these details, newest first.
            models.Index(fields=["submitted_by", "purpose", "content_hash", "-submitted_at"],
                         name="core_submitted_form_repeat"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} by {self.submitted_by_id}: {self.created}"
