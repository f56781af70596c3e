from django.urls import path

from acknowledgements import views

app_name = "acknowledgements"

urlpatterns = [
    path("", views.acknowledgements_page, name="list"),
    path("confirm/", views.acknowledgement_confirm_page, name="confirm"),
    path("units/", views.unit_rates_page, name="units"),
    path("export.csv", views.acknowledgements_export, name="export"),
]
