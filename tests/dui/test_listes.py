"""Exports of lists (``dui.listes``): each declared list, asked from its page, produced by the worker in slices
with its progress, holds exactly what its requester may see; downloaded by him only, journaled; cells that a
spreadsheet would run are neutralised."""

from __future__ import annotations

import csv
import html
import io

import pytest
from openpyxl import load_workbook

from dui import listes
from dui.models import ExportListe, JournalAcces, StatutExport, TypeAcces
from dui.tenancy import tenant_context
from tests import balayage
from tests.factories import ProfessionnelFactory

# list → (who asks it, the page with its button, what of A's objects its rows show)
LISTES = {
    "personnes_accompagnees": ("agent_administratif", "/usagers/", lambda o: o["usager"].nom_naissance),
    "liste_attente": ("agent_administratif", "/admission/", lambda o: o["demande"].nom_naissance),
    "evaluations_aggir": (
        "medecin_coordonnateur",
        "/accompagnement/etablissement/{ehpad}/gmp/",
        lambda o: o["usager"].nom_naissance,
    ),
    "echanges": ("directeur", "/echanges/", lambda o: o["usager"].nom_naissance),
    "activites": ("directeur", "/agenda/etablissement/{ehpad}/", lambda o: "Atelier CANARI"),
    "occupation": ("directeur", "/usagers/occupation/{ehpad}/", lambda o: "EHPAD A"),
}


@pytest.fixture
def deux_organismes(og_a, og_b, base_bdpm, codes_serafin):
    return balayage.objets(og_a, "CANARI"), balayage.objets(og_b, "AUTRE")


def _csv(reponse) -> str:
    return b"".join(reponse.streaming_content).decode("utf-8-sig")


def _formulaire(client, page: str) -> dict[str, str]:
    """The hidden fields of the page's export button (what the browser would post)."""
    import re

    reponse = client.get(page)
    assert reponse.status_code == 200, page
    contenu = html.unescape(reponse.content.decode())
    formulaire = re.search(
        r'<form method="post" action="/exports/liste/" class="exporter">(.*?)</form>', contenu, re.S
    )
    assert formulaire, f"pas de bouton d'export sur {page}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', formulaire.group(1)))


def test_every_declared_list_is_tested():
    assert {liste.code for liste in listes.registre_listes.tous()} == set(LISTES)


@pytest.mark.parametrize("code", sorted(LISTES))
def test_a_list_holds_what_its_requester_sees_and_goes_to_him_only(
    code, og_a, og_b, deux_organismes, client_de, django_capture_on_commit_callbacks
):
    objets_a, objets_b = deux_organismes
    role, page, attendu = LISTES[code]
    client = client_de(og_a[role])
    page = page.format(ehpad=og_a.ehpad.public_id)
    donnees = _formulaire(client, page)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/exports/liste/", donnees)
    assert r.status_code == 302 and r["Location"] == "/exports/"
    with tenant_context(og_a.organisme.pk):  # the sweeps' objects hold an export of their own: not this one
        export = ExportListe.objects.exclude(pk=objets_a["export_liste"].pk).get(liste=code)
    assert (export.statut, export.progression, export.erreur) == (StatutExport.TERMINE, 100, "")
    assert export.lignes >= 1
    mes_exports = client.get("/exports/").content.decode()
    assert str(export.public_id) in mes_exports and f"{export.lignes} ligne" in mes_exports
    texte = _csv(client.get(f"/exports/{export.public_id}/csv/"))
    assert attendu(objets_a) in texte
    assert "AUTRE" not in texte and objets_b["usager"].nom_naissance not in texte and "EHPAD B" not in texte
    classeur = load_workbook(
        io.BytesIO(b"".join(client.get(f"/exports/{export.public_id}/xlsx/").streaming_content))
    )
    valeurs = [
        str(c) for rangee in classeur.active.iter_rows(values_only=True) for c in rangee if c is not None
    ]
    assert any(attendu(objets_a) in v for v in valeurs)
    with tenant_context(og_a.organisme.pk):
        assert JournalAcces.objects.filter(type_acces=TypeAcces.EXPORT, professionnel=og_a[role]).count() == 2
    # the other organisme's professional of the same role, a colleague who did not ask it: nothing
    for autre in (
        client_de(og_b[role]),
        client_de(og_a["aide_soignant"] if role != "aide_soignant" else og_a.admin),
    ):
        assert autre.get(f"/exports/{export.public_id}/csv/").status_code == 404
        assert autre.get(f"/exports/{export.public_id}/statut/").status_code == 404
        assert str(export.public_id) not in autre.get("/exports/").content.decode()
    # the same export asked twice while the first is prepared (a double tap): refused, the first goes on
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/exports/liste/", donnees)
        r = client.post("/exports/liste/", donnees, follow=True)
    assert "Cet export est déjà en préparation" in html.unescape(r.content.decode())
    with tenant_context(og_a.organisme.pk):
        mes = ExportListe.objects.filter(liste=code, demandeur=og_a[role]).exclude(
            pk=objets_a["export_liste"].pk
        )
        assert mes.count() == 2  # the one produced above, and the first of the two taps


def test_without_the_right_no_button_and_no_export(
    og_a, deux_organismes, client_de, django_capture_on_commit_callbacks
):
    with tenant_context(og_a.organisme.pk):
        sans_habilitation = ProfessionnelFactory(organisme=og_a.organisme, email="sans@a.test")
        from tests.factories import DispositifFactory

        DispositifFactory(professionnel=sans_habilitation)
    client = client_de(sans_habilitation)
    assert b'class="exporter"' not in client.get("/admission/").content
    for code in LISTES:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/exports/liste/", {"liste": code}).status_code == 404
    assert client.post("/exports/liste/", {"liste": "inconnue"}).status_code == 404
    with tenant_context(og_a.organisme.pk):
        assert not ExportListe.objects.filter(demandeur=sans_habilitation).exists()


def test_a_spreadsheet_formula_stays_text(og_a, client_de, django_capture_on_commit_callbacks):
    from admission.models import DemandeAdmission

    with tenant_context(og_a.organisme.pk):
        DemandeAdmission.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, nom_naissance="=HYPERLINK(\"http://x.test\")",
            prenoms_naissance=["@SUM(1)"], date_naissance="1940-01-01", sexe="F", lieu_naissance_insee="75056",
            origine="directe", contact="+33 6 00 00 00 00",
        )  # fmt: skip
    client = client_de(og_a["agent_administratif"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/liste/", {"liste": "liste_attente"})
    with tenant_context(og_a.organisme.pk):
        export = ExportListe.objects.get()
    lignes = list(
        csv.reader(io.StringIO(_csv(client.get(f"/exports/{export.public_id}/csv/"))), delimiter=";")
    )
    assert lignes[1][4] == '\'=HYPERLINK("http://x.test")' and lignes[1][5] == "'@SUM(1)"
    assert lignes[1][11] == "'+33 6 00 00 00 00"
    classeur = load_workbook(
        io.BytesIO(b"".join(client.get(f"/exports/{export.public_id}/xlsx/").streaming_content))
    )
    cellule = classeur.active["E2"]
    assert cellule.value.startswith("'=") and cellule.data_type == "s"


def test_slices_show_the_progress_and_a_right_lost_fails_the_export(
    og_a, client_de, django_capture_on_commit_callbacks, monkeypatch
):
    from admission.models import DemandeAdmission
    from habilitations import policy
    from habilitations.models import Habilitation

    with tenant_context(og_a.organisme.pk):
        for i in range(5):
            DemandeAdmission.objects.create(
                organisme=og_a.organisme, etablissement=og_a.ehpad, nom_naissance=f"Demande{i}",
                prenoms_naissance=["Léa"], date_naissance="1940-01-01", sexe="F", lieu_naissance_insee="75056",
                origine="directe",
            )  # fmt: skip
    monkeypatch.setattr(listes, "TRANCHE", 2)
    vus: list[int] = []
    from dui import production

    progres = production.progres
    monkeypatch.setattr(production, "progres", lambda export, p: (vus.append(p), progres(export, p)))
    client = client_de(og_a["agent_administratif"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/liste/", {"liste": "liste_attente"})
    with tenant_context(og_a.organisme.pk):
        export = ExportListe.objects.get()
    assert export.lignes == 5 and vus == [5, 42, 74, 90]  # 2, 4 then 5 rows of 5
    # the right lost between the request and the worker: the export fails, no file
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        client.post("/exports/liste/", {"liste": "liste_attente"})
    with tenant_context(og_a.organisme.pk):
        Habilitation.objects.filter(professionnel=og_a["agent_administratif"]).delete()
    policy.oublier(og_a["agent_administratif"])
    for rappel in rappels:
        rappel()
    with tenant_context(og_a.organisme.pk):
        echec = ExportListe.objects.exclude(pk=export.pk).get()
    assert (
        echec.statut == StatutExport.ECHEC and "n'a plus le droit" in echec.erreur and not echec.fichier_csv
    )


def test_a_wrong_filter_says_so_in_french(og_a, client_de):
    client = client_de(og_a["directeur"])
    r = client.post(
        "/exports/liste/",
        {"liste": "occupation", "etablissement": "pas-un-uuid", "retour": "/admission/"},
        follow=True,
    )
    assert "Établissement inconnu : choisissez-le dans la liste." in html.unescape(r.content.decode())
    r = client.post(
        "/exports/liste/",
        {"liste": "occupation", "etablissement": str(og_a.ehpad.public_id), "mois": "2026-13"},
        follow=True,
    )
    assert "Mois invalide" in html.unescape(r.content.decode())
    r = client.post(
        "/exports/liste/", {"liste": "occupation", "retour": "https://ailleurs.example/"}, follow=False
    )
    assert r["Location"] == "/exports/"  # never back to another site
    with tenant_context(og_a.organisme.pk):
        assert not ExportListe.objects.exists()


def test_the_page_s_esms_narrows_the_list(og_a, client_de, django_capture_on_commit_callbacks):
    from admission.models import DemandeAdmission
    from tests.factories import HabilitationFactory

    with tenant_context(og_a.organisme.pk):
        HabilitationFactory(
            professionnel=og_a["agent_administratif"], etablissement=og_a.mas, role="agent_administratif"
        )
        for etab, nom in ((og_a.ehpad, "Dansehpad"), (og_a.mas, "Danslamas")):
            DemandeAdmission.objects.create(
                organisme=og_a.organisme, etablissement=etab, nom_naissance=nom, prenoms_naissance=["Léa"],
                date_naissance="1940-01-01", sexe="F", lieu_naissance_insee="75056", origine="directe",
            )  # fmt: skip
    client = client_de(og_a["agent_administratif"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/liste/", {"liste": "liste_attente", "etablissement": str(og_a.mas.public_id)})
        client.post("/exports/liste/", {"liste": "liste_attente"})
    with tenant_context(og_a.organisme.pk):
        de_la_mas, des_deux = ExportListe.objects.order_by("cree_le", "id")
    texte = _csv(client.get(f"/exports/{de_la_mas.public_id}/csv/"))
    assert "Danslamas" in texte and "Dansehpad" not in texte
    texte = _csv(client.get(f"/exports/{des_deux.public_id}/csv/"))
    assert "Danslamas" in texte and "Dansehpad" in texte
