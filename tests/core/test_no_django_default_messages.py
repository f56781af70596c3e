"""No form of PolicyHub shows one of Django's own error messages. "This field is required." names no question, and the
GOV.UK Design System asks for a message that says what to do with the field it sits on ("Enter the title", "Choose
the business group"); so are "Enter a whole number.", "Enter a valid date.", "Select a valid choice. zzz is not one of
the available choices." and the rest (QADecisionForm's "Signing off for" said "This field is required."; the pages'
hidden fields, a page's draft revision among them, said it, and "Enter a whole number.", in the error summary).

Every form class of the project is walked (every subclass of core.forms.GovUKForm, and the sign-in form), posted empty
and with values no field takes, and no error may be one of Django's defaults. A new form whose constructor takes an
argument this test does not know fails here, asking for it (``ARGUMENTS``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import validators
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import Promise

from core.accounts import SignInForm
from core.forms import GovUKForm
from guidance.content import ACCESSIBILITY
from lifecycle.people_selectors import Eligibility
from lifecycle.services.people.parts import PARTS

pytestmark = pytest.mark.django_db

PROJECT_APPS = tuple(config.name for config in apps.get_app_configs() if config.path.startswith(str(settings.BASE_DIR))
                     and "/.venv/" not in config.path)


def _project_forms() -> list[type[forms.BaseForm]]:
    """Every form class the project defines: its apps' modules whose names speak of forms, and what the URLs import
    (every view's forms), then every subclass of GovUKForm found."""
    importlib.import_module(settings.ROOT_URLCONF)
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if "form" in module.name.rsplit(".", 1)[-1] or module.name.endswith(".accounts"):
                importlib.import_module(module.name)
    found, stack = set(), [GovUKForm]
    while stack:
        for subclass in stack.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                stack.append(subclass)
    return sorted((form for form in found | {SignInForm} if form.__module__.split(".")[0] in PROJECT_APPS),
                  key=lambda form: (form.__module__, form.__qualname__))


FORMS = _project_forms()


def _django_defaults() -> list[re.Pattern]:
    """Django's default messages of its form fields and validators, each as a pattern (its %(name)s parts any text)."""
    messages = set()
    for module in (forms.fields, forms.models):
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, forms.Field):
                for klass in value.__mro__:
                    messages |= {str(message) for message in vars(klass).get("default_error_messages", {}).values()}
    for value in vars(validators).values():
        if inspect.isclass(value) and isinstance(getattr(value, "message", None), str | Promise):
            messages.add(str(value.message))
    patterns = []
    for message in messages - {""}:
        parts = re.split(r"%\(\w+\)[sdr]", message)
        patterns.append(re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$", re.DOTALL))
    return patterns


DJANGO_DEFAULTS = _django_defaults()


def _arguments(people, policy) -> dict:
    """What each form's constructor may take, by the name of its argument."""
    return {
        "user": people.developer, "submitter": people.developer, "policy": policy, "today": timezone.localdate(),
        "page": ACCESSIBILITY, "eligibility": Eligibility(part="developer"),
        "eligibility_by_part": {key: Eligibility(part=key) for key in PARTS},
        "labels": {key: part.label for key, part in PARTS.items()}, "label": "Designated Lead",
        "disciplines": [("pcu", "PCU"), ("dcfd", "DCFD")], "sop_versions": (), "current": (),
        "business_groups": (), "subjects": (), "lead_cleared_for": (),
        "request": RequestFactory().post("/accounts/sign-in/"),
    }


def _keyword_arguments(form_class) -> set[str]:
    names = set()
    for klass in form_class.__mro__:
        init = vars(klass).get("__init__")
        if init is None or klass.__module__.split(".")[0] not in PROJECT_APPS:
            continue
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD) and parameter.name != "self":
                names.add(parameter.name)
    return names


def _build(form_class, data, people, policy):
    known = _arguments(people, policy)
    wanted = _keyword_arguments(form_class) - {"data", "files", "args", "kwargs"}
    # Django's password forms take the account first, its sign-in form the request.
    for klass in form_class.__mro__:
        if klass.__module__ == "django.contrib.auth.forms" and "__init__" in vars(klass):
            wanted |= {"user", "request"} & set(inspect.signature(klass.__init__).parameters)
    unknown = wanted - set(known)
    assert not unknown, f"{form_class.__qualname__} takes {unknown}: add a value to _arguments"
    while True:
        try:
            return form_class(data=data, **{name: known[name] for name in wanted})
        except TypeError as error:  # an argument a subclass gives its base itself (PolicyCreateForm's submitter)
            given_twice = re.search(r"multiple values for keyword argument '(\w+)'", str(error))
            if given_twice is None:
                raise
            wanted.discard(given_twice.group(1))


def _junk(form, value: str) -> dict:
    """``value`` posted for every field (and for each box of a date)."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        data[key] = [value] if isinstance(field, forms.MultipleChoiceField) else value
        for part in ("day", "month", "year"):
            data[f"{key}-{part}"] = value
    return data


def _defaults_said(form) -> dict[str, list[str]]:
    form.is_valid()
    return {name: [message for message in messages if any(pattern.match(message) for pattern in DJANGO_DEFAULTS)]
            for name, messages in form.errors.items()
            if any(any(pattern.match(message) for pattern in DJANGO_DEFAULTS) for message in messages)}


@pytest.fixture
def cast(people):
    return people, people.policy(title="Messages")


def test_the_walk_finds_the_forms():
    names = {form.__qualname__ for form in FORMS}
    assert {"PolicyCreateForm", "QADecisionForm", "EIAForm", "SitePageForm", "HandoverForm", "PeriodForm",
            "WithholdPartForm", "PasswordChangeForm", "SignInForm"} <= names
    for message in ("This field is required.", "Enter a whole number.", "Enter a valid date.",
                    "Select a valid choice. zzz is not one of the available choices."):
        assert any(pattern.match(message) for pattern in DJANGO_DEFAULTS), message


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__qualname__)
def test_no_form_says_djangos_required_message(cast, form_class):
    people, policy = cast
    form = _build(form_class, {}, people, policy)
    assert _defaults_said(form) == {}


@pytest.mark.parametrize("value", ["zzz", "-5", "99999999999999999999"])
@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__qualname__)
def test_no_form_says_djangos_messages_of_a_value_it_does_not_take(cast, form_class, value):
    people, policy = cast
    form = _build(form_class, None, people, policy)
    form = _build(form_class, _junk(form, value), people, policy)
    assert _defaults_said(form) == {}


def test_a_field_without_a_message_of_its_own_is_named_in_it():
    class Form(GovUKForm):
        title = forms.CharField(label="The title")
        where = forms.ChoiceField(label="The business group", choices=[("a", "A")])
        count = forms.IntegerField(label="Number of copies")
        own = forms.CharField(label="Own", error_messages={"required": "Enter your own"})
        revision = forms.IntegerField(widget=forms.HiddenInput)

    errors = Form({"count": "many", "revision": "x"}).errors
    assert errors["title"] == ["Enter the title"]
    assert errors["where"] == ["Choose the business group"]
    assert errors["own"] == ["Enter your own"]
    assert errors["count"] == ["Number of copies must be a whole number"]
    assert not any(pattern.match(errors["revision"][0]) for pattern in DJANGO_DEFAULTS)
