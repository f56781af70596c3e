from django.contrib import admin

from assessments.models import EqualityImpactAssessment, MonitoringReport, PolicyWorkbook
from lifecycle.admin import ReadOnlyAdmin


@admin.register(EqualityImpactAssessment)
class EqualityImpactAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "decision", "frozen_at"]
    list_select_related = ["policy_version__policy"]


@admin.register(PolicyWorkbook)
class PolicyWorkbookAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "health_and_safety_impact", "frozen_at"]
    list_select_related = ["policy_version__policy"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "period_start", "period_end", "published_at"]
    list_filter = ["status"]
    list_select_related = ["policy"]
