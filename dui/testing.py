"""Test database set-up: created by the *owner* role, then used by the tests through the *application*
role, so that row-level security is really exercised (a superuser or the owner without FORCE would silently
bypass it).

The schema is built from the models (``migrate --run-syncdb`` without migration modules), then every
``RunSQL`` and ``RunPython`` operation of the project's migrations is replayed in the migrations' order:
row-level security, triggers, functions, the full-text configuration and the reference data. Applying the
migrations one by one costs about 100 s of CPU per test database (Django re-renders the related model
states at each operation), against a few seconds this way. ``tests/dui/test_migrations.py`` applies the
real migrations to a database of its own and checks that both schemas are the same, object by object;
``DUI_TEST_MIGRATIONS=1`` builds the test databases by the migrations instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.postgres.operations import CreateExtension
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import RunPython, RunSQL
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import pre_migrate
from django.test.utils import override_settings


class _SansMigrations(dict[str, Any]):
    """``MIGRATION_MODULES`` that declares no app migrated: ``migrate`` creates every table from its model."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def par_les_migrations() -> bool:
    return os.environ.get("DUI_TEST_MIGRATIONS", "") not in ("", "0")


def _apps_du_projet() -> set[str]:
    racine = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in global_apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(racine) and ".venv" not in Path(config.path).parts
    }


def plan_des_migrations(toutes: bool = False) -> list[Any]:
    """The project's migrations (``toutes``: Django's and the libraries' too) in the order ``migrate``
    applies them to an empty database."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    projet = _apps_du_projet()
    vues: set[tuple[str, str]] = set()
    plan = []
    for feuille in sorted(loader.graph.leaf_nodes()):
        for cle in loader.graph.forwards_plan(feuille):
            if cle not in vues:
                vues.add(cle)
                if toutes or cle[0] in projet:
                    plan.append(loader.graph.nodes[cle])
    return plan


def creer_les_extensions(connection: BaseDatabaseWrapper, plan: list[Any]) -> None:
    """The extensions the migrations create, before the tables that need them (``btree_gist`` for the
    exclusion constraints)."""
    with connection.schema_editor(atomic=True) as editeur:
        for migration in plan:
            for operation in migration.operations:
                if isinstance(operation, CreateExtension):
                    operation.database_forwards(migration.app_label, editeur, None, None)  # type: ignore[arg-type]


def rejouer_le_sql_des_migrations(connection: BaseDatabaseWrapper, plan: list[Any]) -> int:
    """Run, on a schema built from the models, the migrations' operations that the models do not describe.
    ``RunPython`` functions receive the current app registry (rendering the historical one is the very
    cost avoided here). Returns the number of operations run."""
    nombre = 0
    with connection.schema_editor(atomic=True) as editeur:
        for migration in plan:
            for operation in migration.operations:
                if isinstance(operation, RunSQL):
                    operation.database_forwards(migration.app_label, editeur, None, None)  # type: ignore[arg-type]
                elif isinstance(operation, RunPython):
                    operation.code(global_apps, editeur)  # type: ignore[arg-type]
                else:
                    continue
                nombre += 1
    return nombre


@contextmanager
def par_les_modeles(alias: str = "owner") -> Iterator[None]:
    """Around the ``migrate`` that creates the database of ``alias`` (``create_test_db`` or a direct
    call): the tables come from the models, after the migrations' extensions; then the migrations' SQL is
    replayed, the migrations are recorded as applied (as ``migrate --fake`` would) and the application
    role gets its grants."""
    from dui.db import post_migrate_grants

    toutes = plan_des_migrations(toutes=True)  # read before the migration modules are switched off
    projet = _apps_du_projet()
    plan = [m for m in toutes if m.app_label in projet]
    faites: list[str] = []

    def extensions(sender: Any, using: str = "", **kwargs: Any) -> None:
        if using == alias and not faites:  # sent once per app, before the tables are created
            creer_les_extensions(connections[using], plan)
            faites.append(using)

    pre_migrate.connect(extensions, dispatch_uid="dui_testing_extensions")
    try:
        with override_settings(MIGRATION_MODULES=_SansMigrations()):
            yield
    finally:
        pre_migrate.disconnect(dispatch_uid="dui_testing_extensions")
    connection = connections[alias]
    rejouer_le_sql_des_migrations(connection, plan)
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(recorder.Migration(app=m.app_label, name=m.name) for m in toutes)
    post_migrate_grants(sender=None, using=alias)


def construire_par_les_modeles(alias: str = "owner") -> None:
    """Build the empty database of ``alias`` the way the test databases are built."""
    from django.core.management import call_command

    with par_les_modeles(alias):
        call_command("migrate", database=alias, run_syncdb=True, verbosity=0, interactive=False)


def setup_test_databases(keepdb: bool) -> str:
    owner = connections["owner"]
    if par_les_migrations():
        test_name = owner.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=keepdb
        )
    else:
        # always built afresh: it takes seconds, and a kept database would replay its SQL twice
        with par_les_modeles("owner"):
            test_name = owner.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=False
            )
    default = connections["default"]
    default.close()
    default.settings_dict["NAME"] = test_name
    for alias in connections:  # a mirror of the application's connection (the read replica of the tests)
        if (connections[alias].settings_dict.get("TEST") or {}).get("MIRROR") == "default":
            connections[alias].close()
            connections[alias].settings_dict["NAME"] = test_name
    return test_name


def teardown_test_databases(old_name: str, keepdb: bool) -> None:
    connections["default"].close()
    connections["owner"].creation.destroy_test_db(old_name, verbosity=0, keepdb=keepdb)


# What makes two schemas the same for the application. Names that PostgreSQL or Django derive (an index
# or a foreign key created before a RenameField keeps the column's former name) are left out; the
# definitions are compared in full.
SIGNATURE = {
    "colonnes": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, coalesce(column_default, ''),
               coalesce(character_maximum_length, 0), coalesce(numeric_precision, 0),
               coalesce(numeric_scale, 0), is_identity
        FROM information_schema.columns WHERE table_schema = 'public'""",
    "contraintes": """
        SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
    "index": r"""
        SELECT tablename, regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \S+ ON', 'CREATE \1INDEX ON')
        FROM pg_indexes WHERE schemaname = 'public'""",
    "sécurité des lignes": """
        SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'""",
    "politiques": """
        SELECT tablename, policyname, permissive, roles::text, cmd, coalesce(qual, ''), coalesce(with_check, '')
        FROM pg_policies WHERE schemaname = 'public'""",
    "déclencheurs": """
        SELECT tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal""",
    "fonctions": """
        SELECT proname, pg_get_function_identity_arguments(oid), pg_get_function_result(oid), prosrc
        FROM pg_proc WHERE pronamespace = 'public'::regnamespace""",
    "extensions": "SELECT extname FROM pg_extension",
    "recherche plein texte": """
        SELECT c.cfgname, m.maptokentype, m.mapseqno, d.dictname
        FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid JOIN pg_ts_dict d ON d.oid = m.mapdict
        WHERE c.cfgnamespace = 'public'::regnamespace""",
    "droits": """
        SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants
        WHERE table_schema = 'public'""",
}


def signature_du_schema(cursor: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every object of the ``public`` schema that the application relies on, as sorted rows per kind, and
    the number of rows of each table (the reference data the migrations load; the tenant tables read as
    empty to a role under FORCE ROW LEVEL SECURITY)."""
    signature: dict[str, list[tuple[Any, ...]]] = {}
    for nature, requete in SIGNATURE.items():
        cursor.execute(requete)
        signature[nature] = sorted(tuple(ligne) for ligne in cursor.fetchall())
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    lignes = []
    for (table,) in sorted(cursor.fetchall()):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        lignes.append((table, cursor.fetchone()[0]))
    signature["lignes"] = lignes
    return signature
