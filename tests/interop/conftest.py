"""Helpers of the exchange tests: a person with a qualified identity and a produced document ready to send
(the local servers are fixtures of tests/conftest.py)."""

from __future__ import annotations

import datetime
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import CODES_LOINC, Document, StatutDocument, TypeDocument
from dui.tenancy import tenant_context
from tests.factories import SejourFactory, UsagerFactory

MATRICULE = "295109912611193"
OID_NIR_TEST = "1.2.250.1.213.1.4.10"


def pdf_minimal(texte: str = "Projet personnalisé") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{texte}</p>").write_pdf()


def personne(tenant, qualifiee: bool = True, etablissement=None, **traits):
    with tenant_context(tenant.organisme.pk):
        valeurs = {
            "nom_naissance": "Dupont",
            "premier_prenom": "Hélène",
            "prenoms_naissance": ["Hélène", "Marie"],
            "date_naissance": datetime.date(1938, 4, 12),
            "sexe": "F",
            "lieu_naissance_insee": "75056",
        }
        if qualifiee:
            valeurs.update(statut_identite="QUAL", matricule_ins=MATRICULE, oid_ins=OID_NIR_TEST)
        valeurs.update(traits)
        usager = UsagerFactory(organisme=tenant.organisme, **valeurs)
        SejourFactory(
            usager=usager, etablissement=etablissement or tenant.ehpad, date_entree=datetime.date(2025, 3, 1)
        )
    return usager


def document_pret(
    tenant, usager, type_document=TypeDocument.DLU, auteur=None, remplace=None, **champs
) -> Document:
    """A produced document (real PDF in the storage), as the worker leaves it."""
    auteur = auteur or tenant["medecin"]
    with tenant_context(tenant.organisme.pk):
        document = Document(
            organisme=tenant.organisme,
            usager=usager,
            etablissement=champs.pop("etablissement", tenant.ehpad),
            type_document=type_document,
            code_loinc=CODES_LOINC.get(type_document, ""),
            categorie=champs.pop("categorie", "soins"),
            titre=champs.pop("titre", "Document de liaison d'urgence"),
            auteur=auteur,
            statut=StatutDocument.DISPONIBLE,
            produit_le=timezone.now(),
            objet_type="usagers.usager",
            objet_id=remplace.objet_id if remplace else uuid.uuid4(),
            version=remplace.version + 1 if remplace else 1,
            remplace=remplace,
            **champs,
        )
        contenu = pdf_minimal(document.titre)
        document.fichier.save("document.pdf", ContentFile(contenu), save=False)
        document.taille = len(contenu)
        document.save()
    return document
