"""Query counts of the new dossier tabs and pages do not grow with the data (no N+1), and the workers of
issue 18 never reach another organisme's rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from administratif import services
from documents import services as documents
from documents.models import Document
from dui.tenancy import tenant_context
from tests.documents.conftest import deposer, pdf_texte
from tests.soins.conftest import creer_resident
from tests.utils import nombre_de_requetes


def _grandir(og, personne, n):
    with tenant_context(og.organisme.pk):
        for i in range(n):
            services.do_enregistrer_droit(
                og["agent_administratif"], personne, og.ehpad, type_droit="autre", libelle=f"Aide {i}",
                debut=datetime.date(2026, 1, 1), fin=timezone.localdate() + datetime.timedelta(days=10 + i),
            )  # fmt: skip
            modele = services.do_enregistrer_modele(
                og.admin, nom=f"M{i}", genre="contrat", corps="Texte", actif=True
            )
            services.do_etablir_contrat(og["agent_administratif"], personne.sejours.get(), modele)
        autre = creer_resident(og, chambre=str(100 + n))
        with tenant_context(og.organisme.pk):
            services.do_enregistrer_droit(og["agent_administratif"], autre, og.ehpad, type_droit="aah",
                                          debut=datetime.date(2026, 1, 1), fin=timezone.localdate())  # fmt: skip


def test_les_onglets_et_pages_ne_grandissent_pas_avec_les_donnees(og_a, client_de):
    with tenant_context(og_a.organisme.pk):
        documents.do_installer_plan_type(og_a.admin)
    personne = creer_resident(og_a)
    _grandir(og_a, personne, 1)
    deposer(og_a, personne, pdf_texte("Courrier"), code="droits-aides", auteur="agent_administratif")
    client = client_de(og_a["agent_administratif"])
    pages = [
        reverse("administratif:droits", args=[personne.public_id]),
        reverse("administratif:contrats", args=[personne.public_id]),
        reverse("administratif:presence", args=[og_a.ehpad.public_id]),
        reverse("documents:dossier", args=[personne.public_id]),
        "/",
    ]
    for url in pages:
        client.get(url)
    avant = [nombre_de_requetes(client, url) for url in pages]
    _grandir(og_a, personne, 4)
    for _ in range(3):
        deposer(og_a, personne, pdf_texte("Courrier"), code="droits-aides", auteur="agent_administratif")
    apres = [nombre_de_requetes(client, url) for url in pages]
    assert apres == avant, (avant, apres)
    # pinned (a change says why): droits 13, contrats 17 (séjours, templates, signed contracts for the
    # avenant choice, remises), presence 10, documents 11
    assert avant[:4] == [13, 17, 10, 11], avant


def test_les_taches_restent_dans_leur_organisme(og_a, og_b):
    with tenant_context(og_a.organisme.pk):
        documents.do_installer_plan_type(og_a.admin)
    personne = creer_resident(og_a)
    (d,) = deposer(
        og_a, personne, pdf_texte("Secret de A"), code="droits-aides", auteur="agent_administratif"
    )
    from administratif.tasks import generer_contrat
    from documents.tasks import indexer

    with pytest.raises(Document.DoesNotExist):
        indexer.apply(args=[str(d.public_id)], kwargs={"organisme_id": og_b.organisme.pk}).get()
    with pytest.raises(Document.DoesNotExist):
        generer_contrat.apply(
            args=[str(d.public_id)],
            kwargs={"organisme_id": og_b.organisme.pk, "acteur_id": og_b["agent_administratif"].pk},
        ).get()
