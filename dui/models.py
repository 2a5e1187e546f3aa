"""Tenancy core: the organisme gestionnaire (tenant), its ESMS and their units, and the base of every
tenant-owned model. Also the append-only access journal (traceability, ARCHITECTURE.md §4).

Row-level security is enabled and forced on every table carrying ``organisme_id`` (see ``dui.rls`` and
the migrations); ``tests/dui/test_rls.py`` enumerates the tables and fails on any that lacks it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from .categories import exception_permissions
from .history import history_user

# FINESS: 9 characters, the department first (2A/2B for Corsica, 97/98 for overseas), then digits.
# Only the format is checked: no public ANS text we could cite defines the check key.
finess_validator = RegexValidator(
    r"^(?:\d{2}|2[AB])\d{7}$",
    "Le numéro FINESS doit compter 9 caractères : le département (2 chiffres, ou 2A / 2B) puis 7 chiffres.",
)


def tenant_history(**kwargs: Any) -> HistoricalRecords:
    """History for a tenant model: the acting professional is recorded, and the history row keeps
    ``organisme_id`` so the history table is under row-level security too."""
    return HistoricalRecords(get_user=history_user, user_db_constraint=False, **kwargs)


class OrganismeGestionnaire(models.Model):
    """The tenant: an association, foundation, company or public body running one or many ESMS.

    This is the tenant registry itself (no personal data). It is the one tenancy table without
    row-level security: the platform administrators list and create tenants.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    raison_sociale = models.CharField("raison sociale", max_length=200)
    finess_juridique = models.CharField(
        "FINESS juridique", max_length=9, unique=True, validators=[finess_validator]
    )
    siren = models.CharField(
        "SIREN",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", "Le SIREN compte 9 chiffres.")],
    )
    actif = models.BooleanField(default=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(get_user=history_user, user_db_constraint=False)

    class Meta:
        verbose_name = "organisme gestionnaire"
        verbose_name_plural = "organismes gestionnaires"
        ordering = ["raison_sociale"]

    def __str__(self) -> str:
        return self.raison_sociale


class TenantModel(models.Model):
    """Base of every tenant-owned row: its organisme, a public UUID for URLs, timestamps."""

    organisme = models.ForeignKey(
        OrganismeGestionnaire, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    # The path from this model to the Etablissement that habilitations are granted on
    # ("" when the model is the Etablissement itself, None when it is organisme-wide). Models spread
    # over several ESMS (the usager, through its séjours) override the two methods below instead.
    etablissement_path: str | None = None

    # A row of a person's dossier declares here, once, the data category it belongs to (dui.categories), and
    # the other categories a check on it may name (``documents`` for the PDF made from it, ``soins`` for
    # administering a dose…). The policy's content checks refuse any other category in the tests
    # (DUI_VERIFIER_CATEGORIES), so a right named wrongly on a model fails there.
    categorie_donnees: ClassVar[str | None] = None
    categories_admises: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @classmethod
    def q_dans_etablissements(cls, etablissement_ids: Iterable[int]) -> models.Q | None:
        """SQL condition "this row belongs to one of these ESMS" (None: not tied to an ESMS)."""
        if cls.etablissement_path is None:
            return None
        lookup = "pk" if cls.etablissement_path == "" else f"{cls.etablissement_path}_id"
        return models.Q(**{f"{lookup}__in": list(etablissement_ids)})

    def etablissement_ids(self) -> set[int]:
        """The ESMS this row belongs to (habilitations are granted per ESMS)."""
        path = self.etablissement_path
        if path is None:
            return set()
        if path == "":
            return {self.pk}
        target = self
        *parents, last = path.split("__")
        for part in parents:
            target = getattr(target, part)
        value = getattr(target, f"{last}_id")
        return {value} if value is not None else set()


class ClotureMotivee(models.Model):
    """A row that is closed with its reason — cancelled, stopped, deactivated — and never deleted: one field
    name for the reason everywhere (the moment and the author keep the domain's words: ``annulee_le``,
    ``arrete_le``…)."""

    motif_cloture = models.CharField("motif", max_length=300, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def motif_nettoye(motif: str) -> str:
        return motif.strip()[:300]


def etablissement_id_of(obj: models.Model) -> int | None:
    """The single ESMS of ``obj`` (None when it has none or several)."""
    ids = obj.etablissement_ids() if hasattr(obj, "etablissement_ids") else set()
    return next(iter(ids)) if len(ids) == 1 else None


class CategorieESMS(models.TextChoices):
    EHPAD = "EHPAD", "EHPAD"
    EHPA = "EHPA", "EHPA / résidence autonomie"
    USLD = "USLD", "USLD"
    MAS = "MAS", "MAS"
    FAM = "FAM", "FAM / EAM"
    FOYER_VIE = "FOYER_VIE", "Foyer de vie / EANM"
    FOYER_HEBERGEMENT = "FOYER_HEB", "Foyer d'hébergement"
    ESAT = "ESAT", "ESAT"
    IME = "IME", "IME"
    ITEP = "ITEP", "ITEP / DITEP"
    IEM = "IEM", "IEM"
    CAMSP = "CAMSP", "CAMSP"
    SESSAD = "SESSAD", "SESSAD"
    SAVS = "SAVS", "SAVS"
    SAMSAH = "SAMSAH", "SAMSAH"
    SSIAD = "SSIAD", "SSIAD"
    SAAD = "SAAD", "SAAD"
    SPASAD = "SPASAD", "SPASAD / SAD mixte"
    ACCUEIL_JOUR = "ACCUEIL_JOUR", "Accueil de jour"
    MECS = "MECS", "MECS"
    FOYER_ENFANCE = "FOYER_ENFANCE", "Foyer de l'enfance"
    CHRS = "CHRS", "CHRS"
    CADA = "CADA", "CADA"
    LHSS = "LHSS", "LHSS / LAM"
    AUTRE = "AUTRE", "Autre ESSMS"


class Etablissement(TenantModel):
    """An ESMS, identified by its FINESS géographique."""

    nom = models.CharField(max_length=200)
    finess_geographique = models.CharField("FINESS géographique", max_length=9, validators=[finess_validator])
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieESMS.choices)
    adresse = models.TextField(blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    capacite = models.PositiveIntegerField("capacité autorisée", null=True, blank=True)
    actif = models.BooleanField(default=True)
    history = tenant_history()

    etablissement_path = ""

    class Meta:
        verbose_name = "établissement"
        ordering = ["nom"]
        permissions = exception_permissions()
        constraints = [
            models.UniqueConstraint(fields=["finess_geographique"], name="etablissement_finess_unique"),
        ]
        indexes = [models.Index(fields=["organisme", "nom"], name="etab_org_nom_idx")]

    def __str__(self) -> str:
        return self.nom

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("etablissement", args=[self.public_id])


class Unite(TenantModel):
    """A unit of an ESMS: service, pavillon, groupe, étage."""

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="unites")
    nom = models.CharField(max_length=120)
    capacite = models.PositiveIntegerField("capacité", null=True, blank=True)
    active = models.BooleanField(default=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "unité"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "nom"],
                name="unite_nom_unique_par_etab",
                violation_error_message="Une unité porte déjà ce nom dans cet établissement.",
            ),
        ]
        indexes = [models.Index(fields=["organisme", "etablissement"], name="unite_org_etab_idx")]

    def __str__(self) -> str:
        return self.nom

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.etablissement_id and not self.organisme_id:
            self.organisme_id = self.etablissement.organisme_id
        super().save(*args, **kwargs)


class TypeAcces(models.TextChoices):
    LECTURE = "lecture", "Consultation"
    EXPORT = "export", "Export"
    IMPRESSION = "impression", "Impression"
    BRIS_DE_GLACE = "bris_de_glace", "Accès exceptionnel (bris de glace)"
    ADMINISTRATION = "administration", "Administration"
    CONTROLE_DOUBLON = "doublon", "Contrôle de doublon (identitovigilance)"
    RECHERCHE = "recherche", "Recherche de personnes"
    REFUS = "refus", "Accès refusé"


class JournalAcces(models.Model):
    """Append-only journal of reads of sensitive pages, exports, prints and break-the-glass.

    The application role may only INSERT and SELECT (grants in ``dui.db``) and a trigger refuses UPDATE
    and DELETE for every role, so an entry cannot be altered after the fact.
    """

    organisme = models.ForeignKey(OrganismeGestionnaire, on_delete=models.PROTECT, related_name="+")
    horodatage = models.DateTimeField(auto_now_add=True)
    professionnel = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    type_acces = models.CharField(max_length=20, choices=TypeAcces.choices)
    objet_type = models.CharField(max_length=60)
    objet_id = models.UUIDField(null=True, blank=True)
    libelle = models.CharField(max_length=255)
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adresse_ip = models.GenericIPAddressField(null=True, blank=True)
    chemin = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "entrée du journal des accès"
        ordering = ["-horodatage", "-id"]
        indexes = [
            models.Index(fields=["organisme", "-horodatage"], name="journal_org_date_idx"),
            models.Index(fields=["organisme", "professionnel", "-horodatage"], name="journal_org_pro_idx"),
            models.Index(fields=["organisme", "objet_id"], name="journal_org_objet_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.professionnel_id} {self.type_acces} {self.libelle}"


class StatutExport(models.TextChoices):
    EN_ATTENTE = "en_attente", "En préparation"
    TERMINE = "termine", "Prêt"
    ECHEC = "echec", "Échec"


class ExportJournal(TenantModel):
    """An export of the access journal, produced by a worker (never in the request)."""

    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filtres = models.JSONField(default=dict)
    statut = models.CharField(max_length=20, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE)
    fichier = models.CharField(max_length=300, blank=True)
    nb_lignes = models.PositiveIntegerField(default=0)
    erreur = models.TextField(blank=True)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "export du journal des accès"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["organisme", "-cree_le"], name="export_journal_org_idx")]

    def __str__(self) -> str:
        return f"Export du journal du {self.cree_le:%d/%m/%Y %H:%M}"


class ExportListe(TenantModel):
    """A list exported as CSV and XLSX by a worker (``dui.listes``): exactly the rows its requester may see,
    read again with his rights when it is produced; downloadable by him only."""

    liste = models.CharField(max_length=40)
    titre = models.CharField(max_length=200)
    parametres = models.JSONField(default=dict, blank=True)
    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(max_length=20, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE)
    progression = models.PositiveSmallIntegerField(default=0)
    lignes = models.PositiveIntegerField(default=0)
    fichier_csv = models.FileField(max_length=200, blank=True)
    fichier_xlsx = models.FileField(max_length=200, blank=True)
    erreur = models.CharField(max_length=500, blank=True)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "export de liste"
        ordering = ["-cree_le", "-id"]
        indexes = [models.Index(fields=["organisme", "demandeur", "-cree_le"], name="export_liste_org_idx")]

    def __str__(self) -> str:
        return f"{self.titre} ({self.cree_le:%d/%m/%Y %H:%M})"
