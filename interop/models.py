"""The outbox of the national exchanges (ARCHITECTURE.md §5).

An ``Envoi`` is written in the same transaction as the request that asks for it; a Celery relay sends it
(``interop.relais``), retries with an exponential backoff and ends "envoyé" or "échec". The idempotency key
travels with the exchange (the XDS submission set and document uniqueIds, the mail's Message-ID, the FHIR
Bundle identifier), so a second delivery after a worker died is recognised by the receiver.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dui.categories import Categorie
from dui.models import Etablissement, TenantModel, tenant_history


class TypeEnvoi(models.TextChoices):
    DMP = "dmp", "DMP (Mon espace santé)"
    MSSANTE = "mssante", "Messagerie sécurisée de santé"
    FHIR = "fhir", "Export FHIR (TDDUI)"


class StatutEnvoi(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    ENVOYE = "envoye", "Envoyé"
    ECHEC = "echec", "Échec"
    ANNULE = "annule", "Annulé"


class Masquage(models.TextChoices):
    """DMP confidentiality codes (code system 1.2.250.1.213.1.1.4.13), on top of ``N``."""

    MASQUE_PS = "MASQUE_PS", "Masqué aux professionnels de santé"
    INVISIBLE_PATIENT = "INVISIBLE_PATIENT", "Non visible par la personne"
    INVISIBLE_REPRESENTANTS_LEGAUX = (
        "INVISIBLE_REPRESENTANTS_LEGAUX",
        "Non visible par les représentants légaux",
    )


class Envoi(TenantModel):
    categorie_donnees = Categorie.DOCUMENTS
    type_envoi = models.CharField("service", max_length=10, choices=TypeEnvoi.choices)
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="envois")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="envois"
    )
    destinataire = models.CharField(
        max_length=254,
        blank=True,
        help_text="Adresse MSSanté, ou vide pour le DMP et l'entrepôt FHIR configurés.",
    )
    libelle_destinataire = models.CharField(max_length=200, blank=True)
    masquage = models.JSONField(default=list, blank=True)
    cle_idempotence = models.CharField("clé d'idempotence", max_length=120)
    statut = models.CharField(max_length=12, choices=StatutEnvoi.choices, default=StatutEnvoi.EN_ATTENTE)
    tentatives = models.PositiveSmallIntegerField(default=0)
    prochain_essai = models.DateTimeField("prochain essai")
    derniere_erreur = models.CharField("dernière erreur", max_length=500, blank=True)
    reponse = models.CharField("accusé du destinataire", max_length=300, blank=True)
    envoye_le = models.DateTimeField(null=True, blank=True)
    demande_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Qui a relancé ou annulé.",
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "envoi"
        ordering = ["-cree_le", "-id"]
        indexes = [
            models.Index(fields=["organisme", "statut", "prochain_essai"], name="envoi_org_relais_idx"),
            models.Index(fields=["organisme", "etablissement", "-cree_le"], name="envoi_org_etab_idx"),
            models.Index(fields=["organisme", "document"], name="envoi_org_document_idx"),
            models.Index(fields=["organisme", "usager"], name="envoi_org_usager_idx"),
        ]
        constraints = [
            # One live exchange per key: asking twice for the same thing is refused, a cancelled one may be
            # asked again.
            models.UniqueConstraint(
                fields=["organisme", "cle_idempotence"],
                condition=~Q(statut="annule"),
                name="envoi_cle_unique_hors_annule",
            ),
            models.CheckConstraint(
                condition=~Q(type_envoi="mssante") | ~Q(destinataire=""), name="envoi_mss_a_un_destinataire"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_envoi_display()} — {self.get_statut_display().lower()}"

    @property
    def masquage_libelles(self) -> list[str]:
        return [Masquage(m).label if m in Masquage.values else m for m in self.masquage]

    @property
    def modifiable(self) -> bool:
        return self.statut in (StatutEnvoi.EN_ATTENTE, StatutEnvoi.ECHEC)
