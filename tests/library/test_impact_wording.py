"""The Equality Impact Assessment's impacts were shown as stored ("neutral") in the staff library and on the EIA page,
where the Publication Scheme and the PDF say "No impact identified" (found by the tenth session's walk): every page
words them as staff chose them."""

from __future__ import annotations

import pytest

from tests.downloads import downloaded
from tests.library.helpers import published, staff

pytestmark = pytest.mark.django_db


def impacts_table(page: str) -> str:
    return page.split("Age", 1)[1].split("Sexual orientation", 1)[0]


def test_the_library_and_the_eia_page_word_the_impacts_as_chosen(client, people):
    policy = published(people, title="Wording")
    client.force_login(staff("reader", people.unit))
    library = client.get(f"/library/{policy.reference}/").content.decode()
    assert "No impact identified" in impacts_table(library) and "neutral" not in impacts_table(library)
    client.force_login(people.developer)
    eia = client.get(f"/policies/{policy.reference}/eia/").content.decode()
    assert "No impact identified" in impacts_table(eia) and "Neutral" not in impacts_table(eia)


def test_the_library_names_the_assessments_parts_as_the_eia_page_does(client, people):
    # The library said "Consultation" and "Decision" where the EIA page, the Scheme and the PDF say "Consultation
    # feedback" and "Outcome" (found by the eleventh session's walk): one assessment, one set of names.
    policy = published(people, title="Naming")  # the factories summarise the EIA's consultation
    client.force_login(staff("reader", people.unit))
    library = client.get(f"/library/{policy.reference}/").content.decode()
    section = library.split('id="eia"', 1)[1]
    assert ">Consultation feedback</h3>" in section and ">Outcome</h3>" in section
    assert ">Consultation</h3>" not in section and ">Decision</h3>" not in section


def test_the_library_offers_the_policy_in_force_as_a_pdf(client, people):
    # Staff could reach the PDF only by typing its address (found by the twelfth session's Chromium walk).
    policy = published(people, title="Printable")
    client.force_login(staff("reader", people.unit))
    library = client.get(f"/library/{policy.reference}/").content.decode()
    # The version in force, whoever reads it (tests/library/test_library_pdf_in_force.py).
    assert f'href="/policies/{policy.reference}/pdf/in-force/"' in library
    pdf = downloaded(client, f"/policies/{policy.reference}/pdf/in-force/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
