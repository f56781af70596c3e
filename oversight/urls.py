from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/", views.indicators, name="indicators"),
    path("report/", views.report, name="report"),
    path("remedial-actions/", views.remedial_actions, name="remedial_actions"),
    path("acknowledgements/", views.acknowledgements, name="acknowledgements"),
]
