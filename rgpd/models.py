"""RGPD lifecycle of the dossiers: the right of access (article 15) and portability (article 20)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dui.categories import Categorie
from dui.models import StatutExport, TenantModel


class DemandeDroitAcces(TenantModel):
    """A request to gather everything held on one person, produced by a worker as a ZIP that its requester
    (the DPO or a director) downloads once, before it expires."""

    categorie_donnees = Categorie.ADMINISTRATION

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    motif = models.CharField("demande de la personne (référence, date)", max_length=255)
    statut = models.CharField(max_length=20, choices=StatutExport.choices, default=StatutExport.EN_ATTENTE)
    fichier = models.CharField(max_length=300, blank=True)
    taille = models.PositiveBigIntegerField(default=0)
    contenu = models.JSONField(
        default=dict, blank=True, help_text="Rows per section, files, journal entries."
    )
    erreur = models.TextField(blank=True)
    termine_le = models.DateTimeField(null=True, blank=True)
    expire_le = models.DateTimeField(null=True, blank=True)
    telecharge_le = models.DateTimeField(null=True, blank=True)

    etablissement_path = None  # organisme-wide: the DPO's

    class Meta:
        verbose_name = "demande de droit d'accès"
        verbose_name_plural = "demandes de droit d'accès"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["organisme", "demandeur", "-cree_le"], name="rgpd_acces_org_dem_idx")]

    def __str__(self) -> str:
        return f"Droit d'accès du {self.cree_le:%d/%m/%Y}"

    @property
    def telechargeable(self) -> bool:
        from django.utils import timezone

        return (
            self.statut == StatutExport.TERMINE
            and self.telecharge_le is None
            and self.expire_le is not None
            and timezone.now() < self.expire_le
        )
