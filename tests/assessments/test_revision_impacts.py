"""The EIA's impacts on a version's revisions page (user walk: one per protected characteristic, they ran together
as text, worded with their stored values, notes before the impact). Compared, they read as a list, one item per
characteristic: its name, the impact as staff chose it, then the notes, each item compared on its own."""

from __future__ import annotations

import re

import pytest

from assessments.models import ProtectedCharacteristic
from assessments.services import eia_update
from lifecycle.models import DraftDocument, DraftRevision
from lifecycle.states import Status
from tests.factories import reload

pytestmark = pytest.mark.django_db

ITEM = '<p class="govuk-body app-redline__item">'


def _redline(client, policy, people) -> str:
    first, second = list(DraftRevision.objects.filter(policy_version=reload(policy).current_version,
                                                      document=DraftDocument.EIA).order_by("sequence"))[-2:]
    client.force_login(people.developer)
    page = f"/policies/{policy.reference}/versions/{reload(policy).current_version.number}/revisions/"
    response = client.get(page, {"from": first.sequence, "to": second.sequence})
    assert response.status_code == 200
    body = response.content.decode()
    return re.search(r'<div class="app-redline[^"]*">(.*?)</div>', body, re.S).group(1)


def test_each_characteristic_is_an_item_of_its_own_worded_as_on_the_eia(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    eia_update(policy=policy, actor=people.developer, aims="Aims.", impacts={
        "age": {"impact": "neutral", "notes": ""},
        "race": {"impact": "positive", "notes": "Better recording of stops."}})
    eia_update(policy=policy, actor=people.developer, aims="Aims.", impacts={
        "age": {"impact": "negative", "notes": "Older people are stopped less often."},
        "race": {"impact": "positive", "notes": "Better recording of stops."},
        "religion_belief": {"impact": "neutral", "notes": ""}})

    redline = _redline(client, policy, people)

    impacts = redline.split("Impacts</p>", 1)[1]
    items = re.findall(rf"{re.escape(ITEM)}(.*?)</p>", impacts)
    texts = [re.sub(r"<[^>]+>", "", item).removeprefix("removed: ").removeprefix("added: ") for item in items]
    # One item per protected characteristic (a rewritten one twice: removed, then added), in the Equality Act's
    # order, named as the EIA page names them; nothing of the section outside an item.
    labels = [text.split(":")[0] for text in texts]
    assert list(dict.fromkeys(labels)) == [characteristic.label for characteristic in ProtectedCharacteristic]
    assert re.sub(rf"{re.escape(ITEM)}.*?</p>", "", impacts).startswith("<p class=\"govuk-body govuk-!-font-weight")
    # Unchanged: the characteristic, the impact as staff chose it, then the notes.
    assert "Race: Positive. Better recording of stops." in items
    assert "Disability: Not assessed" in items
    # Rewritten: the old item removed and the new one added, each whole.
    assert texts[:2] == ["Age: No impact identified", "Age: Negative (adverse). Older people are stopped less often."]
    assert items[0].startswith('<del class="app-redline__del">')
    assert items[1].startswith('<ins class="app-redline__ins">')
    # Changed a little: compared word by word within its item.
    religion = next(item for item in items if item.startswith("Religion or belief: "))
    assert '<span class="govuk-visually-hidden">removed: </span>Not assessed</del>' in religion
    assert '<span class="govuk-visually-hidden">added: </span>No impact identified</ins>' in religion
    # Never the stored values, nor a characteristic's key.
    for stored in ("neutral", "negative", "positive", "religion_belief", "Religion belief"):
        assert stored not in impacts


def test_the_other_sections_still_read_as_paragraphs(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    eia_update(policy=policy, actor=people.developer, aims="Officers treat everyone fairly.")
    eia_update(policy=policy, actor=people.developer, aims="Officers treat everyone fairly and record it.")

    redline = _redline(client, policy, people)

    assert '<p class="govuk-body govuk-!-font-weight-bold app-redline__heading">Aims</p><p class="govuk-body">' \
           "Officers treat everyone " in redline
    assert ITEM not in redline.split("Impacts</p>", 1)[0]
    assert '<span class="govuk-visually-hidden">added: </span>fairly and record it.' in redline
