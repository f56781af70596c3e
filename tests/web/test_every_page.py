"""Every page says what it means (issue 17): walked over every URL the service has, as the people who use them,
each abbreviation is expanded on its first use on the page (PCU, DCFD, DOI, SHRMT, EIA, SOP, QA...: "Policy
Co-ordination Unit (PCU)", marked up as an <abbr>), and every date is written the one way (core.dates).

The walk reads the URL configuration itself: a page added without a place here fails ``test_the_walk_covers_every
_page`` until it is given one (or named in NOT_PAGES with the reason). The error pages and the daily e-mail are
read too. The same checks run on every page state of the axe walk in the browser (tests/browser), forms with
errors included."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.services import monitoring_report_create, monitoring_report_submit, workbook_update
from core.models import Role
from guidance import help as role_help
from guidance.content import PAGES as SITE_PAGES
from lifecycle import services as s
from lifecycle import workflow
from lifecycle.states import Status
from notifications import services as notifications
from publication.services import policy_publish
from tests.factories import advance_to, emergency_approve, fill_development, reload, take_step, user_with_role
from tests.lifecycle.test_details import update
from tests.web.page_text import abbreviation_faults, date_faults

pytestmark = pytest.mark.django_db

# URLs that are not pages a person reads, and why.
NOT_PAGES = {
    "healthz": "a health check for the load balancer",
    "logout": "POST only: signing out",
    "session_keep_alive": "POST only: a page's 'Stay signed in' (tests/core/test_session_keep_alive.py)",
    "notifications:mark_read": "POST only",
    "notifications:open": "a redirect: marks an item read, leads to its page (tests/notifications/test_inbox_open.py)",
    "acknowledgements:confirm": "POST only",
    "acknowledgements:export": "a CSV file",
    "publication:scheme_feed": "an Atom feed",
    "notices:feed": "an Atom feed",
    "publication:scheme_pdf": "a PDF (its text: tests/publication)",
    "policy_pdf": "a PDF (its text: tests/publication)",
    "policy_in_force_pdf": "a stored PDF, the version in force (tests/library/test_library_pdf_in_force.py)",
    "publication_staff:file": "a stored PDF (its bytes, hash and access: tests/publication/"
                              "test_publication_page_downloads.py)",
    "publication_staff:store_files": "POST only: PCU's 'Store the files again' on the Publication page (tests/"
                                     "publication/test_files_not_stored.py)",
    "spreadsheet_download": "an XLSX file (its cells: tests/core/test_exports.py)",
    "spreadsheet_export": "the page of one person's spreadsheet being prepared, under its own token: the axe walk "
                          "reads it preparing and ready (tests/browser/test_accessibility.py), with these checks",
}
USERS = ("pcu", "coordinator", "developer", "lead", "dcfd", "manager", "shrmt", None)
RENDERINGS_PER_PAGE = 2


def _url_names(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or pattern.namespace == "admin":
                continue  # Django's own admin, in its own words
            yield from _url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _world(people) -> dict:
    """One policy at each point that has pages of its own, with what those pages list."""
    today = timezone.localdate()
    scoping = people.policy(title="Body-worn video")
    monitored = advance_to(people.policy(title="Stop and search"), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=monitored, actor=people.pcu, on_publication_scheme=True)
    monitored = advance_to(monitored, Status.MONITORING, people)
    report = monitoring_report_create(
        policy=monitored, actor=people.developer, period_start=monitored.first_published_on,
        period_end=monitored.monitoring_report_due_on, compliance="96% compliant.", benefits="Fewer complaints.",
        diversity_impact="None found.")
    monitoring_report_submit(report=report, actor=people.developer)

    review = advance_to(people.policy(title="Taser deployment"), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=review, actor=people.pcu, on_publication_scheme=True)
    s.policy_start_review(policy=review, actor=people.coordinator, reason="Three-year review.")
    review = advance_to(reload(review), Status.DEVELOPMENT, people)
    update(review, people.developer, title="Conducted energy devices")
    sop = s.sop_create(policy=review, actor=people.developer, title="Deployment", text="<p>Deploy.</p>")
    record = review.consultations.first()

    with_lead = advance_to(people.policy(title="Domestic abuse"), Status.WITH_LEAD, people)
    in_qa = advance_to(people.policy(title="Missing persons"), Status.SUBMITTED_FOR_QA, people)
    scheduled = advance_to(people.policy(title="Roads policing"), Status.AWAITING_PUBLICATION, people)
    publication = policy_publish(policy=scheduled, actor=people.pcu, publish_on=today + datetime.timedelta(days=7))
    emergency = advance_to(people.policy(title="Protest policing"), Status.DEVELOPMENT, people)
    fill_development(emergency, people, complete_assessment=False)
    emergency_approve(emergency, people)
    # Its retrospective EIA and the Workbook's impact sections completed, awaiting DCFD's, PCU's and DOI's sign-off:
    # the sign-off pages are offered only then (QA walks).
    assessed = advance_to(people.policy(title="Crowd safety"), Status.DEVELOPMENT, people)
    fill_development(assessed, people)
    emergency_approve(assessed, people)
    workbook_update(policy=reload(assessed), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    withdrawn = advance_to(people.policy(title="Pagers"), Status.IMPLEMENTATION, people)
    take_step(withdrawn, people, Status.WITHDRAWN)

    leaver = user_with_role(Role.DEVELOPER, people.group, username="leaver")
    scoping.developers.add(leaver)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    notifications.outbox_relay()
    return {"scoping": reload(scoping), "monitored": reload(monitored), "report": report, "review": reload(review),
            "sop": sop, "record": record, "with_lead": reload(with_lead), "in_qa": reload(in_qa),
            "scheduled": reload(scheduled), "publication": publication, "emergency": reload(emergency),
            "assessed": reload(assessed),
            "withdrawn": reload(withdrawn), "leaver": leaver}


def _paths(world) -> dict[str, list[str]]:
    """Each URL name, with the addresses to read it at."""
    policies = [world[key] for key in ("scoping", "review", "in_qa", "with_lead", "monitored", "emergency",
                                       "scheduled", "withdrawn")]
    policy_pages = ("lifecycle:detail", "lifecycle:details", "lifecycle:statement", "lifecycle:statement_edit",
                    "lifecycle:sop_create", "lifecycle:consultation", "lifecycle:versions", "lifecycle:compare",
                    "lifecycle:timeline", "lifecycle:advice", "lifecycle:people", "assessments:eia",
                    "assessments:eia_signoff", "assessments:workbook", "assessments:emergency_signoff",
                    "assessments:monitoring", "publication_staff:list", "publication_staff:withheld")
    paths: dict[str, list[str]] = {name: [reverse(name, args=[policy.reference]) for policy in policies]
                                   for name in policy_pages}
    review, monitored, scheduled = world["review"], world["monitored"], world["scheduled"]
    paths["assessments:eia_signoff"].append(reverse("assessments:eia_signoff", args=[world["assessed"].reference]))
    paths["assessments:emergency_signoff"].append(reverse("assessments:emergency_signoff",
                                                          args=[world["assessed"].reference]))
    paths["lifecycle:compare"].append(reverse("lifecycle:compare", args=[review.reference]) + "?from=1.0&to=2.0")
    user = world["leaver"]
    paths.update({
        "home": ["/"], "login": ["/sign-in/"], "password_change": ["/account/password/"],
        "password_reset": ["/account/password/reset/"], "password_reset_done": ["/account/password/reset/sent/"],
        "password_reset_complete": ["/account/password/reset/done/"],
        "password_reset_confirm": [reverse("password_reset_confirm", args=[
            urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])],
        "guidance:accessibility": ["/accessibility/"], "guidance:privacy": ["/privacy/"],
        "guidance:cookies": ["/cookies/"], "guidance:freedom-of-information": ["/freedom-of-information/"],
        "guidance:edit": [reverse("guidance:edit", args=[slug]) for slug in SITE_PAGES],
        "guidance:help": ["/help/"], "guidance:help_role": [f"/help/{role.slug}/" for role in role_help.ROLES],
        "notifications:list": ["/notifications/"],
        "oversight:dashboard": ["/dashboard/"], "oversight:indicators": ["/dashboard/indicators/"],
        "oversight:report": ["/dashboard/report/"],
        "oversight:remedial_actions": ["/dashboard/remedial-actions/"],
        "oversight:acknowledgements": ["/dashboard/acknowledgements/"],
        "library:index": ["/library/", "/library/?q=policy"], "library:archive": ["/library/archive/"],
        "library:policy": [reverse("library:policy", args=[policy.reference])
                           for policy in (monitored, review, world["withdrawn"])],
        "library:version": [reverse("library:version", args=[review.reference, "1.0"])],
        "acknowledgements:list": ["/acknowledgements/"], "acknowledgements:units": ["/acknowledgements/units/"],
        "people:handover": [reverse("people:handover", args=[user.username])],
        "publication:scheme": ["/publication-scheme/", "/publication-scheme/?q=policy"],
        "publication:scheme_detail": [reverse("publication:scheme_detail", args=[policy.reference])
                                      for policy in (monitored, review)],
        "notices:index": ["/notices/"],
        "assessments:monitoring_report": [reverse("assessments:monitoring_report",
                                                  args=[monitored.reference, world["report"].pk])],
        "lifecycle:register": ["/policies/", "/policies/?review_status=overdue", "/policies/?stuck=qa"],
        "lifecycle:create": ["/policies/new/"],
        "lifecycle:sop_edit": [reverse("lifecycle:sop_edit", args=[review.reference, world["sop"].pk])],
        "lifecycle:sop_remove": [reverse("lifecycle:sop_remove", args=[review.reference, world["sop"].pk])],
        "lifecycle:consultation_response": [reverse("lifecycle:consultation_response",
                                                    args=[review.reference, world["record"].pk])],
        "lifecycle:revisions": [reverse("lifecycle:revisions", args=[policy.reference,
                                                                     policy.current_version.number])
                                for policy in (review, world["scoping"])],
        "publication_staff:cancel": [reverse("publication_staff:cancel",
                                             args=[scheduled.reference, world["publication"].pk])],
        "publication_staff:bring_forward": [reverse("publication_staff:bring_forward",
                                                    args=[scheduled.reference, world["publication"].pk])],
        "lifecycle:action": [reverse("lifecycle:action", args=[policy.reference, slug])
                             for slug, (_, steps) in workflow.PAGES.items() for policy in policies
                             if any(policy.status in step.source for step in steps)],
    })
    return paths


def _fault_lines(where: str, html: str) -> list[str]:
    return [f"{where}: {fault}" for fault in abbreviation_faults(html) + date_faults(html)]


def test_every_page_expands_its_abbreviations_and_writes_dates_one_way(people):
    world = _world(people)
    clients = {}
    for username in USERS:
        clients[username] = Client()
        if username:
            clients[username].force_login(getattr(people, username))
    faults: list[str] = []
    read: set[str] = set()
    expanding = 0  # renderings that expand an abbreviation (the walk is not vacuous)
    for name, paths in _paths(world).items():
        for path in paths:
            rendered = 0
            for username, client in clients.items():
                response = client.get(path, follow=path.startswith("/account/password/reset/"))
                if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                    continue
                read.add(name)
                html = response.content.decode()
                faults += _fault_lines(f"{path} as {username or 'the public'}", html)
                expanding += '(<abbr title="' in html
                rendered += 1
                if rendered == RENDERINGS_PER_PAGE:
                    break
    # The error pages, as people meet them.
    clients["developer"].raise_request_exception = False
    for path, status in (("/policies/POL-9999/", 404), ("/information-pages/privacy/edit/", 403),
                         # Bad search input: said in the error summary, the list still shown (200).
                         ("/library/?q=" + "x" * 300, 200), ("/policies/?business_group=abc&q=" + "x" * 300, 200)):
        response = clients["developer"].get(path)
        assert response.status_code == status, path
        faults += _fault_lines(f"{path} ({status})", response.content.decode())
    request = RequestFactory().get("/")
    faults += _fault_lines("500 page", render_to_string("errors/500.html", request=request))
    # The daily e-mail (HTML), with the day's notifications in it.
    mail.outbox.clear()
    for digest_id in notifications.digests_prepare(today=timezone.localdate()):
        notifications.digest_send(digest_id=digest_id)
    emails = [message.alternatives[0][0] for message in mail.outbox if message.alternatives]
    assert emails, "no digest e-mail was sent"
    for html in emails:
        faults += _fault_lines("the daily e-mail", html)

    assert expanding > 100, expanding
    unread = set(_url_names()) - read - set(NOT_PAGES)
    assert not unread, f"pages the walk never read (give them a place in _paths, or a reason in NOT_PAGES): {unread}"
    assert not faults, f"{len(faults)} faults:\n" + "\n".join(sorted(set(faults)))


def test_the_checks_catch_an_unexpanded_abbreviation_and_a_stray_date():
    pcu = '<abbr title="Policy Co-ordination Unit">PCU</abbr>'
    assert abbreviation_faults(f"<main><p>Policy Co-ordination Unit ({pcu}) publishes. {pcu} again.</p></main>") == []
    assert abbreviation_faults("<main><dl><dt>" + pcu + "</dt><dd>Policy Co-ordination Unit</dd></dl></main>") == []
    for html in (f"<p>Sent to {pcu} for publication.</p>",  # marked up, never expanded
                 "<p>Sent to Policy Co-ordination Unit (PCU).</p>",  # expanded, not marked up
                 f"<p>Sent to <b>PCU</b>; the Policy Co-ordination Unit ({pcu}).</p>",  # expanded only later
                 "<p>Approved by the CPF.</p>"):  # not in the glossary
        assert abbreviation_faults(html), html
    # Not read: the head, scripts, form values, options, code, what authors wrote; references are codes.
    assert abbreviation_faults(
        "<head><title>PCU</title></head><script>PCU</script><textarea>PCU</textarea><select><option>PCU</option>"
        "</select><code>PCU</code><div class='app-rich-text'>PCU</div><p>POL-0001, minute COG/2024/07</p>") == []
    assert date_faults("<p>Due 2 March 2026, 14:05.</p>") == []
    for stray in ("2 Mar 2026", "02 March 2026", "02/03/2026", "2026-03-02"):
        assert date_faults(f"<p>Due {stray}.</p>"), stray
