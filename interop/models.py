"""The outbox of the national exchanges (ARCHITECTURE.md §5).

An ``Envoi`` is written in the same transaction as the request that asks for it; a Celery relay sends it
(``interop.relais``), retries with an exponential backoff and ends "envoyé" or "échec". The idempotency key
travels with the exchange (the XDS submission set and document uniqueIds, the mail's Message-ID, the FHIR
Bundle identifier), so a second delivery after a worker died is recognised by the receiver.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from dui.categories import Categorie
from dui.models import Etablissement, TenantModel, tenant_history


class TypeEnvoi(models.TextChoices):
    DMP = "dmp", "DMP (Mon espace santé)"
    MSSANTE = "mssante", "Messagerie sécurisée de santé"
    FHIR = "fhir", "Export FHIR (TDDUI)"


class OperationEnvoi(models.TextChoices):
    DEPOT = "depot", "Dépôt"
    RETRAIT = "retrait", "Retrait (document saisi par erreur)"


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
    operation = models.CharField(
        "opération", max_length=10, choices=OperationEnvoi.choices, default=OperationEnvoi.DEPOT
    )
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
    # MSSanté: the Message-ID sent, and what the recipient's side sent back (read by the inbox)
    message_id = models.CharField(max_length=250, blank=True)
    remis_le = models.DateTimeField("remis au destinataire le", null=True, blank=True)
    lu_le = models.DateTimeField("lu par le destinataire le", null=True, blank=True)
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
            models.Index(
                fields=["organisme", "message_id"],
                condition=~Q(message_id=""),
                name="envoi_org_message_id_idx",
            ),
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


# --- MSSanté inbox ----------------------------------------------------------------------------------------


class BoiteMssante(TenantModel):
    """The ESMS's application mailbox at its MSSanté operator, read by ``interop.relever`` (IMAP). Its settings
    are audited (history); the state of its relève is in ``ReleveMssante``."""

    categorie_donnees = Categorie.DOCUMENTS
    etablissement = models.OneToOneField(Etablissement, on_delete=models.PROTECT, related_name="+")
    adresse = models.EmailField("adresse de la boîte (BAL applicative)", max_length=254)
    active = models.BooleanField("relève active", default=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "boîte MSSanté"
        constraints = [
            models.UniqueConstraint(fields=["organisme", "adresse"], name="boite_mss_adresse_unique"),
        ]

    def __str__(self) -> str:
        return self.adresse


class ReleveMssante(TenantModel):
    """Where the relève of a mailbox stands — technical state rewritten at every run, not audited: the UIDs
    already read with the server's UIDVALIDITY (a new UIDVALIDITY restarts from the first message, the
    messages already stored are recognised), the last run and its error."""

    boite = models.OneToOneField(BoiteMssante, on_delete=models.CASCADE, related_name="releve")
    uid_validity = models.BigIntegerField(default=0)
    dernier_uid = models.BigIntegerField("dernier UID lu", default=0)
    releve_le = models.DateTimeField("dernière relève", null=True, blank=True)
    derniere_erreur = models.CharField("dernière erreur", max_length=500, blank=True)

    class Meta:
        verbose_name = "relève MSSanté"
        indexes = [models.Index(fields=["organisme", "boite"], name="releve_mss_org_boite_idx")]


class NatureMessage(models.TextChoices):
    DOCUMENT = "document", "Message"
    ACCUSE_LECTURE = "accuse_lecture", "Accusé de lecture"
    AVIS_REMISE = "avis_remise", "Avis de remise"
    NON_REMIS = "non_remis", "Avis de non-remise"


class StatutMessage(models.TextChoices):
    A_CLASSER = "a_classer", "À classer"
    CLASSE = "classe", "Classé dans un dossier"
    ECARTE = "ecarte", "Écarté"
    RATTACHE = "rattache", "Rattaché à un envoi"


def chemin_message(instance: MessageRecu, filename: str) -> str:
    return f"mssante/{instance.organisme_id}/{instance.public_id}.eml"


class MessageRecu(TenantModel):
    """A message read from an ESMS's MSSanté mailbox. The raw message is kept as received (``brut``): a
    malformed attachment is an error shown beside it, never a loss. A document waits "à classer" until a
    professional files it in a dossier (proposed by the INS of its XDM metadata) or sets it aside with a
    reason; a read receipt or a delivery report is attached to the exchange it is about."""

    categorie_donnees = Categorie.DOCUMENTS
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    boite = models.ForeignKey(BoiteMssante, on_delete=models.PROTECT, related_name="messages")
    uid_validity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=250, blank=True)
    expediteur = models.CharField("expéditeur", max_length=254, blank=True)
    sujet = models.CharField(max_length=300, blank=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    recu_le = models.DateTimeField("reçu le")
    texte = models.TextField(blank=True)
    brut = models.FileField("message reçu", upload_to=chemin_message, max_length=200)
    taille = models.PositiveIntegerField(default=0)
    pieces = models.JSONField("pièces jointes", default=list, blank=True)
    nature = models.CharField(max_length=20, choices=NatureMessage.choices, default=NatureMessage.DOCUMENT)
    statut = models.CharField(max_length=12, choices=StatutMessage.choices, default=StatutMessage.A_CLASSER)
    ins = models.CharField("INS (métadonnées XDM)", max_length=15, blank=True)
    oid_ins = models.CharField(max_length=40, blank=True)
    titre_document = models.CharField(max_length=200, blank=True)
    code_type = models.CharField("type de document (LOINC)", max_length=20, blank=True)
    erreur = models.CharField(max_length=500, blank=True)
    usager_propose = models.ForeignKey(
        "usagers.Usager",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="personne reconnue par l'INS",
    )
    usager = models.ForeignKey(
        "usagers.Usager",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages_recus",
        verbose_name="classé dans le dossier de",
    )
    documents = ArrayField(models.UUIDField(), default=list, blank=True)
    envoi = models.ForeignKey(Envoi, on_delete=models.PROTECT, null=True, blank=True, related_name="accuses")
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    traite_le = models.DateTimeField(null=True, blank=True)
    motif = models.CharField("motif", max_length=300, blank=True)
    history = tenant_history(excluded_fields=["texte"])

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "message MSSanté reçu"
        ordering = ["-recu_le", "-id"]
        indexes = [
            models.Index(
                fields=["organisme", "etablissement", "statut", "-recu_le"], name="msg_org_etab_statut_idx"
            ),
            models.Index(fields=["organisme", "usager"], name="msg_org_usager_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["boite", "uid_validity", "uid"], name="msg_uid_unique"),
            # the same message read again (a new UIDVALIDITY, a copy in the mailbox) is stored once
            models.UniqueConstraint(
                fields=["boite", "message_id"], condition=~Q(message_id=""), name="msg_message_id_unique"
            ),
            models.CheckConstraint(
                condition=~Q(statut="classe") | Q(usager__isnull=False), name="msg_classe_a_un_dossier"
            ),
            models.CheckConstraint(
                condition=~Q(statut="ecarte") | ~Q(motif=""), name="msg_ecarte_a_un_motif"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sujet or '(sans objet)'} — {self.expediteur}"

    @property
    def identite_ins(self) -> str:
        from .reception import OIDS_INS_NOMS

        return f"{self.ins} ({OIDS_INS_NOMS.get(self.oid_ins, self.oid_ins)})" if self.ins else ""
