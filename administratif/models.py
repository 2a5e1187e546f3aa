"""The administrative side of the ANAP map (issue 18): the monthly presence record that billing needs.

No invoicing engine: the DUI says, per ESMS and month, who was there, how many days, which absences and
which of them change what is billed, and the GIR for the dépendance tariff; the accounting software bills.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

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
