"""Admission requests per ESMS, the waiting list, the commission's decision and the admission itself.

A request concerns a *candidate* (identity typed from the request) or, for a person already followed
in another ESMS of the organisme, their existing dossier. The usager dossier of a new person is created
when the admission is pronounced (with the identitovigilance check), together with the séjour.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dui.categories import Categorie
from dui.models import CategorieESMS, Etablissement, TenantModel, tenant_history
from usagers.models import ModeAccueil, Sexe, Usager, insee_validator


class Origine(models.TextChoices):
    DIRECTE = "directe", "Demande directe"
    VIATRAJECTOIRE = "viatrajectoire", "ViaTrajectoire"
    CDAPH = "cdaph", "Notification CDAPH (MDPH)"


class StatutDemande(models.TextChoices):
    EN_ATTENTE = "en_attente", "Sur liste d'attente"
    AJOURNEE = "ajournee", "Ajournée"
    ACCEPTEE = "acceptee", "Acceptée (admission à prononcer)"
    ADMISE = "admise", "Admise"
    REFUSEE = "refusee", "Refusée"
    ANNULEE = "annulee", "Annulée / désistement"


OUVERTES = (StatutDemande.EN_ATTENTE, StatutDemande.AJOURNEE, StatutDemande.ACCEPTEE)


class Priorite(models.IntegerChoices):
    URGENTE = 1, "Urgente"
    PRIORITAIRE = 2, "Prioritaire"
    NORMALE = 3, "Normale"


class DemandeAdmission(TenantModel):
    categorie_donnees = Categorie.ADMINISTRATIF
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="demandes")
    usager = models.ForeignKey(
        Usager,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes",
        help_text="Dossier existant, ou créé lors de l'admission.",
    )
    # Candidate identity (as on the request)
    nom_naissance = models.CharField("nom de naissance", max_length=100)
    prenoms_naissance = ArrayField(models.CharField(max_length=60), verbose_name="prénoms de naissance")
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField(max_length=1, choices=Sexe.choices)
    lieu_naissance_insee = models.CharField(
        "lieu de naissance (INSEE)", max_length=5, blank=True, validators=[insee_validator]
    )
    contact = models.CharField("contact (demandeur, famille)", max_length=200, blank=True)
    # The request
    origine = models.CharField(max_length=20, choices=Origine.choices)
    reference_viatrajectoire = models.CharField("n° de dossier ViaTrajectoire", max_length=40, blank=True)
    cdaph_numero_decision = models.CharField("n° de décision CDAPH", max_length=40, blank=True)
    cdaph_date_decision = models.DateField("date de la décision CDAPH", null=True, blank=True)
    cdaph_fin_validite = models.DateField("fin de validité de l'orientation", null=True, blank=True)
    orientation = models.CharField(
        "orientation / type d'accueil", max_length=20, choices=CategorieESMS.choices, blank=True
    )
    mode_accueil = models.CharField("mode d'accueil souhaité", max_length=20, choices=ModeAccueil.choices)
    date_reception = models.DateField("reçue le", default=timezone.localdate)
    date_souhaitee = models.DateField("entrée souhaitée", null=True, blank=True)
    priorite = models.PositiveSmallIntegerField(
        "priorité", choices=Priorite.choices, default=Priorite.NORMALE
    )
    statut = models.CharField(max_length=20, choices=StatutDemande.choices, default=StatutDemande.EN_ATTENTE)
    commentaire = models.TextField(blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "demande d'admission"
        verbose_name_plural = "demandes d'admission"
        ordering = ["priorite", "date_reception"]
        indexes = [
            models.Index(
                fields=["organisme", "etablissement", "statut", "priorite", "date_reception"],
                name="demande_org_liste_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origine="cdaph") | ~Q(cdaph_numero_decision=""),
                name="demande_cdaph_numero",
                violation_error_message="Une notification CDAPH a un numéro de décision.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom_naissance.upper()} {' '.join(self.prenoms_naissance)} — {self.etablissement}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("admission:demande", args=[self.public_id])

    @property
    def anciennete_jours(self) -> int:
        return (timezone.localdate() - self.date_reception).days

    @property
    def ouverte(self) -> bool:
        return self.statut in OUVERTES

    def clean(self):
        erreurs = {}
        if self.origine == Origine.CDAPH:
            if not self.cdaph_numero_decision.strip():
                erreurs["cdaph_numero_decision"] = "Indiquez le numéro de la décision CDAPH."
            if not self.cdaph_date_decision:
                erreurs["cdaph_date_decision"] = "Indiquez la date de la décision CDAPH."
        if self.origine == Origine.VIATRAJECTOIRE and not self.reference_viatrajectoire.strip():
            erreurs["reference_viatrajectoire"] = "Indiquez le numéro de dossier ViaTrajectoire."
        if (
            self.cdaph_fin_validite
            and self.cdaph_date_decision
            and self.cdaph_fin_validite < self.cdaph_date_decision
        ):
            erreurs["cdaph_fin_validite"] = "La fin de validité précède la décision."
        if self.date_naissance and self.date_naissance > timezone.localdate():
            erreurs["date_naissance"] = "La date de naissance ne peut pas être dans le futur."
        if erreurs:
            raise ValidationError(erreurs)


class Decision(models.TextChoices):
    ADMIS = "admis", "Admission acceptée"
    REFUSE = "refuse", "Refus"
    AJOURNE = "ajourne", "Ajournement"


class DecisionCommission(TenantModel):
    demande = models.ForeignKey(DemandeAdmission, on_delete=models.CASCADE, related_name="decisions")
    date_commission = models.DateField("date de la commission")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    motif = models.TextField("motif", blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    etablissement_path = "demande__etablissement"

    class Meta:
        verbose_name = "décision de commission"
        ordering = ["-date_commission", "-id"]
        indexes = [models.Index(fields=["organisme", "demande"], name="decision_org_demande_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} le {self.date_commission:%d/%m/%Y}"

    def clean(self):
        if self.decision in (Decision.REFUSE, Decision.AJOURNE) and not self.motif.strip():
            raise ValidationError({"motif": "Le motif est obligatoire pour un refus ou un ajournement."})


def _chemin_piece(instance, nom: str) -> str:
    return f"admission/{instance.organisme_id}/{instance.demande.public_id}/{instance.public_id}-{nom}"


class PieceJointe(TenantModel):
    """A document attached to a request; served only through an access-checked view."""

    demande = models.ForeignKey(DemandeAdmission, on_delete=models.CASCADE, related_name="pieces")
    libelle = models.CharField("libellé", max_length=120)
    fichier = models.FileField(
        upload_to=_chemin_piece,
        max_length=300,
        validators=[
            FileExtensionValidator(["pdf", "jpg", "jpeg", "png"], "Formats acceptés : PDF, JPEG, PNG.")
        ],
    )
    depose_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    etablissement_path = "demande__etablissement"

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["cree_le"]
        indexes = [models.Index(fields=["organisme", "demande"], name="piece_org_demande_idx")]

    def __str__(self) -> str:
        return self.libelle
