"""Relation usager: the space of the person and their relatives (portal accounts, never professional
ones), what the team opens to each of them, and the secure messages between them and the team.

- ``CompteProche``: a portal account (the person themself or a relative), one organisme, its own login and
  second factor. It is not ``AUTH_USER_MODEL``: a portal session never authenticates a professional.
- ``AccesPortail``: what one account may see of one person, granted by the team with the person's consent
  or under a protection measure that represents the person; revoked at once; every change historised.
- ``Invitation``: a single-use link (only its SHA-256 is stored) that expires.
- ``Fil`` / ``Message`` / ``PieceJointe``: a thread per access (a relative never reads another relative's
  thread), answered by the team of the ESMS, assigned to a referent, read marks on both sides.
- ``PartageDocument``: a document of the dossier the team chose to show in the space.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dui.models import Etablissement, TenantModel, tenant_history
from habilitations.roles import Categorie


class SecondFacteur(models.TextChoices):
    TOTP = "totp", "Application d'authentification (code à 6 chiffres)"
    COURRIEL = "courriel", "Code reçu par e-mail"


class CompteProche(TenantModel):
    """A portal account. Its e-mail is its identifier, unique on the platform (one organisme per
    account: a relative followed by two organismes has two addresses or waits for FranceConnect, where the
    identity will come from the national provider and ``identifiant_externe`` will hold it)."""

    email = models.EmailField("e-mail", unique=True)
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField(max_length=100)
    password = models.CharField(max_length=128, blank=True)
    actif = models.BooleanField(default=True)
    second_facteur = models.CharField(
        "second facteur", max_length=10, choices=SecondFacteur.choices, blank=True
    )
    totp_secret = models.TextField(blank=True)  # encrypted (dui.chiffrement)
    totp_dernier_pas = models.BigIntegerField(default=0)
    code_courriel_empreinte = models.CharField(max_length=64, blank=True)
    code_courriel_expire_le = models.DateTimeField(null=True, blank=True)
    identifiant_externe = models.CharField(
        "identifiant FranceConnect", max_length=100, blank=True, help_text="Réservé : FranceConnect."
    )
    derniere_connexion = models.DateTimeField(null=True, blank=True)
    # no history of its own: an account is its e-mail and its factors; what it may see is historised on its
    # accesses (AccesPortail), and its logins go to the authentication journal

    class Meta:
        verbose_name = "compte de l'espace personne et proches"
        indexes = [models.Index(fields=["organisme", "nom"], name="compte_proche_org_idx")]
        ordering = ["nom", "prenom"]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom.upper()}"

    @property
    def secret_clair(self) -> str:
        from dui.chiffrement import dechiffrer

        return dechiffrer(self.totp_secret) if self.totp_secret else ""


class Qualite(models.TextChoices):
    PERSONNE = "personne", "La personne elle-même"
    PROCHE = "proche", "Un proche, avec l'accord de la personne"
    REPRESENTANT = "representant", "Son représentant légal (mesure de protection)"


class StatutAcces(models.TextChoices):
    INVITE = "invite", "Invitation envoyée"
    ACTIF = "actif", "Actif"
    REVOQUE = "revoque", "Retiré"
    REFUSE = "refuse", "Refusé par la personne"


class AccesPortail(TenantModel):
    """What one account sees of one person. A relative's access needs the person's agreement, recorded
    here; a legal representative's follows an active measure that represents the person (tutelle,
    habilitation familiale, mandat de protection future), checked at every request. A ``REFUSE`` row says
    that the person refused this relative: no access can be granted to them while it stands."""

    categorie_donnees = Categorie.SOCIAL

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="acces_portail")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    proche = models.ForeignKey(
        "usagers.Proche", on_delete=models.PROTECT, null=True, blank=True, related_name="acces_portail"
    )
    compte = models.ForeignKey(
        CompteProche, on_delete=models.PROTECT, null=True, blank=True, related_name="acces"
    )
    qualite = models.CharField("qualité", max_length=20, choices=Qualite.choices)
    statut = models.CharField(max_length=10, choices=StatutAcces.choices, default=StatutAcces.INVITE)
    voir_projet = models.BooleanField("projet personnalisé", default=True)
    voir_agenda = models.BooleanField("rendez-vous et activités", default=True)
    voir_documents = models.BooleanField("documents partagés", default=True)
    messagerie = models.BooleanField("messages avec l'équipe", default=True)
    accord_personne_le = models.DateField("accord de la personne recueilli le", null=True, blank=True)
    accord_modalite = models.CharField("comment", max_length=200, blank=True)
    accorde_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoque_le = models.DateTimeField(null=True, blank=True)
    revoque_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motif = models.CharField("motif", max_length=300, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "accès à l'espace personne et proches"
        verbose_name_plural = "accès à l'espace personne et proches"
        ordering = ["qualite", "id"]
        indexes = [
            models.Index(fields=["organisme", "usager"], name="acces_portail_usager_idx"),
            models.Index(fields=["compte", "statut"], name="acces_portail_compte_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(qualite="proche")
                | ~Q(statut__in=["invite", "actif"])
                | Q(accord_personne_le__isnull=False),
                name="acces_proche_accord",
                violation_error_message="L'accès d'un proche demande l'accord de la personne.",
            ),
            models.CheckConstraint(
                condition=Q(qualite="personne") | Q(proche__isnull=False),
                name="acces_proche_designe",
                violation_error_message="Choisissez le proche dans l'entourage de la personne.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="revoque") | Q(revoque_le__isnull=False),
                name="acces_revoque_date",
            ),
            models.UniqueConstraint(
                fields=["usager", "proche"],
                condition=Q(statut__in=["invite", "actif", "refuse"]),
                name="acces_un_par_proche",
                violation_error_message="Ce proche a déjà un accès (ou un refus de la personne) en cours.",
            ),
            models.UniqueConstraint(
                fields=["usager"],
                condition=Q(qualite="personne", statut__in=["invite", "actif"]),
                name="acces_un_pour_la_personne",
                violation_error_message="La personne a déjà un accès en cours.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.titulaire} — {self.get_qualite_display()}"

    @property
    def titulaire(self) -> str:
        if self.compte_id:
            return str(self.compte)
        return str(self.proche) if self.proche_id else "La personne"

    @property
    def peut_donner_son_accord(self) -> bool:
        """The person or their legal representative gives the agreement on the PP; a relative reads it."""
        return self.qualite in (Qualite.PERSONNE, Qualite.REPRESENTANT)


class Invitation(TenantModel):
    acces = models.ForeignKey(AccesPortail, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail")
    empreinte = models.CharField(max_length=64, unique=True)
    expire_le = models.DateTimeField()
    utilisee_le = models.DateTimeField(null=True, blank=True)
    annulee_le = models.DateTimeField(null=True, blank=True)
    creee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "invitation"
        indexes = [models.Index(fields=["organisme", "acces"], name="invitation_org_idx")]
        ordering = ["-cree_le"]

    @property
    def valable(self) -> bool:
        return self.utilisee_le is None and self.annulee_le is None and timezone.now() < self.expire_le


class Fil(TenantModel):
    """A conversation between one access (the person or one relative) and the team of the ESMS."""

    categorie_donnees = Categorie.SOCIAL

    acces = models.ForeignKey(AccesPortail, on_delete=models.PROTECT, related_name="fils")
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="fils_relation")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    objet = models.CharField(max_length=150)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="référent",
    )
    dernier_message_le = models.DateTimeField(default=timezone.now)
    non_lus_equipe = models.PositiveIntegerField(default=0)  # messages of the relative not yet read
    clos_le = models.DateTimeField(null=True, blank=True)
    # no history: the messages are the trace (never edited, each with its author and time)

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "fil de messages"
        verbose_name_plural = "fils de messages"
        ordering = ["-dernier_message_le"]
        indexes = [
            models.Index(fields=["organisme", "etablissement", "-dernier_message_le"], name="fil_boite_idx"),
            models.Index(fields=["organisme", "usager"], name="fil_usager_idx"),
            models.Index(fields=["acces", "-dernier_message_le"], name="fil_acces_idx"),
        ]

    def __str__(self) -> str:
        return self.objet

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("relation:fil", args=[self.public_id])


class Message(TenantModel):
    categorie_donnees = Categorie.SOCIAL

    fil = models.ForeignKey(Fil, on_delete=models.CASCADE, related_name="messages")
    auteur_compte = models.ForeignKey(
        CompteProche, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    auteur_pro = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    texte = models.TextField("message")
    envoye_le = models.DateTimeField(default=timezone.now)
    lu_le = models.DateTimeField("lu le", null=True, blank=True)  # by the other side
    classe_le = models.DateTimeField("classé au journal le", null=True, blank=True)

    etablissement_path = "fil__etablissement"

    class Meta:
        verbose_name = "message"
        ordering = ["envoye_le", "id"]
        indexes = [models.Index(fields=["organisme", "fil", "envoye_le"], name="message_fil_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(auteur_compte__isnull=True, auteur_pro__isnull=False)
                | Q(auteur_compte__isnull=False, auteur_pro__isnull=True),
                name="message_un_auteur",
            ),
        ]

    @property
    def de_l_equipe(self) -> bool:
        return self.auteur_pro_id is not None

    @property
    def auteur(self) -> str:
        if self.auteur_pro is not None:
            return self.auteur_pro.get_full_name() or str(self.auteur_pro)
        return str(self.auteur_compte)


def _chemin_piece(instance: PieceJointe, nom: str) -> str:
    return f"relation/{instance.organisme_id}/{instance.public_id}.bin"


class PieceJointe(TenantModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="pieces")
    fichier = models.FileField(upload_to=_chemin_piece, max_length=200)
    nom = models.CharField(max_length=200)
    type_mime = models.CharField(max_length=60)
    taille = models.PositiveIntegerField()

    etablissement_path = "message__fil__etablissement"

    class Meta:
        verbose_name = "pièce jointe"
        indexes = [models.Index(fields=["organisme", "message"], name="piece_message_org_idx")]
        ordering = ["id"]


class PartageDocument(TenantModel):
    """A document of the dossier shown in the space of the person and their relatives (those whose access
    shows documents), until the team withdraws it."""

    categorie_donnees = Categorie.DOCUMENTS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="partages")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="partages")
    partage_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retire_le = models.DateTimeField(null=True, blank=True)
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "document__etablissement"

    class Meta:
        verbose_name = "document partagé"
        verbose_name_plural = "documents partagés"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["organisme", "usager"], name="partage_usager_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(retire_le__isnull=True),
                name="partage_unique",
                violation_error_message="Ce document est déjà partagé.",
            ),
        ]


# --- Réclamations et plaintes ------------------------------------------------------------------------------

# Practice of the sector, set here and shown to the team: an acknowledgment within 8 days, an answer within
# two months (the delay after which an administration's silence is an answer, CRPA L231-4, taken as the outer
# bound of a reasonable answer).
DELAI_ACCUSE_JOURS = 8
DELAI_REPONSE_JOURS = 60


class CanalReclamation(models.TextChoices):
    PORTAIL = "portail", "Espace personne et proches"
    TELEPHONE = "telephone", "Téléphone"
    COURRIER = "courrier", "Courrier"
    COURRIEL = "courriel", "E-mail"
    ORAL = "oral", "Sur place, oralement"


class StatutReclamation(models.TextChoices):
    RECUE = "recue", "Reçue"
    EN_ANALYSE = "en_analyse", "En analyse"
    REPONDUE = "repondue", "Réponse envoyée"
    CLOSE = "close", "Close"


class Reclamation(TenantModel):
    categorie_donnees = Categorie.PILOTAGE

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, null=True, blank=True, related_name="reclamations",
        verbose_name="personne concernée",
    )  # fmt: skip
    acces = models.ForeignKey(
        AccesPortail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    canal = models.CharField(max_length=12, choices=CanalReclamation.choices)
    auteur = models.CharField("qui réclame", max_length=200)
    coordonnees = models.CharField("adresse, e-mail ou téléphone pour la réponse", max_length=300, blank=True)
    recue_le = models.DateField("reçue le")
    objet = models.CharField(max_length=200)
    description = models.TextField("ce qui est reproché ou demandé")
    statut = models.CharField(
        max_length=12, choices=StatutReclamation.choices, default=StatutReclamation.RECUE
    )
    enregistree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accuse_le = models.DateField("accusé de réception le", null=True, blank=True)
    analyse = models.TextField(blank=True)
    reponse = models.TextField("réponse", blank=True)
    repondue_le = models.DateField("réponse envoyée le", null=True, blank=True)
    repondue_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_le = models.DateField("close le", null=True, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "réclamation"
        ordering = ["-recue_le", "-id"]
        indexes = [models.Index(fields=["organisme", "etablissement", "statut"], name="reclamation_etab_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(statut__in=["repondue", "close"])
                | (Q(repondue_le__isnull=False) & ~Q(reponse="")),
                name="reclamation_reponse",
                violation_error_message="Une réclamation répondue porte sa réponse et sa date.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="close") | Q(close_le__isnull=False), name="reclamation_close_date"
            ),
        ]

    def __str__(self) -> str:
        return self.objet

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("relation:reclamation", args=[self.public_id])

    @property
    def echeance_accuse(self):
        import datetime

        return self.recue_le + datetime.timedelta(days=DELAI_ACCUSE_JOURS)

    @property
    def echeance_reponse(self):
        import datetime

        return self.recue_le + datetime.timedelta(days=DELAI_REPONSE_JOURS)


# --- Événements indésirables ---------------------------------------------------------------------------------


class TypeEvenement(models.TextChoices):
    CHUTE = "chute", "Chute"
    MEDICAMENT = "medicament", "Erreur ou incident médicamenteux"
    SOINS = "soins", "Incident lié aux soins"
    FUGUE = "fugue", "Disparition inquiétante / fugue"
    MALTRAITANCE = "maltraitance", "Suspicion de maltraitance ou de violence"
    INFECTION = "infection", "Infection, épidémie"
    COMPORTEMENT = "comportement", "Comportement violent d'une personne accompagnée"
    MATERIEL = "materiel", "Matériel, bâtiment, sécurité"
    ORGANISATION = "organisation", "Organisation, continuité du service"
    AUTRE = "autre", "Autre"


class Gravite(models.IntegerChoices):
    """The five-level scale of gravity used by the HAS for the analysis of adverse events."""

    MINEURE = 1, "1 — Mineure"
    SIGNIFICATIVE = 2, "2 — Significative"
    MAJEURE = 3, "3 — Majeure"
    CRITIQUE = 4, "4 — Critique"
    CATASTROPHIQUE = 5, "5 — Catastrophique"


class StatutEvenementIndesirable(models.TextChoices):
    DECLARE = "declare", "Déclaré"
    EN_ANALYSE = "en_analyse", "En analyse"
    ACTIONS = "actions", "Actions correctives en cours"
    CLOS = "clos", "Clos"


# The transitions a database trigger allows (relation.migrations): forward only, closure from the analysis
# or the actions, nothing after the closure.
TRANSITIONS_EI = {
    "declare": {"en_analyse"},
    "en_analyse": {"actions", "clos"},
    "actions": {"clos"},
    "clos": set(),
}


class EvenementIndesirable(TenantModel):
    """A fiche d'événement indésirable: declared by any professional of the ESMS, analysed by the
    encadrement (pilotage), with corrective actions; an EIGS (CSP R1413-67) or a dysfunction that must be
    reported (CASF L331-8-1) gets its structured declaration to the ARS."""

    categorie_donnees = Categorie.PILOTAGE

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, null=True, blank=True, related_name="evenements_indesirables",
        verbose_name="personne accompagnée concernée",
    )  # fmt: skip
    declarant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    survenu_le = models.DateTimeField("survenu le")
    lieu = models.CharField(max_length=200)
    type_evenement = models.CharField("nature", max_length=20, choices=TypeEvenement.choices)
    personnes_impliquees = models.CharField(
        "autres personnes impliquées", max_length=300, blank=True, help_text="Fonctions plutôt que noms."
    )
    description = models.TextField("ce qui s'est passé")
    actions_immediates = models.TextField("mesures prises immédiatement")
    consequences = models.TextField("conséquences pour la personne", blank=True)
    statut = models.CharField(
        max_length=12, choices=StatutEvenementIndesirable.choices, default=StatutEvenementIndesirable.DECLARE
    )
    gravite = models.PositiveSmallIntegerField("gravité", choices=Gravite.choices, null=True, blank=True)
    causes = models.TextField("causes identifiées", blank=True)
    eigs = models.BooleanField("événement indésirable grave associé aux soins (EIGS)", default=False)
    dysfonctionnement_grave = models.BooleanField(
        "dysfonctionnement grave à signaler (CASF L331-8-1)", default=False
    )
    famille_informee = models.BooleanField("personne ou famille informée", default=False)
    analyse_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declare_ars_le = models.DateField("déclaré à l'ARS le", null=True, blank=True)
    clos_le = models.DateTimeField(null=True, blank=True)
    bilan = models.TextField("bilan à la clôture", blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "événement indésirable"
        verbose_name_plural = "événements indésirables"
        ordering = ["-survenu_le", "-id"]
        indexes = [models.Index(fields=["organisme", "etablissement", "statut"], name="ei_etab_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut="declare") | Q(gravite__isnull=False),
                name="ei_analyse_gravite",
                violation_error_message="L'analyse d'un événement commence par sa gravité.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="clos") | (Q(clos_le__isnull=False) & ~Q(bilan="")),
                name="ei_clos_bilan",
                violation_error_message="La clôture porte sa date et son bilan.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="clos")
                | ~(Q(eigs=True) | Q(dysfonctionnement_grave=True))
                | Q(declare_ars_le__isnull=False),
                name="ei_clos_declare_ars",
                violation_error_message="Un EIGS ou un dysfonctionnement grave se déclare à l'ARS avant la clôture.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_evenement_display()} du {self.survenu_le:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("relation:evenement", args=[self.public_id])

    @property
    def a_declarer(self) -> bool:
        return self.eigs or self.dysfonctionnement_grave


class ActionCorrective(TenantModel):
    evenement = models.ForeignKey(EvenementIndesirable, on_delete=models.CASCADE, related_name="actions")
    libelle = models.CharField("action", max_length=300)
    responsable = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    echeance = models.DateField("échéance")
    realisee_le = models.DateField("réalisée le", null=True, blank=True)
    history = tenant_history()

    etablissement_path = "evenement__etablissement"

    class Meta:
        verbose_name = "action corrective"
        indexes = [models.Index(fields=["organisme", "evenement"], name="action_corrective_org_idx")]
        ordering = ["echeance", "id"]


# --- Conseil de la vie sociale (CASF L311-6, D311-3 à D311-20, réformés par le décret 2022-688) -------------

# D311-16: the council meets at least three times a year.
REUNIONS_CVS_PAR_AN = 3
# D311-8 (as reformed in 2022): a mandate lasts three years at most (the règlement intérieur sets it), renewable.
MANDAT_CVS_MAX_ANS = 3


class CollegeCVS(models.TextChoices):
    PERSONNES = "personnes", "Représentant des personnes accompagnées"
    FAMILLES = "familles", "Représentant des familles ou des représentants légaux"
    PROFESSIONNELS = "professionnels", "Représentant des professionnels"
    ORGANISME = "organisme", "Représentant de l'organisme gestionnaire"
    AUTRE = "autre", "Autre membre (mandataire judiciaire, bénévole, représentant de la commune…)"


class FonctionCVS(models.TextChoices):
    PRESIDENT = "president", "Président(e)"
    VICE_PRESIDENT = "vice_president", "Vice-président(e)"
    TITULAIRE = "titulaire", "Membre titulaire"
    SUPPLEANT = "suppleant", "Membre suppléant"


class ElectionCVS(TenantModel):
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    college = models.CharField("collège", max_length=20, choices=CollegeCVS.choices)
    date = models.DateField("date du scrutin")
    inscrits = models.PositiveIntegerField()
    votants = models.PositiveIntegerField()
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "élection au CVS"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="election_cvs_org_idx")]
        ordering = ["-date", "college"]
        constraints = [
            models.CheckConstraint(
                condition=Q(votants__lte=models.F("inscrits")),
                name="cvs_votants_inscrits",
                violation_error_message="Il ne peut pas y avoir plus de votants que d'inscrits.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_college_display()} — {self.date:%d/%m/%Y}"

    @property
    def participation(self) -> float | None:
        return round(100 * self.votants / self.inscrits, 1) if self.inscrits else None


class MembreCVS(TenantModel):
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    college = models.CharField("collège", max_length=20, choices=CollegeCVS.choices)
    nom = models.CharField("nom et prénom", max_length=200)
    fonction = models.CharField(max_length=20, choices=FonctionCVS.choices, default=FonctionCVS.TITULAIRE)
    election = models.ForeignKey(
        ElectionCVS,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elus",
        verbose_name="élu(e) au scrutin",
    )
    voix = models.PositiveIntegerField(null=True, blank=True)
    debut_mandat = models.DateField("début du mandat")
    fin_mandat = models.DateField("fin du mandat")
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "membre du CVS"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="membre_cvs_org_idx")]
        verbose_name_plural = "membres du CVS"
        ordering = ["college", "fonction", "nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin_mandat__gt=models.F("debut_mandat")),
                name="cvs_mandat_dates",
                violation_error_message="La fin du mandat suit son début.",
            ),
            models.UniqueConstraint(
                fields=["etablissement"],
                condition=Q(fonction="president"),
                name="cvs_un_president",
                violation_error_message="Le conseil a déjà un(e) président(e) : mettez fin à son mandat d'abord.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_college_display().lower()})"

    def en_cours(self, jour) -> bool:
        return self.debut_mandat <= jour < self.fin_mandat


class StatutReunionCVS(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    TENUE = "tenue", "Tenue"
    ANNULEE = "annulee", "Annulée"


class ReunionCVS(TenantModel):
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="reunions_cvs")
    date = models.DateTimeField("date et heure")
    lieu = models.CharField(max_length=200, blank=True)
    ordre_du_jour = models.TextField("ordre du jour")
    statut = models.CharField(
        max_length=10, choices=StatutReunionCVS.choices, default=StatutReunionCVS.PREVUE
    )
    presents = models.ManyToManyField(
        MembreCVS, through="PresenceCVS", blank=True, related_name="reunions", verbose_name="membres présents"
    )
    compte_rendu = models.TextField("relevé de conclusions", blank=True)
    suites = models.TextField("suites données aux avis précédents", blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "réunion du CVS"
        verbose_name_plural = "réunions du CVS"
        ordering = ["-date"]
        indexes = [models.Index(fields=["organisme", "etablissement", "date"], name="reunion_cvs_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(statut="tenue") | ~Q(compte_rendu=""),
                name="cvs_reunion_tenue_compte_rendu",
                violation_error_message="Une réunion tenue a son relevé de conclusions.",
            ),
        ]

    def __str__(self) -> str:
        return f"CVS du {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("relation:reunion_cvs", args=[self.public_id])


class PresenceCVS(TenantModel):
    """A member present at a meeting (a through table of its own: every tenant row carries its organisme)."""

    reunion = models.ForeignKey(ReunionCVS, on_delete=models.CASCADE, related_name="presences")
    membre = models.ForeignKey(MembreCVS, on_delete=models.PROTECT, related_name="presences")

    etablissement_path = "reunion__etablissement"

    class Meta:
        verbose_name = "présence au CVS"
        indexes = [models.Index(fields=["organisme", "reunion"], name="presence_cvs_org_idx")]
        constraints = [models.UniqueConstraint(fields=["reunion", "membre"], name="cvs_presence_unique")]


# --- Enquêtes de satisfaction --------------------------------------------------------------------------------
# An answer is anonymous: it is stored without its respondent, without a time and under a random key (no
# sequence, no timestamp to line it up with the participation); the participation says only that an account
# answered a campaign (one answer each), without a time either. Nothing is historised here.


class TypeQuestion(models.TextChoices):
    ECHELLE = "echelle", "Satisfaction de 1 à 4"
    OUI_NON = "oui_non", "Oui / non"
    CHOIX = "choix", "Choix dans une liste"
    TEXTE = "texte", "Réponse libre"


ECHELLE_SATISFACTION = {1: "Pas du tout satisfait", 2: "Peu satisfait", 3: "Satisfait", 4: "Très satisfait"}


class Questionnaire(TenantModel):
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    titre = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "questionnaire"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="questionnaire_org_idx")]
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return self.titre


class QuestionEnquete(TenantModel):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    ordre = models.PositiveSmallIntegerField()
    libelle = models.CharField("question", max_length=300)
    type_question = models.CharField("type", max_length=10, choices=TypeQuestion.choices)
    options = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    obligatoire = models.BooleanField(default=False)

    etablissement_path = "questionnaire__etablissement"

    class Meta:
        verbose_name = "question"
        indexes = [models.Index(fields=["organisme", "questionnaire"], name="question_enquete_org_idx")]
        ordering = ["ordre"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "ordre"], name="question_ordre_unique"),
        ]

    def __str__(self) -> str:
        return self.libelle


class PublicEnquete(models.TextChoices):
    PERSONNES = "personnes", "Les personnes accompagnées"
    PROCHES = "proches", "Les proches et représentants"
    TOUS = "tous", "Les personnes et leurs proches"


class Campagne(TenantModel):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="campagnes")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    titre = models.CharField(max_length=200)
    public = models.CharField(max_length=12, choices=PublicEnquete.choices, default=PublicEnquete.TOUS)
    debut = models.DateField("ouverte du")
    fin = models.DateField("au")
    close_le = models.DateTimeField(null=True, blank=True)

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "campagne d'enquête"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="campagne_org_idx")]
        ordering = ["-debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=models.F("debut")),
                name="campagne_dates",
                violation_error_message="La campagne se termine après son ouverture.",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("relation:campagne", args=[self.public_id])

    def ouverte(self, jour) -> bool:
        return self.close_le is None and self.debut <= jour <= self.fin


class ParticipationEnquete(models.Model):
    """That an account answered a campaign (one answer each): no time, no link to the answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisme = models.ForeignKey("dui.OrganismeGestionnaire", on_delete=models.PROTECT, related_name="+")
    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="participations")
    compte = models.ForeignKey(CompteProche, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "participation à une enquête"
        indexes = [models.Index(fields=["organisme", "campagne"], name="participation_enq_org_idx")]
        constraints = [
            models.UniqueConstraint(fields=["campagne", "compte"], name="enquete_participation_unique")
        ]

    def __str__(self) -> str:
        return "Participation"


class SaisieReponse(models.TextChoices):
    EN_LIGNE = "en_ligne", "En ligne"
    PAPIER = "papier", "Questionnaire papier saisi par l'équipe"


class ReponseEnquete(models.Model):
    """One anonymous answer: a random key, its campaign, how it came; no respondent, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisme = models.ForeignKey("dui.OrganismeGestionnaire", on_delete=models.PROTECT, related_name="+")
    campagne = models.ForeignKey(Campagne, on_delete=models.CASCADE, related_name="reponses")
    saisie = models.CharField(max_length=10, choices=SaisieReponse.choices)

    class Meta:
        verbose_name = "réponse à une enquête"
        indexes = [models.Index(fields=["organisme", "campagne"], name="reponse_enquete_org_idx")]

    def __str__(self) -> str:
        return "Réponse anonyme"


class ValeurReponse(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisme = models.ForeignKey("dui.OrganismeGestionnaire", on_delete=models.PROTECT, related_name="+")
    reponse = models.ForeignKey(ReponseEnquete, on_delete=models.CASCADE, related_name="valeurs")
    question = models.ForeignKey(QuestionEnquete, on_delete=models.PROTECT, related_name="valeurs")
    nombre = models.PositiveSmallIntegerField(null=True, blank=True)
    texte = models.TextField(blank=True)

    class Meta:
        verbose_name = "valeur d'une réponse"
        indexes = [models.Index(fields=["organisme", "reponse"], name="valeur_reponse_org_idx")]
        constraints = [models.UniqueConstraint(fields=["reponse", "question"], name="valeur_unique")]

    def __str__(self) -> str:
        return "Valeur"
