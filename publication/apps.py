from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        # Publication performs the cycle's publish step (lifecycle.workflow.PUBLISH): registering its service
        # here is how lifecycle's action page reaches it without lifecycle importing publication.
        from publication import services  # noqa: F401
