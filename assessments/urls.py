from django.urls import path

from assessments import monitoring_views, views
from core import converters  # noqa: F401 (registers the <reference:...> and <username:...> converters)

app_name = "assessments"

urlpatterns = [
    path("<reference:reference>/eia/", views.eia_page, name="eia"),
    path("<reference:reference>/eia/sign-off/", views.eia_retrospective_signoff, name="eia_signoff"),
    path("<reference:reference>/workbook/", views.workbook_page, name="workbook"),
    # Issue 13: PCU and DOI sign off, late, what an emergency approval skipped.
    path("<reference:reference>/emergency/sign-off/", views.emergency_signoff, name="emergency_signoff"),
    path("<reference:reference>/monitoring/", monitoring_views.monitoring_page, name="monitoring"),
    path("<reference:reference>/monitoring/<int:report_id>/", monitoring_views.monitoring_report_page,
         name="monitoring_report"),
]
