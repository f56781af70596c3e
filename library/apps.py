from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Corporate Policy Intranet library"

    def ready(self) -> None:
        # Across apps, by signal: every change that alters what the library holds is audited, in the transaction
        # that makes it, so the library's index follows the audit trail (lifecycle, assessments and publication
        # never import the library).
        from django.db.models.signals import post_save

        from core.models import AuditEvent
        from library import receivers
        from lifecycle.signals import library_readable_requested

        post_save.connect(receivers.audit_event_written, sender=AuditEvent, dispatch_uid="library.reindex")
        # Which policies a user may read here, for pages that lead to them (notifications' inbox).
        library_readable_requested.connect(receivers.readable, dispatch_uid="library.readable")
