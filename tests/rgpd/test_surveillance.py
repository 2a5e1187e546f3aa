"""Issue 15, item 11: the DPO's report of unusual accesses, from the journal, with filters and export."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from habilitations.models import BrisDeGlace
from tests.soins.conftest import creer_resident
from tests.usagers.conftest import creer_usager

pytestmark = pytest.mark.django_db
PARIS = timezone.get_current_timezone()


@pytest.fixture
def journal(og_a, og_b):
    """In A: the EHPAD nurse opens 5 EHPAD dossiers one day, 1 MAS dossier, one at 02:30; an ended
    break-the-glass is not reviewed. In B: the same pattern, which A's DPO must never see."""
    from django.db import connection

    ehpad = [creer_resident(og_a, chambre=str(i), nom_naissance=f"Resident{i}") for i in range(5)]
    mas = creer_usager(og_a, og_a.mas, nom_naissance="Autrepart")
    b = [creer_resident(og_b, chambre=str(i), nom_naissance=f"AutreOG{i}") for i in range(5)]
    jour = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
    lignes = []
    for tenant, personnes, etab, hors in ((og_a, ehpad, og_a.ehpad, mas), (og_b, b, og_b.ehpad, None)):
        with tenant_context(tenant.organisme.pk):
            for i, p in enumerate(personnes):
                lignes.append((tenant, tenant["infirmier"], p, jour + datetime.timedelta(minutes=i), etab))
            lignes.append((tenant, tenant["infirmier"], personnes[0], jour.replace(hour=2, minute=30), etab))
            if hors is not None:
                lignes.append((tenant, tenant["infirmier"], hors, jour.replace(hour=11), tenant.mas))
            BrisDeGlace.objects.create(
                organisme=tenant.organisme,
                professionnel=tenant["infirmier"],
                etablissement=tenant.mas,
                objet_type="usagers.usager",
                objet_id=personnes[0].public_id,
                objet_libelle="Résident",
                motif="Chute de nuit, besoin du dossier en urgence.",
                debut=jour - datetime.timedelta(days=3),
                expire_le=jour - datetime.timedelta(days=3) + datetime.timedelta(hours=4),
            )
    # the model stamps rows with the time of insertion: rows of the past are inserted in SQL with their time,
    # as the application would have written them then (inserting is what the app role may do on the journal)
    with connection.cursor() as cursor:
        for tenant, pro, usager, quand, etab in lignes:
            cursor.execute("SELECT set_config('app.organisme_id', %s, true)", [str(tenant.organisme.pk)])
            cursor.execute(
                "INSERT INTO dui_journalacces (organisme_id, horodatage, professionnel_id, type_acces, objet_type,"
                " objet_id, libelle, etablissement_id, chemin) VALUES (%s, %s, %s, 'lecture', 'usagers.usager',"
                " %s, %s, %s, '')",
                [tenant.organisme.pk, quand, pro.pk, usager.public_id, f"Dossier de {usager}", etab.pk],
            )
    return {"ehpad": ehpad, "mas": mas}


def _rapport(client, **params):
    base = {
        "du": "2026-11-01",
        "au": "2026-11-30",
        "seuil_dossiers": "3",
        "nuit_debut": "22",
        "nuit_fin": "6",
    }
    return client.get("/rgpd/acces-inhabituels/", {**base, **params})


def test_the_report_finds_volume_outside_habilitations_night_and_unreviewed_break_the_glass(
    og_a, og_b, journal, client_de
):
    body = _rapport(client_de(og_a.dpo)).content.decode()
    volumes = body.split('data-testid="volumes"')[1].split("</section>")[0]
    assert str(og_a["infirmier"]) in volumes and "<td>6</td>" in volumes  # 5 + the MAS dossier, distinct
    hors = body.split('data-testid="hors-habilitations"')[1].split("</section>")[0]
    assert "MAS A" in hors and "EHPAD A" not in hors
    nuit = body.split('data-testid="nuit"')[1].split("</section>")[0]
    assert "02:30" in nuit and "RESIDENT0" in nuit.upper() and "10:00" not in nuit
    bdg = body.split('data-testid="bris-de-glace"')[1].split("</section>")[0]
    assert "Chute de nuit" in bdg
    # nothing of the other organisme
    assert "AUTREOG" not in body.upper() and "Organisme B" not in body
    # filters: a higher threshold hides the volume line, another professional sees nothing
    body = _rapport(client_de(og_a.dpo), seuil_dossiers="10").content.decode()
    assert "Rien au-delà du seuil" in body
    body = _rapport(client_de(og_a.dpo), professionnel=str(og_a["medecin"].public_id)).content.decode()
    assert "02:30" not in body and "Chute de nuit" not in body
    # the filter's list (written in one pass, dui.forms.SelectRapide): the organisme's professionals, the
    # chosen one kept, none of the other organisme's
    assert f'<option value="{og_a["medecin"].public_id}" selected>' in body
    assert f'<option value="{og_a["infirmier"].public_id}">' in body
    assert str(og_b["infirmier"].public_id) not in body


def test_the_report_exports_as_csv_journaled_and_is_for_the_dpo_only(og_a, og_b, journal, client_de):
    r = _rapport(client_de(og_a.dpo), format="csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    contenu = r.content.decode("utf-8-sig")
    assert "Volume inhabituel" in contenu and "Hors habilitations" in contenu and "Accès de nuit" in contenu
    assert "Bris de glace non revu" in contenu and "AUTREOG" not in contenu.upper()
    with tenant_context(og_a.organisme.pk):
        assert JournalAcces.objects.filter(
            professionnel=og_a.dpo,
            type_acces=TypeAcces.EXPORT,
            libelle__startswith="Rapport des accès inhabituels",
        ).exists()
    for qui in (og_a["directeur"], og_a.admin, og_a["infirmier"]):
        assert client_de(qui).get("/rgpd/acces-inhabituels/").status_code == 404
    # B's DPO sees B's pattern, never A's
    body = _rapport(client_de(og_b.dpo)).content.decode()
    assert "RESIDENT" not in body.upper() and "AUTREOG0" in body.upper()


def test_bad_filters_say_why(og_a, client_de):
    body = _rapport(client_de(og_a.dpo), du="2026-12-01", au="2026-11-01").content.decode()
    assert "La fin de la période précède son début" in body and 'data-testid="volumes"' not in body
