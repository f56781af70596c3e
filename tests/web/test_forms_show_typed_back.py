"""Every form a person types into shows what was typed back when its post is refused before the view runs (the CSRF
check: cookies cleared, a page kept from before signing out; core.views.csrf_failure). That works only for a view
that declares the form its posts fill in (core.typed_back.shows_typed_back): the publication forms and the people
forms declared none, and what was typed into them was lost with the page.

Found by walking, not by remembering: the page walk of tests/web/test_every_page.py (one policy at each point that has
pages of its own), read as every one of its people, parses each rendered <form method="post"> with a text box,
resolves where it posts, and asks the view there what it declares, and whether the form it names has the fields the
page's text boxes post (a wrong form class shows nothing back, as surely as none).

Exempt: the sign-in form, whose only text is a username beside a password that must never be shown back (tests/core/
test_csrf_failure.py: test_a_password_is_never_shown_back), and Django's admin, whose pages the walk does not read
(staff reference data, in Django's own forms and words)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django import forms
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from core.typed_back import TYPED_BACK_FORM
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from tests.factories import advance_to
from tests.web.test_every_page import USERS, _paths, _world

pytestmark = pytest.mark.django_db

TEXT_TYPES = {"text", "search", "email", "url", "tel", "number", "date"}
# Posts that need not show anything back, and why (see the module's docstring).
EXEMPT = {"login": "a username beside a password: nothing worth keeping, and the password never shown back"}


class Forms(HTMLParser):
    """Each <form method="post"> of a page: where it posts, its controls (tag, type, name, value) and its named
    submit buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {"action": attributes.get("action", ""), "method": attributes.get("method", "get").lower(),
                          "controls": [], "buttons": []}
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in attributes or "disabled" in attributes:
            return
        name, value = attributes["name"], attributes.get("value", "")
        kind = attributes.get("type", "text" if tag == "input" else "submit" if tag == "button" else "").lower()
        if tag == "button" or (tag == "input" and kind in {"submit", "image"}):
            if kind == "submit":
                self._form["buttons"].append((name, value))
        elif tag == "input" and kind in {"checkbox", "radio"}:
            if "checked" in attributes:
                self._form["controls"].append(("input", kind, name, value or "on"))
        elif tag == "input":
            self._form["controls"].append(("input", kind, name, value))
        elif tag == "textarea":
            self._textarea = {"name": name, "text": ""}
        elif tag == "select":
            self._select = {"name": name, "value": None}
        if tag == "option" and self._select is not None and (self._select["value"] is None or "selected" in attributes):
            self._select["value"] = attributes.get("value", "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["controls"].append(("textarea", "", self._textarea["name"], self._textarea["text"]))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form["controls"].append(("select", "", self._select["name"], self._select["value"] or ""))
            self._select = None


def text_boxes(form: dict) -> list[str]:
    return [name for tag, kind, name, _ in form["controls"]
            if tag == "textarea" or (tag == "input" and kind in TEXT_TYPES)]


def posts(form: dict) -> list[QueryDict]:
    """What the form posts, once for each named button (the button pressed can choose the form), with something typed
    into each text box."""
    data = QueryDict(mutable=True)
    for tag, kind, name, value in form["controls"]:
        typed = tag == "textarea" or (tag == "input" and kind in TEXT_TYPES)
        data.appendlist(name, value or ("Typed." if typed else ""))
    if not form["buttons"]:
        return [data]
    pressed = []
    for name, value in form["buttons"]:
        post = data.copy()
        post.appendlist(name, value)
        pressed.append(post)
    return pressed


def view_name(func) -> str:
    view = getattr(func, "view_class", func)
    return f"{view.__module__}.{view.__qualname__}"


def fields_posted(form) -> set[str]:
    """The names the form's own fields post under: a form class's declared fields, or an unbound form's as it was
    made (core.typed_back.typed_in), under its prefix; a field of several boxes (a date's day, month and year) under
    each box's name."""
    fields = form.fields if isinstance(form, forms.BaseForm) else form.base_fields
    names = set()
    for name, field in fields.items():
        posted = f"{form.prefix}-{name}" if form.prefix else name
        suffixes = field.widget.widgets_names if isinstance(field.widget, forms.MultiWidget) else [""]
        names.update(f"{posted}{suffix}" for suffix in suffixes)
    return names


def publication_paths(people) -> list[str]:
    """What the walk's world has no page of: a policy awaiting publication, not yet scheduled, with a SOP published
    externally: its publish page (a date to type) and the parts its public copy withholds (a part's number)."""
    policy = people.policy(title="Detention of juveniles")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Searching detainees",
                                  text="<p>Open part.</p><p>Tactical part.</p>", publish_externally=True)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    return [reverse("lifecycle:action", args=[policy.reference, "publish"]),
            reverse("publication_staff:withheld", args=[policy.reference]),
            reverse("publication_staff:list", args=[policy.reference])]


def declaring_views(patterns=None) -> dict[str, str]:
    """Each view of the URL configuration that declares a typed-back form: {view: URL name}."""
    found = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                found.update(declaring_views(pattern.url_patterns))
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, TYPED_BACK_FORM, None) is not None:
            found[view_name(pattern.callback)] = pattern.name
    return found


def _check(form: dict, page: str, who: str, faults: dict[str, str], seen: set[str]) -> None:
    """A fault for the view the form posts to, if it declares no form, or one without the fields its text boxes
    post; the view is ``seen`` whatever the form holds."""
    if form["method"] != "post":
        return
    target = urlsplit(urljoin(page, form["action"] or page)).path
    match = resolve(target)
    view = view_name(match.func)
    seen.add(view)
    boxes = text_boxes(form)
    if not boxes or match.url_name in EXEMPT or match.app_name == "admin":
        return
    where = f"{view} ({target}, posted from {page} as {who})"
    declared = getattr(match.func, TYPED_BACK_FORM, None)
    if declared is None:
        faults.setdefault(view, f"{where}: declares no form, and {boxes} are lost")
        return
    for post in posts(form):
        named = declared if isinstance(declared, type) else declared(post, **match.kwargs)
        if named is None:
            faults.setdefault(view, f"{where}: names no form for {dict(post.lists())}")
            continue
        unknown = sorted(set(boxes) - fields_posted(named))
        if unknown:
            faults.setdefault(view, f"{where}: its form {getattr(named, '__name__', type(named).__name__)} has no "
                                    f"field {unknown}")


def test_every_form_with_a_text_box_declares_the_form_it_shows_back(people):
    walked = [path for paths in _paths(_world(people)).values() for path in paths] + publication_paths(people)
    clients = {}
    for username in USERS:
        clients[username] = Client()
        if username:
            clients[username].force_login(getattr(people, username))
    faults: dict[str, str] = {}
    seen: set[str] = set()
    for path in walked:
        for username, client in clients.items():
            response = client.get(path, follow=path.startswith("/account/password/reset/"))
            if (response.status_code != 200 or "text/html" not in response.get("Content-Type", "")
                    or b'method="post"' not in response.content.lower()):
                continue
            page = response.redirect_chain[-1][0] if getattr(response, "redirect_chain", None) else path
            parser = Forms()
            parser.feed(response.content.decode())
            for form in parser.forms:
                _check(form, page, username or "the public", faults, seen)
    assert not faults, f"{len(faults)} views lose what was typed:\n" + "\n".join(sorted(faults.values()))
    # The walk is not vacuous: it met a form posting to every view that declares one.
    unmet = set(declaring_views()) - seen
    assert not unmet, f"views that declare a typed-back form whose form the walk never met: {unmet}"
