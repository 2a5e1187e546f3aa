"""Documents of a dossier: generated (projet personnalisé, grilles d'évaluation, later DLU, ordonnances…)
or filed, typed, versioned, each with the data category whose habilitation is needed to read it.

A generated document is created "en préparation" in the request's transaction; a worker renders it and
stores the file (``documents.services``). A new generation of the same source is a new version: the
previous one is kept and marked as replaced.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
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
    CONTRAT_SEJOUR = "contrat_sejour", "Contrat de séjour / DIPC"
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


class Confidentialite(models.TextChoices):
    NORMALE = "normale", "Normale"
    RESTREINTE = "restreinte", "Restreinte : réservé aux professionnels (ni portail usager, ni DMP)"


class DepartConservation(models.TextChoices):
    DOCUMENT = "document", "à compter de la date du document"
    SORTIE = "sortie", "à compter de la sortie définitive de la personne"


class ClasseDocument(TenantModel):
    """One entry of the organisme's classification plan, set by its administrator: the data category whose
    habilitation reads the documents of this type, their default confidentiality, their retention period."""

    code = models.SlugField(max_length=40)
    libelle = models.CharField("libellé", max_length=120)
    categorie = models.CharField(
        "catégorie de données",
        max_length=20,
        choices=CATEGORIES_DOCUMENTS,
        help_text="Habilitation nécessaire pour lire les documents de ce type.",
    )
    confidentialite = models.CharField(
        "confidentialité par défaut", max_length=20, choices=Confidentialite.choices, default="normale"
    )
    conservation_annees = models.PositiveSmallIntegerField(
        "durée de conservation (années)", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    conservation_depart = models.CharField(
        "point de départ de la conservation",
        max_length=20,
        choices=DepartConservation.choices,
        default=DepartConservation.SORTIE,
    )
    code_loinc = models.CharField("code du type (LOINC, pour le DMP)", max_length=20, blank=True)
    ordre = models.PositiveSmallIntegerField(default=100)
    actif = models.BooleanField(default=True)
    history = tenant_history()

    etablissement_path = None  # the plan is the organisme's

    class Meta:
        verbose_name = "type de document (plan de classement)"
        verbose_name_plural = "plan de classement"
        ordering = ["ordre", "libelle"]
        constraints = [
            models.UniqueConstraint(fields=["organisme", "code"], name="classe_document_code_unique"),
        ]

    def __str__(self) -> str:
        return self.libelle


class Origine(models.TextChoices):
    GENERE = "genere", "Produit par le DUI"
    DEPOSE = "depose", "Déposé ou scanné"


class Indexation(models.TextChoices):
    A_FAIRE = "a_faire", "Aperçu et texte en préparation"
    FAITE = "faite", "Indexé"
    ECHEC = "echec", "Aperçu impossible"


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
    # --- gestion documentaire (issue 18): filed documents, their classification, preview and text
    origine = models.CharField(max_length=10, choices=Origine.choices, default=Origine.GENERE)
    classe = models.ForeignKey(
        ClasseDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="type de document",
    )
    date_document = models.DateField("date du document", null=True, blank=True)
    source_partenaire = models.ForeignKey(
        "annuaire.Partenaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="émetteur (annuaire)",
    )
    source_libre = models.CharField("émetteur", max_length=200, blank=True)
    sejour = models.ForeignKey(
        "usagers.Sejour",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="séjour",
    )
    etiquettes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    confidentialite = models.CharField(
        max_length=20, choices=Confidentialite.choices, default=Confidentialite.NORMALE
    )
    derniere_version = models.BooleanField(default=True)
    pages = models.PositiveIntegerField(default=0)
    indexation = models.CharField(max_length=10, choices=Indexation.choices, default=Indexation.A_FAIRE)
    indexation_remarques = models.CharField(max_length=500, blank=True)
    texte = models.TextField(blank=True)
    texte_ocr = models.BooleanField("texte reconnu (OCR)", default=False)
    recherche = SearchVectorField(null=True, editable=False)
    apercu = models.FileField(max_length=200, blank=True)
    vignette = models.FileField(max_length=200, blank=True)
    # never deleted by a user: marked as entered in error, with the reason
    en_erreur_le = models.DateTimeField(null=True, blank=True)
    en_erreur_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    en_erreur_motif = models.CharField("motif", max_length=300, blank=True)
    # retention: proposed by the nightly job, confirmed by the DPO (the row stays as the trace)
    destruction_proposee_le = models.DateField(null=True, blank=True)
    detruit_le = models.DateTimeField(null=True, blank=True)
    detruit_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history(excluded_fields=["texte", "recherche"])

    etablissement_path = "etablissement"
    # made from the file by the worker: not the person's data a second time (rgpd.extraction skips them)
    champs_derives = ("apercu", "vignette", "texte", "recherche", "indexation_remarques")

    class Meta:
        verbose_name = "document"
        ordering = ["-cree_le", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-cree_le"], name="document_org_usager_idx"),
            models.Index(fields=["organisme", "objet_id", "-version"], name="document_org_objet_idx"),
            GinIndex(fields=["recherche"], name="document_recherche_idx"),
            models.Index(
                fields=["organisme", "destruction_proposee_le"],
                condition=Q(destruction_proposee_le__isnull=False, detruit_le__isnull=True),
                name="document_org_a_detruire_idx",
            ),
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
        return self.statut == StatutDocument.DISPONIBLE and self.detruit_le is None

    @property
    def en_erreur(self) -> bool:
        return self.en_erreur_le is not None

    @property
    def depose(self) -> bool:
        return self.origine == Origine.DEPOSE

    @property
    def emetteur(self) -> str:
        return str(self.source_partenaire) if self.source_partenaire_id else self.source_libre

    @property
    def nom_fichier(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.titre)[:80] or 'document'}-v{self.version}.pdf"
