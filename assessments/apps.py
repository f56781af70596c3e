from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Impact assessments and monitoring"

    def ready(self) -> None:
        # Across apps, by signal: a new draft version carries its EIA and Workbook forward.
        from assessments import (
            impacts,  # noqa: F401  registers how the EIA's impacts read on the revisions page (SECTION_ITEMS)
            receivers,
            # Registers the EIA and Workbook restorers (lifecycle.restorers), and performs the Lead's response to a
            # monitoring report (lifecycle.workflow.RESPOND_TO_MONITORING): how lifecycle's pages reach them without
            # importing assessments.
            services,  # noqa: F401
        )
        from lifecycle.signals import draft_version_created

        draft_version_created.connect(receivers.copy_assessments_forward, dispatch_uid="assessments.copy_forward")
