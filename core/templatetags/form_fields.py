"""``{% form_fields form %}`` (or ``{% form_fields form "q" %}`` for some of its fields, in that order): each field as
``{% include "includes/field.html" %}`` writes it, the same HTML, rendered once per process for each form that would
render the same and taken from memory after.

A search form's fields went through Django's widget templates on every request, nested includes for each field and
each option of its selects: about 4.7 ms of the library's landing page and 1.5 ms of the Publication Scheme's (make
bench, 100,000 policies), pages whose own SQL takes 11-14 ms. The register keeps its filters' HTML for a minute
(lifecycle.register_views.register_filter_fields); here the HTML is kept under everything its rendering reads, so it
is never stale: the form's class, prefix and fields, the data it was bound with (or its initial values), each
field's choices as they were read for this request (a business group added shows at once), the ``label_class`` the
page gives, the language, and the abbreviations the page has already expanded (``core.templatetags.glossary``: a
label's abbreviation is expanded on its first use on a page). The abbreviations the fields expand are recorded with
the HTML and marked expanded on the page when it is reused, as rendering them would. A form with errors is rendered
each time (its messages and the error summary's links are the request's own). At most FORMS_KEPT forms are kept,
the least recently used dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.templatetags.glossary import expanded_on_page

register = template.Library()

FIELD_TEMPLATE = "includes/field.html"
FORMS_KEPT = 256

_kept: OrderedDict[tuple, tuple[SafeString, frozenset[str]]] = OrderedDict()
_lock = threading.Lock()


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    """Settings changed (tests): the templates, or what they read, may differ."""
    with _lock:
        _kept.clear()


def _data_key(form) -> tuple:
    data = form.data
    if hasattr(data, "lists"):
        return tuple(sorted((name, tuple(values)) for name, values in data.lists()))
    return tuple(sorted((name, repr(value)) for name, value in data.items()))


def _choices_key(fields) -> tuple:
    """Each field's options as the page will list them (a ModelChoiceField's read once, kept on its queryset)."""
    return tuple(tuple((str(value), str(label)) for value, label in field.field.choices)
                 if hasattr(field.field, "choices") else None for field in fields)


def _rendered(context, fields) -> SafeString:
    field_template = context.template.engine.get_template(FIELD_TEMPLATE)
    html = []
    for field in fields:
        with context.push(field=field):
            html.append(field_template.render(context))
    return SafeString("".join(html))


@register.simple_tag(takes_context=True)
def form_fields(context, form, *names) -> SafeString:
    fields = [form[name] for name in names] if names else list(form)
    if form.is_bound and form.errors:
        return _rendered(context, fields)
    seen = expanded_on_page(context)
    key = (type(form), tuple(field.name for field in fields), form.prefix, form.auto_id, form.is_bound,
           _data_key(form) if form.is_bound else repr(sorted(form.initial.items())), _choices_key(fields),
           context.get("label_class"), get_language(), frozenset(seen))
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is None:
        before = set(seen)
        kept = (_rendered(context, fields), frozenset(seen - before))
        with _lock:
            _kept[key] = kept
            while len(_kept) > FORMS_KEPT:
                _kept.popitem(last=False)
    html, expanded = kept
    seen.update(expanded)
    return html
