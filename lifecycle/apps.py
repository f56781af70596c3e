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

        # Security probe F2: a role taken away or an account closed withdraws, in the same transaction, the person's
        # invitations and grants on the OFFICIAL-SENSITIVE policies they are no longer cleared for, and tells PCU and
        # the co-ordinator of each corporate policy whose Designated Lead it leaves unable to read an OFFICIAL-SENSITIVE
        # local work instruction supplementing it (core sends).
        from core.signals import clearance_reduced
        from lifecycle.services.clearance import clearance_reduced_received

        clearance_reduced.connect(clearance_reduced_received, dispatch_uid="lifecycle.clearance_reduced")

        # The register's filter form lists the business groups and is cached (lifecycle.register_views).
        from django.db.models.signals import post_delete, post_save

        from core.models import BusinessGroup
        from lifecycle.register_views import REGISTER_SPREADSHEET, register_filters_changed, register_spreadsheet

        post_save.connect(register_filters_changed, sender=BusinessGroup, dispatch_uid="register_filters_saved")
        post_delete.connect(register_filters_changed, sender=BusinessGroup, dispatch_uid="register_filters_deleted")

        # Issue 15: the register's XLSX, when too long for one request, is prepared by the worker (core.exports).
        from core.exports import spreadsheet_register

        spreadsheet_register(REGISTER_SPREADSHEET, register_spreadsheet)
