"""Documents of a dossier: generated (projet personnalisé, grilles d'évaluation, later DLU, ordonnances…)
or filed, typed, versioned, each with the data category whose habilitation is needed to read it.

A generated document is created "en préparation" in the request's transaction; a worker renders it and
stores the file (``documents.services``). A new generation of the same source is a new version: the
previous one is kept and marked as replaced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dui.models import Etablissement, TenantModel, tenant_history
from habilitations.roles import Categorie


class TypeDocument(models.TextChoices):
    # code LOINC (CI-SIS) in ``CODES_LOINC`` below, for the DMP feeding to come
    PROJET_PERSONNALISE = "projet_personnalise", "Projet personnalisé d'accompagnement"
    GRILLE_EVALUATION = "grille_evaluation", "Grille d'évaluation médico-sociale"
    DLU = "dlu", "Document de liaison d'urgence"
    ORDONNANCE = "ordonnance", "Ordonnance"
    CR_ADMINISTRATION = "cr_administration", "Compte rendu d'administration des médicaments"
    AUTRE = "autre", "Autre document"


# shared/docs/DOMAIN.md, "Exchanges": type codes of the documents sent to the DMP.
CODES_LOINC = {
    TypeDocument.PROJET_PERSONNALISE: "80788-3",
    TypeDocument.GRILLE_EVALUATION: "34842-5",
    TypeDocument.DLU: "74207-2",
    TypeDocument.CR_ADMINISTRATION: "80565-5",
    TypeDocument.AUTRE: "28653-4",
}


# Data categories a document may belong to (the habilitation needed to read it, besides "documents").
CATEGORIES_DOCUMENTS = [
    (c.value, c.label)
    for c in (
        Categorie.ADMINISTRATIF,
        Categorie.SOCIAL,
        Categorie.SOINS,
        Categorie.MEDICAL,
        Categorie.MEDICAMENTS,
    )
]


class StatutDocument(models.TextChoices):
    EN_PREPARATION = "en_preparation", "En préparation"
    DISPONIBLE = "disponible", "Disponible"
    ECHEC = "echec", "Échec de la génération"


def chemin_document(instance: Document, filename: str) -> str:
    return f"documents/{instance.organisme_id}/{instance.public_id}.pdf"


class Document(TenantModel):
    categorie_donnees = Categorie.DOCUMENTS
    categories_admises = tuple(Categorie)  # and the category of the row itself
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="documents")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    type_document = models.CharField("type", max_length=30, choices=TypeDocument.choices)
    code_loinc = models.CharField("code du type (LOINC)", max_length=20, blank=True)
    categorie = models.CharField(
        "catégorie de données",
        max_length=20,
        choices=CATEGORIES_DOCUMENTS,
        help_text="Habilitation nécessaire pour le lire.",
    )
    titre = models.CharField(max_length=200)
    fichier = models.FileField(upload_to=chemin_document, max_length=200, blank=True)
    type_mime = models.CharField(max_length=60, default="application/pdf")
    taille = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # The source object (e.g. a projet personnalisé) and the version of the document for that source.
    objet_type = models.CharField(max_length=60, blank=True)
    objet_id = models.UUIDField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    remplace = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    options = models.JSONField(default=dict, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(
        max_length=20, choices=StatutDocument.choices, default=StatutDocument.EN_PREPARATION
    )
    erreur = models.CharField(max_length=500, blank=True)
    produit_le = models.DateTimeField(null=True, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "document"
        ordering = ["-cree_le", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-cree_le"], name="document_org_usager_idx"),
            models.Index(fields=["organisme", "objet_id", "-version"], name="document_org_objet_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["objet_id", "version"],
                condition=Q(objet_id__isnull=False),
                name="document_version_unique_par_objet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titre} (v{self.version})"

    @property
    def disponible(self) -> bool:
        return self.statut == StatutDocument.DISPONIBLE

    @property
    def nom_fichier(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.titre)[:80] or 'document'}-v{self.version}.pdf"
