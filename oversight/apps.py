from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Oversight: dashboards, Corporate Health Indicators and board reports"
