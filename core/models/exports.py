"""A spreadsheet prepared in the background (issue 15): an export too long for one request (STYLE rule 19: bounded
work per request; make bench: the register's 100,000 rows take about a minute in openpyxl, past gunicorn's 30 s)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SpreadsheetExport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"
        # The person's clearance was reduced while it was pending or ready (core.exports.spreadsheet_exports_withdraw):
        # it was built with what they could see then. Its file is deleted; the row stays to say why.
        WITHDRAWN = "withdrawn", "Withdrawn: your access changed"

    # The address of its page: not guessable, and the page answers only the person who asked for it.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Which list (core.exports.SPREADSHEETS) and its filters, as the URL gave them: the file is built from them by
    # the worker, with the person's own visibility, exactly as the page would list it.
    kind = models.CharField(max_length=60)
    query = models.TextField(blank=True)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_at"], name="spreadsheet_export_age_idx")]

    def __str__(self) -> str:
        return f"{self.filename} for {self.requested_by_id} ({self.status})"
