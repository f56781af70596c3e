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
