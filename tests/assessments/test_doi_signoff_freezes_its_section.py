"""DOI's late sign-off of information management freezes what it signed (last session's leftover B): after an
emergency approval, DCFD's sign-off freezes the EIA and PCU's the Workbook, but DOI's froze nothing, so a developer's
change to the information management section after DOI signed it off (and before PCU signed the rest) showed only in
the hash DOI's audit event recorded: the Workbook PCU froze, and the policy's evidence, held a section DOI never read.

Now, as PCU's and DCFD's: what DOI signed off (the information management section,
assessments.services.retrospective.WORKBOOK_SIGNED_OFF) can no longer be changed by the drafters, refused naming who
signed it off and when; the Workbook's page shows it read-only, while the impact sections PCU has yet to sign stay
open."""

from __future__ import annotations

import re

import pytest

from assessments.services import retrospective_qa_signoff, workbook_update
from core.dates import moment_shown
from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle.models import QASignOff
from tests.assessments.test_eia_signoff_bound import hidden, text
from tests.assessments.test_emergency_signoff_bound import approved, workbook_of, written  # noqa: F401 (fixtures)
from tests.factories import reload

pytestmark = pytest.mark.django_db

SIGNED = "Kept seven years."  # the information management section as written (test_emergency_signoff_bound)


@pytest.fixture
def doi_signed(written, people):  # noqa: F811
    retrospective_qa_signoff(policy=reload(written), actor=people.doi, discipline="doi")
    return reload(written)


def said_of_the_sign_off(people) -> tuple[str, ...]:
    signoff = QASignOff.objects.get(discipline="doi")
    return str(people.doi), moment_shown(signoff.signed_at), "information management"


def test_the_section_doi_signed_off_is_refused_to_its_drafters(people, doi_signed):
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        workbook_update(policy=doi_signed, actor=people.developer, information_management="Kept for ever.")
    assert refused.value.code == "frozen" and refused.value.field == "information_management"
    for fragment in said_of_the_sign_off(people):
        assert fragment in refused.value.message, refused.value.message
    assert workbook_of(doi_signed).information_management == SIGNED
    assert AuditEvent.objects.count() == events


def test_the_sections_pcu_has_yet_to_sign_stay_open(people, doi_signed):
    # The section DOI signed sent unchanged with them, as the page sends it: saved.
    workbook_update(policy=doi_signed, actor=people.developer, information_management=SIGNED,
                    consultation_summary="Consulted the Federation after the event.")
    assert workbook_of(doi_signed).consultation_summary == "Consulted the Federation after the event."
    # PCU then signs off the impact sections as they stand, and the Workbook is frozen as before.
    retrospective_qa_signoff(policy=reload(doi_signed), actor=people.pcu_qa, discipline="pcu")
    assert workbook_of(doi_signed).frozen_at is not None


def test_the_workbooks_page_shows_it_read_only(client, people, doi_signed):
    client.force_login(people.developer)
    address = f"/policies/{doi_signed.reference}/workbook/"
    page = client.get(address).content.decode()
    field = re.search(r'<textarea[^>]*name="information_management"[^>]*>', page).group(0)
    assert "disabled" in field
    for fragment in said_of_the_sign_off(people):
        assert fragment in text(page)
    # Saved as drawn (the read-only section is not posted), the other sections are saved.
    posted = {"base_revision": hidden(page, "base_revision"), "consultation_summary": "Consulted again.",
              "health_and_safety_impact": "impact", "health_and_safety_statement": "VERSION A"}
    for name in ("need", "legislation", "data_and_statistics", "costs_and_resources", "benefits",
                 "implementation_plan", "monitoring_process"):
        posted[name] = getattr(workbook_of(doi_signed), name)
    response = client.post(address, posted)
    assert response.status_code == 302, text(response.content.decode())[:2000]
    assert workbook_of(doi_signed).consultation_summary == "Consulted again."
    assert workbook_of(doi_signed).information_management == SIGNED


def test_a_page_opened_before_doi_signed_off_is_refused_keeping_what_was_typed(client, people, written):  # noqa: F811
    client.force_login(people.developer)
    address = f"/policies/{written.reference}/workbook/"
    page = client.get(address).content.decode()
    retrospective_qa_signoff(policy=reload(written), actor=people.doi, discipline="doi")
    posted = {"base_revision": hidden(page, "base_revision"), "information_management": "Kept for ever.",
              "consultation_summary": "Consulted after the event.", "health_and_safety_impact": "impact",
              "health_and_safety_statement": "VERSION A"}
    for name in ("need", "legislation", "data_and_statistics", "costs_and_resources", "benefits",
                 "implementation_plan", "monitoring_process"):
        posted[name] = getattr(workbook_of(written), name)
    response = client.post(address, posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kept for ever." in page
    for fragment in said_of_the_sign_off(people):
        assert fragment in text(page)
    assert workbook_of(written).information_management == SIGNED


def test_a_workbook_frozen_by_pcus_late_sign_off_says_so_not_that_a_package_was_submitted(people, doi_signed):
    """Leftover of the sign-off fix: the Workbook PCU froze by its late sign-off was refused "it was frozen when the
    package was submitted", a package the emergency route never submitted with it."""
    retrospective_qa_signoff(policy=reload(doi_signed), actor=people.pcu_qa, discipline="pcu")
    frozen_at = workbook_of(doi_signed).frozen_at
    with pytest.raises(ApplicationError) as refused:
        workbook_update(policy=reload(doi_signed), actor=people.developer, consultation_summary="Changed after.")
    assert refused.value.code == "frozen"
    assert "package was submitted" not in refused.value.message
    assert f"it was frozen when it was signed off {moment_shown(frozen_at)}" in refused.value.message
