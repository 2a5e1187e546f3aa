"""The annual activity report: its figures for 2025 computed by hand, produced by the worker as PDF, XLSX and
ANAP CSV, downloaded (and journaled) by the one who asked, and by nobody else."""

from __future__ import annotations

import csv
import html
import io

from openpyxl import load_workbook

from documents.pdf import texte_du_pdf
from dui.models import JournalAcces, StatutExport, TypeAcces
from dui.tenancy import tenant_context
from pilotage import rapport as module_rapport
from pilotage.models import RapportActivite
from tests.pilotage.test_indicateurs import D, _sejour, peupler


def test_the_year_2025_computed_by_hand(og_a):
    peupler(og_a)
    with tenant_context(og_a.organisme.pk):
        d = module_rapport.donnees(og_a["directeur"], og_a.ehpad, 2025)
    assert d["realise"] == D(2025, 12, 31) and d["jours"] == 365
    # P1 365 − 7, P2 20, P3 306 (1 March → 31 December)
    assert d["ligne"]["journees"] == 684
    anap = {libelle: valeur for libelle, valeur, _u, _d in d["anap"]}
    assert anap["Taux d'occupation"] == 18.7  # 684 / (10 × 365)
    assert anap["File active"] == 3  # P1, P2, P3 (P4 left on 31 December 2024)
    assert (anap["Entrées"], anap["Sorties"], anap["Durée moyenne de séjour des personnes sorties"]) == (
        2,
        1,
        20,
    )
    assert anap["GMPS validé"] == 1218
    profil = d["profil"]
    # on 31 December: P1 (GIR 3 since April, 578 days there) and P3 (not evaluated, 305 days)
    assert profil["total"] == 2 and sum(n for _l, n in profil["ages"]) == 2
    assert dict(profil["girs"]) == {"GIR 1": 0, "GIR 2": 0, "GIR 3": 1, "GIR 4": 0, "GIR 5": 0, "GIR 6": 0,
                                    "Non évalué": 1}  # fmt: skip
    assert dict(profil["anciennetes"]) == {
        "moins d'un an": 1,
        "1 à 3 ans": 1,
        "3 à 5 ans": 0,
        "5 ans et plus": 0,
    }
    assert dict(profil["sexes"])["Femmes"] == 2
    # on 31 December: P3 never evaluated, P1 evaluated in April (265 days): one evaluation to do
    assert d["ligne"]["aggir_a_faire"] == 1
    assert dict(d["motifs"]["provenance"]) == {"Centre hospitalier": 1, "Domicile": 1}
    assert d["motifs"]["destination"] == [("Domicile", 1)]
    # the AGGIR evaluations of 2025 done in the EHPAD: P2 in January, P1 in April
    assert (d["activite"]["evaluations_aggir"], d["activite"]["pp_valides"]) == (2, 0)


def _demander(client, og, django_capture_on_commit_callbacks, annee="2025"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/pilotage/esms/{og.ehpad.public_id}/rapports/", {"annee": annee})


def test_the_worker_writes_the_three_files_and_only_the_requester_downloads_them(
    og_a, og_b, client_de, django_capture_on_commit_callbacks
):
    peupler(og_a)
    with tenant_context(og_a.organisme.pk):  # a free text that a spreadsheet would run
        _sejour(og_a.ehpad, date_entree=D(2025, 6, 1), provenance='=HYPERLINK("http://x.test","clic")')
    client = client_de(og_a["directeur"])
    r = _demander(client, og_a, django_capture_on_commit_callbacks)
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        rapport = RapportActivite.objects.get()
    assert (rapport.statut, rapport.progression, rapport.erreur) == (StatutExport.TERMINE, 100, "")
    page = html.unescape(client.get(f"/pilotage/esms/{og_a.ehpad.public_id}/").content.decode())
    assert "Rapport (PDF)" in page and "Indicateurs ANAP (CSV)" in page

    r = client.get(f"/pilotage/rapports/{rapport.public_id}/pdf/")
    assert r["Content-Type"] == "application/pdf" and r["Cache-Control"] == "private, no-store"
    texte = texte_du_pdf(b"".join(r.streaming_content))
    assert "Rapport d'activité 2025" in texte and "EHPAD A" in texte and "Taux d'occupation" in texte

    r = client.get(f"/pilotage/rapports/{rapport.public_id}/xlsx/")
    classeur = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert classeur.sheetnames == ["Synthèse", "Activité mensuelle", "Modes d'accueil", "Population",
                                   "Entrées et sorties", "Agenda", "Indicateurs ANAP"]  # fmt: skip
    anap = {
        ligne[0]: ligne[1] for ligne in classeur["Indicateurs ANAP"].iter_rows(min_row=2, values_only=True)
    }
    assert anap["File active"] == 4 and anap["Entrées"] == 3
    piege = [c for c in classeur["Entrées et sorties"]["B"] if "HYPERLINK" in str(c.value)]
    assert piege and piege[0].value.startswith("'=") and piege[0].data_type == "s"

    r = client.get(f"/pilotage/rapports/{rapport.public_id}/anap/")
    lignes = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["FINESS géographique", "Année", "Indicateur", "Valeur", "Unité", "Définition"]
    assert [og_a.ehpad.finess_geographique, "2025", "File active", "4", "personnes"] in [
        x[:5] for x in lignes
    ]

    with tenant_context(og_a.organisme.pk):
        assert (
            JournalAcces.objects.filter(type_acces=TypeAcces.EXPORT, professionnel=og_a["directeur"]).count()
            == 3
        )
    # another organisme's director, and a professional of the same ESMS who did not ask: nothing
    for autre in (client_de(og_b["directeur"]), client_de(og_a["chef_service"])):
        assert autre.get(f"/pilotage/rapports/{rapport.public_id}/pdf/").status_code == 404
        assert autre.get(f"/pilotage/rapports/{rapport.public_id}/statut/").status_code == 404
    assert client.get(f"/pilotage/rapports/{rapport.public_id}/exe/").status_code == 404


def test_bad_year_and_no_right(og_a, og_b, client_de, django_capture_on_commit_callbacks):
    client = client_de(og_a["directeur"])
    r = _demander(client, og_a, django_capture_on_commit_callbacks, annee="1999")
    assert r.status_code == 200
    assert "Sélectionnez un choix valide" in html.unescape(r.content.decode())
    assert (
        _demander(client_de(og_a["infirmier"]), og_a, django_capture_on_commit_callbacks).status_code == 404
    )
    assert (
        _demander(client_de(og_b["directeur"]), og_a, django_capture_on_commit_callbacks).status_code == 404
    )
    with tenant_context(og_a.organisme.pk):
        assert not RapportActivite.objects.exists()
    url = f"/pilotage/esms/{og_a.ehpad.public_id}/rapports/"
    with django_capture_on_commit_callbacks(execute=False):  # a double tap while the first is prepared
        assert client.post(url, {"annee": "2025"}).status_code == 302
        r = client.post(url, {"annee": "2025"})
    assert "Ce rapport est déjà en préparation" in html.unescape(r.content.decode())
    with tenant_context(og_a.organisme.pk):
        assert RapportActivite.objects.count() == 1


def test_a_right_lost_before_the_worker_runs_fails_the_report(
    og_a, client_de, django_capture_on_commit_callbacks
):
    from habilitations.models import Habilitation

    client = client_de(og_a["directeur"])
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        client.post(f"/pilotage/esms/{og_a.ehpad.public_id}/rapports/", {"annee": "2025"})
    with tenant_context(og_a.organisme.pk):
        Habilitation.objects.filter(professionnel=og_a["directeur"]).update(
            fin=D(2020, 1, 1), debut=D(2019, 1, 1)
        )
    from habilitations import policy

    policy.oublier(og_a["directeur"])
    for rappel in rappels:
        rappel()
    with tenant_context(og_a.organisme.pk):
        rapport = RapportActivite.objects.get()
    assert rapport.statut == StatutExport.ECHEC and "n'a plus l'habilitation" in rapport.erreur
    assert not rapport.fichier_pdf
