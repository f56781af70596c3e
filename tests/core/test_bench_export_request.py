"""The bench's prepared-XLSX request (benchmarks.oversight): measured on the dataset's day whatever the real time is.

It failed on a new machine whose bench ran more than the session's absolute lifetime (12 hours) before the dataset's
noon: the client had signed in at the real time, the request was made on the dataset's day, and
core.middleware.session_lifetime sent it to sign in (a 302 too, which the row did not tell from the export's page).
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from benchmarks import oversight
from core.models import Role, SpreadsheetExport
from tests.factories import BusinessGroupFactory, PolicyFactory, user_with_role

# In autocommit, as the bench runs: the export is queued when its record is committed, and the row checks it was.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("days_away", [-3, 0, 3])
def test_the_export_request_row_passes_on_a_dataset_day_far_from_today(days_away):
    group = BusinessGroupFactory()
    PolicyFactory(business_group=group)
    pcu = user_with_role(Role.PCU)
    day = dt.date.today() + dt.timedelta(days=days_away)
    # One policy is past a stream limit of none: the request is prepared by the worker, as the whole register is.
    with mock.patch("benchmarks.oversight.dataset_day", return_value=day), \
            mock.patch("core.exports.XLSX_STREAM_MAX_ROWS", 0):
        [row] = oversight._prepared_export_request(pcu, log=lambda *_: None)
    assert row.passed, row.detail
    assert "/spreadsheets/" in row.detail
    assert not SpreadsheetExport.objects.filter(requested_by=pcu).exists()  # the bench leaves nothing behind
