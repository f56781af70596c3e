"""Celery application.

In production (and in ``make run-prod``) a worker and beat run beside gunicorn against Redis.
In ``make run`` (settings.local) tasks execute eagerly in the web process, so reminders and
scheduled publication work with zero set-up; see README "Background jobs".
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings.local")

app = Celery("policyhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
