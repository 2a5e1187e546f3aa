"""The usager (personne accompagnée): identity with the INS and its RNIV status, and séjours.

Identity rules (RNIV, summarised in ../shared/docs/DOMAIN.md "Identity"):
- strict INS traits (nom de naissance, prénoms de naissance, premier prénom, date de naissance, sexe,
  lieu de naissance) are kept apart from usage names;
- four mutually exclusive statuses: PROV (no check), RECUP (INS retrieved from INSi, no document),
  VALI (high-trust document checked, no INSi), QUAL (both);
- every change of status is recorded in ``TransitionIdentite`` (who, when, how, which document).

One usager record spans all the ESMS of the organisme: access follows the ESMS of its séjours.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dui.categories import Categorie, exception_permissions
from dui.models import Etablissement, TenantModel, Unite, tenant_history
from dui.periodes import Periode, PeriodeQuerySet
from habilitations.models import ExceptionAccesBase

from .ins import matricule_valide, normaliser_matricule

insee_validator = RegexValidator(
    r"^(?:\d{5}|2[AB]\d{3})$",
    "Le lieu de naissance est le code officiel géographique INSEE à 5 caractères (99xxx pour l'étranger).",
)


class Sexe(models.TextChoices):
    FEMININ = "F", "Féminin"
    MASCULIN = "M", "Masculin"
    INDETERMINE = "I", "Indéterminé"


class StatutIdentite(models.TextChoices):
    PROVISOIRE = "PROV", "Provisoire"
    RECUPEREE = "RECUP", "Récupérée"
    VALIDEE = "VALI", "Validée"
    QUALIFIEE = "QUAL", "Qualifiée"


class TypeDocument(models.TextChoices):
    """High-trust documents (RNIV): an identity checked on one of these may become VALI / QUAL."""

    PASSEPORT = "passeport", "Passeport"
    CNI = "cni", "Carte nationale d'identité"
    TITRE_SEJOUR = "titre_sejour", "Titre de séjour"
    LIVRET_FAMILLE_VITALE = "livret_vitale", "Livret de famille + carte Vitale avec photo (mineur / EHPAD)"
    EXTRAIT_NAISSANCE_VITALE = "extrait_vitale", "Extrait d'acte de naissance + carte Vitale avec photo"


class Usager(TenantModel):
    # Strict INS traits
    nom_naissance = models.CharField("nom de naissance", max_length=100)
    prenoms_naissance = ArrayField(
        models.CharField(max_length=60),
        verbose_name="prénoms de naissance",
        help_text="Dans l'ordre de l'état civil.",
    )
    premier_prenom = models.CharField("premier prénom de naissance", max_length=60)
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField(max_length=1, choices=Sexe.choices)
    lieu_naissance_insee = models.CharField(
        "lieu de naissance (code INSEE)", max_length=5, validators=[insee_validator]
    )
    # Usage traits
    nom_usage = models.CharField("nom d'usage", max_length=100, blank=True)
    prenom_utilise = models.CharField("prénom utilisé", max_length=60, blank=True)
    photo = models.ImageField(
        upload_to="usagers/photos/",
        max_length=200,
        blank=True,
        help_text="Aide à l'identification (identitovigilance) ; servie après contrôle des droits.",
    )
    # INS
    statut_identite = models.CharField(
        "statut de l'identité",
        max_length=5,
        choices=StatutIdentite.choices,
        default=StatutIdentite.PROVISOIRE,
    )
    matricule_ins = models.CharField("matricule INS", max_length=15, blank=True)
    oid_ins = models.CharField("OID du matricule", max_length=40, blank=True)
    # Normalised "nom de naissance nom d'usage prénoms" for duplicate detection and search.
    nom_recherche = models.CharField(max_length=400, editable=False, default="")
    fusionne_dans = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Dossier doublon fusionné dans celui-ci.",
    )
    # RGPD lifecycle (rgpd app): archived once its last séjour ended long enough ago (read-only, the DPO
    # only); anonymised past its retention period (identity and free texts wiped, statistics kept)
    archive_le = models.DateTimeField("archivé le", null=True, blank=True)
    anonymise_le = models.DateTimeField("anonymisé le", null=True, blank=True)
    history = tenant_history()

    etablissement_path = None  # through its séjours: see q_dans_etablissements / etablissement_ids

    class Meta:
        verbose_name = "usager"
        ordering = ["nom_naissance", "premier_prenom"]
        permissions = exception_permissions()
        indexes = [
            models.Index(fields=["organisme", "nom_naissance", "premier_prenom"], name="usager_org_nom_idx"),
            models.Index(fields=["organisme", "date_naissance"], name="usager_org_naissance_idx"),
            models.Index(fields=["organisme", "matricule_ins"], name="usager_org_ins_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut_identite__in=["PROV", "VALI"]) | ~Q(matricule_ins=""),
                name="usager_ins_si_recupere",
                violation_error_message="Une identité récupérée ou qualifiée a un matricule INS.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom_affiche} {self.prenom_affiche}".strip()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("usagers:dossier", args=[self.public_id])

    @property
    def nom_affiche(self) -> str:
        return (self.nom_usage or self.nom_naissance).upper()

    @property
    def prenom_affiche(self) -> str:
        return self.prenom_utilise or self.premier_prenom

    def age(self, jour: datetime.date | None = None) -> int:
        jour = jour or timezone.localdate()
        d = self.date_naissance
        return jour.year - d.year - ((jour.month, jour.day) < (d.month, d.day))

    def save(self, *args, **kwargs):
        from .normalisation import normaliser_nom

        self.nom_recherche = normaliser_nom(
            " ".join(
                [self.nom_naissance, self.nom_usage, *(self.prenoms_naissance or []), self.prenom_utilise]
            )
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "nom_recherche"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (
            self.prenoms_naissance
            and self.premier_prenom
            and self.premier_prenom.strip().lower() != self.prenoms_naissance[0].strip().lower()
        ):
            raise ValidationError(
                {"premier_prenom": "Le premier prénom doit être le premier des prénoms de naissance."}
            )
        if self.date_naissance and self.date_naissance > timezone.localdate():
            raise ValidationError({"date_naissance": "La date de naissance ne peut pas être dans le futur."})
        if self.nom_naissance and not any(c.isalpha() for c in self.nom_naissance):
            raise ValidationError({"nom_naissance": "Le nom de naissance doit contenir au moins une lettre."})
        if self.matricule_ins:
            self.matricule_ins = normaliser_matricule(self.matricule_ins)
            if not matricule_valide(self.matricule_ins):
                raise ValidationError(
                    {"matricule_ins": "Matricule INS invalide (15 caractères, clé incorrecte)."}
                )

    # --- access: a usager belongs to the ESMS of its séjours -----------------------------------------
    @classmethod
    def q_dans_etablissements(cls, etablissement_ids) -> Q:
        return Q(
            models.Exists(
                Sejour.objects.filter(
                    usager=models.OuterRef("pk"), etablissement_id__in=list(etablissement_ids)
                )
            )
        )

    def etablissement_ids(self) -> set[int]:
        prefetches = getattr(self, "_prefetched_objects_cache", {})
        if "sejours" in prefetches:  # the dossier's pages load the séjours once (usagers.dossier)
            return {s.etablissement_id for s in prefetches["sejours"]}
        return set(Sejour.objects.filter(usager=self).values_list("etablissement_id", flat=True))


class ExceptionAccesUsager(ExceptionAccesBase):
    """DENY/GRANT on one dossier (a confidential dossier, a professional who is a relative…)."""

    content_object = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="exceptions_acces")

    class Meta(ExceptionAccesBase.Meta):
        verbose_name = "exception d'accès à un dossier"
        indexes = [models.Index(fields=["organisme", "user"], name="exc_usager_org_user_idx")]

    def __str__(self) -> str:
        return f"{self.permission.codename} {self.content_object_id}"


class MoyenTransition(models.TextChoices):
    CREATION = "creation", "Création du dossier"
    INSI = "insi", "Appel au téléservice INSi"
    DOCUMENT = "document", "Contrôle d'un document à haut niveau de confiance"
    MODIFICATION_TRAIT = "modification", "Modification d'un trait strict"
    FUSION = "fusion", "Fusion de dossiers"


class TransitionIdentite(TenantModel):
    """One change of identity status: who, when, how, with which document."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey(Usager, on_delete=models.PROTECT, related_name="transitions")
    de = models.CharField(max_length=5, choices=StatutIdentite.choices, blank=True)
    vers = models.CharField(max_length=5, choices=StatutIdentite.choices)
    moyen = models.CharField(max_length=20, choices=MoyenTransition.choices)
    type_document = models.CharField(max_length=20, choices=TypeDocument.choices, blank=True)
    commentaire = models.CharField(max_length=255, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    horodatage = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "transition de statut d'identité"
        ordering = ["-horodatage", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-horodatage"], name="transition_org_usager_idx")
        ]

    def __str__(self) -> str:
        return f"{self.de or '∅'} → {self.vers} ({self.get_moyen_display()})"


class ModeAccueil(models.TextChoices):
    PERMANENT = "permanent", "Hébergement permanent"
    TEMPORAIRE = "temporaire", "Hébergement temporaire"
    ACCUEIL_JOUR = "accueil_jour", "Accueil de jour"
    INTERNAT = "internat", "Internat"
    SEMI_INTERNAT = "semi_internat", "Semi-internat / externat"
    MILIEU_ORDINAIRE = "milieu_ordinaire", "Intervention en milieu ordinaire / à domicile"


class Sejour(TenantModel):
    """A stay or an accompaniment of the usager in one ESMS."""

    categorie_donnees = Categorie.ADMINISTRATIF

    periode = Periode("date_entree", "date_sortie")
    objects = PeriodeQuerySet.as_manager()

    usager = models.ForeignKey(Usager, on_delete=models.PROTECT, related_name="sejours")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="sejours")
    unite = models.ForeignKey(Unite, on_delete=models.PROTECT, null=True, blank=True, related_name="sejours")
    chambre = models.CharField("chambre / place", max_length=30, blank=True)
    mode_accueil = models.CharField("mode d'accueil", max_length=20, choices=ModeAccueil.choices)
    date_entree = models.DateField("date d'entrée")
    provenance = models.CharField(max_length=200, blank=True)
    date_sortie = models.DateField("date de sortie", null=True, blank=True)
    motif_sortie = models.CharField("motif de sortie", max_length=200, blank=True)
    destination = models.CharField(max_length=200, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "séjour"
        ordering = ["-date_entree"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-date_entree"], name="sejour_org_usager_idx"),
            models.Index(fields=["organisme", "etablissement", "date_sortie"], name="sejour_org_etab_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True) | Q(date_sortie__gte=models.F("date_entree")),
                name="sejour_sortie_apres_entree",
                violation_error_message="La sortie ne peut pas précéder l'entrée.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.etablissement} depuis le {self.date_entree:%d/%m/%Y}"

    def en_cours(self, jour: datetime.date | None = None) -> bool:
        return self.periode.couvre(self, jour or timezone.localdate())


# --- Administrative record -------------------------------------------------------------------------


class Regime(models.TextChoices):
    GENERAL = "general", "Régime général"
    AGRICOLE = "agricole", "Régime agricole (MSA)"
    FONCTIONNAIRES = "fonctionnaires", "Fonctionnaires (sections mutualistes)"
    SPECIAL = "special", "Régime spécial (SNCF, RATP, Mines, CNMSS…)"
    AUTRE = "autre", "Autre / étranger"


class Exoneration(models.TextChoices):
    AUCUNE = "aucune", "Aucune"
    ALD = "ald", "Affection de longue durée (ALD)"
    INVALIDITE = "invalidite", "Pension d'invalidité"
    AT_MP = "at_mp", "Accident du travail / maladie professionnelle"
    CSS = "css", "Complémentaire santé solidaire"
    AME = "ame", "Aide médicale de l'État"


class DirectivesAnticipees(models.TextChoices):
    INCONNU = "inconnu", "Non renseigné"
    NON = "non", "Pas de directives anticipées"
    OUI = "oui", "Directives anticipées rédigées"


class DossierAdministratif(TenantModel):
    """Addresses, contacts, social cover and advance directives (one per usager)."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.OneToOneField(Usager, on_delete=models.CASCADE, related_name="administratif")
    adresse = models.CharField("adresse", max_length=200, blank=True)
    code_postal = models.CharField(
        "code postal",
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")],
    )
    commune = models.CharField(max_length=100, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    regime = models.CharField("régime d'assurance maladie", max_length=20, choices=Regime.choices, blank=True)
    caisse = models.CharField("caisse d'affiliation", max_length=120, blank=True)
    fin_droits_amo = models.DateField("fin des droits AMO", null=True, blank=True)
    exoneration = models.CharField(
        "exonération du ticket modérateur",
        max_length=20,
        choices=Exoneration.choices,
        default=Exoneration.AUCUNE,
    )
    amc = models.CharField("complémentaire santé (AMC)", max_length=120, blank=True)
    amc_adherent = models.CharField("n° d'adhérent AMC", max_length=40, blank=True)
    fin_droits_amc = models.DateField("fin des droits AMC", null=True, blank=True)
    directives_anticipees = models.CharField(
        "directives anticipées",
        max_length=10,
        choices=DirectivesAnticipees.choices,
        default=DirectivesAnticipees.INCONNU,
    )
    directives_lieu = models.CharField("où elles sont conservées", max_length=200, blank=True)
    history = tenant_history()

    class Meta:
        verbose_name = "dossier administratif"
        indexes = [models.Index(fields=["organisme", "usager"], name="dossier_adm_org_usager_idx")]

    def __str__(self) -> str:
        return f"Dossier administratif de {self.usager}"

    def clean(self):
        if self.directives_anticipees == DirectivesAnticipees.OUI and not self.directives_lieu.strip():
            raise ValidationError(
                {"directives_lieu": "Indiquez où les directives anticipées sont conservées."}
            )


class LienParente(models.TextChoices):
    CONJOINT = "conjoint", "Conjoint(e) / partenaire"
    ENFANT = "enfant", "Enfant"
    PARENT = "parent", "Parent"
    FRATRIE = "fratrie", "Frère / sœur"
    PETIT_ENFANT = "petit_enfant", "Petit-enfant"
    AUTRE_FAMILLE = "famille", "Autre membre de la famille"
    AMI = "ami", "Ami(e) / voisin(e)"
    PROFESSIONNEL = "professionnel", "Mandataire professionnel"
    AUTRE = "autre", "Autre"


class Proche(TenantModel):
    """A member of the entourage with their roles: personne de confiance (one at most), personne à
    prévenir (with a call order), aidant, représentant légal."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="proches")
    nom = models.CharField(max_length=100)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    lien = models.CharField(max_length=20, choices=LienParente.choices)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    telephone_2 = models.CharField("autre téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    adresse = models.CharField(max_length=250, blank=True)
    personne_confiance = models.BooleanField("personne de confiance", default=False)
    confiance_designee_le = models.DateField("désignée le", null=True, blank=True)
    a_prevenir = models.BooleanField("personne à prévenir", default=False)
    ordre_appel = models.PositiveSmallIntegerField("ordre d'appel", null=True, blank=True)
    aidant = models.BooleanField("aidant", default=False)
    representant_legal = models.BooleanField("représentant légal", default=False)
    history = tenant_history()

    class Meta:
        verbose_name = "proche"
        ordering = ["ordre_appel", "nom"]
        indexes = [models.Index(fields=["organisme", "usager"], name="proche_org_usager_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["usager"],
                condition=Q(personne_confiance=True),
                name="une_personne_de_confiance",
                violation_error_message="Une seule personne de confiance peut être désignée.",
            ),
            models.UniqueConstraint(
                fields=["usager", "ordre_appel"],
                condition=Q(a_prevenir=True),
                name="ordre_appel_unique",
                violation_error_message="Cet ordre d'appel est déjà attribué.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom.upper()}".strip()

    def clean(self):
        erreurs = {}
        if self.a_prevenir and not self.ordre_appel:
            erreurs["ordre_appel"] = "Indiquez l'ordre d'appel de la personne à prévenir."
        if self.a_prevenir and not (self.telephone or self.telephone_2):
            erreurs["telephone"] = "Un téléphone est nécessaire pour une personne à prévenir."
        if not self.a_prevenir:
            self.ordre_appel = None
        if erreurs:
            raise ValidationError(erreurs)


class TypeMesure(models.TextChoices):
    SAUVEGARDE = "sauvegarde", "Sauvegarde de justice"
    CURATELLE = "curatelle", "Curatelle simple"
    CURATELLE_RENFORCEE = "curatelle_renforcee", "Curatelle renforcée"
    TUTELLE = "tutelle", "Tutelle"
    HABILITATION_FAMILIALE = "habilitation_familiale", "Habilitation familiale"
    MANDAT_PROTECTION_FUTURE = "mandat", "Mandat de protection future"


class MesureProtection(TenantModel):
    categorie_donnees = Categorie.ADMINISTRATIF
    periode = Periode("date_debut", "date_fin")
    objects = PeriodeQuerySet.as_manager()

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="mesures")
    type_mesure = models.CharField("type de mesure", max_length=30, choices=TypeMesure.choices)
    mandataire = models.CharField(
        "mandataire", max_length=200, help_text="Personne ou service (MJPM, UDAF, association tutélaire…)."
    )
    mandataire_telephone = models.CharField("téléphone du mandataire", max_length=20, blank=True)
    tribunal = models.CharField("juridiction", max_length=120, blank=True)
    date_jugement = models.DateField("date du jugement", null=True, blank=True)
    date_debut = models.DateField("début")
    date_fin = models.DateField("échéance / fin", null=True, blank=True)
    history = tenant_history()

    class Meta:
        verbose_name = "mesure de protection"
        verbose_name_plural = "mesures de protection"
        ordering = ["-date_debut"]
        indexes = [models.Index(fields=["organisme", "usager"], name="mesure_org_usager_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="mesure_fin_apres_debut",
                violation_error_message="L'échéance ne peut pas précéder le début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_mesure_display()} — {self.mandataire}"

    def en_cours(self, jour: datetime.date | None = None) -> bool:
        return self.periode.couvre(self, jour or timezone.localdate())


class TypeConsentement(models.TextChoices):
    INFORMATION_RGPD = "rgpd", "Information sur le traitement des données (RGPD)"
    PARTAGE_HORS_EQUIPE = "partage", "Partage d'informations hors de l'équipe de soins"
    DMP = "dmp", "Alimentation du DMP / Mon espace santé"


class Reponse(models.TextChoices):
    ACCEPTE = "accepte", "Accepté / informé"
    REFUSE = "refuse", "Refusé / opposé"


class Consentement(TenantModel):
    """Each answer is a new row (never edited): the latest per type is the current one."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey(Usager, on_delete=models.CASCADE, related_name="consentements")
    type_consentement = models.CharField("objet", max_length=20, choices=TypeConsentement.choices)
    reponse = models.CharField("réponse", max_length=10, choices=Reponse.choices)
    exprime_par = models.CharField(
        "exprimé par",
        max_length=20,
        choices=[("usager", "La personne"), ("representant", "Son représentant légal")],
    )
    date_recueil = models.DateField("recueilli le")
    recueilli_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commentaire = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "consentement"
        ordering = ["-date_recueil", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "type_consentement"], name="consent_org_usager_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_consentement_display()} : {self.get_reponse_display()}"


class StatutAppel(models.TextChoices):
    EN_ATTENTE = "en_attente", "En cours"
    TERMINE = "termine", "Terminé"
    ECHEC = "echec", "Échec"


class AppelInsi(TenantModel):
    """One INSi lookup: written in the request, sent by a worker, its reply kept (nothing is lost when
    the service is down: the row stays, with its attempts and the last error, and can be relaunched)."""

    categorie_donnees = Categorie.ADMINISTRATIF

    usager = models.ForeignKey(Usager, on_delete=models.PROTECT, related_name="appels_insi")
    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(max_length=20, choices=StatutAppel.choices, default=StatutAppel.EN_ATTENTE)
    tentatives = models.PositiveSmallIntegerField(default=0)
    code_cr = models.CharField("code retour", max_length=2, blank=True)
    libelle_cr = models.CharField(max_length=200, blank=True)
    reponse = models.JSONField(default=dict, blank=True)
    statut_avant = models.CharField(max_length=5, blank=True)
    statut_apres = models.CharField(max_length=5, blank=True)
    erreur = models.TextField(blank=True)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "appel INSi"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["organisme", "usager", "-cree_le"], name="appel_insi_org_usager_idx")]

    def __str__(self) -> str:
        return f"Appel INSi du {self.cree_le:%d/%m/%Y %H:%M} ({self.get_statut_display()})"

    @property
    def statut_avant_libelle(self) -> str:
        return StatutIdentite(self.statut_avant).label if self.statut_avant else ""

    @property
    def statut_apres_libelle(self) -> str:
        return StatutIdentite(self.statut_apres).label if self.statut_apres else ""


class MotifAbsence(models.TextChoices):
    HOSPITALISATION = "hospitalisation", "Hospitalisation"
    VACANCES = "vacances", "Vacances / séjour en famille"
    CONVENANCE = "convenance", "Convenance personnelle"
    AUTRE = "autre", "Autre"


class Absence(TenantModel):
    """A period during a séjour when the person is not present (both days included; open when
    ``fin`` is empty). Periods of one séjour never overlap (checked under a lock on the séjour)."""

    periode = Periode("debut", "fin")
    objects = PeriodeQuerySet.as_manager()

    sejour = models.ForeignKey(Sejour, on_delete=models.CASCADE, related_name="absences")
    motif = models.CharField(max_length=20, choices=MotifAbsence.choices)
    debut = models.DateField("début")
    fin = models.DateField("fin (incluse)", null=True, blank=True)
    commentaire = models.CharField(max_length=255, blank=True)
    history = tenant_history()

    etablissement_path = "sejour__etablissement"

    class Meta:
        verbose_name = "absence"
        ordering = ["-debut"]
        indexes = [models.Index(fields=["organisme", "sejour", "debut"], name="absence_org_sejour_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="absence_fin_apres_debut",
                violation_error_message="La fin de l'absence ne peut pas précéder son début.",
            ),
        ]

    def __str__(self) -> str:
        fin = f" au {self.fin:%d/%m/%Y}" if self.fin else " (en cours)"
        return f"{self.get_motif_display()} du {self.debut:%d/%m/%Y}{fin}"
