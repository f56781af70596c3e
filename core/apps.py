from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "PolicyHub core and reference data"

    def ready(self):
        from core import middleware, receivers

        # The session's clock starts at sign-in (core.middleware.session_lifetime).
        user_logged_in.connect(middleware.session_start, dispatch_uid="core.session_start")
        # Sign-in, sign-out, lockouts, and password, role and grant changes made below the services are audited.
        receivers.connect()
