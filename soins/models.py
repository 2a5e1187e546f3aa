"""Soins: the dossier médical and the dossier de soins of a usager, constantes with their alert thresholds,
transmissions ciblées and the relève, the plan de soins and the traceability of each care task.

Two kinds of rows (docs/decisions/0004-soins.md):
- facts about the person, shared by the care teams of every ESMS of the organisme that accompanies them
  (allergies, antécédents, vaccinations, intervenants, régime and risks, alert thresholds): they belong to
  the usager only, and access is decided on the usager (``policy.can(user, action, usager)``);
- what a team does and sees in one ESMS (constantes, transmissions, plan de soins, réalisations): they
  carry ``usager`` and ``etablissement`` and follow ``policy.scope_contenu`` / ``can_contenu``.

Data categories (habilitations.roles): antécédents and current health problems are ``medical`` (médecins
write them, infirmiers and pharmaciens read them); everything else is ``soins`` (the équipe de soins,
aides-soignants included: they serve meals and must see allergies and textures). Educators and
administrative staff have neither (secret professionnel partagé, CSP L1110-4).
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dui.categories import Categorie
from dui.models import ClotureMotivee, Etablissement, TenantModel, Unite, tenant_history
from dui.periodes import Periode, PeriodeQuerySet


def normaliser(texte: str) -> str:
    """Lower case, no accents, single spaces: how allergy agents are compared (and later matched against
    a drug's substances)."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return " ".join(sans_accents.lower().replace("-", " ").split())


# --- Dossier de soins (one per usager) -------------------------------------------------------------------


class StatutAllergies(models.TextChoices):
    NON_RENSEIGNE = "non_renseigne", "Non renseignées"
    AUCUNE = "aucune", "Aucune allergie connue"
    RENSEIGNEES = "renseignees", "Renseignées"


class Regime(models.TextChoices):
    NORMAL = "normal", "Normal"
    DIABETIQUE = "diabetique", "Diabétique (contrôlé en sucres)"
    HYPOSODE = "hyposode", "Pauvre en sel"
    HYPERPROTIDIQUE = "hyperprotidique", "Enrichi (hyperprotidique, hypercalorique)"
    SANS_RESIDU = "sans_residu", "Sans résidu"
    SANS_GLUTEN = "sans_gluten", "Sans gluten"
    AUTRE = "autre", "Autre (préciser)"


class Texture(models.TextChoices):
    NORMALE = "normale", "Normale"
    HACHEE = "hachee", "Hachée"
    MOULINEE = "moulinee", "Moulinée"
    MIXEE = "mixee", "Mixée lisse"


class Liquides(models.TextChoices):
    NORMAUX = "normaux", "Liquides normaux"
    EPAISSIS = "epaissis", "Liquides épaissis"
    GELIFIES = "gelifies", "Eau gélifiée"


class NiveauRisque(models.TextChoices):
    NON_EVALUE = "non_evalue", "Non évalué"
    FAIBLE = "faible", "Faible"
    MODERE = "modere", "Modéré"
    ELEVE = "eleve", "Élevé"


RISQUES = [
    ("risque_chute", "Chutes"),
    ("risque_escarre", "Escarres"),
    ("risque_denutrition", "Dénutrition"),
    ("risque_fausse_route", "Fausses routes"),
]


class DossierSoins(TenantModel):
    """What every carer of the person must know: allergy status, diet and textures, risks."""

    categorie_donnees = Categorie.SOINS
    categories_admises = (Categorie.MEDICAL, Categorie.DOCUMENTS)

    usager = models.OneToOneField("usagers.Usager", on_delete=models.CASCADE, related_name="dossier_soins")
    statut_allergies = models.CharField(
        "allergies", max_length=20, choices=StatutAllergies.choices, default=StatutAllergies.NON_RENSEIGNE
    )
    regime = models.CharField("régime", max_length=20, choices=Regime.choices, default=Regime.NORMAL)
    regime_precisions = models.CharField("précisions sur le régime", max_length=200, blank=True)
    texture = models.CharField(max_length=20, choices=Texture.choices, default=Texture.NORMALE)
    liquides = models.CharField(max_length=20, choices=Liquides.choices, default=Liquides.NORMAUX)
    risque_chute = models.CharField(
        "risque de chute", max_length=20, choices=NiveauRisque.choices, default=NiveauRisque.NON_EVALUE
    )
    risque_escarre = models.CharField(
        "risque d'escarre", max_length=20, choices=NiveauRisque.choices, default=NiveauRisque.NON_EVALUE
    )
    risque_denutrition = models.CharField(
        "risque de dénutrition", max_length=20, choices=NiveauRisque.choices, default=NiveauRisque.NON_EVALUE
    )
    risque_fausse_route = models.CharField(
        "risque de fausse route", max_length=20, choices=NiveauRisque.choices, default=NiveauRisque.NON_EVALUE
    )
    remarques = models.TextField("remarques utiles aux soins", blank=True)
    history = tenant_history()

    class Meta:
        verbose_name = "dossier de soins"
        indexes = [models.Index(fields=["organisme", "usager"], name="dossier_soins_org_usager_idx")]
        verbose_name_plural = "dossiers de soins"

    def __str__(self) -> str:
        return f"Dossier de soins de {self.usager}"

    def risques(self) -> list[tuple[str, str, str]]:
        """(libellé, niveau, libellé du niveau) of each risk."""
        return [
            (libelle, getattr(self, champ), NiveauRisque(getattr(self, champ)).label)
            for champ, libelle in RISQUES
        ]

    def risques_eleves(self) -> list[str]:
        return [
            libelle
            for champ, libelle in RISQUES
            if getattr(self, champ) in (NiveauRisque.MODERE, NiveauRisque.ELEVE)
        ]


# --- Allergies and intolerances ----------------------------------------------------------------------------


class NatureReaction(models.TextChoices):
    ALLERGIE = "allergie", "Allergie"
    INTOLERANCE = "intolerance", "Intolérance"


class TypeAgent(models.TextChoices):
    SUBSTANCE = "substance", "Médicament : substance active (DCI)"
    CLASSE = "classe", "Médicament : classe thérapeutique"
    ALIMENT = "aliment", "Aliment"
    AUTRE = "autre", "Autre (latex, produit, environnement)"


class Severite(models.TextChoices):
    LEGERE = "legere", "Légère"
    MODEREE = "moderee", "Modérée"
    SEVERE = "severe", "Sévère"
    VITALE = "vitale", "Menace vitale (anaphylaxie)"


class Certitude(models.TextChoices):
    CONFIRMEE = "confirmee", "Confirmée"
    SUSPECTEE = "suspectee", "Suspectée"


class Allergie(TenantModel, ClotureMotivee):
    """An allergy or intolerance: what (substance, class, food…), the reaction, how severe. Drug agents are
    compared through ``agent_normalise`` with a prescription's substances (circuit du médicament)."""

    categorie_donnees = Categorie.SOINS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="allergies")
    nature = models.CharField(max_length=20, choices=NatureReaction.choices, default=NatureReaction.ALLERGIE)
    type_agent = models.CharField("type d'agent", max_length=20, choices=TypeAgent.choices)
    agent = models.CharField("substance, classe ou aliment", max_length=150)
    agent_normalise = models.CharField(max_length=150, editable=False)
    reaction = models.CharField("réaction observée", max_length=300)
    severite = models.CharField("sévérité", max_length=20, choices=Severite.choices)
    certitude = models.CharField(max_length=20, choices=Certitude.choices, default=Certitude.CONFIRMEE)
    date_constat = models.DateField("constatée le", null=True, blank=True)
    source = models.CharField("source de l'information", max_length=150, blank=True)
    saisie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Never deleted: an allergy found to be wrong is closed with the reason (history of the record).
    inactive_le = models.DateTimeField(null=True, blank=True)
    history = tenant_history()

    class Meta:
        verbose_name = "allergie ou intolérance"
        verbose_name_plural = "allergies et intolérances"
        ordering = ["-severite", "agent"]
        indexes = [models.Index(fields=["organisme", "usager"], name="allergie_org_usager_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["usager", "type_agent", "agent_normalise"],
                condition=Q(inactive_le__isnull=True),
                name="allergie_active_unique",
            ),
            models.CheckConstraint(
                condition=Q(inactive_le__isnull=True) | ~Q(motif_cloture=""), name="allergie_inactive_motif"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} : {self.agent} ({self.get_severite_display().lower()})"

    @property
    def active(self) -> bool:
        return self.inactive_le is None

    @property
    def grave(self) -> bool:
        return self.severite in (Severite.SEVERE, Severite.VITALE)

    def save(self, *args, **kwargs):
        self.agent_normalise = normaliser(self.agent)
        super().save(*args, **kwargs)


# --- Dossier médical ----------------------------------------------------------------------------------------


class TypeAntecedent(models.TextChoices):
    MEDICAL = "medical", "Antécédent médical"
    CHIRURGICAL = "chirurgical", "Antécédent chirurgical"
    FAMILIAL = "familial", "Antécédent familial"
    PROBLEME = "probleme", "Problème de santé actuel"


class Antecedent(TenantModel):
    """An antécédent or a current health problem (category ``medical``)."""

    categorie_donnees = Categorie.MEDICAL

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="antecedents")
    type_antecedent = models.CharField("type", max_length=20, choices=TypeAntecedent.choices)
    libelle = models.CharField("libellé", max_length=200)
    code_cim10 = models.CharField("code CIM-10", max_length=8, blank=True)
    date_debut = models.CharField("date ou année", max_length=20, blank=True)
    commentaire = models.CharField(max_length=300, blank=True)
    resolu = models.BooleanField("résolu / ancien", default=False)
    saisi_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    class Meta:
        verbose_name = "antécédent"
        ordering = ["type_antecedent", "resolu", "libelle"]
        indexes = [models.Index(fields=["organisme", "usager"], name="antecedent_org_usager_idx")]

    def __str__(self) -> str:
        return self.libelle


class Vaccination(TenantModel):
    categorie_donnees = Categorie.SOINS
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="vaccinations")
    vaccin = models.CharField(max_length=120)
    date_vaccination = models.DateField("date")
    lot = models.CharField("numéro de lot", max_length=40, blank=True)
    commentaire = models.CharField(max_length=200, blank=True)
    saisie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    class Meta:
        verbose_name = "vaccination"
        ordering = ["-date_vaccination"]
        indexes = [models.Index(fields=["organisme", "usager"], name="vaccination_org_usager_idx")]

    def __str__(self) -> str:
        return f"{self.vaccin} ({self.date_vaccination:%d/%m/%Y})"


class RoleIntervenant(models.TextChoices):
    MEDECIN_TRAITANT = "medecin_traitant", "Médecin traitant"
    SPECIALISTE = "specialiste", "Médecin spécialiste"
    PARAMEDICAL = "paramedical", "Paramédical (kinésithérapeute, orthophoniste…)"
    AUTRE = "autre", "Autre intervenant"


class Intervenant(TenantModel):
    """A health professional outside the ESMS who follows the person."""

    categorie_donnees = Categorie.SOINS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="intervenants")
    partenaire = models.ForeignKey(
        "annuaire.Partenaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dans l'annuaire des partenaires",
    )
    role = models.CharField("rôle", max_length=20, choices=RoleIntervenant.choices)
    nom = models.CharField("nom et prénom", max_length=150)
    specialite = models.CharField("spécialité", max_length=100, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    rpps = models.CharField("RPPS", max_length=11, blank=True)
    adresse_mss = models.EmailField("adresse MSSanté", blank=True)
    actif = models.BooleanField(default=True)
    history = tenant_history()

    class Meta:
        verbose_name = "intervenant"
        ordering = ["role", "nom"]
        indexes = [models.Index(fields=["organisme", "usager"], name="intervenant_org_usager_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["usager"],
                condition=Q(role="medecin_traitant", actif=True),
                name="un_medecin_traitant_actif",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_role_display().lower()})"


# --- Constantes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefinitionConstante:
    libelle: str
    unite: str
    decimales: int
    plausible: tuple[Decimal, Decimal]  # outside: a typing error, refused
    seuils: tuple[Decimal | None, Decimal | None]  # default alert thresholds (min, max), per usager editable
    libelle_2: str = ""
    plausible_2: tuple[Decimal, Decimal] | None = None
    seuils_2: tuple[Decimal | None, Decimal | None] = (None, None)


D = Decimal


class TypeConstante(models.TextChoices):
    POIDS = "poids", "Poids"
    TAILLE = "taille", "Taille"
    TENSION = "tension", "Pression artérielle"
    POULS = "pouls", "Pouls"
    TEMPERATURE = "temperature", "Température"
    SPO2 = "spo2", "Saturation (SpO2)"
    GLYCEMIE = "glycemie", "Glycémie capillaire"
    DOULEUR_EN = "douleur_en", "Douleur — EVA / EN (autoévaluation)"
    DOULEUR_ALGOPLUS = "douleur_algoplus", "Douleur — Algoplus (hétéroévaluation)"
    SELLES = "selles", "Selles"
    DIURESE = "diurese", "Diurèse"


# Default thresholds are those commonly used in EHPAD protocols; the médecin adapts them per person.
# Pain: EN ≥ 4 calls for a treatment (HAS); Algoplus ≥ 2 means pain is present (Algoplus validation
# study, Rat et al. 2011) — so the maxima below are 3 and 1.
DEFINITIONS: dict[str, DefinitionConstante] = {
    TypeConstante.POIDS: DefinitionConstante("Poids", "kg", 1, (D(20), D(300)), (None, None)),
    TypeConstante.TAILLE: DefinitionConstante("Taille", "cm", 0, (D(50), D(230)), (None, None)),
    TypeConstante.TENSION: DefinitionConstante(
        "Systolique",
        "mmHg",
        0,
        (D(50), D(260)),
        (D(90), D(160)),
        "Diastolique",
        (D(20), D(160)),
        (D(50), D(100)),
    ),
    TypeConstante.POULS: DefinitionConstante("Pouls", "/min", 0, (D(20), D(250)), (D(50), D(110))),
    TypeConstante.TEMPERATURE: DefinitionConstante(
        "Température", "°C", 1, (D(30), D(44)), (D("35.5"), D("38.0"))
    ),
    TypeConstante.SPO2: DefinitionConstante("SpO2", "%", 0, (D(50), D(100)), (D(92), None)),
    TypeConstante.GLYCEMIE: DefinitionConstante(
        "Glycémie", "g/L", 2, (D("0.20"), D("6.00")), (D("0.70"), D("2.50"))
    ),
    TypeConstante.DOULEUR_EN: DefinitionConstante("EN", "/10", 0, (D(0), D(10)), (None, D(3))),
    TypeConstante.DOULEUR_ALGOPLUS: DefinitionConstante("Algoplus", "/5", 0, (D(0), D(5)), (None, D(1))),
    TypeConstante.SELLES: DefinitionConstante("Selles", "nombre", 0, (D(0), D(10)), (None, None)),
    TypeConstante.DIURESE: DefinitionConstante("Diurèse", "mL", 0, (D(0), D(5000)), (None, None)),
}

# Weight loss that signals dénutrition (HAS 2021, personne de 70 ans et plus): ≥ 5 % in one month.
PERTE_POIDS_ALERTE = D("0.05")


class Constante(TenantModel, ClotureMotivee):
    """One measurement (blood pressure carries two values). ``alerte`` is the French message written when
    the value is outside the person's thresholds; it appears in the relève."""

    categorie_donnees = Categorie.SOINS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="constantes")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    type_constante = models.CharField("constante", max_length=20, choices=TypeConstante.choices)
    valeur = models.DecimalField(max_digits=7, decimal_places=2)
    valeur_2 = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    mesure_le = models.DateTimeField("mesurée le", default=timezone.now)
    commentaire = models.CharField(max_length=200, blank=True)
    alerte = models.CharField(max_length=300, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A wrong entry is cancelled with its reason, never deleted.
    annulee_le = models.DateTimeField(null=True, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "constante"
        ordering = ["-mesure_le", "-id"]
        indexes = [
            models.Index(
                fields=["organisme", "usager", "type_constante", "-mesure_le"], name="constante_serie_idx"
            ),
            models.Index(
                fields=["etablissement", "-mesure_le"], condition=~Q(alerte=""), name="constante_alertes_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type_constante="tension", valeur_2__isnull=False)
                | (~Q(type_constante="tension") & Q(valeur_2__isnull=True)),
                name="constante_tension_deux_valeurs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_constante_display()} {self.affichage}"

    @property
    def definition(self) -> DefinitionConstante:
        return DEFINITIONS[self.type_constante]

    @property
    def affichage(self) -> str:
        d = self.definition
        texte = format_valeur(self.valeur, d.decimales)
        if self.valeur_2 is not None:
            texte += "/" + format_valeur(self.valeur_2, d.decimales)
        return f"{texte} {d.unite}"


def format_valeur(valeur: Decimal, decimales: int) -> str:
    return f"{valeur:.{decimales}f}".replace(".", ",")


class SeuilConstante(TenantModel):
    """The person's own alert thresholds for one constante (replace the defaults)."""

    categorie_donnees = Categorie.SOINS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.CASCADE, related_name="seuils_constantes")
    type_constante = models.CharField(max_length=20, choices=TypeConstante.choices)
    minimum = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    minimum_2 = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    maximum_2 = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    modifie_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = tenant_history()

    class Meta:
        verbose_name = "seuil d'alerte"
        indexes = [models.Index(fields=["organisme", "usager"], name="seuil_org_usager_idx")]
        constraints = [
            models.UniqueConstraint(fields=["usager", "type_constante"], name="seuil_unique_par_constante"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lt=models.F("maximum")),
                name="seuil_min_inferieur_max",
            ),
        ]


# --- Transmissions and the relève ------------------------------------------------------------------------


class Poste(models.TextChoices):
    MATIN = "matin", "Matin"
    APRES_MIDI = "apres_midi", "Après-midi"
    NUIT = "nuit", "Nuit"


# Start hour of each shift (the usual 7 h – 14 h – 21 h rotation of EHPAD and MAS); the night runs over
# midnight and belongs to the date it starts on.
DEBUT_POSTE: dict[str, int] = {Poste.MATIN: 7, Poste.APRES_MIDI: 14, Poste.NUIT: 21}


def poste_de(moment: datetime.datetime) -> tuple[str, datetime.date]:
    """The shift (and its date) a moment belongs to."""
    local = timezone.localtime(moment)
    if local.hour < DEBUT_POSTE[Poste.MATIN]:
        return Poste.NUIT, local.date() - datetime.timedelta(days=1)
    if local.hour < DEBUT_POSTE[Poste.APRES_MIDI]:
        return Poste.MATIN, local.date()
    if local.hour < DEBUT_POSTE[Poste.NUIT]:
        return Poste.APRES_MIDI, local.date()
    return Poste.NUIT, local.date()


def bornes_poste(poste: str, jour: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end (aware, Europe/Paris) of a shift."""
    tz = timezone.get_current_timezone()
    debut = datetime.datetime.combine(jour, datetime.time(DEBUT_POSTE[poste]), tzinfo=tz)
    if poste == Poste.NUIT:
        fin = datetime.datetime.combine(
            jour + datetime.timedelta(days=1), datetime.time(DEBUT_POSTE[Poste.MATIN]), tzinfo=tz
        )
    else:
        suivant = Poste.APRES_MIDI if poste == Poste.MATIN else Poste.NUIT
        fin = datetime.datetime.combine(jour, datetime.time(DEBUT_POSTE[suivant]), tzinfo=tz)
    return debut, fin


class Transmission(TenantModel):
    """A transmission ciblée (cible + Données / Actions / Résultats) or a free-form one, written during a
    shift. ``unite`` is the person's unit when it was written (the relève is per unit)."""

    categorie_donnees = Categorie.SOINS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="transmissions")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    unite = models.ForeignKey(Unite, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ecrite_le = models.DateTimeField("écrite le", default=timezone.now)
    poste = models.CharField(max_length=20, choices=Poste.choices)
    date_poste = models.DateField("date du poste")
    cible = models.CharField(
        max_length=120, blank=True, help_text="Laisser vide pour une transmission narrative."
    )
    donnees = models.TextField("données", blank=True)
    actions = models.TextField(blank=True)
    resultats = models.TextField("résultats", blank=True)
    texte = models.TextField("transmission", blank=True)
    importante = models.BooleanField(default=False)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "transmission"
        ordering = ["-ecrite_le", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-ecrite_le"], name="transmission_usager_idx"),
            models.Index(fields=["unite", "-ecrite_le"], name="transmission_unite_idx"),
        ]
        constraints = [
            # a ciblée has a cible and at least its Données; a narrative one has a text
            models.CheckConstraint(
                condition=(~Q(cible="") & ~Q(donnees="")) | (Q(cible="") & ~Q(texte="")),
                name="transmission_contenu",
            ),
        ]

    def __str__(self) -> str:
        return self.cible or "Transmission"

    @property
    def ciblee(self) -> bool:
        return bool(self.cible)


class PriseDePoste(TenantModel):
    """A professional starting a shift on a unit (recorded when the relève is opened): the relève shows
    what happened since the end of that professional's previous shift."""

    professionnel = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unite = models.ForeignKey(Unite, on_delete=models.CASCADE, related_name="+")
    poste = models.CharField(max_length=20, choices=Poste.choices)
    date_poste = models.DateField()
    debut = models.DateTimeField(default=timezone.now)

    etablissement_path = "unite__etablissement"

    class Meta:
        verbose_name = "prise de poste"
        constraints = [
            models.UniqueConstraint(
                fields=["professionnel", "date_poste", "poste"], name="une_prise_de_poste_par_poste"
            )
        ]
        indexes = [
            models.Index(fields=["organisme", "professionnel", "-date_poste"], name="prise_poste_pro_idx")
        ]


# --- Plan de soins ----------------------------------------------------------------------------------------


class TypeSoin(models.TextChoices):
    TOILETTE = "toilette", "Toilette"
    CHANGE = "change", "Change / protection"
    ESCARRES = "escarres", "Prévention des escarres (changement de position)"
    HYDRATATION = "hydratation", "Hydratation"
    REPAS = "repas", "Aide au repas"
    SURVEILLANCE = "surveillance", "Surveillance"
    PANSEMENT = "pansement", "Pansement"
    MOBILISATION = "mobilisation", "Mobilisation / marche"
    AUTRE = "autre", "Autre soin"


class Recurrence(models.TextChoices):
    QUOTIDIEN = "quotidien", "Tous les jours"
    TOUS_LES_N_JOURS = "n_jours", "Tous les N jours"
    JOURS_SEMAINE = "jours_semaine", "Certains jours de la semaine"


JOURS_SEMAINE = [
    (1, "Lundi"),
    (2, "Mardi"),
    (3, "Mercredi"),
    (4, "Jeudi"),
    (5, "Vendredi"),
    (6, "Samedi"),
    (7, "Dimanche"),
]


def jour_prevu(
    jour: datetime.date,
    debut: datetime.date,
    fin: datetime.date | None,
    recurrence: str,
    intervalle: int,
    jours_semaine,
) -> bool:
    """The recurrence rule shared by the plan de soins and the prescriptions (pure): every day, every N days
    counted from ``debut``, or given ISO weekdays, between ``debut`` and ``fin`` (inclusive)."""
    if jour < debut or (fin and jour > fin):
        return False
    if recurrence == Recurrence.TOUS_LES_N_JOURS:
        return (jour - debut).days % intervalle == 0
    if recurrence == Recurrence.JOURS_SEMAINE:
        return jour.isoweekday() in jours_semaine
    return True


class SoinPlanifie(TenantModel, ClotureMotivee):
    """A recurring care task of the plan de soins: at given times, every day, every N days from the start,
    or on given weekdays (ISO numbers, 1 = lundi). Stopping it never touches what was done."""

    categorie_donnees = Categorie.SOINS

    periode = Periode("date_debut", "date_fin")
    objects = PeriodeQuerySet.as_manager()

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="soins_planifies")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    type_soin = models.CharField("soin", max_length=20, choices=TypeSoin.choices)
    libelle = models.CharField("précision", max_length=150, blank=True)
    consignes = models.TextField(blank=True)
    heures = ArrayField(models.TimeField(), verbose_name="heures")
    recurrence = models.CharField(
        "fréquence", max_length=20, choices=Recurrence.choices, default=Recurrence.QUOTIDIEN
    )
    intervalle = models.PositiveSmallIntegerField("tous les N jours", default=1)
    jours_semaine = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    date_debut = models.DateField("à partir du")
    date_fin = models.DateField("jusqu'au", null=True, blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    arrete_le = models.DateTimeField(null=True, blank=True)
    arrete_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "soin planifié"
        verbose_name_plural = "soins planifiés"
        ordering = ["type_soin", "id"]
        indexes = [
            models.Index(
                fields=["organisme", "etablissement", "usager"],
                condition=Q(arrete_le__isnull=True),
                name="soin_actif_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(intervalle__gte=1) & Q(intervalle__lte=60), name="soin_intervalle"
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="soin_fin_apres_debut",
            ),
            models.CheckConstraint(condition=~Q(heures=[]), name="soin_au_moins_une_heure"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_soin_display()}{f' — {self.libelle}' if self.libelle else ''}"

    @property
    def intitule(self) -> str:
        return self.libelle or self.get_type_soin_display()

    def prevu_le(self, jour: datetime.date) -> bool:
        """Whether the task falls on ``jour`` (pure: no query)."""
        if self.arrete_le and jour > timezone.localtime(self.arrete_le).date():
            return False
        return jour_prevu(
            jour, self.date_debut, self.date_fin, self.recurrence, self.intervalle, self.jours_semaine
        )

    def description_frequence(self) -> str:
        heures = ", ".join(h.strftime("%H:%M").replace(":", " h ") for h in sorted(self.heures))
        if self.recurrence == Recurrence.TOUS_LES_N_JOURS:
            rythme = f"tous les {self.intervalle} jours" if self.intervalle > 1 else "tous les jours"
        elif self.recurrence == Recurrence.JOURS_SEMAINE:
            noms = dict(JOURS_SEMAINE)
            rythme = ", ".join(noms[j].lower() for j in sorted(self.jours_semaine))
        else:
            rythme = "tous les jours"
        return f"{rythme} à {heures}"


class StatutRealisation(models.TextChoices):
    FAIT = "fait", "Fait"
    PAS_FAIT = "pas_fait", "Pas fait"
    REPORTE = "reporte", "Reporté"
    ANNULE = "annule", "Annulé (correction)"


class MotifNonRealisation(models.TextChoices):
    REFUS = "refus", "Refus de la personne"
    ABSENT = "absent", "Personne absente"
    ENDORMI = "endormi", "Personne endormie"
    ETAT = "etat", "État de santé ne le permettant pas"
    HOSPITALISE = "hospitalise", "Hospitalisée"
    MATERIEL = "materiel", "Matériel indisponible"
    AUTRE = "autre", "Autre (préciser)"


class RealisationSoin(TenantModel):
    """What happened to one occurrence (task, day, time) of the plan: done, not done (with a reason) or
    postponed (to a time, then done or not). One row per occurrence: two carers validating the same task
    at the same time get one row and a clear message for the second."""

    categorie_donnees = Categorie.SOINS

    soin = models.ForeignKey(SoinPlanifie, on_delete=models.PROTECT, related_name="realisations")
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    date_prevue = models.DateField()
    heure_prevue = models.TimeField()
    statut = models.CharField(max_length=20, choices=StatutRealisation.choices)
    motif = models.CharField(max_length=20, choices=MotifNonRealisation.choices, blank=True)
    precision = models.CharField(max_length=200, blank=True)
    reporte_a = models.TimeField("reporté à", null=True, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    realise_le = models.DateTimeField(default=timezone.now)
    # a validation outside the task's time window, confirmed: minutes from its time (negative = early)
    ecart_confirme = models.SmallIntegerField("écart horaire confirmé (minutes)", null=True, blank=True)
    # the key the device gave this validation (a one-tap action queued offline and replayed): a replay
    # of the same key is recognised as already done, never recorded twice
    cle_idempotence = models.CharField(max_length=64, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "réalisation d'un soin"
        indexes = [
            # the day of an ESMS; the status included for the director's counts (index-only scans)
            models.Index(
                fields=["organisme", "etablissement", "date_prevue"],
                include=["statut"],
                name="realisation_jour_idx",
            ),
            # the relève: tasks not done or postponed, recent first
            models.Index(
                fields=["etablissement", "-realise_le"],
                condition=Q(statut__in=["pas_fait", "reporte"]),
                name="realisation_releve_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["soin", "date_prevue", "heure_prevue"], name="une_realisation_par_occurrence"
            ),
            models.CheckConstraint(condition=~Q(statut="pas_fait") | ~Q(motif=""), name="realisation_motif"),
            models.CheckConstraint(
                condition=~Q(statut="reporte") | Q(reporte_a__isnull=False), name="realisation_report_heure"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.soin} — {self.date_prevue:%d/%m} {self.heure_prevue:%H:%M} : {self.get_statut_display()}"
        )

    @property
    def ouverte(self) -> bool:
        """Still to do: postponed, or its validation undone."""
        return self.statut in (StatutRealisation.REPORTE, StatutRealisation.ANNULE)


# --- Read marks -------------------------------------------------------------------------------------------


# What a read mark may point to (exactly one of them).
OBJETS_LUS = ("transmission", "constante", "realisation", "absence", "sejour")


def _un_seul_objet() -> Q:
    condition = Q(pk__in=[])
    for champ in OBJETS_LUS:
        condition |= Q(**{f"{autre}__isnull": autre != champ for autre in OBJETS_LUS})
    return condition


class Lecture(TenantModel):
    """A professional has read an item of the relève: a transmission, an alert on a constante, a care task
    not done, an absence (hospitalisation, return) or an arrival in the unit. An absence read before it
    changed (the return is recorded) is unread again: ``lu_le`` is compared with its modification."""

    professionnel = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    transmission = models.ForeignKey(
        Transmission, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    constante = models.ForeignKey(
        Constante, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    realisation = models.ForeignKey(
        RealisationSoin, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    absence = models.ForeignKey(
        "usagers.Absence", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sejour = models.ForeignKey(
        "usagers.Sejour", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    lu_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "lecture"
        indexes = [models.Index(fields=["organisme", "professionnel"], name="lecture_org_pro_idx")]
        constraints = [
            models.CheckConstraint(condition=_un_seul_objet(), name="lecture_un_objet"),
            models.UniqueConstraint(
                fields=["professionnel", "absence"],
                condition=Q(absence__isnull=False),
                name="lecture_absence_unique",
            ),
            models.UniqueConstraint(
                fields=["professionnel", "sejour"],
                condition=Q(sejour__isnull=False),
                name="lecture_sejour_unique",
            ),
            models.UniqueConstraint(
                fields=["professionnel", "transmission"],
                condition=Q(transmission__isnull=False),
                name="lecture_transmission_unique",
            ),
            models.UniqueConstraint(
                fields=["professionnel", "constante"],
                condition=Q(constante__isnull=False),
                name="lecture_constante_unique",
            ),
            models.UniqueConstraint(
                fields=["professionnel", "realisation"],
                condition=Q(realisation__isnull=False),
                name="lecture_realisation_unique",
            ),
        ]
