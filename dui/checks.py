"""System checks: refuse to run production on a database role that would bypass row-level security."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connections


@register(Tags.database, deploy=True)
def check_app_role(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    messages = []
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            superuser, bypass = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
            )
            owned = cursor.fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - a check reports, it does not crash
        return [Warning(f"Rôle applicatif non vérifié : {exc}", id="dui.W001")]
    level = Error if settings.PRODUCTION else Warning
    if superuser or bypass:
        messages.append(level(
            "Le rôle PostgreSQL de l'application est superutilisateur ou BYPASSRLS : "
            "la sécurité au niveau des lignes serait contournée.", id="dui.E001"))
    if owned:
        messages.append(level(
            "Le rôle PostgreSQL de l'application possède des tables : il doit être distinct du rôle "
            "propriétaire qui applique les migrations.", id="dui.E002"))
    return messages
