"""Refuse to run on a database role that would bypass row-level security.

- ``manage.py check --deploy --database default`` reports it (``bin/test`` runs it);
- in production, every new connection of the ``default`` alias is verified when it opens, so a web or
  worker process configured with the owner, a superuser or a BYPASSRLS role stops at once.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


def role_problems(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]
    problems = []
    if superuser or bypass:
        problems.append(
            "Le rôle PostgreSQL de l'application est superutilisateur ou BYPASSRLS : "
            "la sécurité au niveau des lignes serait contournée."
        )
    if owned:
        problems.append(
            "Le rôle PostgreSQL de l'application possède des tables : il doit être distinct du rôle "
            "propriétaire qui applique les migrations."
        )
    return problems


def refuse_unsafe_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` handler (production only): fail closed on an unsafe role."""
    if connection.alias == "default" and settings.PRODUCTION:
        problems = role_problems(connection)
        if problems:
            connection.close()
            raise ImproperlyConfigured(" ".join(problems))


@register(Tags.database, deploy=True)
def check_app_role(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    try:
        problems = role_problems(connections["default"])
    except ImproperlyConfigured as exc:
        problems = [str(exc)]
    except Exception as exc:  # noqa: BLE001 - a check reports, it does not crash
        return [Warning(f"Rôle applicatif non vérifié : {exc}", id="dui.W001")]
    level = Error if settings.PRODUCTION else Warning
    return [level(problem, id="dui.E001") for problem in problems]
