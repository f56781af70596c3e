from django.urls import path

from assessments import monitoring_views, views

app_name = "assessments"

urlpatterns = [
    path("<str:reference>/eia/", views.eia_page, name="eia"),
    path("<str:reference>/eia/sign-off/", views.eia_retrospective_signoff, name="eia_signoff"),
    path("<str:reference>/workbook/", views.workbook_page, name="workbook"),
    # Issue 13: PCU and DOI sign off, late, what an emergency approval skipped.
    path("<str:reference>/emergency/sign-off/", views.emergency_signoff, name="emergency_signoff"),
    path("<str:reference>/monitoring/", monitoring_views.monitoring_page, name="monitoring"),
    path("<str:reference>/monitoring/<int:report_id>/", monitoring_views.monitoring_report_page,
         name="monitoring_report"),
]
