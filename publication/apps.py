from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        # Publication performs the cycle's publish step (lifecycle.workflow.PUBLISH): registering its service
        # here is how lifecycle's action page reaches it without lifecycle importing publication. Its tasks are
        # registered in every process too, so that services queue them by name (publication.tasks builds on
        # services) and eager mode runs them in-process.
        from django.db.models.signals import post_save

        from core.models import AuditEvent
        from lifecycle.signals import policy_withdrawn, withdrawal_decided
        from publication import services, tasks  # noqa: F401

        # Issue 13: a withdrawn policy's scheduled publications are cancelled in the withdrawal's transaction.
        policy_withdrawn.connect(services.scheduled_publications_cancel, dispatch_uid="publication.withdrawn")
        # ... and already in the transaction that decides the withdrawal: a policy its Lead or owner decided to
        # withdraw is not published before PCU carries it out (lifecycle.steps.HALTS).
        withdrawal_decided.connect(services.scheduled_publications_cancel_on_decision,
                                   dispatch_uid="publication.withdrawal_decided")
        # Issue 14: a retrospective EIA signed off after publication is rendered into the stored files.
        post_save.connect(services.stored_files_follow_the_audit_trail, sender=AuditEvent,
                          dispatch_uid="publication.stored_files")
        # ... and the Scheme's file remembered in Redis for a policy is dropped once any audited change of it commits.
        post_save.connect(services.scheme_files_follow_the_audit_trail, sender=AuditEvent,
                          dispatch_uid="publication.scheme_files")
