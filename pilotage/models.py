"""Pilotage: what the director records for the indicators that the DUI cannot compute from the dossiers.

The coupe Pathos is done by the médecin coordonnateur and validated by the médecin of the ARS (or the
praticien-conseil of the assurance maladie); the DUI records its validated result, per EHPAD, to compute
the GMPS (arrêté du 15 novembre 2013, NOR AFSA1325048A, art. 1: GMPS = GMP + 2,59 × PMP)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from dui.categories import Categorie
from dui.models import Etablissement, StatutExport, TenantModel, tenant_history

# arrêté du 15 novembre 2013 (NOR AFSA1325048A), art. 1: the coefficient applied to the PMP
COEFFICIENT_PMP = Decimal("2.59")


def gmps(gmp: int | None, pmp: int | None) -> int | None:
    """GIR moyen pondéré soins: GMP + 2,59 × PMP, rounded to the point (None when either is missing)."""
    if gmp is None or pmp is None:
        return None
    return int((Decimal(gmp) + COEFFICIENT_PMP * Decimal(pmp)).quantize(Decimal("1")))


class CoupePathos(TenantModel):
    categorie_donnees = Categorie.PILOTAGE

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    date_coupe = models.DateField("date de la coupe")
    pmp = models.PositiveIntegerField(
        "PMP validé",
        help_text="Pathos moyen pondéré validé.",
        validators=[MaxValueValidator(2000, "Le PMP ne dépasse pas 2000 points.")],
    )
    gmp = models.PositiveIntegerField(
        "GMP validé",
        help_text="GIR moyen pondéré validé à la même date.",
        validators=[
            MaxValueValidator(1000, "Le GMP ne dépasse pas 1000 points (tous les résidents en GIR 1).")
        ],
    )
    valide_le = models.DateField("validée le")
    valide_par = models.CharField(
        "validée par",
        max_length=200,
        help_text="Médecin de l'ARS ou praticien-conseil qui a validé la coupe.",
    )
    commentaire = models.TextField(blank=True)
    enregistree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "coupe Pathos"
        verbose_name_plural = "coupes Pathos"
        ordering = ["-date_coupe", "-id"]
        indexes = [
            models.Index(fields=["organisme", "etablissement", "-date_coupe"], name="coupe_org_etab_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "date_coupe"],
                name="coupe_une_par_jour",
                violation_error_message="Une coupe Pathos est déjà enregistrée à cette date pour cet ESMS.",
            ),
            models.CheckConstraint(
                condition=Q(valide_le__gte=models.F("date_coupe")),
                name="coupe_validee_apres",
                violation_error_message="La validation ne peut pas précéder la coupe.",
            ),
            models.CheckConstraint(
                condition=Q(pmp__lte=2000) & Q(gmp__lte=1000),
                name="coupe_valeurs_plausibles",
                violation_error_message="Le PMP ne dépasse pas 2000 points et le GMP 1000.",
            ),
        ]

    def __str__(self) -> str:
        return f"Coupe Pathos du {self.date_coupe:%d/%m/%Y}"

    @property
    def gmps(self) -> int | None:
        return gmps(self.gmp, self.pmp)


class RapportActivite(TenantModel):
    """The annual activity report of one ESMS, produced by a worker: a PDF to read and send, a spreadsheet
    with the tables behind it (and the ANAP indicators), a CSV of the ANAP indicators to type or import."""

    categorie_donnees = Categorie.PILOTAGE

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(max_length=20, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE)
    progression = models.PositiveSmallIntegerField(default=0)
    fichier_pdf = models.FileField(max_length=200, blank=True)
    fichier_xlsx = models.FileField(max_length=200, blank=True)
    fichier_anap = models.FileField(max_length=200, blank=True)
    erreur = models.CharField(max_length=500, blank=True)
    termine_le = models.DateTimeField(null=True, blank=True)

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "rapport d'activité"
        ordering = ["-cree_le", "-id"]
        indexes = [
            models.Index(fields=["organisme", "etablissement", "-cree_le"], name="rapport_org_etab_idx")
        ]

    def __str__(self) -> str:
        return f"Rapport d'activité {self.annee}"
