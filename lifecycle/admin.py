"""Read-only views of lifecycle evidence for PCU administrators. Policies change only through the
services (the browser UI), never by editing rows here."""

from django.contrib import admin

from core.admin import PCUAdminMixin
from lifecycle.models import (
    ApprovalDecision,
    CommissioningDecision,
    ConsultationRecord,
    Policy,
    PolicyVersion,
    QASignOff,
    SOPVersion,
    StandardOperatingProcedure,
)


class ReadOnlyAdmin(PCUAdminMixin, admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + [
            field.name for field in self.model._meta.many_to_many
        ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = PolicyVersion
    fields = ["major", "minor", "author", "created_at", "submitted_at", "content_hash"]
    readonly_fields = fields


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "business_group", "status", "risk_tier", "protective_marking",
                    "review_due_on", "not_impact_assessed"]
    list_filter = ["status", "business_group", "risk_tier", "protective_marking", "kind", "not_impact_assessed"]
    search_fields = ["reference", "title"]
    list_select_related = ["business_group"]
    inlines = [VersionInline]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "created_at", "submitted_at"]
    list_select_related = ["policy", "author"]
    search_fields = ["policy__reference", "policy__title"]


@admin.register(StandardOperatingProcedure)
class SOPAdmin(ReadOnlyAdmin):
    list_display = ["title", "policy", "protective_marking"]
    list_select_related = ["policy"]


@admin.register(SOPVersion)
class SOPVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "publish_externally", "updated_at"]
    list_select_related = ["sop", "policy_version__policy"]


@admin.register(ConsultationRecord)
class ConsultationRecordAdmin(ReadOnlyAdmin):
    list_display = ["consultee", "organisation", "consultee_type", "policy", "date_sent", "feedback_given"]
    list_filter = ["consultee_type"]
    list_select_related = ["policy"]


@admin.register(CommissioningDecision)
class CommissioningDecisionAdmin(ReadOnlyAdmin):
    list_display = ["policy", "cycle", "decision", "decided_by", "decided_at"]
    list_select_related = ["policy", "decided_by"]


@admin.register(QASignOff)
class QASignOffAdmin(ReadOnlyAdmin):
    list_display = ["policy_version", "discipline", "outcome", "signed_by", "signed_at"]
    list_select_related = ["policy_version__policy", "signed_by"]


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(ReadOnlyAdmin):
    list_display = ["policy_version", "decision", "decided_by", "decided_at", "board"]
    list_select_related = ["policy_version__policy", "decided_by", "board"]
