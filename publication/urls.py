from django.urls import path

from publication import views

app_name = "publication"

urlpatterns = [
    path("", views.scheme_index, name="scheme"),
    path("<str:reference>/", views.scheme_detail, name="scheme_detail"),
    path("<str:reference>/pdf/", views.scheme_pdf, name="scheme_pdf"),
]
