"""The database wall: row-level security on every tenant table, checked as the application role."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction

from dui.models import Etablissement, JournalAcces, Unite
from dui.tenancy import activate, tenant_context
from habilitations.models import Habilitation, Professionnel

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def _tables_with_organisme() -> list[str]:
    with connections["owner"].cursor() as cursor:
        cursor.execute("""
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND c.column_name = 'organisme_id' AND t.table_type = 'BASE TABLE'
            ORDER BY 1""")
        return [row[0] for row in cursor.fetchall()]


def test_every_tenant_table_has_rls_enabled_and_forced():
    tables = _tables_with_organisme()
    assert "dui_etablissement" in tables and "habilitations_habilitation" in tables
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT relname, relrowsecurity, relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND relname = ANY(%s)""",
            [tables],
        )
        state = {name: (enabled, forced, policies) for name, enabled, forced, policies in cursor.fetchall()}
    missing = [t for t in tables if state.get(t, (False, False, 0))[:2] != (True, True) or not state[t][2]]
    assert missing == [], f"Tables sans RLS activée et forcée : {missing}"


def test_every_tenant_table_has_a_composite_index_led_by_organisme_id():
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid = c.oid AND a.attname = 'organisme_id' AND i.indnatts > 1)""",
            [_tables_with_organisme()],
        )
        missing = [row[0] for row in cursor.fetchall()]
    assert missing == [], f"Tables sans index composite commençant par organisme_id : {missing}"


def test_app_role_is_neither_owner_superuser_nor_bypassrls():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]
    assert not superuser and not bypass and owned == 0
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != user


def test_raw_sql_under_b_returns_no_a_rows_without_any_orm_filter(og_a, og_b):
    with tenant_context(og_b.organisme.pk), connection.cursor() as cursor:
        for table in _tables_with_organisme():
            cursor.execute(f"SELECT count(*) FROM {table} WHERE organisme_id = %s", [og_a.organisme.pk])
            assert cursor.fetchone()[0] == 0, table
        cursor.execute("SELECT count(*) FROM dui_etablissement")
        assert cursor.fetchone()[0] == 2  # B's own two ESMS only


def test_orm_without_filter_sees_only_current_tenant(og_a, og_b):
    with tenant_context(og_b.organisme.pk):
        assert set(Etablissement.objects.values_list("organisme_id", flat=True)) == {og_b.organisme.pk}
        assert not Habilitation.objects.filter(organisme=og_a.organisme).exists()
        assert not Professionnel.objects.filter(email__endswith="@a.test").exists()
        assert Professionnel.objects.filter(email__endswith="@b.test").exists()


def test_unset_tenant_sees_nothing(og_a):
    with transaction.atomic():
        activate(None)
        assert Etablissement.objects.count() == 0
        assert Unite.objects.count() == 0
        assert Professionnel.objects.count() == 0


def test_writing_into_another_tenant_is_refused_by_the_database(og_a, og_b):
    from django.db.utils import ProgrammingError

    with pytest.raises(ProgrammingError, match="row-level security"):
        with tenant_context(og_b.organisme.pk):
            Etablissement.objects.create(
                organisme=og_a.organisme, nom="Intrus", finess_geographique="750999999", categorie="EHPAD"
            )


def test_update_across_tenants_touches_nothing(og_a, og_b):
    with tenant_context(og_b.organisme.pk):
        assert Etablissement.objects.filter(pk=og_a.ehpad.pk).update(nom="Piraté") == 0
    with tenant_context(og_a.organisme.pk):
        assert Etablissement.objects.get(pk=og_a.ehpad.pk).nom == "EHPAD A"


def test_tenant_setting_does_not_outlive_its_transaction(og_a):
    with tenant_context(og_a.organisme.pk):
        assert Etablissement.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT dui_current_organisme()")
        assert cursor.fetchone()[0] is None


def test_access_journal_is_append_only(og_a):
    from django.db.utils import InternalError, ProgrammingError

    with tenant_context(og_a.organisme.pk):
        entree = JournalAcces.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["medecin"],
            type_acces="lecture",
            objet_type="x",
            libelle="lecture",
        )
    with pytest.raises((ProgrammingError, InternalError)):
        with tenant_context(og_a.organisme.pk):
            JournalAcces.objects.filter(pk=entree.pk).update(libelle="effacé")
    with pytest.raises((ProgrammingError, InternalError)):
        with tenant_context(og_a.organisme.pk):
            JournalAcces.objects.filter(pk=entree.pk).delete()


def test_production_refuses_a_connection_under_the_owner_role(settings):
    from django.core.exceptions import ImproperlyConfigured

    from dui.checks import refuse_unsafe_connection, role_problems

    owner = connections["owner"]
    assert role_problems(owner)  # the owner owns the tables
    assert role_problems(connection) == []
    settings.PRODUCTION = True

    class Alias:  # the owner connection, presented as if it were the application's
        alias = "default"

        def __init__(self, wrapped):
            self._wrapped = wrapped

        def cursor(self):
            return self._wrapped.cursor()

        def close(self):
            pass

    with pytest.raises(ImproperlyConfigured, match="possède des tables"):
        refuse_unsafe_connection(None, Alias(owner))
    refuse_unsafe_connection(None, connection)  # the real application role passes


def test_tenant_context_after_an_error_inside_restores_the_outer_tenant(og_a, og_b):
    from django.db import IntegrityError

    with tenant_context(og_a.organisme.pk):
        with pytest.raises(IntegrityError), tenant_context(og_b.organisme.pk):
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO dui_unite (organisme_id) VALUES (%s)", [og_b.organisme.pk])
        # Back in A, and the transaction is still usable.
        assert set(Etablissement.objects.values_list("organisme_id", flat=True)) == {og_a.organisme.pk}


def test_a_request_does_not_leave_its_tenant_to_the_code_that_follows(og_a, client_de):
    """The test client runs the request in the test's thread: once it has answered, the tenant is the one
    before it (a next test, or a worker's next request, must not start bound to it)."""
    from dui.tenancy import current_organisme_id

    assert current_organisme_id() is None
    assert client_de(og_a["infirmier"]).get("/").status_code == 200
    assert current_organisme_id() is None
    with tenant_context(og_a.organisme.pk):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT dui_current_organisme()")
        assert cursor.fetchone()[0] is None
