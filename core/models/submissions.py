"""A create form sent once (STANDARDS: "Stale or double submits are refused politely"). Every form that adds a row
(a policy, an SOP, a consultation line, advice) carries a one-time token (core.submissions); the service that adds
the row records the token here in its own transaction, and a second post of the same form (the Back button, a
second click, a page re-sent) finds it and is told what the first one created, instead of creating it again."""

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

    def __str__(self) -> str:
        return f"{self.purpose} by {self.submitted_by_id}: {self.created}"
