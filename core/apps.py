from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "PolicyHub core and reference data"

    def ready(self):
        from core import middleware

        # The session's clock starts at sign-in (core.middleware.session_lifetime).
        user_logged_in.connect(middleware.session_start, dispatch_uid="core.session_start")
