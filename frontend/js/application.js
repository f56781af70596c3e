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

// The session timeout warning (WCAG 2.2.1, Timing Adjustable; GOV.UK's pattern, as HMRC's timeout dialog). The server
// ends a session after a while without a request and some hours after signing in (core.middleware.session_lifetime);
// the page says so before either, from the timings templates/base.html puts on the dialog (from settings). Before the
// idle timeout it offers "Stay signed in" (a request to core.views.session_keep_alive, which starts the idle clock
// again) and "Sign out"; before the absolute limit, which cannot be extended, it says to save now. Typing in a form
// counts as activity: a keep-alive at most every so often while input events happen. Another tab's requests count
// too (told through localStorage). When the time is up the page is loaded again, which leads to sign-in and says why.
function sessionTimeout(dialog) {
  const seconds = (name) => Number(dialog.dataset[name]) * 1000;
  const idle = seconds("idleSeconds");
  const warning = seconds("warningSeconds");
  const keepAliveEvery = seconds("keepAliveSeconds");
  const absoluteDeadline = Date.now() + seconds("absoluteSecondsLeft");
  const shown = dialog.querySelector("[data-timeout-shown]");
  const said = dialog.querySelector("[data-timeout-said]");
  const stay = dialog.querySelector("[data-timeout-stay]");
  const carryOn = dialog.querySelector("[data-timeout-continue]");
  const token = dialog.querySelector("input[name='csrfmiddlewaretoken']")?.value;
  const shared = "policyhub:session-active-at";
  let activeAt = Date.now();
  let lastKeepAlive = activeAt;
  let absoluteDismissed = false;
  let returnFocusTo = null;
  let lastSaid = "";
  let ended = false;

  const remember = (time) => {
    activeAt = Math.max(activeAt, time);
    try {
      localStorage.setItem(shared, String(activeAt));
    } catch {
      // Storage refused (a private window): this tab keeps its own clock.
    }
  };
  remember(activeAt);
  window.addEventListener("storage", (event) => {
    if (event.key === shared && Number(event.newValue) > activeAt) activeAt = Number(event.newValue);
  });
  // htmx's in-page requests (the register's filters) are requests too.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) remember(Date.now());
  });

  const inWords = (milliseconds) => {
    const total = Math.max(0, Math.ceil(milliseconds / 1000));
    const minutes = Math.floor(total / 60);
    const rest = total % 60;
    const part = (count, unit) => `${count} ${unit}${count === 1 ? "" : "s"}`;
    if (!minutes) return part(rest, "second");
    return rest ? `${part(minutes, "minute")} ${part(rest, "second")}` : part(minutes, "minute");
  };
  // Said to a screen reader on opening, then at each whole minute, every 20 seconds in the last minute: not each second.
  const roundedForSaying = (milliseconds) => {
    const total = Math.max(0, Math.ceil(milliseconds / 1000));
    if (total > 60) return Math.ceil(total / 60) * 60 * 1000;
    return Math.ceil(total / 20) * 20 * 1000;
  };
  const sentence = (absolute, left) => (absolute
    ? `You signed in a long time ago, so you will be signed out in ${inWords(left)}. This cannot be extended: save `
      + "your work now. Anything you have not saved will be lost."
    : `For your security, you will be signed out in ${inWords(left)} if you do nothing. Anything you have typed and `
      + "not saved will be lost.");

  const timedOut = () => {
    if (ended) return;
    ended = true;
    window.location.assign(window.location.pathname + window.location.search);
  };

  const close = () => {
    if (dialog.open) dialog.close();
  };
  // However it closed (a button, or Escape pressed twice, which the browser may not let the page refuse), the focus
  // goes back to where the person was: the field they were typing in.
  dialog.addEventListener("close", () => {
    const back = returnFocusTo;
    returnFocusTo = null;
    if (back && document.contains(back)) back.focus({ preventScroll: true });
  });

  const keepAlive = async () => {
    lastKeepAlive = Date.now();
    const sentAt = Date.now();
    let response;
    try {
      response = await fetch(dialog.dataset.keepAliveUrl, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token || "" },
      });
    } catch {
      return false; // offline: the clocks stand as they were
    }
    if (response.status === 401) {
      timedOut();
      return false;
    }
    if (!response.ok) return false;
    remember(sentAt);
    return true;
  };

  const open = (absolute, left) => {
    stay.hidden = absolute;
    carryOn.hidden = !absolute;
    dialog.dataset.timeoutKind = absolute ? "absolute" : "idle";
    shown.textContent = sentence(absolute, left);
    lastSaid = sentence(absolute, roundedForSaying(left));
    said.textContent = lastSaid;
    returnFocusTo = document.activeElement;
    dialog.showModal();
    (absolute ? carryOn : stay).focus();
  };

  const tick = () => {
    if (ended) return;
    const now = Date.now();
    const idleDeadline = activeAt + idle;
    const absolute = absoluteDeadline <= idleDeadline;
    const left = Math.min(idleDeadline, absoluteDeadline) - now;
    if (left <= 0) {
      timedOut();
      return;
    }
    if (!dialog.open) {
      if (left <= warning && !(absolute && absoluteDismissed)) open(absolute, left);
      return;
    }
    if (!absolute && dialog.dataset.timeoutKind === "idle" && left > warning) {
      close(); // another tab kept the session alive
      return;
    }
    shown.textContent = sentence(absolute, left);
    const toSay = sentence(absolute, roundedForSaying(left));
    if (toSay !== lastSaid) {
      lastSaid = toSay;
      said.textContent = toSay;
    }
  };

  stay.addEventListener("click", async () => {
    if (await keepAlive()) close();
  });
  carryOn.addEventListener("click", () => {
    absoluteDismissed = true;
    close();
  });
  // Escape: as "Stay signed in" (or, before the absolute limit, as "Continue"), rather than a warning gone unheeded.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    (stay.hidden ? carryOn : stay).click();
  });
  // Typing in a form (a field, or a rich-text editor) is activity, though it sends no request until saved.
  document.addEventListener("input", (event) => {
    if (dialog.open || !event.target.closest?.("form")) return;
    if (Date.now() - lastKeepAlive >= keepAliveEvery) keepAlive();
  }, true);
  window.setInterval(tick, 1000);
}

const sessionTimeoutDialog = document.getElementById("session-timeout");
if (sessionTimeoutDialog && typeof sessionTimeoutDialog.showModal === "function") sessionTimeout(sessionTimeoutDialog);
