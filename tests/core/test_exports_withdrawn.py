"""A spreadsheet prepared in the background holds what its requester could see when it was built. Review 4: a register
of more than 10,000 rows, OFFICIAL-SENSITIVE titles among them, stayed downloadable for a day after the requester's
role was taken away. Now every change that may reduce someone's clearance (core.services.clearance_reduced_send)
withdraws their pending and ready exports in its own transaction, and their files go once it commits."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from core.exports import SPREADSHEETS, spreadsheet_export_build
from core.holdings import user_deactivate
from core.models import Role, RoleAssignment, SpreadsheetExport
from core.services import role_assign, role_revoke
from lifecycle.states import ProtectiveMarking
from tests.factories import UserFactory
from tests.oversight.tables import xlsx_rows

pytestmark = pytest.mark.django_db
SECRET_TITLE = "Covert stop and search tactics"
WITHDRAWN = "This spreadsheet was withdrawn because your access changed"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def analyst(people):
    """A co-ordinator of Territorial Policing holding nothing else (so that their account may be closed): cleared for
    its OFFICIAL-SENSITIVE policies."""
    person = UserFactory(username="analyst", unit=people.unit)
    role_assign(actor=people.pcu, user=person, role=Role.COORDINATOR, business_group=people.group)
    people.policy(title=SECRET_TITLE, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                  suitable_for_publication_scheme=False)
    people.policy(title="Stop and account")
    people.policy(title="Roads policing")
    return person


def asked_for(client, person, monkeypatch) -> str:
    """The address of the register's export page, asked for by ``person`` (prepared, as a long list is)."""
    monkeypatch.setattr("core.exports.XLSX_STREAM_MAX_ROWS", 2)
    client.force_login(person)
    response = client.get("/policies/", {"format": "xlsx"})
    assert response.status_code == 302
    return response["Location"]


def reduce_clearance(how: str, person, people) -> None:
    assignment = RoleAssignment.objects.get(user=person)
    if how == "role taken away":
        role_revoke(actor=people.pcu, assignment=assignment)
    elif how == "role deleted outside the services":
        assignment.delete()
    else:
        user_deactivate(actor=people.pcu, user=person)


@pytest.mark.parametrize("how", ["role taken away", "role deleted outside the services", "account closed"])
def test_a_ready_spreadsheet_is_withdrawn_and_its_file_deleted_when_clearance_is_reduced(
        client, people, analyst, monkeypatch, django_capture_on_commit_callbacks, how):
    page = asked_for(client, analyst, monkeypatch)
    export = SpreadsheetExport.objects.get(requested_by=analyst)
    assert spreadsheet_export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert SECRET_TITLE in [row[1] for row in xlsx_rows(client.get(f"{page}download/"))]
    stored = export.storage_name

    with django_capture_on_commit_callbacks(execute=True):
        reduce_clearance(how, analyst, people)

    assert not default_storage.exists(stored)
    export.refresh_from_db()
    assert (export.status, export.storage_name) == (SpreadsheetExport.Status.WITHDRAWN, "")
    if how == "account closed":
        return
    # The person is told why, and to export again: never a 500, never the file.
    analyst.refresh_from_db()
    client.force_login(analyst)
    downloaded = client.get(f"{page}download/")
    assert downloaded.status_code == 410 and WITHDRAWN in downloaded.content.decode()
    assert "Content-Disposition" not in downloaded
    body = client.get(page).content.decode()
    assert WITHDRAWN in body and "export it again" in body and "hx-trigger" not in body


def test_a_pending_spreadsheet_is_withdrawn_and_never_built(client, people, analyst, monkeypatch):
    page = asked_for(client, analyst, monkeypatch)
    export = SpreadsheetExport.objects.get(requested_by=analyst)
    reduce_clearance("role taken away", analyst, people)
    assert spreadsheet_export_build(export_id=export.pk) == "not pending"
    export.refresh_from_db()
    assert export.status == SpreadsheetExport.Status.WITHDRAWN
    assert not default_storage.exists(f"exports/{export.token}.xlsx")
    client.force_login(analyst)
    assert WITHDRAWN in client.get(page).content.decode()


def test_a_spreadsheet_withdrawn_while_it_is_built_is_deleted_by_its_worker(client, people, analyst, monkeypatch):
    asked_for(client, analyst, monkeypatch)
    export = SpreadsheetExport.objects.get(requested_by=analyst)
    build = SPREADSHEETS["lifecycle.register"]

    def built_as_the_role_goes(user, query):
        sheet = build(user, query)
        reduce_clearance("role taken away", analyst, people)
        return sheet

    monkeypatch.setitem(SPREADSHEETS, "lifecycle.register", built_as_the_role_goes)
    assert spreadsheet_export_build(export_id=export.pk) == "withdrawn"
    export.refresh_from_db()
    assert export.status == SpreadsheetExport.Status.WITHDRAWN and export.storage_name == ""
    assert default_storage.listdir("exports")[1] == []


def test_someone_elses_spreadsheet_is_not_withdrawn(client, people, analyst, monkeypatch):
    asked_for(client, people.pcu, monkeypatch)
    reduce_clearance("role taken away", analyst, people)
    assert SpreadsheetExport.objects.get(requested_by=people.pcu).status == SpreadsheetExport.Status.PENDING
