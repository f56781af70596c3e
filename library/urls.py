from django.urls import path

from core import converters  # noqa: F401 (registers the <reference:...> and <username:...> converters)
from library import views

app_name = "library"

urlpatterns = [
    path("", views.library_index, name="index"),
    path("archive/", views.library_archive, name="archive"),
    path("<reference:reference>/", views.library_policy, name="policy"),
    path("<reference:reference>/versions/<str:number>/", views.library_version, name="version"),
]
