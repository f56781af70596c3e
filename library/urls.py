from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("", views.library_index, name="index"),
    path("archive/", views.library_archive, name="archive"),
    path("<str:reference>/", views.library_policy, name="policy"),
    path("<str:reference>/versions/<str:number>/", views.library_version, name="version"),
]
