"""The floor: what any signed-in page costs before it does anything of its own.

A bench-only page (``/bench/floor/``, added to the URL conf only while it is measured) signs the person in from
their session, as every page does, and renders the service's layout (templates/base.html: header, navigation, footer)
around a heading, with nothing else. Measured like every page (benchmarks.pages: the whole request through Django's
WSGI handler as the server calls it, against the statements it sends replayed raw), for the same three users. Its row
is information, not a target: it shows how much of each page's allowance is spent before a view starts (issue 16: a
page within 1.5x of its own SQL has 0.5x that SQL for all of its Python; for a policy page whose SQL is 5 ms, 2.5 ms).

Below it, Django's own floor (``/bench/django-floor/``): the same sign-in and the same middleware, and a view that
answers a constant, with no template. It is what Django costs for a signed-in request under the fixed technical
decisions (Django 5.2), before the service renders anything: the least any page can cost beside its SQL.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.test.utils import override_settings
from django.urls import include, path
from django.views.decorators.http import require_safe

from benchmarks.dataset import Probes
from benchmarks.pages import PageCase, measure_pages
from benchmarks.scenarios import Row

FLOOR_URL = "/bench/floor/"
DJANGO_FLOOR_URL = "/bench/django-floor/"
LAYOUT_ONLY = ('{% extends "base.html" %}{% block title %}Floor{% endblock %}'
               '{% block content %}<h1 class="govuk-heading-l">Floor</h1>{% endblock %}')


@cache
def _layout_only():
    return engines["django"].from_string(LAYOUT_ONLY)


@login_required
@require_safe
def floor(request):
    return HttpResponse(_layout_only().render({}, request))


@login_required
@require_safe
def django_floor(request):
    return HttpResponse("Django floor")


# The application's URLs and the floors' (the URL conf while the floors are measured).
urlpatterns = [path(FLOOR_URL.strip("/") + "/", floor), path(DJANGO_FLOOR_URL.strip("/") + "/", django_floor),
               path("", include("policyhub.urls"))]

FLOOR = PageCase("floor (layout only, bench view)", lambda probes: FLOOR_URL, expect="Floor")
DJANGO_FLOOR = PageCase("Django floor (no template, bench view)", lambda probes: DJANGO_FLOOR_URL,
                        expect="Django floor")
FLOORS = (DJANGO_FLOOR, FLOOR)


def measure_pages_and_floor(cases: list[PageCase], probes: Probes, *, repeat: int, warmup: int) -> list[Row]:
    """``measure_pages`` of the cases and the floors, timed in the same interleaved pass (the same noise); the
    floors' rows first, as information."""
    with override_settings(ROOT_URLCONF=__name__):
        rows = measure_pages([*FLOORS, *cases], probes, repeat=repeat, warmup=warmup)
    for row in rows[:sum(len(case.users) for case in FLOORS)]:
        row.target, row.passed = "information", None
    return rows
