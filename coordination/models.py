"""Coordination: the agenda of the people accompanied and of the teams (rendez-vous, activities, home
visits, meetings), the ESMS's resources, transports, and the professionals' calendar feeds.

No double booking is a database guarantee: every event writes one ``Reservation`` per person, professional
and resource it occupies, and three PostgreSQL exclusion constraints (``btree_gist``, ``tstzrange &&``)
refuse two active reservations of the same one at overlapping times, whatever the concurrency. The services
check first to give a French message naming the other booking; the constraints keep the promise when two
people book at the same instant (decision 0012)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Q

from dui.categories import Categorie
from dui.models import ClotureMotivee, TenantModel, tenant_history


class GenreRessource(models.TextChoices):
    SALLE = "salle", "Salle"
    VEHICULE = "vehicule", "Véhicule"
    EQUIPEMENT = "equipement", "Équipement"


class Ressource(TenantModel):
    """A room, a vehicle or a piece of equipment of one ESMS, booked by the events."""

    categorie_donnees = Categorie.COORDINATION

    etablissement = models.ForeignKey("dui.Etablissement", on_delete=models.PROTECT, related_name="+")
    genre = models.CharField(max_length=20, choices=GenreRessource.choices)
    nom = models.CharField(max_length=120)
    places = models.PositiveSmallIntegerField(
        "places", null=True, blank=True, help_text="Places assises d'un véhicule, capacité d'une salle."
    )
    active = models.BooleanField(default=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "ressource"
        ordering = ["genre", "nom"]
        indexes = [models.Index(fields=["organisme", "etablissement"], name="ressource_org_etab_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "nom"],
                name="ressource_nom_unique",
                violation_error_message="Une ressource porte déjà ce nom dans cet établissement.",
            )
        ]

    def __str__(self) -> str:
        return self.nom


class GenreEvenement(models.TextChoices):
    RDV_INTERNE = "rdv_interne", "Rendez-vous dans l'établissement"
    RDV_EXTERNE = "rdv_externe", "Rendez-vous extérieur"
    ACTIVITE = "activite", "Activité, atelier, sortie"
    VISITE = "visite", "Intervention à domicile"
    REUNION = "reunion", "Réunion"


class GenreReunion(models.TextChoices):
    SYNTHESE = "synthese", "Réunion de synthèse"
    PROJET = "projet", "Réunion de projet personnalisé"
    EQUIPE = "equipe", "Réunion d'équipe pluridisciplinaire"


class StatutEvenement(models.TextChoices):
    PREVU = "prevu", "Prévu"
    FAIT = "fait", "Fait"
    ANNULE = "annule", "Annulé"
    REPORTE = "reporte", "Reporté"
    ABSENT = "absent", "Personne absente"
    NON_FAIT = "non_fait", "Non fait"


# A booking holds its slot only while the event may still take place.
STATUTS_ACTIFS = (StatutEvenement.PREVU, StatutEvenement.FAIT)
STATUTS_MOTIVES = (
    StatutEvenement.ANNULE,
    StatutEvenement.REPORTE,
    StatutEvenement.ABSENT,
    StatutEvenement.NON_FAIT,
)


class Serie(TenantModel):
    """A recurring event: its RFC 5545 rule, expanded into one ``Evenement`` per occurrence (each one then
    books its slot and may be moved or cancelled alone)."""

    categorie_donnees = Categorie.COORDINATION

    etablissement = models.ForeignKey("dui.Etablissement", on_delete=models.PROTECT, related_name="+")
    regle = models.CharField("règle de récurrence (RFC 5545)", max_length=300)
    debut = models.DateTimeField("première occurrence")
    jusqu_au = models.DateField("jusqu'au", null=True, blank=True)  # None: without end
    developpee_jusqu_au = models.DateField("occurrences créées jusqu'au", null=True, blank=True)
    # occurrences of a series without end that the nightly extension could not create (a double booking)
    dates_sautees = ArrayField(models.DateField(), default=list, blank=True, verbose_name="dates non créées")
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "série"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="serie_org_etab_idx")]


# An event lasts at most this long on the clock (a day's outing; a stay away is an absence of the séjour): the
# services refuse longer ones with a French message.
DUREE_MAX_EVENEMENT = datetime.timedelta(hours=24)
# The same bound in elapsed time, which the table guarantees and the agenda's reads use: 24 hours on the clock
# last 25 across the night the clocks go back.
BORNE_DUREE_EVENEMENT = DUREE_MAX_EVENEMENT + datetime.timedelta(hours=1)


class Evenement(TenantModel, ClotureMotivee):
    """One slot of the agenda: a rendez-vous of a person, an activity, a home visit, a meeting."""

    categorie_donnees = Categorie.COORDINATION

    etablissement = models.ForeignKey("dui.Etablissement", on_delete=models.PROTECT, related_name="+")
    genre = models.CharField(max_length=20, choices=GenreEvenement.choices)
    genre_reunion = models.CharField(
        "type de réunion", max_length=20, choices=GenreReunion.choices, blank=True
    )
    titre = models.CharField("objet", max_length=200)
    usager = models.ForeignKey(
        "usagers.Usager", on_delete=models.PROTECT, null=True, blank=True, related_name="evenements"
    )
    partenaire = models.ForeignKey(
        "annuaire.Partenaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="partenaire (annuaire)",
    )
    lieu = models.CharField("lieu", max_length=200, blank=True)
    ressource = models.ForeignKey(
        Ressource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="salle ou équipement",
    )
    debut = models.DateTimeField("début")
    fin = models.DateTimeField("fin")
    statut = models.CharField(max_length=20, choices=StatutEvenement.choices, default=StatutEvenement.PREVU)
    preparation = models.TextField("consignes de préparation", blank=True)
    a_jeun = models.BooleanField("à jeun", default=False)
    documents_a_apporter = models.CharField("documents à apporter", max_length=300, blank=True)
    dlu_a_imprimer = models.BooleanField("DLU à imprimer", default=False)
    accompagnement_requis = models.BooleanField("accompagnement nécessaire", default=False)
    ordre_du_jour = models.TextField("ordre du jour", blank=True)
    compte_rendu = models.TextField("compte rendu", blank=True)
    capacite = models.PositiveSmallIntegerField("places", null=True, blank=True)
    prestation = models.ForeignKey(
        "accompagnement.CodeSerafin",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prestation SERAFIN-PH",
    )
    projet = models.ForeignKey(
        "accompagnement.ProjetPersonnalise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="projet personnalisé préparé",
    )
    ordre = models.PositiveSmallIntegerField("ordre dans la tournée", null=True, blank=True)
    serie = models.ForeignKey(
        Serie, on_delete=models.PROTECT, null=True, blank=True, related_name="occurrences"
    )
    exception = models.BooleanField("occurrence modifiée seule", default=False)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "événement"
        ordering = ["debut", "pk"]
        indexes = [
            models.Index(fields=["organisme", "etablissement", "debut"], name="evenement_org_etab_debut_idx"),
            models.Index(fields=["organisme", "usager", "debut"], name="evenement_org_usager_idx"),
            models.Index(fields=["organisme", "serie"], name="evenement_org_serie_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gt=F("debut")),
                name="evenement_fin_apres_debut",
                violation_error_message="La fin doit suivre le début.",
            ),
            # what lets the agenda's reads bound their index scans on ``debut`` (``selectors.entre``)
            models.CheckConstraint(
                condition=Q(fin__lte=F("debut") + BORNE_DUREE_EVENEMENT),
                name="evenement_duree_max",
                violation_error_message="Un événement dure au plus 24 heures.",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("coordination:evenement", args=[self.public_id])

    @property
    def actif(self) -> bool:
        return self.statut in STATUTS_ACTIFS


class InviteReunion(TenantModel):
    """Who else takes part in a meeting: a partner of the directory (the MDPH, the médecin traitant…) or a
    relative of the person (from the dossier's entourage)."""

    categorie_donnees = Categorie.COORDINATION

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="invites")
    partenaire = models.ForeignKey(
        "annuaire.Partenaire", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proche = models.ForeignKey(
        "usagers.Proche", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "evenement__etablissement"

    class Meta:
        verbose_name = "invité d'une réunion"
        indexes = [models.Index(fields=["organisme", "evenement"], name="invite_org_evt_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(partenaire__isnull=False, proche__isnull=True)
                | Q(partenaire__isnull=True, proche__isnull=False),
                name="invite_partenaire_ou_proche",
            )
        ]

    def __str__(self) -> str:
        return str(self.partenaire or self.proche)


class ModeTransport(models.TextChoices):
    VEHICULE = "vehicule", "Véhicule de l'établissement"
    TAXI = "taxi", "Taxi"
    AMBULANCE = "ambulance", "Ambulance"
    VSL = "vsl", "VSL"
    FAMILLE = "famille", "Famille, proche"
    AUTRE = "autre", "À pied, transports en commun"


class Transport(TenantModel):
    """How the person gets to a rendez-vous or an outing, and back."""

    categorie_donnees = Categorie.COORDINATION

    evenement = models.OneToOneField(Evenement, on_delete=models.CASCADE, related_name="transport")
    mode = models.CharField(max_length=20, choices=ModeTransport.choices)
    vehicule = models.ForeignKey(
        Ressource, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="véhicule"
    )
    conducteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="conducteur ou accompagnant",
    )
    depart = models.DateTimeField("départ")
    retour = models.DateTimeField("retour")
    commentaire = models.CharField(max_length=300, blank=True)
    history = tenant_history()

    etablissement_path = "evenement__etablissement"

    class Meta:
        verbose_name = "transport"
        indexes = [models.Index(fields=["organisme", "depart"], name="transport_org_depart_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(retour__gt=F("depart")),
                name="transport_retour_apres_depart",
                violation_error_message="Le retour doit suivre le départ.",
            ),
        ]


class Reservation(TenantModel):
    """The slot one event holds for one person, professional or resource (derived from the event and its
    transport by the services; no history of its own: the event's history tells). The exclusion constraints
    below are the guarantee against double booking."""

    categorie_donnees = Categorie.COORDINATION

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="reservations")
    periode = DateTimeRangeField()
    usager = models.ForeignKey("usagers.Usager", on_delete=models.CASCADE, null=True, related_name="+")
    professionnel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    ressource = models.ForeignKey(Ressource, on_delete=models.CASCADE, null=True, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "réservation"
        indexes = [models.Index(fields=["organisme", "evenement"], name="reservation_org_evt_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(usager__isnull=False, professionnel__isnull=True, ressource__isnull=True)
                    | Q(usager__isnull=True, professionnel__isnull=False, ressource__isnull=True)
                    | Q(usager__isnull=True, professionnel__isnull=True, ressource__isnull=False)
                ),
                name="reservation_une_cible",
            ),
            ExclusionConstraint(
                name="reservation_usager_sans_chevauchement",
                expressions=[("usager", RangeOperators.EQUAL), ("periode", RangeOperators.OVERLAPS)],
                condition=Q(active=True, usager__isnull=False),
            ),
            ExclusionConstraint(
                name="reservation_pro_sans_chevauchement",
                expressions=[("professionnel", RangeOperators.EQUAL), ("periode", RangeOperators.OVERLAPS)],
                condition=Q(active=True, professionnel__isnull=False),
            ),
            ExclusionConstraint(
                name="reservation_ressource_sans_chevauchement",
                expressions=[("ressource", RangeOperators.EQUAL), ("periode", RangeOperators.OVERLAPS)],
                condition=Q(active=True, ressource__isnull=False),
            ),
        ]


class Presence(models.TextChoices):
    INSCRIT = "inscrit", "Inscrit"
    PRESENT = "present", "Présent"
    ABSENT = "absent", "Absent"
    EXCUSE = "excuse", "Excusé"


class Participation(TenantModel):
    """A person at an activity: registration, then attendance noted in one tap, and what it delivers — the
    projet personnalisé action it serves and the SERAFIN-PH prestation (J284 direct, J283 indirect)."""

    categorie_donnees = Categorie.COORDINATION

    evenement = models.ForeignKey(Evenement, on_delete=models.CASCADE, related_name="participations")
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="participations")
    etablissement = models.ForeignKey("dui.Etablissement", on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(max_length=20, choices=Presence.choices, default=Presence.INSCRIT)
    action = models.ForeignKey(
        "accompagnement.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name="action du projet personnalisé",
    )
    prestation = models.ForeignKey(
        "accompagnement.CodeSerafin",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prestation SERAFIN-PH",
    )
    note_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note_le = models.DateTimeField(null=True, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "participation"
        ordering = ["usager__nom_naissance", "pk"]
        indexes = [
            models.Index(fields=["organisme", "evenement"], name="participation_org_evt_idx"),
            models.Index(fields=["organisme", "usager"], name="participation_org_usager_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["evenement", "usager"],
                name="participation_unique",
                violation_error_message="Cette personne est déjà inscrite à cette activité.",
            )
        ]


class JetonAgenda(TenantModel):
    """A professional's read-only calendar feed (iCalendar), reached without a session through a secret
    URL: only the SHA-256 of the secret is stored, it can be revoked, and the feed shows initials and places,
    never health data."""

    professionnel = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    libelle = models.CharField("nom de l'abonnement", max_length=100, default="Mon téléphone")
    empreinte = models.CharField(max_length=64, unique=True)
    revoque_le = models.DateTimeField(null=True, blank=True)
    dernier_acces = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "abonnement d'agenda"
        indexes = [models.Index(fields=["organisme", "professionnel"], name="jeton_org_pro_idx")]


class StatutFeuille(models.TextChoices):
    EN_PREPARATION = "en_preparation", "En préparation"
    PRETE = "prete", "Prête"
    ECHEC = "echec", "Échec"


class FeuilleTransports(TenantModel):
    """The day's transport sheet of an ESMS, a PDF produced by a worker: asked for from the ESMS's page, and
    prepared every evening for the next day (beat). One row per ESMS and day, produced again on demand."""

    categorie_donnees = Categorie.COORDINATION

    etablissement = models.ForeignKey("dui.Etablissement", on_delete=models.PROTECT, related_name="+")
    jour = models.DateField()
    statut = models.CharField(
        max_length=20, choices=StatutFeuille.choices, default=StatutFeuille.EN_PREPARATION
    )
    fichier = models.CharField(max_length=300, blank=True)
    nb_transports = models.PositiveIntegerField(default=0)
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    produite_le = models.DateTimeField(null=True, blank=True)
    erreur = models.TextField(blank=True)

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "feuille de transports"
        indexes = [
            models.Index(fields=["organisme", "etablissement", "jour"], name="feuille_org_etab_jour_idx")
        ]
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "jour"], name="feuille_unique_par_jour")
        ]
