from django.contrib import admin

from lifecycle.admin import ReadOnlyAdmin
from publication.models import Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["policy_version", "status", "scheduled_for", "published_at", "on_publication_scheme"]
    list_filter = ["status", "on_publication_scheme"]
    list_select_related = ["policy_version__policy"]
