from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = "Policy lifecycle"

    def ready(self) -> None:
        # Registers the rules permissions, and the services that perform each declared step (@performs).
        from core.holdings import register_holdings_provider
        from lifecycle import permissions, services  # noqa: F401
        from lifecycle.services import people

        # Issue 12: an account is not deactivated while it is named on a policy (core asks, lifecycle answers).
        register_holdings_provider("lifecycle.policies", people.holdings_of)
