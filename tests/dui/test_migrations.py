"""The test databases are built from the models plus the migrations' SQL (``dui.testing``); production is
built by the migrations. Both ways must give the same database: each builds one here, from empty, in a child
process (the test database itself holds what other tests committed), and the two are compared object by
object, reference data included."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from django.conf import settings
from django.db import connections

from dui.testing import signature_du_schema
from tests.conftest import url_de

CONSTRUIRE_PAR_LES_MODELES = (
    "import django; django.setup(); from dui.testing import construire_par_les_modeles; "
    "construire_par_les_modeles()"
)


def _connexion(nom: str) -> psycopg.Connection:
    reglages = connections["owner"].settings_dict
    return psycopg.connect(
        dbname=nom,
        user=reglages["USER"],
        password=reglages["PASSWORD"],
        host=reglages["HOST"] or "127.0.0.1",
        port=reglages["PORT"] or 5432,
        autocommit=True,
    )


def _construire(nom: str, commande: list[str]) -> dict:
    base_des_tests = connections["owner"].settings_dict["NAME"]
    with _connexion(base_des_tests) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{nom}"')
        conn.execute(f"CREATE DATABASE \"{nom}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_OWNER_URL": url_de("owner").rsplit("/", 1)[0] + f"/{nom}",
            "DATABASE_URL": url_de("default").rsplit("/", 1)[0] + f"/{nom}",
        }
        resultat = subprocess.run(
            [sys.executable, *commande],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert resultat.returncode == 0, resultat.stderr[-3000:]
        with _connexion(nom) as conn, conn.cursor() as cur:
            return signature_du_schema(cur)
    finally:
        with _connexion(base_des_tests) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def test_the_migrations_build_the_database_the_tests_run_on(django_db_setup):
    prefixe = connections["owner"].settings_dict["NAME"][:40]
    par_migrations = _construire(f"{prefixe}_par_migrations", ["manage.py", "migrate", "--database", "owner"])
    par_modeles = _construire(f"{prefixe}_par_modeles", ["-c", CONSTRUIRE_PAR_LES_MODELES])

    # Django's own: the migrations' historical model of the permission link of auth.Group takes
    # DEFAULT_AUTO_FIELD (bigint), the real one auth's AppConfig.default_auto_field (integer); no code of the
    # DUI reads that table.
    ecarts_connus = {"auth_group_permissions"}
    for signature in (par_migrations, par_modeles):
        signature["colonnes"] = [c for c in signature["colonnes"] if c[0] not in ecarts_connus]
    assert par_migrations.keys() == par_modeles.keys()
    for nature in par_migrations:
        en_trop = sorted(set(par_modeles[nature]) - set(par_migrations[nature]))
        manquants = sorted(set(par_migrations[nature]) - set(par_modeles[nature]))
        assert (manquants, en_trop) == ([], []), (
            f"{nature} — manquants aux tests : {manquants} ; en trop : {en_trop}"
        )
        assert par_modeles[nature] == par_migrations[nature], nature  # same multiplicities
    # the comparison sees what matters: row-level security, triggers, the reference data, the record
    assert len(par_modeles["politiques"]) > 100
    assert any("relation_ei_transition" in d for _, d in par_modeles["déclencheurs"])
    lignes = dict(par_modeles["lignes"])
    assert lignes["accompagnement_codeserafin"] > 100
    assert lignes["django_migrations"] > 80
