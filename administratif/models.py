"""The administrative side of the ANAP map (issue 18): the monthly presence record that billing needs.

No invoicing engine: the DUI says, per ESMS and month, who was there, how many days, which absences and
which of them change what is billed, and the GIR for the dépendance tariff; the accounting software bills.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dui.categories import Categorie
from dui.models import Etablissement, StatutExport, TenantModel, tenant_history


class ParametresFacturation(TenantModel):
    """Billing settings of one ESMS. The absence threshold comes from the CASF, art. R314-204: in an EHPAD
    (and the establishments of the 6° and 7° of L312-1 I, USLD), the daily accommodation tariff is reduced
    for absences of **more than 72 hours** — by the meal and hotel costs set by the departmental social aid
    regulation, or by the hospital daily charge for a hospitalisation. A department's regulation or the
    contrat de séjour may set another threshold: it is a setting of the ESMS."""

    etablissement = models.OneToOneField(Etablissement, on_delete=models.PROTECT, related_name="+")
    seuil_absence_heures = models.PositiveSmallIntegerField(
        "seuil d'absence (heures)",
        default=72,
        validators=[MinValueValidator(24), MaxValueValidator(24 * 60)],
        help_text="Une absence plus longue change ce qui est facturé à partir de ce seuil (72 h : CASF, art. "
        "R314-204). Compté en journées entières.",
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "paramètres de facturation"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="param_fact_org_etab_idx")]

    def __str__(self) -> str:
        return f"Facturation de {self.etablissement}"

    @property
    def franchise_jours(self) -> int:
        """Whole days of absence still billed as usual (72 h → 3 days)."""
        return self.seuil_absence_heures // 24


class ExportPresence(TenantModel):
    """A month of presence of one ESMS for billing, produced by a worker (CSV and XLSX), with its progress."""

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    mois = models.DateField(help_text="Premier jour du mois.")
    seuil_absence_heures = models.PositiveSmallIntegerField()
    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(max_length=20, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE)
    progression = models.PositiveSmallIntegerField(default=0)
    personnes = models.PositiveIntegerField(default=0)
    fichier_csv = models.FileField(max_length=200, blank=True)
    fichier_xlsx = models.FileField(max_length=200, blank=True)
    totaux = models.JSONField(default=dict, blank=True)
    erreur = models.CharField(max_length=500, blank=True)
    termine_le = models.DateTimeField(null=True, blank=True)

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "relevé de présence"
        ordering = ["-cree_le", "-id"]
        indexes = [
            models.Index(
                fields=["organisme", "etablissement", "-cree_le"], name="export_presence_org_etab_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Présence de {self.mois:%m/%Y}"


class TypeDroit(models.TextChoices):
    APA = "apa", "APA (allocation personnalisée d'autonomie)"
    ASH = "ash", "Aide sociale à l'hébergement"
    PCH = "pch", "PCH (prestation de compensation du handicap)"
    AAH = "aah", "AAH (allocation aux adultes handicapés)"
    LOGEMENT = "logement", "Allocation logement (APL, ALS)"
    ORIENTATION = "orientation", "Orientation CDAPH"
    AUTRE = "autre", "Autre droit ou aide"


# How long before the end of its validity a right is to be renewed (the home page reminds it): the
# CDAPH asks for a renewal request 6 months ahead (a PCH, an AAH, an orientation); the APA and the aide
# sociale follow the department's own delays, 3 months is the usual notice.
PREAVIS_RENOUVELLEMENT = {
    TypeDroit.APA: 90,
    TypeDroit.ASH: 90,
    TypeDroit.PCH: 180,
    TypeDroit.AAH: 180,
    TypeDroit.LOGEMENT: 60,
    TypeDroit.ORIENTATION: 180,
    TypeDroit.AUTRE: 60,
}


class DroitAide(TenantModel):
    """A right or an aid of the person (APA linked to the GIR, aide sociale à l'hébergement, PCH, AAH,
    allocation logement, the CDAPH orientation): its dates, amount or rate when known, the decision's
    reference and the supporting document filed in the dossier."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="droits_aides")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    type_droit = models.CharField("droit ou aide", max_length=20, choices=TypeDroit.choices)
    libelle = models.CharField("précision", max_length=200, blank=True)
    organisme_payeur = models.CharField(
        "décidé par", max_length=120, blank=True, help_text="Département, MDPH, CAF, MSA…"
    )
    reference = models.CharField("n° de décision", max_length=60, blank=True)
    debut = models.DateField("valable du")
    fin = models.DateField("au", null=True, blank=True, help_text="Vide : sans limite de durée.")
    montant = models.DecimalField(
        "montant mensuel (€)", max_digits=9, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    taux = models.DecimalField(
        "taux (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Taux de prise en charge ou de participation, s'il est connu.",
    )  # fmt: skip
    gir = models.PositiveSmallIntegerField(
        "GIR retenu", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    orientation = models.CharField(
        "orientation",
        max_length=120,
        blank=True,
        help_text="Pour une décision CDAPH : MAS, FAM, IME, SESSAD…",
    )
    justificatif = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="justificatif (document du dossier)",
    )  # fmt: skip
    commentaire = models.CharField(max_length=300, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "droit ou aide"
        verbose_name_plural = "droits et aides"
        ordering = ["type_droit", "-debut"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-debut"], name="droit_org_usager_idx"),
            models.Index(fields=["organisme", "etablissement", "fin"], name="droit_org_etab_fin_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fin__isnull=True) | models.Q(fin__gte=models.F("debut")),
                name="droit_fin_apres_debut",
                violation_error_message="La fin de validité ne peut pas précéder son début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_droit_display()} du {self.debut:%d/%m/%Y}"

    @property
    def preavis_jours(self) -> int:
        return PREAVIS_RENOUVELLEMENT.get(TypeDroit(self.type_droit), 60)

    def a_renouveler(self, jour) -> bool:
        import datetime

        return self.fin is not None and jour <= self.fin <= jour + datetime.timedelta(days=self.preavis_jours)

    def expire(self, jour) -> bool:
        return self.fin is not None and self.fin < jour


# --- Contrat de séjour / DIPC -----------------------------------------------------------------------------


class GenreContrat(models.TextChoices):
    CONTRAT = "contrat", "Contrat de séjour"
    DIPC = "dipc", "Document individuel de prise en charge (DIPC)"
    AVENANT = "avenant", "Avenant"


class ModeleContrat(TenantModel):
    """A template of the organisme: a text with variables (``{{ nom }}``…, listed beside the editor) that a
    contract, a DIPC or an avenant is made from."""

    nom = models.CharField(max_length=120)
    genre = models.CharField(max_length=10, choices=GenreContrat.choices, default=GenreContrat.CONTRAT)
    corps = models.TextField(
        help_text="Texte du document. Une ligne commençant par « # » est un titre ; une ligne vide sépare les "
        "paragraphes ; {{ variable }} est remplacée par la donnée de la personne."
    )
    actif = models.BooleanField(default=True)
    history = tenant_history()

    etablissement_path = None  # the organisme's

    class Meta:
        verbose_name = "modèle de contrat"
        ordering = ["genre", "nom"]
        indexes = [models.Index(fields=["organisme", "genre"], name="modele_contrat_org_idx")]

    def __str__(self) -> str:
        return self.nom


class QualiteSignataire(models.TextChoices):
    PERSONNE = "personne", "La personne accueillie"
    REPRESENTANT = "representant", "Son représentant légal"
    MANDATAIRE = "mandataire", "Son mandataire judiciaire (curatelle, tutelle)"


class ModeSignature(models.TextChoices):
    TABLETTE = "tablette", "Signée sur tablette"
    SCAN = "scan", "Copie signée scannée"


class Contrat(TenantModel):
    """A contrat de séjour, a DIPC or an avenant of one séjour: its text frozen when it is drawn up, the
    date it was handed to the person, its signature (on a tablet, sealed by a hash, or a scanned signed
    copy) or the person's refusal. Never deleted: a new version or an avenant follows."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="contrats")
    sejour = models.ForeignKey("usagers.Sejour", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    genre = models.CharField(max_length=10, choices=GenreContrat.choices)
    modele = models.ForeignKey(
        ModeleContrat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    avenant_de = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="avenants"
    )
    titre = models.CharField(max_length=200)
    texte = models.TextField()
    redige_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    remis_le = models.DateField("remis le", null=True, blank=True)
    remis_a = models.CharField("remis à", max_length=120, blank=True)
    signe_le = models.DateTimeField(null=True, blank=True)
    signataire = models.CharField(max_length=120, blank=True)
    qualite_signataire = models.CharField(max_length=20, choices=QualiteSignataire.choices, blank=True)
    mode_signature = models.CharField(max_length=10, choices=ModeSignature.choices, blank=True)
    signature = models.FileField(max_length=200, blank=True)
    empreinte = models.CharField("empreinte SHA-256 du contenu signé", max_length=64, blank=True)
    document_signe = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refus_le = models.DateField(null=True, blank=True)
    refus_motif = models.CharField(max_length=300, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"
    champs_derives = ("signature",)  # in the signed PDF

    class Meta:
        verbose_name = "contrat de séjour ou DIPC"
        ordering = ["-cree_le", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-cree_le"], name="contrat_org_usager_idx"),
            models.Index(fields=["organisme", "etablissement", "sejour"], name="contrat_org_etab_idx"),
        ]

    def __str__(self) -> str:
        return self.titre

    @property
    def signe(self) -> bool:
        return self.signe_le is not None


class GenreRemise(models.TextChoices):
    LIVRET = "livret", "Livret d'accueil"
    CHARTE = "charte", "Charte des droits et libertés de la personne accueillie"
    REGLEMENT = "reglement", "Règlement de fonctionnement"


class RemiseDocument(TenantModel):
    """A document handed at admission (CASF, art. L311-4), with its date."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    sejour = models.ForeignKey("usagers.Sejour", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    genre = models.CharField(max_length=20, choices=GenreRemise.choices)
    remis_le = models.DateField("remis le")
    remis_a = models.CharField("remis à", max_length=120, blank=True)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "document remis à l'admission"
        ordering = ["genre"]
        indexes = [models.Index(fields=["organisme", "sejour"], name="remise_org_sejour_idx")]
        constraints = [models.UniqueConstraint(fields=["sejour", "genre"], name="remise_une_par_sejour")]

    def __str__(self) -> str:
        return f"{self.get_genre_display()} remis le {self.remis_le:%d/%m/%Y}"
