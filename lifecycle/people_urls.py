"""``/people/<username>/handover/``: a person's whole portfolio moved in one go (issue 12)."""

from django.urls import path

from lifecycle import people_views

app_name = "people"

urlpatterns = [
    path("<str:username>/handover/", people_views.person_handover, name="handover"),
]
