"""Backup and restore drill (issue 15, item 12): the demo database and its media are backed up with the
backup role, restored into a fresh PostgreSQL cluster (initdb), and the restored database is checked:
row counts, forced RLS, append-only triggers, the application role logging in and reading under RLS."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from dui.settings import BASE_DIR

pytestmark = pytest.mark.django_db(transaction=True)


def _module():
    sys.path.insert(0, str(BASE_DIR / "scripts"))
    spec = importlib.util.spec_from_file_location("sauvegarde", BASE_DIR / "scripts" / "sauvegarde.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sur_la_base_de_test(url: str) -> str:
    u = urlparse(url)
    return urlunparse(u._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def urls():
    sauvegarde = os.environ.get("DATABASE_BACKUP_URL")
    if not sauvegarde:
        if os.environ.get("DUI_REQUIRE_SAUVEGARDE"):
            pytest.fail("DATABASE_BACKUP_URL manque : le rôle de sauvegarde n'est pas provisionné.")
        pytest.skip("DATABASE_BACKUP_URL n'est pas défini (rôle de sauvegarde non provisionné).")
    return {
        "source": _sur_la_base_de_test(sauvegarde),
        "proprietaire": os.environ["DATABASE_OWNER_URL"],
        "application": os.environ["DATABASE_URL"],
    }


def test_the_demo_is_backed_up_and_restored_into_a_fresh_cluster(
    urls, tmp_path, codes_serafin, base_bdpm, serveur_dmp, serveur_smtp
):
    from accueil.demo import construire_demo

    assert construire_demo() is True
    medias = Path(settings.MEDIA_ROOT)
    fichiers = sorted(p.relative_to(medias) for p in medias.rglob("*") if p.is_file())
    assert fichiers, "the demo stores documents and photos"
    sauvegarde = _module()

    bilan = sauvegarde.exercice(urls["source"], urls["proprietaire"], urls["application"], medias, tmp_path)

    assert bilan["problemes"] == []
    manifeste = __import__("json").loads((bilan["archive"] / "manifeste.json").read_text())
    assert len(manifeste["temoin_par_organisme"]) == 2 and all(
        n > 0 for n in manifeste["temoin_par_organisme"].values()
    )
    assert len(manifeste["rls_forcee"]) >= 98 and "dui_journalacces" in manifeste["rls_forcee"]
    assert {"dui_journalacces_append_only"} <= set(manifeste["ajout_seul"])
    assert (
        manifeste["comptes"]["usagers_usager"] >= 10
        and manifeste["comptes"]["medicaments_administration"] > 0
    )
    restaures = sorted(
        p.relative_to(tmp_path / "medias") for p in (tmp_path / "medias").rglob("*") if p.is_file()
    )
    assert restaures == fichiers


def test_the_check_finds_a_bad_restore_and_a_tampered_archive(urls, tmp_path, og_a, og_b):
    from tests.soins.conftest import creer_resident

    creer_resident(og_a)
    creer_resident(og_b)
    sauvegarde = _module()
    archive = sauvegarde.sauvegarder(urls["source"], tmp_path / "vide", tmp_path / "archives")
    with sauvegarde.ClusterNeuf() as cluster:
        base = "dui_restauree"
        application = sauvegarde._remplacer_hote(urls["application"], cluster, base)
        sauvegarde.restaurer(
            archive,
            cluster.url(cluster.superuser, "postgres"),
            sauvegarde._remplacer_hote(urls["proprietaire"], cluster, base),
            application,
        )
        admin = cluster.url(cluster.superuser, base)
        assert sauvegarde.verifier(archive, admin, application) == []
        # a restore into a database that is not empty is refused
        with pytest.raises(sauvegarde.EchecSauvegarde, match="pas vide"):
            sauvegarde.restaurer(
                archive,
                cluster.url(cluster.superuser, "postgres"),
                sauvegarde._remplacer_hote(urls["proprietaire"], cluster, base),
                application,
            )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("ALTER TABLE usagers_usager NO FORCE ROW LEVEL SECURITY")
            conn.execute("DROP TRIGGER dui_journalacces_append_only ON dui_journalacces")
            conn.execute("DELETE FROM usagers_sejour WHERE id = (SELECT min(id) FROM usagers_sejour)")
        problemes = sauvegarde.verifier(archive, admin, application)
    assert any(p.startswith("usagers_sejour :") for p in problemes)
    assert any("RLS forcée" in p and "usagers_usager" in p for p in problemes)
    assert any("ajout seul" in p for p in problemes)
    # an altered archive is refused before anything is restored
    with (archive / "base.dump").open("ab") as f:
        f.write(b"\\0")
    with pytest.raises(sauvegarde.EchecSauvegarde, match="Empreinte incorrecte pour base.dump"):
        sauvegarde.verifier_empreintes(archive)
