// Initialise every GOV.UK Frontend component on the page. Loaded as a module from the base
// template, after <body> has class "govuk-frontend-supported".
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// The rich-text editor (django-prose-editor) hides its textarea and edits in a contenteditable element.
// Give that element the textarea's label, hint and error, so a screen reader announces the field as the
// GOV.UK label says, and clicking the label focuses the editor as it would the textarea.
function labelRichTextEditor(editorElement) {
  const wrapper = editorElement.parentElement;
  const textarea = wrapper?.querySelector(":scope > textarea");
  if (!textarea || editorElement.dataset.appLabelled) return;
  editorElement.dataset.appLabelled = "true";
  editorElement.setAttribute("role", "textbox");
  editorElement.setAttribute("aria-multiline", "true");
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const menubar = wrapper.querySelector(":scope > .prose-menubar");
  if (menubar) {
    menubar.setAttribute("role", "toolbar");
    menubar.setAttribute("aria-label", `Formatting${label ? `: ${label.textContent.trim()}` : ""}`);
  }
  if (label) {
    label.id ||= `${textarea.id}-label`;
    editorElement.setAttribute("aria-labelledby", label.id);
    label.addEventListener("click", (event) => {
      event.preventDefault();
      editorElement.focus();
    });
  }
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) editorElement.setAttribute("aria-describedby", describedBy);
  if (textarea.getAttribute("aria-invalid") === "true" || textarea.classList.contains("govuk-textarea--error")) {
    editorElement.setAttribute("aria-invalid", "true");
  }
}

// Editors can become ready before or after this module runs: label those already there, then listen.
document.querySelectorAll(".prose-editor > .ProseMirror").forEach(labelRichTextEditor);
document.addEventListener("prose-editor:ready", (event) => {
  const element = event.detail.editor?.view?.dom;
  if (element) labelRichTextEditor(element);
});

// The GOV.UK error summary moves focus to the field in error; a rich-text field's textarea is hidden, so
// send the focus to its editor instead (GOV.UK's own handler has already scrolled and prevented the jump).
document.addEventListener("click", (event) => {
  const link = event.target.closest?.(".govuk-error-summary a[href^='#']");
  if (!link) return;
  const textarea = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  const editorElement = textarea?.parentElement?.querySelector(":scope > .ProseMirror");
  if (!editorElement) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  (label || editorElement).scrollIntoView();
  editorElement.focus({ preventScroll: true });
});

// After the back button htmx fetches the register from the server; if that fails (a session that ended
// answers 401), load the page for real so the browser follows the sign-in redirect.
document.body.addEventListener("htmx:historyCacheMissLoadError", (event) => {
  window.location.assign(event.detail.path);
});

// Leaving a form whose rich text has been changed but not saved asks first: a long Policy Statement is
// hours of work. Saving (submitting the form) clears the warning; so does a form the server re-rendered,
// which holds the text again.
document.querySelectorAll("form").forEach((form) => {
  if (!form.querySelector("textarea[data-django-prose-editor-configurable]")) return;
  let changed = false;
  form.addEventListener("input", () => {
    changed = true;
  });
  form.addEventListener("submit", () => {
    changed = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (!changed) return;
    event.preventDefault();
    event.returnValue = "";
  });
});

// The skip link moves focus to the main content without putting "#main-content" in the address: left there, it
// survived the next form's redirect, and the browser's jump to it took focus away from the error summary or the
// success banner (the base template's first script also drops it from an address that arrives with it).
document.addEventListener("click", (event) => {
  const link = event.target.closest?.(".govuk-skip-link");
  const main = document.getElementById("main-content");
  if (!link || !main) return;
  event.preventDefault();
  main.setAttribute("tabindex", "-1");
  main.focus();
  main.addEventListener("blur", () => main.removeAttribute("tabindex"), { once: true });
});

// Tab leaves an editor's table (ProseMirror's table keys move to the next cell and, in the last, add a row for
// ever: a keyboard trap). Arrow keys still move between cells.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Tab" || event.ctrlKey || event.altKey || event.metaKey) return;
  const editorElement = event.target.closest?.(".ProseMirror");
  if (!editorElement) return;
  const anchor = window.getSelection()?.anchorNode;
  const cell = (anchor?.nodeType === Node.TEXT_NODE ? anchor.parentElement : anchor)?.closest?.("td, th");
  if (cell && editorElement.contains(cell)) event.stopPropagation();
}, true);

// The editor's toolbar is one tab stop; the arrow keys, Home and End move along it (the WAI-ARIA toolbar
// pattern). The last control used keeps the tab stop.
function toolbarControls(toolbar) {
  return [...toolbar.querySelectorAll("button, [tabindex]")].filter(
    (control) => !control.closest("[popover]") && !control.disabled && control.offsetParent !== null,
  );
}

function rovingTabStop(toolbar, current) {
  const controls = toolbarControls(toolbar);
  const keep = controls.includes(current) ? current : controls[0];
  controls.forEach((control) => control.setAttribute("tabindex", control === keep ? "0" : "-1"));
}

function makeToolbar(toolbar) {
  if (toolbar.dataset.appToolbar) return;
  toolbar.dataset.appToolbar = "true";
  toolbar.setAttribute("role", "toolbar");
  rovingTabStop(toolbar);
  toolbar.addEventListener("focusin", (event) => rovingTabStop(toolbar, event.target));
  toolbar.addEventListener("keydown", (event) => {
    const controls = toolbarControls(toolbar);
    const index = controls.indexOf(document.activeElement);
    if (index < 0) return;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: controls.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = controls[(next + controls.length) % controls.length];
    rovingTabStop(toolbar, target);
    target.focus();
  });
  // The editor shows and hides controls as the selection moves: keep exactly one tab stop.
  new MutationObserver(() => {
    const holder = toolbar.querySelector('[tabindex="0"]');
    if (!holder || holder.offsetParent === null || toolbar.querySelectorAll('[tabindex="0"]').length > 1
        || toolbarControls(toolbar).some((control) => !control.hasAttribute("tabindex"))) {
      rovingTabStop(toolbar, toolbar.contains(document.activeElement) ? document.activeElement : holder);
    }
  }).observe(toolbar, { subtree: true, childList: true, attributes: true, attributeFilter: ["class", "disabled"] });
}

// The editor adds its menubar once it has drawn: take each as it appears.
function makeToolbars() {
  document.querySelectorAll(".prose-editor > .prose-menubar").forEach((toolbar) => {
    if (!toolbar.hasAttribute("aria-label")) {
      const textarea = toolbar.parentElement.querySelector(":scope > textarea");
      const label = textarea && document.querySelector(`label[for="${textarea.id}"]`);
      toolbar.setAttribute("aria-label", `Formatting${label ? `: ${label.textContent.trim()}` : ""}`);
    }
    makeToolbar(toolbar);
  });
}
makeToolbars();
document.addEventListener("prose-editor:ready", makeToolbars);
new MutationObserver((records) => {
  if (records.some((record) => [...record.addedNodes].some((node) => node.classList?.contains("prose-menubar")
      || node.querySelector?.(".prose-menubar")))) {
    makeToolbars();
  }
}).observe(document.body, { childList: true, subtree: true });

// A data table wider than the screen scrolls inside its container: that container is then a named region in the
// tab order, so the keyboard can scroll it too (and only then: a table that fits adds no tab stop).
function markScrollingTables() {
  document.querySelectorAll(".app-table-container").forEach((container) => {
    if (container.scrollWidth > container.clientWidth + 1) {
      const caption = container.querySelector("caption")?.textContent.trim();
      container.setAttribute("tabindex", "0");
      container.setAttribute("role", "region");
      container.setAttribute("aria-label", caption ? `${caption} (scrolls sideways)` : "Table (scrolls sideways)");
    } else {
      container.removeAttribute("tabindex");
      container.removeAttribute("role");
      container.removeAttribute("aria-label");
    }
  });
}
markScrollingTables();
window.addEventListener("resize", markScrollingTables);
document.body.addEventListener("htmx:afterSettle", markScrollingTables);

// A create form's one-time token (core.submissions) belongs to the page the person filled in, so it is kept in that
// page's history entry. Back to the page (which the browser fetches again: signed-in pages are not stored) then sends
// the form with the token it was first drawn with, and the server answers "You already sent this form", taking the
// person to what it created, instead of creating it again with the fresh token the page was drawn with this time.
function keepSubmissionTokens() {
  const inputs = document.querySelectorAll("form input[type='hidden'][name$='submission'][id]");
  if (!inputs.length) return;
  const kept = { ...(history.state?.submissionTokens || {}) };
  inputs.forEach((input) => {
    if (kept[input.id]) input.value = kept[input.id];
    else kept[input.id] = input.value;
  });
  history.replaceState({ ...(history.state || {}), submissionTokens: kept }, "");
}
keepSubmissionTokens();
