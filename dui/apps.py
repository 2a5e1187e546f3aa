from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DuiConfig(AppConfig):
    name = "dui"
    verbose_name = "DUI — socle"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .db import post_migrate_grants

        post_migrate.connect(post_migrate_grants, sender=self, dispatch_uid="dui_grants")
