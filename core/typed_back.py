"""What a person typed into a form that saved nothing, read back from the post to be shown to them to copy.

The pages that show it (templates/includes/typed_back.html) are lifecycle.typed_back's, for a form posted from a
page the policy has since moved on from, and core.views.csrf_failure's, for a form posted without its CSRF cookie
(cookies cleared, a page kept open from before signing out). Only the texts of the form's own fields are read back:
never a hidden field (a version's hash, a one-time token, the CSRF token), a password, or anything else posted.

A view says which form its posts fill in with ``@shows_typed_back(FormClass)`` (or a function of the post and the
URL's keyword arguments, for a view whose form depends on its address or on the button pressed), so that a post
refused before the view runs (the CSRF check) can still be read back: ``typed_for(request)``. A form whose fields are
added as it is made (an EIA's notes on each protected characteristic, an information page's sections) or that posts
under a prefix (each part of a People page) is read back from an unbound form of it, which the function gives: its
class declares none of those fields, and everything typed into them was lost (walk of every form, tests/web/
test_forms_show_typed_back.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from core.html import RichTextField, sanitise_rich_text

# At most this much of each plain text posted is shown back (it is the person's own; a form's own limit is used when
# it sets one).
TYPED_SHOWN_BACK = 20_000

# The attribute ``shows_typed_back`` sets on a view; Django's decorators (login_required, require_http_methods) copy a
# view's attributes to their wrapper (functools.wraps), so it is read from the view the URL resolved to.
TYPED_BACK_FORM = "typed_back_form"


@dataclass(frozen=True)
class Typed:
    label: str
    text: str  # as typed, or sanitised HTML when ``rich``
    rich: bool = False


def _is_typed_text(field: forms.Field) -> bool:
    """A field a person types text into: a CharField shown as a text box, not hidden and not a password."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)


def typed_in(form: type[forms.BaseForm] | forms.BaseForm, data) -> list[Typed]:
    """Each text typed into ``form`` (its posted ``data``), in the form's order: a form class's declared fields, or
    an unbound form's fields as it was made, under its prefix."""
    typed = []
    fields = form.fields if isinstance(form, forms.BaseForm) else form.base_fields
    for name, field in fields.items():
        text = data.get(f"{form.prefix}-{name}" if form.prefix else name, "")
        if not _is_typed_text(field) or not isinstance(text, str) or not text.strip():
            continue
        limit = field.max_length or TYPED_SHOWN_BACK
        if isinstance(field, RichTextField):
            text = text[:limit]
            try:
                shown = sanitise_rich_text(text, label=label_of(name, field))
            except ValidationError:
                typed.append(Typed(label_of(name, field), text.strip()))  # nothing lost, nothing parsed
                continue
            typed.append(Typed(label_of(name, field), shown, rich=True))
        else:
            typed.append(Typed(label_of(name, field), text.strip()[:limit]))
    return typed


def label_of(name: str, field: forms.Field) -> str:
    """The label the form shows the field under: its own, else its name as Django words it ("Title" for ``title``;
    a field declared without a label was shown back under "None")."""
    return str(field.label) if field.label is not None else pretty_name(name)


FormFor = type[forms.BaseForm] | Callable[..., type[forms.BaseForm] | forms.BaseForm | None]


def shows_typed_back(form: FormFor):
    """Declares the form a view's posts fill in: a form class, or a function of the post and the URL's keyword
    arguments giving it (a form class or an unbound form; None for none). Read by ``typed_for`` when a post is
    refused before the view runs."""

    def decorator(view):
        setattr(view, TYPED_BACK_FORM, form)
        return view

    return decorator


def typed_for(request) -> list[Typed]:
    """What was typed into the form of the view ``request`` was posted to, as that view declares it
    (``shows_typed_back``); nothing for a view that declares none, or a request that is not a post."""
    match = getattr(request, "resolver_match", None)
    form = getattr(getattr(match, "func", None), TYPED_BACK_FORM, None)
    if request.method != "POST" or form is None:
        return []
    if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
        form = form(request.POST, **match.kwargs)
        if form is None:
            return []
    return typed_in(form, request.POST)
