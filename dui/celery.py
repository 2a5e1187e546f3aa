"""The Celery application. Tasks that touch tenant data inherit ``dui.tasks.TenantTask``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

app = Celery("dui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
