from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "Help and the public information pages"
    default_auto_field = "django.db.models.BigAutoField"
