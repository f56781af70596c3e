"""The public site a force must have, and help (issue 17): the force's name and logo from settings; an FOI contact
and route; an accessibility statement on the GOV.UK model, privacy and cookies pages whose text PCU edits (fixed
structure, sanitised, audited); help for each role with the six stages and a glossary; a PCU contact in every
footer and on the 403 and 404 pages."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings

from core.events import AuditAction
from core.glossary import GLOSSARY
from core.models import AuditEvent
from guidance import help as role_help
from guidance.content import ACCESSIBILITY, PAGES
from guidance.models import SitePageSection
from lifecycle import workflow

pytestmark = pytest.mark.django_db

PUBLIC = ["/accessibility/", "/privacy/", "/cookies/", "/freedom-of-information/", "/help/", "/help/developer/"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_are_open_and_name_the_force_and_pcu(client, path, settings):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert settings.POLICYHUB_FORCE_NAME in html
    assert f'href="mailto:{settings.POLICYHUB_PCU_EMAIL}"' in html
    for footer_link in ("/accessibility/", "/privacy/", "/cookies/", "/freedom-of-information/", "/help/"):
        assert f'href="{footer_link}"' in html


def test_the_accessibility_statement_follows_the_gov_uk_model(client):
    html = client.get("/accessibility/").content.decode()
    for heading in ("How accessible this website is", "Feedback and contact information",
                    "Reporting accessibility problems with this website", "Enforcement procedure",
                    "Technical information about this website&#x27;s accessibility", "Compliance status",
                    "Non-accessible content", "Preparation of this accessibility statement"):
        assert heading in html or heading.replace("&#x27;", "'") in html


@override_settings(POLICYHUB_FORCE_NAME="Wessex Constabulary", POLICYHUB_FORCE_LOGO_URL="https://cdn.example/w.svg",
                   POLICYHUB_FOI_EMAIL="foi@wessex.example", POLICYHUB_FOI_URL="https://wessex.example/foi")
def test_the_force_name_logo_and_foi_route_come_from_settings(client):
    scheme = client.get("/publication-scheme/").content.decode()
    assert "Wessex Constabulary" in scheme and 'src="https://cdn.example/w.svg"' in scheme
    # The public's header leads to the Scheme, not to the staff sign-in.
    assert '<a href="/publication-scheme/" class="govuk-service-navigation__link">Publication Scheme</a>' in scheme
    foi = client.get("/freedom-of-information/").content.decode()
    assert 'href="mailto:foi@wessex.example"' in foi and 'href="https://wessex.example/foi"' in foi
    assert "20 working days" in foi


def test_pcu_edits_a_page_whose_structure_is_fixed_sanitised_and_audited(client, people):
    client.force_login(people.pcu)
    data = {section.key: section.default for section in ACCESSIBILITY.sections}
    data["base_revision"] = 0
    data["compliance"] = '<p>Fully compliant.</p><script>alert(1)</script><p onclick="x()">Checked.</p>'
    data["heading_attempt"] = "<h1>Not a section</h1>"
    response = client.post("/information-pages/accessibility/edit/", data)
    # The sanitiser refuses the markup it would remove, naming it; nothing is saved and the text is kept.
    assert response.status_code == 400
    assert "script" in response.content.decode() and not SitePageSection.objects.exists()
    data["compliance"] = "<p>Fully compliant with WCAG 2.2 AA.</p>"
    response = client.post("/information-pages/accessibility/edit/", data)
    assert response.status_code == 302
    page = client.get("/accessibility/").content.decode()
    assert "Fully compliant with WCAG 2.2 AA." in page and "Compliance status" in page
    assert "Not a section" not in page
    assert [row.section for row in SitePageSection.objects.all()] == ["compliance"]
    event = AuditEvent.objects.get(action=AuditAction.SITE_PAGE_UPDATED)
    assert event.actor == people.pcu and event.changes["values"]["compliance"]["after"] == (
        "<p>Fully compliant with WCAG 2.2 AA.</p>")
    # An empty section is refused, with the section named.
    data["compliance"] = ""
    response = client.post("/information-pages/accessibility/edit/", data)
    assert response.status_code == 400 and "Compliance status" in response.content.decode()


def test_only_pcu_edits_the_public_pages(client, people):
    client.force_login(people.developer)
    response = client.get("/information-pages/privacy/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only the Policy Co-ordination Unit" in html
    assert "mailto:" in html
    client.logout()
    assert client.get("/information-pages/privacy/edit/").status_code == 302  # to sign in


def test_the_404_page_gives_the_pcu_contact(client, people, settings):
    client.force_login(people.developer)
    response = client.get("/policies/POL-9999/")
    assert response.status_code == 404
    assert f"mailto:{settings.POLICYHUB_PCU_EMAIL}" in response.content.decode()


def test_every_step_with_a_page_is_in_some_roles_help():
    helped = {step.name for role in role_help.ROLES for step in role.steps}
    missing = [step.name for step in workflow.STEPS if step.page and step.name not in helped]
    assert not missing, f"steps no role's help describes: {missing}"


def test_help_names_the_six_stages_who_does_what_and_the_glossary(client):
    html = client.get("/help/").content.decode()
    for stage in ("1. Identification and scoping", "2. Commissioning", "3. Development", "4. Approval",
                  "5. Implementation", "6. Monitoring and review"):
        assert stage in html
    assert workflow.FORWARD_TO_LEAD.page.title in html
    for short in ("PCU", "DCFD", "DOI", "SHRMT", "EIA", "SOP", "ACPO"):
        assert f'<abbr title="{GLOSSARY[short]}">{short}</abbr>' in html
    for role in role_help.ROLES:
        assert client.get(f"/help/{role.slug}/").status_code == 200
    assert client.get("/help/nobody/").status_code == 404


def test_an_abbreviation_is_expanded_on_its_first_use_on_a_page():
    request = RequestFactory().get("/")
    html = Template('{% load glossary %}{% abbr "EIA" %} and {% abbr "EIA" %}').render(Context({"request": request}))
    assert html == ('Equality Impact Assessment (<abbr title="Equality Impact Assessment">EIA</abbr>) and '
                    '<abbr title="Equality Impact Assessment">EIA</abbr>')


def test_every_page_declares_its_sections_once():
    for page in PAGES.values():
        keys = [section.key for section in page.sections]
        assert len(keys) == len(set(keys)) and all(section.default.strip() for section in page.sections)
