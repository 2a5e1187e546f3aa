"""Migration operations that keep ``Professionnel.droits_version`` current (issue 16, decision 0011).

    VersionDesDroits()                                         # once: the functions
    SuivreLesDroits("usagers_exceptionaccesusager", "user_id")  # in the migration of every table of rights

The policy keeps each professional's rights in the process under this version; PostgreSQL bumps it in the
transaction of any write on a table of rights, whatever wrote it. They live here, not in the kernel's
``dui.rls``: they know the professionals' table.
"""

from __future__ import annotations

from django.db import migrations

DROITS_SQL = """
CREATE OR REPLACE FUNCTION dui_droits_modifies() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    avant bigint;
    apres bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO avant USING OLD;
        UPDATE habilitations_professionnel SET droits_version = droits_version + 1 WHERE id = avant;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO apres USING NEW;
        IF apres IS DISTINCT FROM avant THEN
            UPDATE habilitations_professionnel SET droits_version = droits_version + 1 WHERE id = apres;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION dui_droits_version_croissante() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- an ORM save of a professional loaded earlier never takes the version back
    IF NEW.droits_version < OLD.droits_version THEN
        NEW.droits_version := OLD.droits_version;
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS professionnel_droits_version ON habilitations_professionnel;
CREATE TRIGGER professionnel_droits_version BEFORE UPDATE ON habilitations_professionnel
    FOR EACH ROW EXECUTE FUNCTION dui_droits_version_croissante();
"""


def VersionDesDroits() -> migrations.RunSQL:  # noqa: N802
    """The functions that keep ``Professionnel.droits_version`` current (``SuivreLesDroits`` attaches them)."""
    return migrations.RunSQL(
        DROITS_SQL,
        reverse_sql="DROP TRIGGER IF EXISTS professionnel_droits_version ON habilitations_professionnel; "
        "DROP FUNCTION IF EXISTS dui_droits_version_croissante(); DROP FUNCTION IF EXISTS dui_droits_modifies();",
    )


def SuivreLesDroits(table: str, colonne: str) -> migrations.RunSQL:  # noqa: N802
    """Every write on ``table`` (habilitations, exceptions, break-the-glass) bumps the version of the rights of
    the professional in ``colonne``, in the same transaction, whatever wrote it (a service, a bulk update,
    SQL by hand): the policy's per-process cache of rights never serves rights that changed."""
    nom = f"{table[:40]}_droits"
    return migrations.RunSQL(
        f"DROP TRIGGER IF EXISTS {nom} ON {table}; "
        f"CREATE TRIGGER {nom} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION dui_droits_modifies('{colonne}');",
        reverse_sql=f"DROP TRIGGER IF EXISTS {nom} ON {table};",
    )
