from django.apps import AppConfig
from django.conf import settings


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and chasing"

    def ready(self) -> None:
        if getattr(settings, "POLICYHUB_RELAY_ON_COMMIT", False):
            from core.audit import outbox_written
            from notifications import receivers

            outbox_written.connect(receivers.relay_now, dispatch_uid="notifications.relay_now")
