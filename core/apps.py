from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "PolicyHub core and reference data"

    def ready(self):
        from core import receivers

        # Sign-in, sign-out, lockouts, and password, role and grant changes made below the services are audited.
        receivers.connect()
