"""SERAFIN-PH nomenclatures: loaded from the files shipped in the repository, idempotent, versioned, and
read-only for the application role."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connections, transaction

from accompagnement import serafin
from accompagnement.models import CodeSerafin

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def test_shipped_files_match_the_reference_data_and_load_with_accents(codes_serafin):
    reference = Path(__file__).resolve().parents[3] / "shared" / "data" / "serafin"
    if reference.exists():
        for fichier, _oid in serafin.JEUX.values():
            assert (serafin.DOSSIER / fichier).read_bytes() == (reference / fichier).read_bytes()
    assert CodeSerafin.objects.filter(actif=True).count() == sum(
        len(serafin.lire(serafin.DOSSIER / f)) for f, _ in serafin.JEUX.values()
    )
    code = CodeSerafin.objects.get(jeu="J285", code="1.3.2.2")
    assert code.libelle == "Besoins pour accomplir les activités domestiques"
    assert code.parent_code == "1.3.2" and code.niveau == 4 and code.oid == "1.2.250.1.213.3.3.254"


def test_loading_is_idempotent_and_a_new_version_deactivates_the_previous(tmp_path, capsys, codes_serafin):
    avant = CodeSerafin.objects.using("owner").count()
    call_command("charger_serafin")
    assert "0 codes créés, 0 mis à jour, 0 désactivés" in capsys.readouterr().out
    assert CodeSerafin.objects.using("owner").count() == avant
    for fichier, _ in serafin.JEUX.values():
        contenu = (serafin.DOSSIER / fichier).read_text(encoding="utf-8")
        (tmp_path / fichier).write_text(
            contenu.replace("Besoins pour la mobilité", "Besoins liés à la mobilité"), encoding="utf-8"
        )
    call_command("charger_serafin", dossier=str(tmp_path), version_jeux="20990101000000")
    qs = CodeSerafin.objects.using("owner")
    assert qs.filter(actif=True).exclude(version="20990101000000").count() == 0
    assert qs.get(code="1.2.1.3", version="20990101000000").libelle == "Besoins liés à la mobilité"
    assert qs.get(code="1.2.1.3", version=serafin.VERSION).libelle == "Besoins pour la mobilité"  # kept


def test_broken_file_is_refused_with_a_clear_message(tmp_path):
    from django.core.management.base import CommandError

    for fichier, _ in serafin.JEUX.values():
        (tmp_path / fichier).write_text("code\tdisplay\n1.9.9\tOrphelin\n", encoding="utf-8")
    with pytest.raises(CommandError, match="n'a pas de parent"):
        call_command("charger_serafin", dossier=str(tmp_path))


def test_application_role_cannot_write_reference_data(codes_serafin):
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        with connections["default"].cursor() as cursor:
            cursor.execute("UPDATE accompagnement_codeserafin SET libelle = 'piraté'")
