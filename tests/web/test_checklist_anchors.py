"""The checklist's Workbook items ("Record the need in the Workbook", "Record relevant legislation, strategies and
priorities" ...) all opened the top of the Workbook, a form 4,500 px long, leaving the person to find the field
(QA crawl of the demo, POL-0018). Each item that names one field now links to that field on its page, as the error
summary does (the field's id), and the field is there to land on."""

import html
import re

import pytest

from lifecycle.states import Status
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

TASK_LINK = re.compile(r'<a class="govuk-link govuk-task-list__link" href="([^"]+)">(.*?)</a>', re.S)


def _checklist_links(client, policy) -> dict[str, str]:
    body = client.get(f"/policies/{policy.reference}/").content.decode()
    return {re.sub(r"<[^>]+>", "", label).strip(): html.unescape(href) for href, label in TASK_LINK.findall(body)}


def _lands_on_its_field(client, href: str) -> None:
    path, _, fragment = href.partition("#")
    assert fragment, f"{href} opens the top of its page"
    assert f'id="{fragment}"' in client.get(path).content.decode(), f"{href}: no such field on the page"


def test_each_workbook_item_of_scoping_opens_its_field(client, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.SCOPING, people)
    client.force_login(people.developer)
    links = _checklist_links(client, policy)
    workbook = f"/policies/{policy.reference}/workbook/"
    for label, field in (("Record the need in the Workbook", "need"),
                         ("Record relevant legislation, strategies and priorities", "legislation"),
                         ("Record relevant data and statistics", "data_and_statistics"),
                         ("Record cost and resource implications", "costs_and_resources"),
                         ("Record the benefits analysis", "benefits")):
        assert links[label] == f"{workbook}#id_{field}"
    assert links["Start the Equality Impact Assessment"] == f"/policies/{policy.reference}/eia/#id_aims"
    for href in links.values():
        _lands_on_its_field(client, href)


def test_each_item_naming_a_field_before_submission_opens_it(client, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.DEVELOPMENT, people)
    client.force_login(people.developer)
    links = _checklist_links(client, policy)
    assert links["Summarise consultation feedback in the Workbook"].endswith("/workbook/#id_consultation_summary")
    assert links["Summarise consultation feedback in the EIA"].endswith("/eia/#id_consultation_summary")
    assert links["Write the health and safety statement"].endswith("/statement/edit/#id_health_and_safety")
    for href in links.values():
        if "#" in href:
            _lands_on_its_field(client, href)
