"""Shared fixtures of the exchange tests: the local servers (DMP over mutual TLS, SMTP with STARTTLS, FHIR)
the settings point at, and a document ready to send for a person with a qualified identity."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import CODES_LOINC, Document, StatutDocument, TypeDocument
from dui.tenancy import tenant_context
from interop.serveurs_test import ServeurDmpTest, ServeurFhirTest, ServeurSmtpTest, certificats
from tests.factories import SejourFactory, UsagerFactory

MATRICULE = "295109912611193"
OID_NIR_TEST = "1.2.250.1.213.1.4.10"


@pytest.fixture(scope="session")
def dossier_certificats(tmp_path_factory):
    return certificats(tmp_path_factory.mktemp("interop-tls"))


@pytest.fixture
def serveur_dmp(dossier_certificats, settings):
    serveur = ServeurDmpTest(dossier_certificats).demarrer()
    settings.DUI_DMP_URL = serveur.url
    settings.DUI_DMP_CERT = str(dossier_certificats / "client.pem")
    settings.DUI_DMP_KEY = str(dossier_certificats / "client.key")
    settings.DUI_DMP_CA = str(dossier_certificats / "ca.pem")
    yield serveur
    serveur.shutdown()
    serveur.server_close()


@pytest.fixture
def serveur_smtp(dossier_certificats, settings):
    serveur = ServeurSmtpTest(dossier_certificats).demarrer()
    settings.DUI_MSS_HOTE, settings.DUI_MSS_PORT, settings.DUI_MSS_TLS = "127.0.0.1", serveur.port, "starttls"
    settings.DUI_MSS_CA = str(dossier_certificats / "ca.pem")
    settings.DUI_MSS_EXPEDITEUR = "secretariat@ehpad-a.mssante.fr"
    yield serveur
    serveur.arreter()


@pytest.fixture
def serveur_fhir(settings):
    serveur = ServeurFhirTest().demarrer()
    settings.DUI_FHIR_URL = serveur.url
    yield serveur
    serveur.shutdown()
    serveur.server_close()


def pdf_minimal(texte: str = "Projet personnalisé") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{texte}</p>").write_pdf()


def personne(tenant, qualifiee: bool = True, etablissement=None, **traits):
    with tenant_context(tenant.organisme.pk):
        valeurs = {"nom_naissance": "Dupont", "premier_prenom": "Hélène", "prenoms_naissance": ["Hélène", "Marie"],
                   "date_naissance": datetime.date(1938, 4, 12), "sexe": "F", "lieu_naissance_insee": "75056"}
        if qualifiee:
            valeurs.update(statut_identite="QUAL", matricule_ins=MATRICULE, oid_ins=OID_NIR_TEST)
        valeurs.update(traits)
        usager = UsagerFactory(organisme=tenant.organisme, **valeurs)
        SejourFactory(usager=usager, etablissement=etablissement or tenant.ehpad, date_entree=datetime.date(2025, 3, 1))
    return usager


def document_pret(tenant, usager, type_document=TypeDocument.DLU, auteur=None, remplace=None, **champs) -> Document:
    """A produced document (real PDF in the storage), as the worker leaves it."""
    auteur = auteur or tenant["medecin"]
    with tenant_context(tenant.organisme.pk):
        document = Document(
            organisme=tenant.organisme, usager=usager, etablissement=champs.pop("etablissement", tenant.ehpad),
            type_document=type_document, code_loinc=CODES_LOINC.get(type_document, ""),
            categorie=champs.pop("categorie", "soins"), titre=champs.pop("titre", "Document de liaison d'urgence"),
            auteur=auteur, statut=StatutDocument.DISPONIBLE, produit_le=timezone.now(),
            objet_type="usagers.usager", objet_id=remplace.objet_id if remplace else uuid.uuid4(),
            version=remplace.version + 1 if remplace else 1, remplace=remplace, **champs)
        contenu = pdf_minimal(document.titre)
        document.fichier.save("document.pdf", ContentFile(contenu), save=False)
        document.taille = len(contenu)
        document.save()
    return document
