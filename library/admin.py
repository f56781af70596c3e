from django.contrib import admin

from core.admin import PCUAdminMixin
from library.models import Subject


@admin.register(Subject)
class SubjectAdmin(PCUAdminMixin, admin.ModelAdmin):
    """PCU's subject headings for the library, and the policies under each."""

    list_display = ["name"]
    search_fields = ["name"]
    autocomplete_fields = ["policies"]
