"""The partner directory of an organisme: external professionals and structures the teams work with
(médecins, hôpitaux, SSIAD, pharmacies, laboratoires, MDPH, services mandataires, tribunal…), typed once and
referenced by the agenda (``coordination``), the person's intervenants (``soins``) and the MSSanté recipient
picker (``interop``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from dui.categories import Categorie
from dui.models import TenantModel, tenant_history

from . import identifiants


class GenrePartenaire(models.TextChoices):
    MEDECIN = "medecin", "Médecin"
    PARAMEDICAL = "paramedical", "Professionnel paramédical (kiné, orthophoniste, pédicure…)"
    HOPITAL = "hopital", "Hôpital, clinique"
    SSIAD = "ssiad", "SSIAD, SAAD, service à domicile"
    PHARMACIE = "pharmacie", "Pharmacie"
    LABORATOIRE = "laboratoire", "Laboratoire, imagerie"
    MDPH = "mdph", "MDPH"
    MANDATAIRE = "mandataire", "Service mandataire, tuteur"
    TRIBUNAL = "tribunal", "Tribunal, juge"
    TRANSPORT = "transport", "Taxi, ambulance"
    AUTRE = "autre", "Autre"


class Partenaire(TenantModel):
    """One external professional or structure, shared by the organisme's ESMS (organisme-wide: no
    ``etablissement``). Never deleted: a partner no longer used is made inactive."""

    categorie_donnees = Categorie.COORDINATION

    genre = models.CharField(max_length=20, choices=GenrePartenaire.choices)
    nom = models.CharField("nom", max_length=200)
    specialite = models.CharField("spécialité ou service", max_length=150, blank=True)
    rpps = models.CharField("RPPS", max_length=11, blank=True)
    finess = models.CharField("FINESS", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    adresse = models.TextField(blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    mssante = models.EmailField("adresse MSSanté", blank=True)
    actif = models.BooleanField(default=True)
    recherche = models.CharField(max_length=600, editable=False, default="")
    history = tenant_history()

    class Meta:
        verbose_name = "partenaire"
        ordering = ["nom"]
        indexes = [models.Index(fields=["organisme", "actif", "nom"], name="partenaire_org_nom_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisme", "rpps"],
                condition=~Q(rpps=""),
                name="partenaire_rpps_unique",
                violation_error_message="Un partenaire de l'annuaire porte déjà ce numéro RPPS.",
            ),
            models.UniqueConstraint(
                fields=["organisme", "finess"],
                condition=~Q(finess=""),
                name="partenaire_finess_unique",
                violation_error_message="Un partenaire de l'annuaire porte déjà ce numéro FINESS.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.specialite})" if self.specialite else self.nom

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.recherche = identifiants.texte_de_recherche(self.nom, self.specialite, self.adresse)[:600]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "recherche"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        erreurs = {}
        self.rpps, self.finess, self.siret = (
            identifiants.normaliser(self.rpps),
            identifiants.normaliser(self.finess),
            identifiants.normaliser(self.siret),
        )
        for champ, verifier in (
            ("rpps", identifiants.erreur_rpps),
            ("finess", identifiants.erreur_finess),
            ("siret", identifiants.erreur_siret),
        ):
            valeur = getattr(self, champ)
            if valeur and (message := verifier(valeur)):
                erreurs[champ] = message
        if erreurs:
            raise ValidationError(erreurs)
