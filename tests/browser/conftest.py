"""Browser tests: Playwright (Python) driving Debian's Chromium against Django's live server.

Playwright cannot download its own browsers here, so the launch points at /usr/bin/chromium with the
flags this machine needs. Screenshots of each step are written to test-artifacts/ for review."""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_SOURCE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "policyhub-demo"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: `make test` installs it (apt-get install chromium).")
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SOURCE.read_text()


class Browser:
    """A signed-in user's view of the app, with accessibility checks and screenshots."""

    def __init__(self, page, base_url: str, axe_source: str, artifact_dir: Path):
        self.page = page
        self.base_url = base_url
        self.axe_source = axe_source
        self.artifact_dir = artifact_dir
        self.steps = 0
        # "Leave the page?" when unsaved rich text would be lost: recorded, and answered "Leave".
        self.unload_warnings = 0
        page.on("dialog", self._leave_on_unload_warning)

    def _leave_on_unload_warning(self, dialog):
        if dialog.type == "beforeunload":
            self.unload_warnings += 1
            dialog.accept()

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def submit(self, selector: str):
        """Press a button that submits its form, and wait for the page that answers: a check run straight after
        a bare click can meet the document half-replaced (CI saw `document.body` null on the sign-in error page)."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def sign_in(self, username: str, password: str = PASSWORD):
        self.page.context.clear_cookies()
        self.goto("/sign-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.submit("button:has-text('Sign in')")

    def wait_for_editors(self, page=None):
        """Rich-text editors start asynchronously: wait until each has replaced its textarea, so that axe
        and screenshots see the editor a user sees. (With JavaScript off the textarea is the editor.)"""
        page = page or self.page
        if not page.evaluate("document.body.classList.contains('js-enabled')"):
            return  # JavaScript is off (wait_for_function would never poll)
        page.wait_for_function(
            "() => [...document.querySelectorAll('textarea[data-django-prose-editor-configurable]')].every("
            "textarea => textarea.parentElement.querySelector(':scope > .ProseMirror[aria-labelledby]'))"
        )

    def axe_violations(self) -> list[dict]:
        self.wait_for_editors()
        self.page.evaluate(self.axe_source)
        # Judge the page once its fonts have drawn it. The editor's toolbar buttons are icon-font ligatures
        # ("format_bold" drawn as one glyph): read before Material Icons arrives, they are plain words whose
        # contrast and names axe faults (CI met it when the editor drew after the load event). Laying the page out
        # first makes the browser ask for every font it needs, so that `fonts.ready` waits for them all.
        result = self.page.evaluate(
            "async () => { document.body.getBoundingClientRect(); await document.fonts.ready; "
            "return await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}}); }"
        )
        return [
            {"id": violation["id"], "help": violation["help"],
             "nodes": [node["target"] for node in violation["nodes"]][:5]}
            for violation in result["violations"]
        ]

    def wording_faults(self) -> list[str]:
        """Issue 17: the page as it stands (its DOM, forms with errors included) expands each abbreviation on its
        first use and writes dates the one way (tests/web/page_text.py, as the page walk without a browser)."""
        from tests.web.page_text import abbreviation_faults, date_faults

        html = self.page.content()
        return abbreviation_faults(html) + date_faults(html)

    def assert_accessible(self, label: str):
        violations = self.axe_violations()
        assert violations == [], f"axe violations on {label} ({self.page.url}): {violations}"

    # 320 CSS px: the narrowest phone (WCAG 1.4.10, reflow). 640: a 1280 px screen at 200% zoom, which lays out in
    # 640 CSS px (Chromium's zoom cannot be set from Playwright; the layout it produces is this one).
    REFLOW_WIDTHS = {"320 px": 320, "200% zoom": 640}
    OVERFLOW_SCRIPT = """() => {
        const width = document.documentElement.clientWidth;
        const wide = [];
        if (document.documentElement.scrollWidth > width + 1) {
            for (const element of document.body.querySelectorAll('*')) {
                if (element.closest('.app-table-container, .app-table-wrap')
                    && !element.matches('.app-table-container, .app-table-wrap')) continue;
                if (element.closest('.govuk-visually-hidden, .govuk-skip-link, [hidden], dialog:not([open])')) continue;
                const box = element.getBoundingClientRect();
                if (box.width && box.right > width + 1) {
                    wide.push(`${element.tagName.toLowerCase()}.${[...element.classList].join('.')} ` +
                              `(${Math.round(box.right)} px)`);
                }
            }
            wide.unshift(`page ${document.documentElement.scrollWidth} px wide`);
        }
        return wide.slice(0, 8);
    }"""

    def overflow(self) -> dict[str, list[str]]:
        """What is wider than the screen at each reflow width (nothing may be, except a data table inside its
        .app-table-container, which scrolls on its own)."""
        found = {}
        size = self.page.viewport_size
        try:
            for name, width in self.REFLOW_WIDTHS.items():
                self.page.set_viewport_size({"width": width, "height": 800})
                wide = self.page.evaluate(self.OVERFLOW_SCRIPT)
                if wide:
                    found[name] = wide
        finally:
            self.page.set_viewport_size(size)
        return found

    def assert_fits(self, label: str):
        wide = self.overflow()
        assert not wide, f"horizontal scrolling on {label} ({self.page.url}): {wide}"

    def step(self, label: str):
        """axe-core on the page as it stands, then its screenshot."""
        self.assert_accessible(label)
        self.screenshot(label)

    def screenshot(self, label: str):
        self.steps += 1
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        self.artifact_dir.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.artifact_dir / f"{self.steps:02d}-{name}.png"), full_page=True)


@pytest.fixture
def browser_user(page, live_server, axe_source, request):
    artifact_dir = ARTIFACTS / request.node.name
    return Browser(page, live_server.url, axe_source, artifact_dir)
