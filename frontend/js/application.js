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
