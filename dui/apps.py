from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class DuiConfig(AppConfig):
    name = "dui"
    verbose_name = "DUI — socle"

    def ready(self) -> None:
        from .checks import refuse_unsafe_connection  # also registers the system checks
        from .db import post_migrate_grants

        post_migrate.connect(post_migrate_grants, sender=self, dispatch_uid="dui_grants")
        connection_created.connect(refuse_unsafe_connection, dispatch_uid="dui_safe_role")
