"""RGPD lifecycle of the dossiers: the right of access (article 15) and portability (article 20)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
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


class NatureDonnees(models.TextChoices):
    DOSSIER = "dossier", "Dossier administratif, social et d'accompagnement"
    SANTE = "sante", "Données de santé (soins, médical, médicaments)"


# Defaults, with their source. The organisme (its DPO) may set other periods; the sources stay shown.
REGLES_PAR_DEFAUT: dict[str, dict[str, Any]] = {
    NatureDonnees.DOSSIER: {
        "archivage_apres_mois": 24,
        "conservation_annees": 5,
        "source": (
            "CNIL, référentiel « accueil, hébergement et accompagnement social et médico-social » "
            "(délibération n° 2021-028 du 11 mars 2021) : base active jusqu'à 2 ans après le dernier contact ; "
            "référentiel « durées de conservation » du secteur social et médico-social (délibération "
            "n° 2023-095 du 14 septembre 2023) ; archivage intermédiaire de 5 ans, durée de la prescription "
            "de droit commun (code civil, art. 2224)."
        ),
    },
    NatureDonnees.SANTE: {
        "archivage_apres_mois": 24,
        "conservation_annees": 20,
        "source": (
            "Code de la santé publique, art. R1112-7, appliqué par analogie (recommandation CNIL, "
            "délibération n° 2023-095) : 20 ans après le dernier séjour, au moins jusqu'au 28e anniversaire, "
            "10 ans après le décès s'il survient moins de 10 ans après le dernier séjour."
        ),
    },
}


class RegleConservation(TenantModel):
    """The organisme's retention period for one kind of data (defaults: REGLES_PAR_DEFAUT)."""

    nature = models.CharField(max_length=20, choices=NatureDonnees.choices)
    archivage_apres_mois = models.PositiveSmallIntegerField(
        "archivage (mois après la fin du dernier séjour)", validators=[MinValueValidator(1)]
    )
    conservation_annees = models.PositiveSmallIntegerField(
        "conservation (années après la fin du dernier séjour)", validators=[MinValueValidator(1)]
    )
    source = models.TextField("source ou justification")

    etablissement_path = None

    class Meta:
        verbose_name = "règle de conservation"
        constraints = [
            models.UniqueConstraint(fields=["organisme", "nature"], name="regle_conservation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} : {self.conservation_annees} ans"
