"""The bench dataset's COPY follows the schema: a column the generator does not list takes Django's default.

``make bench`` broke when the statement gained its NOT NULL health-and-safety columns: COPY bypasses Django, and
the generator's column list did not name them. ``_copy`` now fills every unlisted column as Django would.
"""

import datetime as dt
import json

import pytest

from benchmarks.dataset import VERSION_COLUMNS, _copy, _unlisted_fields
from core.models import Role
from lifecycle.models import Policy, PolicyVersion
from tests.factories import PolicyFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_a_frozen_version_copied_with_the_generators_columns_takes_the_defaults_of_the_rest():
    policy = PolicyFactory()
    author = user_with_role(Role.DEVELOPER, policy.business_group)
    now = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    new_id = PolicyVersion.objects.order_by("-id").values_list("id", flat=True).first() + 1000

    copied = _copy(PolicyVersion, VERSION_COLUMNS, [(
        new_id, policy.pk, 2, 0, "<p>The statement.</p>", "Updated.", True, author.pk,
        now, now, author.pk, "ab" * 32, 3, None,
    )])

    assert copied == 1
    version = PolicyVersion.objects.get(pk=new_id)
    assert (version.major, version.health_and_safety, version.health_and_safety_statement) == (2, "", "")
    assert version.details is None


def test_details_copied_as_json_text_are_the_frozen_marking_the_pages_read():
    """The historic policy's versions frozen OFFICIAL-SENSITIVE (benchmarks.dataset._frozen_details): the details
    written as JSON text land as an object, read by FROZEN_SENSITIVE as the services' own freezing is."""
    from lifecycle.selectors.visibility import FROZEN_SENSITIVE

    policy = PolicyFactory()
    author = user_with_role(Role.DEVELOPER, policy.business_group)
    now = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    new_id = PolicyVersion.objects.order_by("-id").values_list("id", flat=True).first() + 1000

    _copy(PolicyVersion, VERSION_COLUMNS, [(
        new_id, policy.pk, 2, 0, "<p>The statement.</p>", "Updated.", True, author.pk,
        now, now, author.pk, "ab" * 32, 3, json.dumps({"title": "Covert tasking", "protective_marking":
                                                       "official_sensitive"}),
    )])

    assert PolicyVersion.objects.filter(FROZEN_SENSITIVE).filter(pk=new_id).exists()
    assert PolicyVersion.objects.get(pk=new_id).details_read["title"] == "Covert tasking"


def test_a_not_null_column_django_cannot_fill_is_named():
    with pytest.raises(ValueError, match=r"Policy\.\w+ is NOT NULL without a default: the dataset generator must"):
        _unlisted_fields(Policy, ["id", "reference"])
