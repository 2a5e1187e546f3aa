"""The Citus-readiness report reads the migrated schema's catalog: what would block distributing the tenant
tables by organisme_id."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from dui.management.commands.rapport_citus import rapport

pytestmark = pytest.mark.django_db


def test_the_report_names_what_citus_would_refuse():
    r = rapport()
    assert "usagers_usager" in r["tables_distribuables"]
    assert "dui_organismegestionnaire" in r["tables_sans_organisme"]
    assert "medicaments_specialite" in r["tables_sans_organisme"]  # reference data: a reference table
    # every tenant table has a primary key on id alone today: the first blocker
    assert any(ligne.startswith("clé primaire") for ligne in r["cles_sans_organisme"]["usagers_usager"])
    # a foreign key between two tenant tables on id alone (a séjour's person)
    sejour = r["cles_etrangeres_sans_organisme"]["usagers_sejour"]
    assert any("→ usagers_usager (id)" in ligne for ligne in sejour)
    # a unique constraint that carries organisme_id is not reported (one RPPS per organisme)
    professionnel = r["cles_sans_organisme"].get("habilitations_professionnel", [])
    assert not any("rpps" in ligne for ligne in professionnel)
    assert r["totaux"]["cles_sans_organisme"] == sum(len(v) for v in r["cles_sans_organisme"].values())


@pytest.mark.django_db(databases=["default", "owner"])
def test_a_new_blocker_shows_in_the_report():
    """The schema's owner adds a unique index in the test's transaction (rolled back afterwards) and the
    report, read on that connection, names it."""
    avant = rapport("owner")["totaux"]["cles_sans_organisme"]
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "CREATE UNIQUE INDEX rapport_citus_essai ON usagers_usager (nom_naissance, date_naissance)"
        )
    r = rapport("owner")
    assert r["totaux"]["cles_sans_organisme"] == avant + 1
    assert (
        "index unique rapport_citus_essai (nom_naissance, date_naissance)"
        in r["cles_sans_organisme"]["usagers_usager"]
    )


def test_the_command_prints_text_and_json():
    sortie = StringIO()
    call_command("rapport_citus", stdout=sortie)
    assert "tables portent organisme_id" in sortie.getvalue()
    assert "== Clés étrangères sans organisme_id" in sortie.getvalue()
    sortie = StringIO()
    call_command("rapport_citus", "--json", stdout=sortie)
    assert set(json.loads(sortie.getvalue())) >= {"tables_distribuables", "cles_sans_organisme", "totaux"}


def test_joins_between_tenant_tables_without_organisme_id_are_counted():
    from dui.management.commands.rapport_citus import jointures_sans_organisme

    distribuables = {"usagers_sejour", "usagers_usager", "dui_etablissement"}
    requetes = [
        'SELECT * FROM "usagers_sejour" INNER JOIN "usagers_usager" ON ("usagers_sejour"."usager_id" = '
        '"usagers_usager"."id") WHERE "usagers_sejour"."organisme_id" = %s',
        'SELECT * FROM "usagers_sejour" INNER JOIN "usagers_usager" ON ("usagers_sejour"."usager_id" = '
        '"usagers_usager"."id" AND "usagers_sejour"."organisme_id" = "usagers_usager"."organisme_id") LIMIT 1',
        'SELECT * FROM "medicaments_specialite" INNER JOIN "usagers_usager" ON ("a"."b" = "c"."d")',
    ]
    assert jointures_sans_organisme(requetes, distribuables) == {"usagers_sejour ⋈ usagers_usager": 1}
