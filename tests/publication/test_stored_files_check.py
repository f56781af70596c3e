"""``manage.py stored_files_check``: the "staff" and "public" stored copies of versions published OFFICIAL-SENSITIVE,
stored by the rule before 2297154 (test_stored_files_old_rule), listed for an administrator; exit status 1 when any
is found. It changes nothing: the files are evidence."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from publication.models import PublishedFile
from publication.services import policy_publish
from tests.publication.test_stored_files_old_rule import (  # noqa: F401  (fixtures)
    in_force_frozen_sensitive,
    media_root,
    old_staff_copy,
    sensitive_policy,
)

pytestmark = pytest.mark.django_db


def test_the_command_lists_the_staff_copy_and_fails(people, old_staff_copy, capsys):  # noqa: F811
    policy, first, staff_copy = old_staff_copy
    with pytest.raises(CommandError) as raised:
        call_command("stored_files_check")
    assert raised.value.returncode != 0
    out = capsys.readouterr().out
    assert f"{policy.reference} version 1.0" in out and staff_copy.sha256 in out and staff_copy.storage_name in out
    assert "1 stored file" in str(raised.value)
    # Nothing was changed: the files are evidence.
    assert PublishedFile.objects.filter(pk=staff_copy.pk).exists()


def test_the_command_says_nothing_is_wrong_and_succeeds(people, django_capture_on_commit_callbacks, capsys):
    """Files stored by the rule as it stands: version 1.0 published OFFICIAL-SENSITIVE has the cleared copy only."""
    policy = sensitive_policy(people)
    with django_capture_on_commit_callbacks(execute=True):
        publication = policy_publish(policy=policy, actor=people.pcu, on_intranet=True)
    assert set(publication.files.values_list("audience", flat=True)) == {"cleared"}
    call_command("stored_files_check")
    assert "No staff or public copy" in capsys.readouterr().out


def test_the_command_lists_the_public_copy_too(people, in_force_frozen_sensitive, capsys):  # noqa: F811
    policy, publication = in_force_frozen_sensitive
    with pytest.raises(CommandError) as raised:
        call_command("stored_files_check")
    out = capsys.readouterr().out
    for audience in ("staff", "public"):
        assert publication.files.get(audience=audience).sha256 in out
    assert "2 stored files" in str(raised.value)
