"""``/people/<username>/handover/``: a person's whole portfolio moved in one go (issue 12)."""

from django.urls import path

from core import converters  # noqa: F401 (registers the <reference:...> and <username:...> converters)
from lifecycle import people_views

app_name = "people"

urlpatterns = [
    path("<username:username>/handover/", people_views.person_handover, name="handover"),
]
