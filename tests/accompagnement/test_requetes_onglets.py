"""Query counts pinned exactly for the projets and évaluations tabs, the bilans page of an ESMS, and the
médicaments' piluliers and stock pages: the same number on a small and on a grown record, grown across
distinct related objects (several persons, projects by different coordinators, evaluations by different
evaluators, prescriptions of different drugs, stock articles with several lots)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accompagnement import services as accompagnement
from accompagnement.models import Attente
from dui.tenancy import tenant_context
from medicaments import services as medicaments
from medicaments.models import ArticleStock, Specialite, TypeMouvement
from tests.accompagnement.conftest import projet_en_co_construction, valider
from tests.accompagnement.test_evaluations import TOUT_C, _aggir, _direct
from tests.medicaments.conftest import prescrire
from tests.soins.conftest import creer_resident
from tests.utils import nombre_de_requetes

pytestmark = pytest.mark.django_db

# Queries of: the projets tab, the évaluations tab (one person); the bilans of the EHPAD; the piluliers of
# the unit; the stock of the EHPAD
PINNED = [13, 19, 11, 12, 11]  # issue 16 (one transaction, rights read once)

CIS = ["60234100", "68881730", "66929906", "69928332", "64288864", "69235748"]


def _nouvelle_version(tenant, pp):
    """Bilan of the validated PP, revision, validation of the new version: one more version in the tab."""
    auteur = tenant["educateur"]
    with tenant_context(tenant.organisme.pk):
        accompagnement.do_enregistrer_bilan(
            auteur,
            pp,
            date_bilan=timezone.localdate(),
            synthese="Bilan de l'année",
            avis_usager="Content",
            resultats={o.pk: ("partiel", "À poursuivre") for o in pp.objectifs.all()},
        )
        nouveau = accompagnement.do_reviser(auteur, pp)
        accompagnement.do_ajouter_attente(
            auteur, nouveau, Attente(source="usager", texte="Continuer le jardin")
        )
        accompagnement.do_passer_en_co_construction(auteur, nouveau)
    return valider(tenant, nouveau)


def _grandir(tenant, personne, residents: list, debut: int, n: int) -> None:
    coordinateurs = [tenant[r] for r in ("educateur", "psychologue", "chef_service")]
    evaluateurs = [tenant[r] for r in ("infirmier", "medecin")]
    jour = timezone.localdate()
    for i in range(debut, debut + n):
        resident = creer_resident(
            tenant,
            chambre=str(100 + i),
            nom_naissance=f"Resident{i}",
            prenoms_naissance=["Paul"],
            premier_prenom="Paul",
        )
        residents.append(resident)
        valider(tenant, projet_en_co_construction(tenant, resident, auteur=coordinateurs[i % 3], objectifs=2))
        if debut:  # the first person's projects: one more version each round
            with tenant_context(tenant.organisme.pk):
                courant = residents[0].projets.get(statut="en_oeuvre")
            _nouvelle_version(tenant, courant)
        with tenant_context(tenant.organisme.pk):
            accompagnement.do_enregistrer_aggir(
                evaluateurs[i % 2],
                personne,
                tenant.ehpad,
                date_evaluation=jour - datetime.timedelta(days=i),
                mode="direct",
                reponses=TOUT_C if i % 2 else _direct(),
            )
        prescrire(tenant, resident, specialite_cis=CIS[i % len(CIS)], heures=[datetime.time(8)])
        with tenant_context(tenant.organisme.pk):
            article = (
                medicaments.do_ajouter_article(
                    tenant["pharmacien"],
                    ArticleStock(
                        etablissement=tenant.ehpad,
                        specialite=Specialite.objects.get(cis=CIS[i % len(CIS)]),
                        seuil_alerte=5,
                    ),
                )
                if not ArticleStock.objects.filter(specialite__cis=CIS[i % len(CIS)]).exists()
                else ArticleStock.objects.get(specialite__cis=CIS[i % len(CIS)])
            )
            for lot in range(2):
                medicaments.do_mouvement(
                    tenant["pharmacien"],
                    article,
                    TypeMouvement.RECEPTION,
                    10,
                    lot=f"L{i}-{lot}",
                    peremption=jour + datetime.timedelta(days=30 * (lot + 1)),
                )


def test_accompagnement_and_medicaments_pages_have_pinned_query_counts(og_a, base_bdpm, client_de):
    personne = creer_resident(og_a, nom_naissance="Suivi", prenoms_naissance=["Anne"], premier_prenom="Anne")
    _aggir(og_a, personne, timezone.localdate() - datetime.timedelta(days=400), _direct())
    residents: list = []
    _grandir(og_a, personne, residents, 0, 1)
    pages = [
        (client_de(og_a["educateur"]), f"/accompagnement/dossier/{residents[0].public_id}/projet/"),
        (client_de(og_a["infirmier"]), f"/accompagnement/dossier/{personne.public_id}/evaluations/"),
        (client_de(og_a["directeur"]), f"/accompagnement/etablissement/{og_a.ehpad.public_id}/bilans/"),
        (client_de(og_a["infirmier"]), f"/medicaments/unite/{og_a.unite.public_id}/piluliers/"),
        (client_de(og_a["pharmacien"]), "/medicaments/stock/"),
    ]
    for client, url in pages:
        assert client.get(url).status_code == 200, url
    avant = [nombre_de_requetes(client, url) for client, url in pages]
    _grandir(og_a, personne, residents, 1, 5)
    apres = [nombre_de_requetes(client, url) for client, url in pages]
    assert apres == avant == PINNED, (avant, apres)
