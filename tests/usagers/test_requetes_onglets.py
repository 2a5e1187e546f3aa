"""Query counts of the administrative tabs of the dossier and of its documents list, pinned exactly (as in
tests/interop/test_views.py): the same number with a small record and a large one grown across distinct
related objects (relatives, consents collected by different professionals, séjours in two ESMS, absences,
protection measures, documents by different authors)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from documents.models import Document
from dui.tenancy import tenant_context
from tests.factories import HabilitationFactory
from tests.utils import nombre_de_requetes
from usagers.models import Absence, Consentement, MesureProtection, Proche, Sejour

pytestmark = pytest.mark.django_db

# Queries of: administratif, entourage, consentements, présence, documents (agent administratif, whose
# rights open the four administrative tabs and the documents). The présence tab ran one query per séjour
# (the absence form labelled each choice with its ESMS) until this test.
PINNED = [12, 13, 11, 15, 11]  # issue 16 (one transaction, rights read once)


def _grandir(tenant, usager, n: int, debut: int) -> None:
    pros = [tenant[r] for r in ("agent_administratif", "travailleur_social", "directeur")]
    jour = timezone.localdate()
    with tenant_context(tenant.organisme.pk):
        for i in range(debut, debut + n):
            Proche.objects.create(
                organisme=tenant.organisme,
                usager=usager,
                nom=f"Proche{i}",
                prenom="P",
                lien="enfant",
                telephone=f"06000000{i:02d}",
                a_prevenir=True,
                ordre_appel=i + 1,
            )
            Consentement.objects.create(
                organisme=tenant.organisme,
                usager=usager,
                type_consentement=["rgpd", "partage", "dmp"][i % 3],
                reponse="accepte",
                exprime_par="usager",
                date_recueil=jour - datetime.timedelta(days=i),
                recueilli_par=pros[i % len(pros)],
            )
            MesureProtection.objects.create(
                organisme=tenant.organisme,
                usager=usager,
                type_mesure="curatelle",
                mandataire=f"Mandataire {i}",
                date_debut=jour - datetime.timedelta(days=400 + i),
            )
            # a closed séjour in the MAS and an absence in it
            sejour = Sejour.objects.create(
                organisme=tenant.organisme,
                usager=usager,
                etablissement=tenant.mas,
                mode_accueil="temporaire",
                date_entree=datetime.date(2020, 1, 1) + datetime.timedelta(days=30 * i),
                date_sortie=datetime.date(2020, 1, 10) + datetime.timedelta(days=30 * i),
            )
            Absence.objects.create(
                organisme=tenant.organisme,
                sejour=sejour,
                motif="hospitalisation",
                debut=sejour.date_entree,
                fin=sejour.date_entree + datetime.timedelta(days=2),
            )
            Document.objects.create(
                organisme=tenant.organisme,
                usager=usager,
                etablissement=tenant.ehpad,
                type_document="autre",
                categorie="administratif",
                titre=f"Pièce {i}",
                auteur=pros[i % len(pros)],
                statut="disponible",
            )


def test_administrative_tabs_and_documents_have_pinned_query_counts(og_a, usager_a, client_de):
    with tenant_context(og_a.organisme.pk):  # the agent works in both ESMS of the organisme
        HabilitationFactory(
            professionnel=og_a["agent_administratif"],
            etablissement=og_a.mas,
            role="agent_administratif",
            debut=timezone.localdate() - datetime.timedelta(days=30),
        )
    client = client_de(og_a["agent_administratif"])
    base = f"/usagers/{usager_a.public_id}/"
    pages = [
        base + "administratif/",
        base + "entourage/",
        base + "consentements/",
        base + "presence/",
        f"/documents/dossier/{usager_a.public_id}/",
    ]
    _grandir(og_a, usager_a, 1, 0)
    for url in pages:
        client.get(url)
    avant = [nombre_de_requetes(client, url) for url in pages]
    _grandir(og_a, usager_a, 6, 1)
    apres = [nombre_de_requetes(client, url) for url in pages]
    assert apres == avant == PINNED, (avant, apres)
