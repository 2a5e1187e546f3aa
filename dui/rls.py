"""Migration operations that put a table under PostgreSQL row-level security.

    migrations.RunPython(...)  # no: use these, so every tenant table gets the same wall
    EnableRLS("dui_etablissement")
    EnableRLS("habilitations_professionnel", auth_lookup=True)

Policies compare ``organisme_id`` with ``dui_current_organisme()``, which is NULL when the setting is
unset or empty, so an unset tenant sees no rows (never all rows). ``FORCE`` makes the table owner
subject to the policy too; only superusers and BYPASSRLS roles escape it, and the application role is
neither (checked by ``dui.checks`` and by the tests).
"""

from __future__ import annotations

from django.db import migrations

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION dui_current_organisme() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.organisme_id', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION dui_auth_lookup() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.auth_lookup', true), '') = 'on' $$;
CREATE OR REPLACE FUNCTION dui_refuse_modification() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'Le journal % est en ajout seul.', TG_TABLE_NAME; END $$;
"""


def _policy_sql(table: str, auth_lookup: bool) -> str:
    condition = "organisme_id = dui_current_organisme()"
    if auth_lookup:
        condition = f"({condition} OR dui_auth_lookup())"
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON {table};
CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition});
"""


def EnableRLS(table: str, auth_lookup: bool = False) -> migrations.RunSQL:  # noqa: N802 - reads as an operation
    """Enable + force RLS on ``table`` with the tenant policy (``auth_lookup`` for authentication tables)."""
    return migrations.RunSQL(
        _policy_sql(table, auth_lookup),
        reverse_sql=f"DROP POLICY IF EXISTS tenant_isolation ON {table}; "
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY; ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;",
    )


def AppendOnly(table: str) -> migrations.RunSQL:  # noqa: N802
    """Refuse UPDATE and DELETE on a journal table, for every role."""
    return migrations.RunSQL(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION dui_refuse_modification();",
        reverse_sql=f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
    )


def CreateFunctions() -> migrations.RunSQL:  # noqa: N802
    return migrations.RunSQL(FUNCTIONS_SQL, reverse_sql=migrations.RunSQL.noop)


def HistoryIndex(table: str) -> migrations.RunSQL:  # noqa: N802
    """Composite index led by ``organisme_id`` on a simple-history table (its model is generated, so
    its Meta cannot declare it): the history of one row, within one tenant."""
    name = f"{table[:40]}_org_hist_idx"
    return migrations.RunSQL(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} (organisme_id, id, history_date)",
        reverse_sql=f"DROP INDEX IF EXISTS {name}",
    )
