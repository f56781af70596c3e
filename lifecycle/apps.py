from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = "Policy lifecycle"

    def ready(self) -> None:
        # Registers the rules permissions, and the services that perform each declared step (@performs).
        from lifecycle import permissions, services  # noqa: F401
