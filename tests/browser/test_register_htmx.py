"""The policy register updates in place with JavaScript (htmx) and works as a plain GET form without it.

With JavaScript, typing in the search box (debounced) or changing a select fetches the results alone: the page is
not reloaded (a marker set on ``window`` survives), the URL follows the filters, the role=status count is the same
element with new text, the focus stays where the user is, the title follows, axe passes after each swap, and the
back button brings the earlier results back. Page links do the same and move the focus to the new results."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from core.models import User
from lifecycle import register_views as views
from lifecycle.filters import PolicyRegisterFilter
from lifecycle.models import Policy
from lifecycle.selectors import policy_list
from tests.browser.conftest import ARTIFACTS, Browser


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo data, seeded once for the module's tests, committed, as the live server reads it; flushed when they
    are done, as a transactional test's teardown does. The tests only read the register (signing in writes sessions
    and the sign-in events, which nothing here counts), so each sees the seeded register as if seeded for it alone."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=False)


@pytest.fixture
def transactional_db(seeded, django_db_blocker):
    """What the live server asks for (pytest-django's transactional_db, which flushes the database after each test),
    here the module's seeded database: the flush comes once, after the module (``seeded``)."""
    with django_db_blocker.unblock():
        yield


ROW_TITLES = "#register-results tbody tr td:first-child a"


def expected_titles(username: str, **filters) -> list[str]:
    """What the register should list for ``username`` under ``filters``: the same selector and filters as the
    view, read directly."""
    filterset = PolicyRegisterFilter(filters, queryset=Policy.objects.none())
    assert filterset.is_valid(), filterset.errors
    narrow = filterset.filter_queryset
    return list(narrow(policy_list(user=User.objects.get(username=username))).values_list("title", flat=True)[:25])


def count_text(titles: list[str]) -> str:
    return f"{len(titles)} polic{'y' if len(titles) == 1 else 'ies'}"


class Register:
    """The register in a browser, watched for full page loads and for the requests htmx makes."""

    def __init__(self, browser_user):
        self.b = browser_user
        self.page = browser_user.page
        self.page.set_default_timeout(15_000)
        self.htmx_requests: list[str] = []
        self.page.on("request", self._record)

    def _record(self, request):
        if request.headers.get("hx-request") == "true":
            assert request.method == "GET", "the register's htmx requests are GETs, needing no CSRF token"
            self.htmx_requests.append(request.url)

    def mark_document(self):
        """A marker that only a full page load clears, and the live region as it is now."""
        self.page.evaluate("() => { window.__marker = 'no reload'; "
                           "window.__countRegion = document.getElementById('result-count'); }")

    def assert_updated_in_place(self):
        expect(self.page.locator("#register-loading")).to_be_hidden()
        assert self.page.evaluate("() => window.__marker") == "no reload", "the page was reloaded"
        assert self.page.evaluate(
            "() => document.getElementById('result-count') === window.__countRegion"
        ), "the role=status live region was replaced, not updated: screen readers may miss the new count"

    def assert_lists(self, titles: list[str]):
        expect(self.page.locator("#result-count")).to_have_text(count_text(titles))
        expect(self.page.locator("#result-count")).to_have_attribute("role", "status")
        expect(self.page.locator(ROW_TITLES)).to_have_text(titles)

    def focused_id(self) -> str:
        return self.page.evaluate("() => document.activeElement && document.activeElement.id")


def test_search_and_filters_update_the_results_in_place(browser_user):
    register = Register(browser_user)
    page = register.page
    everything = expected_titles("pcu")
    abuse = expected_titles("pcu", q="abuse")
    in_development = expected_titles("pcu", stage="development")
    assert 0 < len(abuse) < len(everything) and 0 < len(in_development) < len(everything), "demo data changed"

    browser_user.sign_in("pcu")
    browser_user.goto("/policies/")
    register.assert_lists(everything)
    browser_user.step("register")
    register.mark_document()

    # Typing: one request once typing stops, the results and count updated in place, the focus kept.
    page.locator("#id_q").press_sequentially("abuse", delay=60)
    expect(page).to_have_url(re.compile(r"/policies/\?.*\bq=abuse&"))
    register.assert_lists(abuse)
    register.assert_updated_in_place()
    assert len(register.htmx_requests) == 1, f"the search is debounced: {register.htmx_requests}"
    assert register.focused_id() == "id_q"
    expect(page).to_have_title("Policy register (filtered) – PolicyHub")
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    browser_user.step("register: searched in place")

    # Back: the unfiltered register again, its search box empty, still without a reload.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/policies/$"))
    register.assert_lists(everything)
    expect(page.locator("#id_q")).to_have_value("")
    expect(page).to_have_title("Policy register – PolicyHub")
    assert page.evaluate("() => window.__marker") == "no reload"
    browser_user.step("register: back")

    # A select: changed, the results follow at once.
    register.mark_document()
    page.locator("#id_stage").focus()
    page.locator("#id_stage").select_option("development")
    expect(page).to_have_url(re.compile(r"/policies/\?.*stage=development"))
    register.assert_lists(in_development)
    register.assert_updated_in_place()
    assert register.focused_id() == "id_stage"
    expect(page).to_have_title("Policy register (filtered) – PolicyHub")
    browser_user.step("register: stage filtered in place")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/policies/$"))
    register.assert_lists(everything)
    expect(page.locator("#id_stage")).to_have_value("")
    browser_user.screenshot("register after second back")

    # Apply still works (htmx takes the submit; the same request as typing would make).
    page.locator("#id_q").fill("abuse")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"q=abuse"))
    register.assert_lists(abuse)
    assert page.evaluate("() => window.__marker") == "no reload"


def test_page_links_update_in_place_and_move_the_focus_to_the_results(browser_user, monkeypatch):
    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 5)  # the live server runs in this process
    register = Register(browser_user)
    page = register.page
    everything = list(policy_list(user=User.objects.get(username="pcu")).values_list("title", flat=True))
    assert len(everything) > 5

    browser_user.sign_in("pcu")
    browser_user.goto("/policies/")
    register.mark_document()
    page.get_by_role("link", name="Next page").press("Enter")
    expect(page).to_have_url(re.compile(r"/policies/\?page=2$"))
    expect(page.locator(ROW_TITLES)).to_have_text(everything[5:10])
    register.assert_updated_in_place()
    expect(page.locator("#register-results table")).to_be_focused()
    expect(page).to_have_title("Policy register, page 2 – PolicyHub")
    browser_user.step("register: page 2 in place")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/policies/$"))
    expect(page.locator(ROW_TITLES)).to_have_text(everything[:5])


def test_without_javascript_the_filters_are_a_plain_form(browser, live_server, axe_source, request):
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = Browser(context.new_page(), live_server.url, axe_source, ARTIFACTS / request.node.name)
        plain.sign_in("pcu")
        plain.goto("/policies/")
        plain.page.locator("#id_q").fill("abuse")
        with plain.page.expect_navigation():
            plain.page.get_by_role("button", name="Apply").click()
        assert re.search(r"/policies/\?.*\bq=abuse&", plain.page.url)
        expect(plain.page.locator(ROW_TITLES)).to_have_text(expected_titles("pcu", q="abuse"))
        expect(plain.page.locator("#register-loading")).to_be_hidden()
        plain.screenshot("register searched without javascript")
    finally:
        context.close()


def test_a_session_that_ended_sends_the_user_to_sign_in_not_into_the_results(browser_user):
    """htmx's requests answer 401 with HX-Redirect once the session has ended: a filter change goes to the
    sign-in page as a whole page, and so does the back button's history restore (application.js)."""
    register = Register(browser_user)
    page = register.page
    browser_user.sign_in("pcu")
    browser_user.goto("/policies/")
    page.locator("#id_q").press_sequentially("abuse", delay=60)
    expect(page).to_have_url(re.compile(r"q=abuse"))

    # The session ends (signed out elsewhere, or timed out); a filter changed in the open page.
    page.context.clear_cookies()
    page.select_option("#id_stage", "development")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/policies/"))
    expect(page.locator("h1")).to_have_text("Sign in to PolicyHub")
    expect(page.locator("#register-results")).to_have_count(0)
    browser_user.screenshot("session ended: filter change goes to sign in")

    # Signed in again, then out again: the back button's restore also lands on the sign-in page.
    browser_user.sign_in("pcu")
    browser_user.goto("/policies/")
    page.locator("#id_q").press_sequentially("abuse", delay=60)
    expect(page).to_have_url(re.compile(r"q=abuse"))
    page.context.clear_cookies()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/policies/"))
    expect(page.locator("h1")).to_have_text("Sign in to PolicyHub")
    browser_user.screenshot("session ended: back button goes to sign in")
