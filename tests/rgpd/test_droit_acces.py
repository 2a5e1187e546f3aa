"""Issue 15, item 9: the right of access and portability. For one person the DPO gets, through a worker, a
ZIP with every piece of data the DUI holds on them (JSON, readable PDF, files, access journal), journaled,
downloadable once, expiring — and nothing of anybody else."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.utils import timezone

from documents.pdf import texte_du_pdf
from dui.models import JournalAcces, OrganismeGestionnaire, TypeAcces
from dui.tenancy import tenant_context
from habilitations.models import Professionnel
from rgpd.extraction import modeles_de_la_personne
from rgpd.models import DemandeDroitAcces
from tests.conftest import copier_les_fichiers_de_la_demo
from usagers.models import Usager

pytestmark = pytest.mark.django_db

# What the demo holds on two persons of the Tilleuls, section by section: each category of their data that
# exists in the demo is in their export (literal lists, read from the demo's story), and nothing else.
SECTIONS = {
    "Lefèvre": {
        "documents.document",  # the cardiology letter filed with its second version, a filing mistake
        "administratif.droitaide",  # her APA
        "coordination.evenement",  # a rendez-vous in cardiology with its taxi, the atelier's sessions
        "coordination.participation",
        "coordination.reservation",
        "coordination.transport",
        "accompagnement.action",
        "accompagnement.attente",
        "accompagnement.avisvalidation",
        "accompagnement.besoin",
        "accompagnement.evaluationaggir",
        "accompagnement.objectif",
        "accompagnement.observation",
        "accompagnement.projetpersonnalise",
        "medicaments.administration",
        "medicaments.alerteprescription",
        "medicaments.doseplanifiee",
        "medicaments.pilulier",
        "medicaments.prescription",
        "soins.allergie",
        "soins.antecedent",
        "soins.constante",
        "soins.dossiersoins",
        "soins.intervenant",
        "soins.realisationsoin",
        "soins.soinplanifie",
        "soins.transmission",
        "soins.vaccination",
        "usagers.absence",
        "usagers.dossieradministratif",
        "usagers.mesureprotection",
        "usagers.proche",
        "usagers.sejour",
        "usagers.transitionidentite",
        "usagers.usager",
        "rgpd.demandedroitacces",
        # her daughter's access to the space and their messages (issue 19)
        "relation.accesportail",
        "relation.invitation",
        "relation.fil",
        "relation.message",
    },
    "Garnier": {
        "coordination.evenement",  # the weekly pédicure
        "coordination.participation",
        "coordination.reservation",
        "accompagnement.evaluationaggir",
        "documents.document",
        "interop.envoi",
        "medicaments.administration",
        "medicaments.doseplanifiee",
        "medicaments.pilulier",
        "medicaments.prescription",
        "soins.allergie",
        "soins.antecedent",
        "soins.constante",
        "soins.dossiersoins",
        "soins.intervenant",
        "soins.realisationsoin",
        "soins.soinplanifie",
        "soins.transmission",
        "soins.vaccination",
        "usagers.consentement",
        "usagers.sejour",
        "usagers.transitionidentite",
        "usagers.usager",
        "rgpd.demandedroitacces",
    },
}
TRAITS = {
    "Lefèvre": {"nom_naissance": "Lefevre", "premier_prenom": "Helene", "date_naissance": "1938-04-12"},
    "Garnier": {"nom_naissance": "GARNIER", "premier_prenom": "Yvonne", "date_naissance": "1935-02-27"},
}


@pytest.fixture
def client_de():
    """Clients logged in with the demo accounts' password."""
    from django.test import Client

    from accueil.demo import DEMO_PASSWORD
    from tests.conftest import connecter

    clients: dict = {}

    def _make(user):
        if user.pk not in clients:
            clients[user.pk] = connecter(Client(), user, password=DEMO_PASSWORD)
        return clients[user.pk]

    return _make


@pytest.fixture
def demo(demo_du_module, tmp_path, settings):
    """The demo, built once for this module (its tests roll back what they write)."""
    copier_les_fichiers_de_la_demo(demo_du_module, tmp_path, settings)
    tilleuls = OrganismeGestionnaire.objects.get(raison_sociale="Association Les Tilleuls")
    horizon = OrganismeGestionnaire.objects.get(raison_sociale="Fondation Horizon")
    with tenant_context(tilleuls.pk):
        dpo = Professionnel.objects.get(organisme=tilleuls, est_dpo=True)
        personnes = {nom: Usager.objects.get(nom_naissance=nom) for nom in SECTIONS}
        tous = list(Usager.objects.all())
    with tenant_context(horizon.pk):
        dpo_horizon = Professionnel.objects.get(organisme=horizon, est_dpo=True)
        horizon_usagers = list(Usager.objects.all())
    return {
        "tilleuls": tilleuls,
        "horizon": horizon,
        "dpo": dpo,
        "personnes": personnes,
        "tous": tous + horizon_usagers,
        "dpo_horizon": dpo_horizon,
    }


def _demander(client, django_capture_on_commit_callbacks, nom="Lefèvre", **traits):
    donnees = {**TRAITS[nom], "motif": "Courrier de la personne du 02/11/2026", **traits}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/rgpd/droit-acces/", donnees)


@pytest.mark.parametrize("nom", sorted(SECTIONS))
def test_the_export_holds_every_category_of_the_persons_data_and_nothing_else(
    demo, client_de, django_capture_on_commit_callbacks, nom
):
    client = client_de(demo["dpo"])
    assert _demander(client, django_capture_on_commit_callbacks, nom).status_code == 302
    with tenant_context(demo["tilleuls"].pk):
        demande = DemandeDroitAcces.objects.get()
        assert demande.statut == "termine" and demande.telechargeable, demande.erreur
    page = client.get("/rgpd/droit-acces/").content.decode()
    assert "Prêt" in page and f"/rgpd/droit-acces/{demande.public_id}/telecharger/" in page
    reponse = client.post(f"/rgpd/droit-acces/{demande.public_id}/telecharger/")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(reponse.streaming_content)))
    noms = archive.namelist()
    assert {"LISEZMOI.txt", "donnees.json", "dossier.pdf", "journal_des_acces.csv"} <= set(noms)
    donnees = json.loads(archive.read("donnees.json"))
    assert set(donnees["sections"]) == SECTIONS[nom], set(donnees["sections"]) ^ SECTIONS[nom]
    # cross-check with the database: every model holding a row about the person is there, with all its rows
    personne = demo["personnes"][nom]
    with tenant_context(demo["tilleuls"].pk):
        for m in modeles_de_la_personne():
            n = m.modele._default_manager.filter(**{f"{m.chemin}__in": [personne.pk]}).count()
            assert len(donnees["sections"].get(m.label, {"lignes": []})["lignes"]) == n, m.label
    # the stored files (documents produced or uploaded, the photo) are there
    fichiers = [n for n in noms if n.startswith("fichiers/")]
    with tenant_context(demo["tilleuls"].pk):
        attendus = personne.documents.exclude(fichier="").count() + (1 if personne.photo else 0)
    assert len(fichiers) == attendus and (nom != "Garnier" or attendus >= 1)
    # readable PDF, and the journal of accesses to her dossier
    texte = texte_du_pdf(archive.read("dossier.pdf"))
    assert str(personne).upper() in texte.upper() and "Journal des accès" in texte
    journal = archive.read("journal_des_acces.csv").decode("utf-8-sig")
    assert "Droit d'accès demandé" in journal
    # nothing of another person (of her organisme or the other)
    tout = json.dumps(donnees, ensure_ascii=False) + texte + journal + "".join(noms)
    for autre in [u for u in demo["tous"] if u.pk != personne.pk]:
        assert str(autre.public_id) not in tout, autre
        assert f"{autre.nom_naissance.upper()} {autre.premier_prenom}" not in tout.upper(), autre
    # downloadable once; journaled
    assert client.post(f"/rgpd/droit-acces/{demande.public_id}/telecharger/").status_code == 404
    with tenant_context(demo["tilleuls"].pk):
        libelles = list(
            JournalAcces.objects.filter(objet_id=personne.public_id, type_acces=TypeAcces.EXPORT).values_list(
                "libelle", flat=True
            )
        )
    assert any(x.startswith("Droit d'accès demandé") for x in libelles)
    assert any(x.startswith("Droit d'accès téléchargé") for x in libelles)


def test_only_the_dpo_or_a_director_of_the_person_and_never_another_organisme(
    demo, client_de, django_capture_on_commit_callbacks
):
    # the other organisme's DPO: the traits designate at most a person of hers, never the Tilleuls' one
    _demander(client_de(demo["dpo_horizon"]), django_capture_on_commit_callbacks)
    with tenant_context(demo["tilleuls"].pk):
        assert not DemandeDroitAcces.objects.exists()
    with tenant_context(demo["horizon"].pk):
        assert all(d.usager.organisme_id == demo["horizon"].pk for d in DemandeDroitAcces.objects.all())
    with tenant_context(demo["tilleuls"].pk):
        soignant = Professionnel.objects.get(organisme=demo["tilleuls"], profession="infirmier")
    # a nurse has no access to the page
    assert client_de(soignant).get("/rgpd/droit-acces/").status_code == 404
    # the request of the DPO is hers only: the other DPO cannot download it
    assert _demander(client_de(demo["dpo"]), django_capture_on_commit_callbacks).status_code == 302
    with tenant_context(demo["tilleuls"].pk):
        demande = DemandeDroitAcces.objects.get()
    assert (
        client_de(demo["dpo_horizon"]).post(f"/rgpd/droit-acces/{demande.public_id}/telecharger/").status_code
        == 404
    )
    # a director of the person's ESMS may ask too (pilotage.modifier there)
    with tenant_context(demo["tilleuls"].pk):
        directrice = Professionnel.objects.get(organisme=demo["tilleuls"], profession="directeur")
    assert client_de(directrice).get("/rgpd/droit-acces/").status_code == 200
    assert _demander(client_de(directrice), django_capture_on_commit_callbacks, "Garnier").status_code == 302


def test_an_unclaimed_export_expires_and_its_file_is_purged(
    demo, client_de, django_capture_on_commit_callbacks
):
    from rgpd import services

    client = client_de(demo["dpo"])
    _demander(client, django_capture_on_commit_callbacks)
    with tenant_context(demo["tilleuls"].pk):
        demande = DemandeDroitAcces.objects.get()
        chemin = services.chemin_du_fichier(demande)
        assert chemin.is_file()
        DemandeDroitAcces.objects.filter(pk=demande.pk).update(
            expire_le=timezone.now() - datetime.timedelta(seconds=1)
        )
    assert client.post(f"/rgpd/droit-acces/{demande.public_id}/telecharger/").status_code == 404
    with tenant_context(demo["tilleuls"].pk):
        assert services.purger(demo["tilleuls"].pk) == 1
    assert not chemin.exists()
    assert "Expiré" in client.get("/rgpd/droit-acces/").content.decode()


def test_bad_input_keeps_what_was_typed(demo, client_de, django_capture_on_commit_callbacks):
    r = _demander(
        client_de(demo["dpo"]), django_capture_on_commit_callbacks, motif="", premier_prenom="Helene"
    )
    body = r.content.decode()
    assert r.status_code == 200 and "Indiquez la demande" in body and 'value="Helene"' in body


def test_every_model_about_a_person_is_reached():
    """A tenant model with a ``usager`` foreign key is in the export (unless set aside with a reason)."""
    from dui.models import TenantModel
    from rgpd.extraction import HORS_DROIT_ACCES

    atteints = {m.label for m in modeles_de_la_personne()}
    directs = {
        m._meta.label_lower
        for m in apps.get_models()
        if issubclass(m, TenantModel)
        and not m.__name__.startswith("Historical")
        and any(f.name == "usager" for f in m._meta.concrete_fields)
    }
    assert directs - set(HORS_DROIT_ACCES) <= atteints


def test_the_purge_of_one_organisme_leaves_the_others_files(
    demo, client_de, django_capture_on_commit_callbacks
):
    from rgpd import services
    from rgpd.tasks import purger

    _demander(client_de(demo["dpo"]), django_capture_on_commit_callbacks)
    _demander(client_de(demo["dpo_horizon"]), django_capture_on_commit_callbacks)
    demandes = {}
    for og in ("tilleuls", "horizon"):
        with tenant_context(demo[og].pk):
            demandes[og] = DemandeDroitAcces.objects.get()
            DemandeDroitAcces.objects.filter(pk=demandes[og].pk).update(expire_le=timezone.now())
    purger.delay(organisme_id=demo["tilleuls"].pk)
    assert not services.chemin_du_fichier(demandes["tilleuls"]).exists()
    assert services.chemin_du_fichier(demandes["horizon"]).exists()
