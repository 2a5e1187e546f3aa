"""The monthly presence record for billing through the pages and the worker (issue 18): the hand-computed
month of ``test_presence_calcul`` from the database, CSV and XLSX with neutralised cells, progress, the other
organisme and a professional without the right kept out, a DENY exception on a person respected."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from accompagnement.models import EvaluationAggir
from administratif.models import ExportPresence
from dui.tenancy import tenant_context
from tests.factories import SejourFactory, UsagerFactory
from usagers.models import Absence, ExceptionAccesUsager

D = datetime.date


def _personne(tenant, nom, entree, sortie=None, absences=(), gir=None, prenom="Jeanne"):
    with tenant_context(tenant.organisme.pk):
        u = UsagerFactory(
            organisme=tenant.organisme, nom_naissance=nom, premier_prenom=prenom, prenoms_naissance=[prenom]
        )
        s = SejourFactory(
            usager=u, etablissement=tenant.ehpad, date_entree=entree, date_sortie=sortie, chambre="7"
        )
        for motif, debut, fin in absences:
            Absence.objects.create(organisme=tenant.organisme, sejour=s, motif=motif, debut=debut, fin=fin)
        for jour, valeur in gir or ():
            EvaluationAggir.objects.create(
                organisme=tenant.organisme, usager=u, etablissement=tenant.ehpad, date_evaluation=jour,
                evaluateur=tenant["infirmier"], mode="direct", reponses={}, codes={}, gir=valeur, rang=1,
            )  # fmt: skip
    return u


@pytest.fixture
def novembre(og_a):
    arrivee = _personne(
        og_a,
        "Arrivée",
        D(2026, 11, 10),
        absences=[
            ("hospitalisation", D(2026, 11, 14), D(2026, 11, 18)),
            ("convenance", D(2026, 11, 22), D(2026, 11, 23)),
        ],
        gir=[(D(2026, 10, 1), 4), (D(2026, 11, 12), 2)],
    )
    sortie = _personne(og_a, '=HYPERLINK("x")', D(2025, 1, 1), D(2026, 11, 20), prenom="Sortie")
    return {"arrivee": arrivee, "sortie": sortie}


def _demander(client, tenant, mois="2026-11"):
    return client.post(reverse("administratif:presence", args=[tenant.ehpad.public_id]), {"mois": mois})


def test_le_releve_d_un_mois_calcule_a_la_main(og_a, novembre, client_de, django_capture_on_commit_callbacks):
    agent = client_de(og_a["agent_administratif"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _demander(agent, og_a)
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        export = ExportPresence.objects.get()
    assert (export.statut, export.progression, export.personnes) == ("termine", 100, 2)
    assert export.totaux["jours_inscrits"] == 41 and export.totaux["jours_minores"] == 2
    page = agent.get(reverse("administratif:presence", args=[og_a.ehpad.public_id])).content.decode()
    assert "41 jours, dont 2 minorés" in page
    contenu = b"".join(
        agent.get(reverse("administratif:export_csv", args=[export.public_id])).streaming_content
    )
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    entetes = lignes[2]
    par_prenom = {ligne[1]: dict(zip(entetes, ligne, strict=True)) for ligne in lignes[3:5]}
    arrivee = par_prenom["Jeanne"]
    assert arrivee["Nom"].lower() == "arrivée"
    assert (arrivee["Jours de séjour dans le mois"], arrivee["Jours de présence"]) == ("21", "14")
    assert (
        arrivee["Absence hospitalisation (jours)"],
        arrivee["Dont au-delà du seuil : hospitalisation"],
    ) == ("5", "2")
    assert (
        arrivee["Absence convenance personnelle (jours)"],
        arrivee["Dont au-delà du seuil : convenance"],
    ) == ("2", "0")
    assert (arrivee["Jours d'hébergement au tarif plein"], arrivee["Jours de tarif dépendance"]) == (
        "19",
        "19",
    )
    assert (arrivee["GIR"], arrivee["Changement de GIR"]) == ("2", "GIR 4 → 2 le 12/11/2026")
    formule = par_prenom["Sortie"]
    assert formule["Nom"].startswith("'=")  # a name that looks like a formula stays text
    assert lignes[5][0] == "Total (2 séjours)" and lignes[5][6] == "41"
    # the spreadsheet: the same figures, no formula anywhere
    from openpyxl import load_workbook

    xlsx = b"".join(
        agent.get(reverse("administratif:export_xlsx", args=[export.public_id])).streaming_content
    )
    feuille = load_workbook(io.BytesIO(xlsx)).active
    valeurs = [[c.value for c in rangee] for rangee in feuille.iter_rows()]
    rangees = {r[1]: r for r in valeurs[3:5]}
    assert rangees["Jeanne"][6:8] == [21, 14] and rangees["Sortie"][6:8] == [20, 20] and valeurs[5][6] == 41
    assert rangees["Sortie"][0].startswith("'=")
    assert all(c.data_type != "f" for rangee in feuille.iter_rows() for c in rangee)


def test_autre_organisme_et_sans_droit(og_a, og_b, novembre, client_de, django_capture_on_commit_callbacks):
    url = reverse("administratif:presence", args=[og_a.ehpad.public_id])
    for client in (
        client_de(og_b["agent_administratif"]),
        client_de(og_a["infirmier"]),
        client_de(og_a["aide_soignant"]),
    ):
        assert client.get(url).status_code == 404
        assert _demander(client, og_a).status_code == 404
    agent = client_de(og_a["agent_administratif"])
    with django_capture_on_commit_callbacks(execute=True):
        _demander(agent, og_a)
    with tenant_context(og_a.organisme.pk):
        export = ExportPresence.objects.get()
    for nom in ("administratif:export_csv", "administratif:export_xlsx", "administratif:export_statut"):
        adresse = reverse(nom, args=[export.public_id])
        assert agent.get(adresse).status_code == 200
        # another professional of the organisme (even a director) does not download someone else's record
        assert client_de(og_a["directeur"]).get(adresse).status_code == 404
        assert client_de(og_b["agent_administratif"]).get(adresse).status_code == 404


def test_une_exception_sur_une_personne_la_retire_du_releve(
    og_a, novembre, client_de, django_capture_on_commit_callbacks
):
    with tenant_context(og_a.organisme.pk):
        from django.contrib.auth.models import Permission

        ExceptionAccesUsager.objects.create(
            organisme=og_a.organisme,
            user=og_a["agent_administratif"],
            content_object=novembre["arrivee"],
            permission=Permission.objects.get(
                codename="refuser_administratif", content_type__app_label="usagers"
            ),
        )
    with django_capture_on_commit_callbacks(execute=True):
        _demander(client_de(og_a["agent_administratif"]), og_a)
    with tenant_context(og_a.organisme.pk):
        assert ExportPresence.objects.get().personnes == 1


def test_mauvaise_saisie_et_seuil(og_a, client_de):
    agent = client_de(og_a["agent_administratif"])
    url = reverse("administratif:presence", args=[og_a.ehpad.public_id])
    r = agent.post(url, {"mois": "novembre"})
    assert "AAAA-MM" in r.content.decode()
    r = agent.post(url, {"mois": "2099-01"})
    assert "Ce mois n&#x27;a pas commencé" in r.content.decode()
    r = agent.post(url, {"seuil_absence_heures": "50"})
    assert "jours entiers" in r.content.decode()
    assert agent.post(url, {"seuil_absence_heures": "48"}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        from administratif.models import ParametresFacturation

        assert ParametresFacturation.objects.get().seuil_absence_heures == 48
    assert "48 heures" in agent.get(url).content.decode()


def test_la_progression_est_visible_pendant_le_travail(og_a, novembre, monkeypatch):
    """Each step commits its progress (``TenantTaskParEtapes``): seen from the steps that follow."""
    from administratif import presence, services

    vues = []
    original = presence.calculer

    def espion(*args, **kwargs):
        with tenant_context(og_a.organisme.pk):
            vues.append(ExportPresence.objects.get().progression)
        return original(*args, **kwargs)

    monkeypatch.setattr(presence, "calculer", espion)
    with tenant_context(og_a.organisme.pk):
        export = services.do_demander_export(og_a["agent_administratif"], og_a.ehpad, D(2026, 11, 1))
    assert services.produire_export(str(export.public_id), og_a["agent_administratif"]) == "termine"
    assert vues == [50]
