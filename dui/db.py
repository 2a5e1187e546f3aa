"""Database roles: the owner migrates, the application role reads and writes under row-level security.

Migrations run as ``manage.py migrate --database owner``; a plain ``migrate`` would run as the
application role, which has no right to change the schema and fails. ``grant_app_role`` runs after
every ``migrate`` (post_migrate, on the owner connection): it grants the
application role what it needs on every table and sequence, and takes UPDATE/DELETE back on the
append-only journals.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

APPEND_ONLY_TABLES = ("dui_journalacces", "habilitations_evenementauthentification")
# Reference data shared by every tenant (no organisme, no RLS): read-only for the application role; loaded
# by migrations and management commands through the owner connection.
REFERENCE_TABLES = (
    "accompagnement_codeserafin",
    "medicaments_specialite",
    "medicaments_substance",
    "medicaments_composition",
    "medicaments_presentation",
    "medicaments_groupegenerique",
    "medicaments_membregroupe",
)


def app_role_name() -> str:
    return str(settings.DATABASES["default"]["USER"])


def owner_role_name() -> str:
    return str(settings.DATABASES["owner"]["USER"])


def grant_app_role(using: str = "owner", allow_truncate: bool = False) -> None:
    app_role = app_role_name()
    if not app_role or app_role == settings.DATABASES[using]["USER"]:
        return
    connection = connections[using]
    quoted = connection.ops.quote_name(app_role)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted}")
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [list(REFERENCE_TABLES)],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {quoted}")
        if allow_truncate:
            # Test databases only: transactional tests flush tables between tests.
            cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {quoted}")


def post_migrate_grants(sender: Any, using: str = "owner", **kwargs: Any) -> None:
    grant_app_role(using=using, allow_truncate=getattr(settings, "DUI_TESTING", False))
