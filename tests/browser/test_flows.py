"""End-to-end flows in Chromium: every role signs in as themselves and drives the real pages.

Each test walks one journey of the corporate policy cycle through the browser, checks what the user can
see (status tag, success banner, page content), runs axe-core on every page it passes through and takes a
screenshot of each step into test-artifacts/<test name>/. State is created through the UI; ``advance_to``
(the real services, acting as the person whose job it is) is used only to reach a flow's starting point,
or for the middle steps the brief allows.
"""

from __future__ import annotations

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from assessments.services import retrospective_qa_signoff, workbook_update
from core.models import AuditEvent
from lifecycle import workflow
from lifecycle.models import CommissioningDecision, Policy, QASignOff
from tests.factories import advance_to

pytestmark = pytest.mark.django_db(transaction=True)

SUBMIT = "form#main-form button[type=submit]"
CHARACTERISTICS = ["age", "disability", "gender_reassignment", "marriage_civil_partnership",
                   "pregnancy_maternity", "race", "religion_belief", "sex", "sexual_orientation"]


def long_date(day) -> str:
    """Django's "j F Y", as the overview shows dates."""
    return f"{day.day} {day:%B %Y}"


class Flow:
    """One signed-in user's journey: every page checked with axe and photographed."""

    def __init__(self, browser_user):
        self.b = browser_user
        self.page = browser_user.page
        self.page.set_default_timeout(15_000)
        self.page.on("dialog", self._no_dialogs)
        self.dialogs: list[str] = []
        # axe-core cannot run where the page's JavaScript is off (its timers never fire).
        self.axe = True

    def _no_dialogs(self, dialog):  # a script that runs would most likely alert(); record and dismiss it
        if dialog.type == "beforeunload":
            return  # the unsaved-changes warning: the Browser records and answers it
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    # --- navigation and evidence -----------------------------------------------------------------

    def sign_in(self, username: str):
        self.b.sign_in(username)
        expect(self.page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()

    def step(self, label: str, page=None, axe: bool = True):
        """axe-core on the page as it stands, then a screenshot (of another tab when ``page`` is given)."""
        original = self.b.page
        self.b.page = page or self.page
        try:
            if axe and self.axe:
                self.b.step(label)
            else:
                self.b.screenshot(label)
        finally:
            self.b.page = original

    def visit(self, path: str, label: str, status: int = 200, axe: bool = True):
        response = self.b.goto(path)
        assert response.status == status, f"{label}: {path} answered {response.status}"
        self.step(label, axe=axe)

    def submit(self, label: str | None = None, selector: str = SUBMIT, page=None, status: int | None = None):
        page = page or self.page
        with page.expect_response(lambda r: r.request.method == "POST") as posted, page.expect_navigation():
            page.click(selector)
        if status is not None:
            assert posted.value.status == status, f"POST answered {posted.value.status}, expected {status}"
        assert posted.value.status < 500, f"POST to {posted.value.url} answered {posted.value.status}"
        if label:
            self.step(label, page=page)

    # --- what the user sees ----------------------------------------------------------------------

    def expect_status(self, text: str, page=None):
        expect((page or self.page).locator(".app-stage-tag").first).to_have_text(text)

    def expect_success(self, text: str, page=None):
        banner = (page or self.page).locator(".govuk-notification-banner--success")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(text)

    def expect_error_banner(self, text: str, page=None):
        banner = (page or self.page).locator(".govuk-notification-banner:not(.govuk-notification-banner--success)")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(text)

    def expect_error_summary(self, *messages: str, page=None):
        summary = (page or self.page).locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("There is a problem")
        for message in messages:
            expect(summary).to_contain_text(message)

    def expect_version(self, text: str):
        expect(self.page.locator(".govuk-caption-l")).to_contain_text(text)

    # --- doing things ----------------------------------------------------------------------------

    def action(self, reference: str, slug: str, label: str, fill=None, success: str | None = None,
               before: str | None = None):
        """Open an action from the overview's Actions list (the status tag reading ``before``), fill its form,
        submit, and check the success banner. The user lands on the overview, or on My work when the action
        took the policy out of their sight (a developer's submission, a QA return)."""
        overview = f"/policies/{reference}/"
        if not self.page.url.endswith(overview):
            # Photographed only: the overview is checked with axe in its state after every action.
            self.visit(overview, f"{label}: overview", axe=False)
        if before:
            self.expect_status(before)
        link = self.page.locator(f"a[href='/policies/{reference}/actions/{slug}/']")
        expect(link).to_be_visible()
        with self.page.expect_navigation():
            link.click()
        self.step(f"{label}: form")
        if fill is not None:
            fill(self.page)
        self.submit(f"{label}: done")
        if success:
            self.expect_success(success)
        expect(self.page.locator("h1")).not_to_have_text("Page not found")

    def qa_pass(self, username: str, reference: str, comments: str = "",
                before: str = "Submitted for quality assurance", sign_in: bool = True):
        if sign_in:
            self.sign_in(username)

        def fill(page):
            expect(page.locator("input[name=discipline]")).to_have_count(1)
            expect(page.locator("input[name=discipline]")).to_be_checked()
            page.check("input[name=outcome][value=passed]")
            if comments:
                page.fill("#id_comments", comments)

        self.action(reference, "quality-assurance", f"{username} passes quality assurance", fill,
                    "Your quality assurance decision has been recorded.", before=before)

    # --- the rich-text editor ---------------------------------------------------------------------

    def editor(self, field_id: str, page=None):
        """The editing surface of the rich-text editor that stands in for textarea ``field_id``."""
        return (page or self.page).locator(f".prose-editor:has(> #{field_id}) > .ProseMirror")

    def write(self, field_id: str, blocks: list[tuple[str, str]], page=None):
        """Replace an editor's text as a user does, with the keyboard and the toolbar. Each block is
        (kind, text): "h2" picks Heading 2 in the block-type menu, "p" is a paragraph, "li" a bullet (the
        first one pressing the toolbar's list button), and **word** in a text is typed in bold (Ctrl+B)."""
        page = page or self.page
        editor = self.editor(field_id, page)
        expect(editor).to_be_visible()
        editor.click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.press("Delete")
        toolbar = page.locator(f".prose-editor:has(> #{field_id}) > .prose-menubar")
        previous = None
        for index, (kind, text) in enumerate(blocks):
            if index:
                page.keyboard.press("Enter")
                if previous == "li" and kind != "li":
                    page.keyboard.press("Enter")  # an empty bullet ends the list
            if kind == "h2":
                toolbar.locator(".prose-menubar__selected").click()
                toolbar.locator(".prose-menubar__option[data-name=heading2]").click()
            elif kind == "li" and previous != "li":
                toolbar.get_by_role("button", name="unordered list").click()
            for number, part in enumerate(re.split(r"\*\*", text)):
                if number % 2:
                    page.keyboard.press("ControlOrMeta+b")
                    page.keyboard.type(part)
                    page.keyboard.press("ControlOrMeta+b")
                elif part:
                    page.keyboard.type(part)
            previous = kind

    def set_raw_html(self, field_id: str, html: str, page=None):
        """Put markup straight into the form field behind the editor, as a crafted request (or a browser
        without JavaScript) would: the server must hold it to the same rules."""
        (page or self.page).locator(f"#{field_id}").evaluate("(textarea, html) => { textarea.value = html; }", html)

    def save_statement(self, reference: str, label: str, statement: str | list[tuple[str, str]],
                       summary: str | None = None):
        self.visit(f"/policies/{reference}/statement/edit/", f"{label}: edit")
        if isinstance(statement, str):
            self.set_raw_html("id_statement", statement)
        else:
            self.write("id_statement", statement)
        if summary is not None:
            self.page.fill("#id_summary_of_changes", summary)
        # Issue 13: the statement says its health and safety implications, or "none identified", explicitly.
        if not self.page.locator("input[name=health_and_safety]:checked").count():
            self.page.check("input[name=health_and_safety][value=none]")
        self.submit(f"{label}: saved")
        self.expect_success("saved.")

    def record_shrmt_consultation(self, reference: str, label: str, consultee: str = "Health and safety adviser"):
        self.visit(f"/policies/{reference}/consultation/", f"{label}: consultation log")
        self.page.fill("#id_consultee", consultee)
        self.page.fill("#id_organisation", "Safety and Health Risk Management Team")
        self.page.check("input[name=consultee_type][value=shrmt]")
        today = timezone.localdate()
        for part, number in (("day", today.day), ("month", today.month), ("year", today.year)):
            self.page.fill(f"#id_date_sent-{part}", str(number))
        self.submit(f"{label}: consultation recorded", selector="button:has-text('Add to the log')")
        self.expect_success(f"Consultation with {consultee} recorded.")

    def checklist_all_done(self, reference: str, label: str, checklist_gates):
        """The overview's checklist shows every one of ``checklist_gates`` that applies to the policy done (a gate
        that asks nothing of this version is left out: lifecycle.gates, ``applies``)."""
        self.visit(f"/policies/{reference}/", label)
        policy = Policy.objects.get(reference=reference)
        count = len([gate for gate in checklist_gates
                     if getattr(gate, "applies", None) is None or gate.applies(policy)])
        statuses = self.page.locator(".govuk-task-list__status")
        expect(statuses).to_have_count(count)
        expect(statuses.filter(has_text="To do")).to_have_count(0)
        expect(statuses.filter(has_text="Done")).to_have_count(count)


@pytest.fixture
def flow(browser_user) -> Flow:
    return Flow(browser_user)


def reference_from(url: str) -> str:
    match = re.search(r"/policies/(POL-[^/]+)/", url)
    assert match, url
    return match.group(1)


# --- 1. the full cycle --------------------------------------------------------------------------------


def test_full_cycle_from_new_policy_to_publication(flow, people):
    page = flow.page

    # Stage 1: the developer starts a policy.
    flow.sign_in("developer")
    flow.visit("/policies/", "developer: policy register")
    with page.expect_navigation():
        page.click("a:has-text('Start a new policy')")
    flow.step("developer: new policy form")
    page.fill("#id_title", "Use of body-worn video")
    page.fill("#id_purpose", "To set out when officers record encounters with body-worn video.")
    page.fill("#id_relevant_to", "All officers on response and patrol duties.")
    page.select_option("#id_business_group", label="Territorial Policing")
    page.select_option("#id_owning_unit", label="Response and Patrol (Territorial Policing)")
    page.check("input[name=kind][value=corporate]")
    page.check("input[name=risk_tier][value=medium]")
    page.check("input[name=protective_marking][value=official]")
    flow.submit("developer: policy created")
    reference = reference_from(page.url)
    flow.expect_success(f"{reference} created in scoping with draft version 1.0.")
    flow.expect_status("Identification and scoping")
    flow.expect_version("version 1.0 (draft)")
    expect(page.locator("h2", has_text="Before you request commissioning")).to_be_visible()
    expect(page.locator(".govuk-task-list__status", has_text="To do")).to_have_count(6)

    # Scoping sections of the Workbook, then the EIA's aims.
    flow.visit(f"/policies/{reference}/workbook/", "developer: workbook (scoping)")
    page.fill("#id_need", "Inconsistent recording of stop and search encounters across boroughs.")
    page.fill("#id_legislation", "Police and Criminal Evidence Act 1984; Data Protection Act 2018.")
    page.fill("#id_data_and_statistics", "1,200 complaints a year cite unrecorded encounters.")
    page.fill("#id_costs_and_resources", "Within existing budgets: cameras are already issued.")
    page.fill("#id_benefits", "Better evidence and public confidence.")
    flow.submit("developer: workbook saved")
    flow.expect_success("Workbook saved.")
    expect(page.locator("#id_need")).to_have_value(re.compile("Inconsistent recording"))

    flow.visit(f"/policies/{reference}/eia/", "developer: EIA (aims)")
    page.fill("#id_aims", "Fair and consistent treatment of everyone officers encounter.")
    flow.submit("developer: EIA started")
    flow.expect_success("Equality Impact Assessment saved.")

    flow.checklist_all_done(reference, "developer: scoping checklist done", workflow.REQUEST_COMMISSIONING.gates)
    flow.action(reference, "request-commissioning", "developer requests commissioning",
                success="Commissioning requested")

    # Stage 2: the Lead commissions.
    flow.sign_in("lead")
    flow.visit("/", "lead: my work")
    expect(page.locator("main")).to_contain_text("Use of body-worn video")
    flow.action(reference, "commission", "lead commissions",
                lambda p: p.fill("#id_comments", "Agreed: proceed to development."),
                "Commissioned: the policy is now in development.", before="Awaiting commissioning decision")
    flow.expect_status("Development")

    # Stage 3: the developer drafts the package and consults SHRMT.
    flow.sign_in("developer")
    flow.visit(f"/policies/{reference}/", "developer: development checklist to do")
    expect(page.locator("h2", has_text="Before you submit for quality assurance")).to_be_visible()
    flow.save_statement(reference, "developer: policy statement", [
        ("h2", "Policy"),
        ("p", "Officers **must** record every stop and search on body-worn video."),
        ("li", "from the start of the encounter"),
        ("li", "until the person leaves"),
    ])
    statement = page.locator(".app-rich-text").first
    expect(statement.locator("h2")).to_have_text("Policy")
    expect(statement.locator("strong")).to_have_text("must")
    expect(statement.locator("ul li")).to_have_count(2)
    assert Policy.objects.get(reference=reference).current_version.statement == (
        "<h2>Policy</h2><p>Officers <strong>must</strong> record every stop and search on body-worn video.</p>"
        "<ul><li><p>from the start of the encounter</p></li><li><p>until the person leaves</p></li></ul>"
    )

    flow.visit(f"/policies/{reference}/sops/new/", "developer: add an SOP")
    page.fill("#id_title", "Starting and stopping a recording")
    flow.write("id_text", [("p", "Start recording **before** the encounter begins.")])
    page.check("input[name=protective_marking][value=official]")
    flow.submit("developer: SOP added")
    flow.expect_success("Standard Operating Procedure (SOP) added to the draft.")
    expect(page.locator("h3", has_text="Starting and stopping a recording")).to_be_visible()

    flow.record_shrmt_consultation(reference, "developer")
    expect(page.locator("table")).to_contain_text("Awaiting response")

    # SHRMT records its own advice.
    flow.sign_in("shrmt")
    flow.visit(f"/policies/{reference}/consultation/", "shrmt: consultation log")
    with page.expect_navigation():
        page.click("a:has-text('Record response')")
    flow.step("shrmt: response form")
    page.fill("#id_response", "Cameras must be mounted so as not to obstruct protective equipment.")
    flow.submit("shrmt: response recorded")
    flow.expect_success("Response from Health and safety adviser recorded.")
    expect(page.locator("table")).to_contain_text("must be mounted so as not to obstruct")

    # The developer completes the Workbook and the EIA.
    flow.sign_in("developer")
    flow.visit(f"/policies/{reference}/workbook/", "developer: workbook (development)")
    page.check("input[name=health_and_safety_impact][value=impact]")
    page.fill("#id_health_and_safety_statement", "Camera mounting advised by SHRMT.")
    page.fill("#id_consultation_summary", "SHRMT advice on mounting adopted.")
    page.fill("#id_implementation_plan", "Briefings to all response teams in month one.")
    page.fill("#id_monitoring_process", "Quarterly dip sampling of recordings.")
    flow.submit("developer: workbook completed")
    flow.expect_success("Workbook saved.")

    flow.visit(f"/policies/{reference}/eia/", "developer: EIA (development)")
    page.fill("#id_consultation_summary", "Staff associations and community groups agreed.")
    for characteristic in CHARACTERISTICS:
        page.check(f"input[name=impact_{characteristic}][value=neutral]")
    page.check("input[name=impact_race][value=positive]")
    page.fill("#id_notes_race", "Recording supports scrutiny of disproportionality.")
    page.check("input[name=decision][value=no_major_change]")
    page.fill("#id_decision_rationale", "No adverse impact identified.")
    flow.submit("developer: EIA completed")
    flow.expect_success("Equality Impact Assessment saved.")

    flow.checklist_all_done(reference, "developer: submission checklist all done", workflow.SUBMIT_FOR_QA.gates)
    flow.action(reference, "submit-for-qa", "developer submits for QA",
                success="Submitted to the Policy Co-ordination Unit for quality assurance.")

    # Stage 4: PCU, DCFD and DOI quality-assure; the co-ordinator forwards; the Lead approves. PCU's sign-off is
    # by pcu_qa: another member of PCU (pcu) publishes, since one person takes one part (separation of duties).
    flow.sign_in("pcu_qa")
    flow.visit(f"/policies/{reference}/", "pcu_qa: submitted version 1.0")
    flow.expect_status("Submitted for quality assurance")
    expect(page.locator(".govuk-caption-l")).to_contain_text("version 1.0")
    expect(page.locator(".govuk-caption-l")).not_to_contain_text("(draft)")
    flow.qa_pass("pcu_qa", reference, "Plain English, consistent with the template.", sign_in=False)
    flow.expect_status("Submitted for quality assurance")
    flow.qa_pass("dcfd", reference)
    flow.qa_pass("doi", reference)
    flow.expect_status("Quality assurance passed")

    flow.sign_in("coordinator")
    flow.action(reference, "forward-to-lead", "coordinator forwards to the Lead",
                success="Forwarded to the Designated Lead for approval.", before="Quality assurance passed")
    flow.expect_status("With the Designated Lead for approval")

    flow.sign_in("lead")
    flow.visit(f"/policies/{reference}/actions/decide/", "lead: decision page")
    signoffs = page.locator("h3:has-text('Quality assurance sign-offs') + ul li")
    expect(signoffs).to_have_count(3)
    for discipline in ("Policy Co-ordination Unit", "Diversity and Citizen Focus Directorate",
                       "Directorate of Information"):
        expect(signoffs.filter(has_text=discipline)).to_contain_text("passed")
    expect(signoffs.filter(has_text="Policy Co-ordination Unit")).to_contain_text("Plain English")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_meeting_on-day", str(timezone.localdate().day))
    page.fill("#id_meeting_on-month", str(timezone.localdate().month))
    page.fill("#id_meeting_on-year", str(timezone.localdate().year))
    page.fill("#id_minute_reference", "COG/2026/21")
    page.fill("#id_comments", "Approved for publication.")
    flow.submit("lead: approved")
    flow.expect_success("Your decision has been recorded.")
    flow.expect_status("Approved to publish")

    flow.sign_in("coordinator")
    flow.action(reference, "forward-for-publication", "coordinator sends to PCU",
                success="Sent to the Policy Co-ordination Unit for publication.")
    flow.expect_status("With PCU for publication")

    # Stage 5: PCU publishes now: another member of PCU than the one who signed its QA (separation of duties).
    flow.sign_in("pcu")

    def channels(p):
        expect(p.locator("#id_on_intranet")).to_be_checked()
        expect(p.locator("#id_in_notices")).to_be_checked()
        p.check("#id_on_publication_scheme")
        for part in ("day", "month", "year"):
            expect(p.locator(f"#id_publish_on-{part}")).to_have_value("")

    flow.action(reference, "publish", "pcu publishes", channels, "Publication recorded.")
    flow.expect_status("Published: implementation")
    review_due = timezone.localdate() + relativedelta(years=3)
    # The review date with its state (lifecycle.due): three years away, it is in date.
    expect(page.locator(".govuk-summary-list__row", has_text="Review date").locator("dd")).to_have_text(
        f"{long_date(review_due)} (in date)")
    expect(page.locator(".govuk-summary-list__row", has_text="Date published").locator("dd")).to_have_text(
        long_date(timezone.localdate()))
    assert flow.dialogs == []


# --- 2. returned with comments, re-submitted, redline for the Lead --------------------------------------


def test_return_with_comments_and_resubmission(flow, people):
    policy = advance_to(people.policy(title="Handling of lost property"), "submitted_for_qa", people)
    reference = policy.reference
    page = flow.page
    comment = "Section 2 must say who authorises the disposal of property."

    flow.sign_in("dcfd")

    def return_with_comments(p):
        p.check("input[name=outcome][value=returned]")
        p.fill("#id_comments", comment)

    flow.visit(f"/policies/{reference}/actions/quality-assurance/", "dcfd: QA form")
    # Returning without comments is refused on the form, with the choice kept.
    page.check("input[name=outcome][value=returned]")
    flow.submit("dcfd: return without comments refused", status=400)
    flow.expect_error_summary("Enter comments explaining what must change")
    expect(page.locator("input[name=outcome][value=returned]")).to_be_checked()
    return_with_comments(page)
    flow.submit("dcfd: returned with comments")
    flow.expect_success("Your quality assurance decision has been recorded.")
    # Back in development the policy is out of DCFD's sight: they land on My work, not "Page not found".
    assert page.url == f"{flow.b.base_url}/", page.url
    expect(page.locator("h1")).not_to_have_text("Page not found")

    # The developer sees the policy back in development, as draft 1.1, with the comment on the timeline.
    flow.sign_in("developer")
    flow.visit(f"/policies/{reference}/", "developer: returned to development")
    flow.expect_status("Development")
    flow.expect_version("version 1.1 (draft)")
    flow.visit(f"/policies/{reference}/timeline/", "developer: timeline with the comment")
    event = page.locator(".app-timeline__item", has_text=workflow.RETURN_FROM_QA.done)
    expect(event).to_have_count(1)
    expect(page.locator(".app-timeline")).not_to_contain_text("policy.returned_from_qa")
    event.locator("summary").first.click()
    expect(event.locator(".govuk-details__text")).to_be_visible()
    expect(event.locator(".govuk-details__text")).to_contain_text(comment)
    flow.step("developer: timeline comment expanded")

    flow.save_statement(reference, "developer: statement revised", [
        ("p", "Officers will act lawfully and proportionately."),
        ("p", "The duty inspector authorises the disposal of property."),
    ])
    flow.checklist_all_done(reference, "developer: checklist for re-submission", workflow.SUBMIT_FOR_QA.gates)
    flow.action(reference, "submit-for-qa", "developer re-submits",
                success="Submitted to the Policy Co-ordination Unit")

    for username in ("pcu", "dcfd", "doi"):
        flow.qa_pass(username, reference)
        expect(page.locator(".govuk-caption-l")).to_contain_text("version 1.1")
    flow.expect_status("Quality assurance passed")
    flow.sign_in("coordinator")
    flow.action(reference, "forward-to-lead", "coordinator forwards", success="Forwarded to the Designated Lead",
                before="Quality assurance passed")

    flow.sign_in("lead")
    flow.visit(f"/policies/{reference}/actions/decide/", "lead: decision with redline since 1.0")
    heading = page.locator("h3", has_text="Changes since the previous submission (1.0 to 1.1)")
    expect(heading).to_be_visible()
    redline = page.locator("h3:has-text('Changes since the previous submission') + .app-redline")
    expect(redline.locator("ins")).to_contain_text("The duty inspector authorises the disposal of property.")
    expect(redline.locator("del")).to_have_count(0)
    expect(redline).to_contain_text("Officers will act lawfully and proportionately.")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_meeting_on-day", str(timezone.localdate().day))
    page.fill("#id_meeting_on-month", str(timezone.localdate().month))
    page.fill("#id_meeting_on-year", str(timezone.localdate().year))
    page.fill("#id_minute_reference", "COG/2026/21")
    flow.submit("lead: approved 1.1")
    flow.expect_success("Your decision has been recorded.")
    flow.expect_status("Approved to publish")


# --- 3. the emergency route -------------------------------------------------------------------------------


def test_emergency_approval_and_retrospective_eia(flow, people):
    policy = advance_to(people.policy(title="Protest policing at short notice"), "development", people)
    reference = policy.reference
    page = flow.page

    flow.sign_in("developer")
    flow.save_statement(reference, "developer: statement",
                        [("p", "Officers will facilitate peaceful protest at short notice.")])

    flow.sign_in("lead")
    flow.visit(f"/policies/{reference}/", "lead: overview in development", axe=False)
    with page.expect_navigation():
        page.click("a:has-text('Emergency approval')")
    flow.step("lead: emergency approval form")
    flow.submit("lead: empty emergency approval refused", status=400)
    flow.expect_error_summary("Enter the risk statement")
    expect(page.locator(".govuk-error-summary a[href='#id_risk_statement']")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    risk = "Immediate need: protests planned this weekend. I accept the risk of an unassessed policy."
    page.fill("#id_risk_statement", risk)
    flow.submit("lead: emergency approval asked for")
    flow.expect_success("Emergency approval asked for")
    flow.expect_status("Development")

    # Issue 13: a member of PCU agrees in the app, in their own name.
    flow.sign_in("pcu")
    flow.visit(f"/policies/{reference}/actions/emergency-agreement/", "pcu: emergency agreement")
    page.check("input[name=answer][value=agree]")
    flow.submit("pcu: agrees")
    flow.expect_status("Approved to publish")
    expect(page.locator(".app-stage-tag", has_text="Not impact assessed")).to_be_visible()
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("Not impact assessed: approved by the emergency route")
    due = timezone.localdate() + relativedelta(days=28)
    expect(warning).to_contain_text(f"due by {long_date(due)}")

    flow.sign_in("coordinator")
    flow.action(reference, "forward-for-publication", "coordinator sends for publication",
                success="Sent to the Policy Co-ordination Unit for publication.")
    flow.sign_in("pcu")
    flow.action(reference, "publish", "pcu publishes", success="Publication recorded.")
    flow.expect_status("Published: implementation")
    expect(page.locator(".app-stage-tag", has_text="Not impact assessed")).to_be_visible()

    # The developer completes the EIA after publication.
    flow.sign_in("developer")
    flow.visit(f"/policies/{reference}/eia/", "developer: retrospective EIA")
    expect(page.locator(".govuk-inset-text")).to_contain_text("approved by the emergency route")
    page.fill("#id_consultation_summary", "Community groups consulted after the event.")
    for characteristic in CHARACTERISTICS:
        page.check(f"input[name=impact_{characteristic}][value=neutral]")
    page.check("input[name=decision][value=no_major_change]")
    page.fill("#id_decision_rationale", "No adverse impact identified.")
    flow.submit("developer: retrospective EIA saved")
    flow.expect_success("Equality Impact Assessment saved.")

    # PCU (the Workbook's impact sections) and DOI (its quality assurance) sign their parts first.
    policy = Policy.objects.get(pk=policy.pk)
    workbook_update(policy=policy, actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    retrospective_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    retrospective_qa_signoff(policy=policy, actor=people.doi, discipline="doi")

    # DCFD signs the EIA off from the EIA page, the last part outstanding; the marking goes.
    flow.sign_in("dcfd")
    flow.visit(f"/policies/{reference}/eia/", "dcfd: EIA awaiting sign-off")
    with page.expect_navigation():
        page.click("a:has-text('Sign off the EIA')")
    flow.step("dcfd: sign-off form")
    page.fill("#id_comments", "Assessment is proportionate.")
    flow.submit("dcfd: EIA signed off")
    flow.expect_success("Equality Impact Assessment (EIA) signed off: the policy is now impact assessed.")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    flow.visit(f"/policies/{reference}/", "dcfd: overview impact assessed")
    expect(page.locator(".app-stage-tag", has_text="Not impact assessed")).to_have_count(0)
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    flow.expect_status("Published: implementation")


# --- 4. a review producing version 2.0 and its redline ------------------------------------------------------


def test_review_produces_version_two_with_redline(flow, people):
    # Published version 1.0 reads "<p>Officers will act lawfully and proportionately.</p>" (fill_development).
    policy = advance_to(people.policy(title="Custody healthcare"), "implementation", people)
    reference = policy.reference
    assert "Officers will act" in policy.current_version.statement
    page = flow.page

    flow.sign_in("developer")
    flow.action(reference, "start-review", "developer starts a review",
                lambda p: p.fill("#id_reason", "New national guidance on custody healthcare."),
                "Review started: a new draft version is open in scoping.")
    flow.expect_status("Identification and scoping")
    flow.expect_version("version 2.0 (draft)")

    flow.save_statement(
        reference, "developer: statement for 2.0",
        [("p", "Officers must act lawfully and proportionately."), ("p", "Detainees see a nurse within one hour.")],
        summary="Duty made mandatory; new nurse response time.",
    )
    expect(page.locator(".app-rich-text")).to_contain_text("Detainees see a nurse within one hour.")
    expect(page.locator("main")).to_contain_text("Duty made mandatory; new nurse response time.")

    # The compare page already shows the redline from the published version.
    flow.visit(f"/policies/{reference}/versions/compare/?from=1.0&to=2.0", "developer: compare 1.0 to 2.0")
    # (The statement's redline is the first; the SOPs', Workbook's and EIA's follow it.)
    statement = page.locator(".app-redline").first
    expect(statement.locator("del")).to_contain_text("will")
    expect(statement.locator("ins").first).to_contain_text("must")

    # Commissioning by the services (a middle step the full-cycle test drives in the browser); it leaves
    # the statement alone. The new cycle's consultation and submission in the browser.
    flow.checklist_all_done(reference, "developer: scoping checklist for the review",
                            workflow.REQUEST_COMMISSIONING.gates)
    advance_to(Policy.objects.get(reference=reference), "development", people)
    flow.record_shrmt_consultation(reference, "developer (review)")
    # A new cycle makes its own EIA decision and summarises its own consultation feedback.
    flow.visit(f"/policies/{reference}/eia/", "developer: EIA for the review")
    expect(page.locator("input[name=impact_age][value=neutral]")).to_be_checked()  # carried forward
    expect(page.locator("input[name=decision]:checked")).to_have_count(0)  # made afresh
    page.fill("#id_consultation_summary", "Healthcare partners agreed the new response time.")
    page.check("input[name=decision][value=no_major_change]")
    page.fill("#id_decision_rationale", "The review changes no impact.")
    flow.submit("developer: EIA for the review saved")
    flow.expect_success("Equality Impact Assessment saved.")
    flow.visit(f"/policies/{reference}/workbook/", "developer: Workbook for the review")
    page.fill("#id_consultation_summary", "Healthcare partners agreed the new response time.")
    flow.submit("developer: Workbook for the review saved")
    flow.expect_success("Workbook saved.")
    flow.checklist_all_done(reference, "developer: submission checklist for the review", workflow.SUBMIT_FOR_QA.gates)
    flow.action(reference, "submit-for-qa", "developer submits 2.0", success="Submitted to the Policy")

    # Quality assurance and forwarding by the services (the middle steps), then the Lead in the browser.
    advance_to(Policy.objects.get(reference=reference), "with_lead", people)
    flow.sign_in("lead")
    flow.visit(f"/policies/{reference}/actions/decide/", "lead: decision with redline since 1.0")
    expect(page.locator("h3", has_text="Changes since the published version (1.0 to 2.0)")).to_be_visible()
    redline = page.locator("h3:has-text('Changes since the published version') + .app-redline")
    expect(redline.locator("del")).to_have_count(1)
    expect(redline.locator("del")).to_contain_text("will")
    expect(redline.locator("ins")).to_have_count(2)
    expect(redline.locator("ins").nth(0)).to_contain_text("must")
    expect(redline.locator("ins").nth(1)).to_contain_text("Detainees see a nurse within one hour.")
    expect(page.locator(".govuk-inset-text", has_text="Summary of changes")).to_contain_text("Duty made mandatory")
    markup = redline.inner_html()
    assert re.search(r"<del[^>]*>.*will</del>", markup), markup
    assert re.search(r"<ins[^>]*>.*must</ins>", markup), markup
    page.check("input[name=decision][value=approve]")
    page.fill("#id_meeting_on-day", str(timezone.localdate().day))
    page.fill("#id_meeting_on-month", str(timezone.localdate().month))
    page.fill("#id_meeting_on-year", str(timezone.localdate().year))
    page.fill("#id_minute_reference", "COG/2026/21")
    flow.submit("lead: approves 2.0")
    flow.expect_success("Your decision has been recorded.")
    flow.expect_status("Approved to publish")
    flow.expect_version("version 2.0")


# --- 5. bad input and conflicts -------------------------------------------------------------------------


def test_double_submit_stale_edit_and_hostile_input(flow, people):
    page = flow.page
    context = page.context

    # Double submit of a state change from two tabs: the second is told it has moved on; nothing changes.
    waiting = advance_to(people.policy(title="Missing persons"), "commissioning", people)
    flow.sign_in("lead")
    second = context.new_page()
    for tab in (page, second):
        tab.goto(f"{flow.b.base_url}/policies/{waiting.reference}/actions/commission/")
    flow.step("lead: commission, tab 1")
    flow.step("lead: commission, tab 2", page=second)
    flow.submit("lead: commissioned in tab 1")
    flow.expect_success("Commissioned: the policy is now in development.")
    events_before = AuditEvent.objects.filter(policy_id=waiting.pk).count()
    flow.submit("lead: commission again in tab 2", page=second)
    flow.expect_error_banner("has moved on since you opened the page", page=second)
    flow.expect_error_banner("Nothing was changed", page=second)
    flow.expect_status("Development", page=second)
    assert CommissioningDecision.objects.filter(policy=waiting).count() == 1
    assert AuditEvent.objects.filter(policy_id=waiting.pk).count() == events_before

    # The same QA sign-off from two tabs: the second is told it has already been recorded.
    submitted = advance_to(people.policy(title="Firearms licensing"), "submitted_for_qa", people)
    flow.sign_in("pcu")
    for tab in (page, second):
        tab.goto(f"{flow.b.base_url}/policies/{submitted.reference}/actions/quality-assurance/")
        tab.check("input[name=outcome][value=passed]")
    flow.submit("pcu: QA passed in tab 1")
    flow.expect_success("Your quality assurance decision has been recorded.")
    flow.submit("pcu: QA passed again in tab 2", page=second)
    flow.expect_error_banner("has already recorded its decision", page=second)
    assert QASignOff.objects.filter(policy_version__policy=submitted).count() == 1

    # A stale draft: two tabs edit the statement; the second save is refused and keeps its text.
    drafting = advance_to(people.policy(title="Stop and search"), "development", people)
    flow.sign_in("developer")
    for tab in (page, second):
        tab.goto(f"{flow.b.base_url}/policies/{drafting.reference}/statement/edit/")
    flow.write("id_statement", [("p", "First tab: officers record every search.")])
    flow.submit("developer: saved in tab 1")
    flow.expect_success("Draft version 1.0 saved.")
    mine = "Second tab: officers **explain** the grounds for every search."
    flow.write("id_statement", [("p", mine)], page=second)
    flow.submit("developer: stale save in tab 2 refused", page=second, status=409)
    flow.expect_error_summary("in another tab or window, while you were editing it", page=second)
    # Nothing typed is lost: the refused page opens the editor on the second tab's own text.
    expect(second.locator("#id_statement")).to_have_value(
        "<p>Second tab: officers <strong>explain</strong> the grounds for every search.</p>")
    expect(flow.editor("id_statement", page=second).locator("strong")).to_have_text("explain")
    assert "First tab" in Policy.objects.get(pk=drafting.pk).current_version.statement
    second.close()

    # Back, then the same create form sent again (QA10: POL-0018, then POL-0019 from one form): one policy; the second
    # post lands on it, told so (core.submissions).
    flow.visit("/policies/new/", "developer: start a policy")
    page.fill("#id_title", "Back-button policy")
    page.fill("#id_purpose", "Typed once.")
    page.fill("#id_relevant_to", "All staff")
    flow.submit("developer: policy started")
    flow.expect_success("created in scoping with draft version 1.0")
    started = Policy.objects.get(title="Back-button policy")
    page.go_back()
    expect(page.locator("#id_title")).to_have_value("Back-button policy")
    flow.submit("developer: the same policy sent again")
    assert page.url.endswith(f"/policies/{started.reference}/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You already sent this form: {started.reference} “Back-button policy” was started")
    assert Policy.objects.filter(title="Back-button policy").count() == 1

    # Hostile input: markup the sanitiser would remove is refused by name (nothing vanishes silently) and never
    # runs; what was typed stays in the form. The health and safety statement is plain text, shown escaped (the
    # summary of changes, asked only of a review, is not on a first version's form).
    hostile = ('<p>Safe paragraph.</p><script>window.__pwned = 1; alert("script")</script>'
               '<img src="x" onerror="window.__pwned = 2; alert(\'img\')">'
               '<p onclick="alert(\'click\')"><a href="javascript:alert(\'link\')">A link</a></p>')
    flow.visit(f"/policies/{drafting.reference}/statement/edit/", "developer: edit before a hostile save")
    flow.set_raw_html("id_statement", hostile)
    flow.submit("developer: hostile statement refused by name", status=400)
    flow.expect_error_summary("contains markup PolicyHub does not keep")
    for named in ("<script> element", "onclick attribute", "javascript: address", "<img> tag"):
        expect(page.locator(".govuk-error-summary")).to_contain_text(named)
    assert "Safe paragraph" not in Policy.objects.get(pk=drafting.pk).current_version.statement
    assert page.evaluate("window.__pwned") is None
    flow.visit(f"/policies/{drafting.reference}/statement/edit/", "developer: safe statement, hostile text: edit")
    flow.set_raw_html("id_statement", "<p>Safe paragraph.</p>")
    page.check("input[name=health_and_safety][value=identified]")
    page.fill("#id_health_and_safety_statement", '<script>alert("safety")</script> Wear gloves.')
    flow.submit("developer: safe statement, hostile text: saved")
    flow.expect_success("saved.")
    body = page.locator(".app-rich-text")
    expect(body).to_contain_text("Safe paragraph.")
    expect(page.locator("main")).to_contain_text('<script>alert("safety")</script> Wear gloves.')
    assert page.evaluate("window.__pwned") is None
    assert flow.dialogs == []

    # An over-long statement is refused on the form; the error summary's link takes the focus into the editor
    # (its textarea is hidden), and the text is still there.
    flow.visit(f"/policies/{drafting.reference}/statement/edit/", "developer: edit before an over-long save")
    flow.set_raw_html("id_statement", "<p>" + "Too long. " * 50_001 + "</p>")
    flow.submit(status=400)  # no screenshot or axe run: half a million characters make either take too long
    flow.expect_error_summary("Policy Statement must be 500,000 characters or fewer")
    page.locator(".govuk-error-summary a[href='#id_statement']").click()
    assert page.evaluate("document.activeElement.matches('.prose-editor > .ProseMirror')"), "focus is not in the editor"
    expect(flow.editor("id_statement")).to_contain_text("Too long. Too long.")

    # Pasting from another page into the editor: the structure is kept, handlers and scripts never run,
    # and what is saved holds only markup the sanitiser allows.
    flow.visit(f"/policies/{drafting.reference}/statement/edit/", "developer: edit before a paste")
    editor = flow.editor("id_statement")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    editor.evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "Pasted");
            element.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        '<h3 style="color:red">Pasted heading</h3><p onclick="window.__pwned = 3">Pasted <b>bold</b> text'
        '<img src="x" onerror="window.__pwned = 4"></p><script>window.__pwned = 5</script>',
    )
    expect(editor.locator("h3")).to_have_text("Pasted heading")
    assert page.evaluate("window.__pwned") is None
    flow.step("developer: pasted into the editor")
    flow.submit("developer: pasted text saved")
    saved = Policy.objects.get(pk=drafting.pk).current_version.statement
    assert saved == "<h3>Pasted heading</h3><p>Pasted <strong>bold</strong> text</p>", saved
    assert page.evaluate("window.__pwned") is None
    assert flow.dialogs == []

    # Hostile and over-long titles on the new-policy form.
    flow.visit("/policies/new/", "developer: new policy for bad input")
    too_long = "Very long title " * 20  # 320 characters, over the limit of 200
    page.evaluate("document.getElementById('id_title').removeAttribute('maxlength')")  # as a crafted POST would
    page.fill("#id_title", too_long)
    page.fill("#id_purpose", "Testing limits.")
    page.fill("#id_relevant_to", "Everyone.")
    page.select_option("#id_business_group", label="Territorial Policing")
    page.select_option("#id_owning_unit", label="Response and Patrol (Territorial Policing)")
    flow.submit("developer: very long title refused", status=400)
    flow.expect_error_summary("Title must be 200 characters or fewer")
    expect(page.locator("#id_title")).to_have_value(too_long)
    assert not Policy.objects.filter(title__startswith="Very long title").exists()

    title = '<script>alert("title")</script> Policy on hostile titles'
    page.fill("#id_title", title)
    flow.submit("developer: hostile title kept as text")
    expect(page.locator("h1")).to_have_text(title)
    assert page.evaluate("window.__pwned") is None
    assert flow.dialogs == []


# --- 6. unsaved rich text ------------------------------------------------------------------------------


def test_leaving_unsaved_rich_text_asks_first(flow, people):
    reference = advance_to(people.policy(title="Use of force recording"), "development", people).reference
    page = flow.page
    flow.sign_in("developer")

    # Typed but not saved: leaving asks first (the test answers "Leave").
    flow.visit(f"/policies/{reference}/statement/edit/", "developer: edit")
    flow.write("id_statement", [("p", "Officers record every use of force.")])
    flow.visit(f"/policies/{reference}/", "developer: left the edit page", axe=False)
    assert flow.b.unload_warnings == 1

    # Opened and left untouched, or saved: no question.
    flow.visit(f"/policies/{reference}/statement/edit/", "developer: edit again")
    flow.visit(f"/policies/{reference}/", "developer: left an untouched edit page", axe=False)
    flow.save_statement(reference, "developer: statement saved", [("p", "Officers record every use of force.")])
    flow.visit(f"/policies/{reference}/", "developer: overview after saving", axe=False)
    assert flow.b.unload_warnings == 1
    assert page.url.endswith(f"/policies/{reference}/")
