"""Circuit du médicament (decision 0005): the BDPM drug base (reference data, no organisme), prescriptions,
the plan d'administration they generate, administrations, piluliers and stock per ESMS."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from dui.categories import Categorie
from dui.models import ClotureMotivee, Etablissement, TenantModel, tenant_history
from dui.periodes import Periode, PeriodeQuerySet
from soins.models import MotifNonRealisation, Recurrence, jour_prevu

# --- BDPM (reference data shared by every tenant: read-only for the application role) ----------------------


class Specialite(models.Model):
    """A drug as authorised (CIS code): ``CIS_bdpm.txt``."""

    cis = models.CharField("code CIS", max_length=8, unique=True)
    denomination = models.CharField("dénomination", max_length=300)
    denomination_normalisee = models.CharField(max_length=300, db_index=True)
    forme = models.CharField("forme pharmaceutique", max_length=200)
    voies = ArrayField(models.CharField(max_length=80), default=list)
    statut_amm = models.CharField(max_length=120)
    commercialisee = models.BooleanField(default=False)
    etat_commercialisation = models.CharField(max_length=120)
    titulaire = models.CharField(max_length=300)
    surveillance_renforcee = models.BooleanField(default=False)
    conditions = models.TextField("conditions de prescription et de délivrance", blank=True)

    class Meta:
        verbose_name = "spécialité"
        ordering = ["denomination"]

    def __str__(self) -> str:
        return self.denomination


class Substance(models.Model):
    code = models.CharField(max_length=10, unique=True)
    denomination = models.CharField("dénomination", max_length=300)
    denomination_normalisee = models.CharField(max_length=300, db_index=True)

    class Meta:
        ordering = ["denomination"]

    def __str__(self) -> str:
        return self.denomination


class Composition(models.Model):
    """One substance of a spécialité with its dosage (``CIS_COMPO_bdpm.txt``). ``nature`` SA = substance
    active, FT = fraction thérapeutique (the same active moiety expressed differently, same liaison)."""

    specialite = models.ForeignKey(Specialite, on_delete=models.CASCADE, related_name="compositions")
    substance = models.ForeignKey(Substance, on_delete=models.PROTECT, related_name="compositions")
    element = models.CharField("élément pharmaceutique", max_length=200)
    denomination = models.CharField(max_length=300)
    dosage = models.CharField(max_length=200, blank=True)
    reference_dosage = models.CharField(max_length=200, blank=True)
    nature = models.CharField(max_length=2)
    liaison = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specialite", "substance", "nature", "liaison"], name="composition_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.denomination} {self.dosage}".strip()

    def milligrammes(self) -> Decimal | None:
        """The dosage in mg when it is a plain mass per unit (« 500 mg », « 1 g »), else None."""
        m = re.fullmatch(r"\s*([\d\s]+(?:,\d+)?)\s*(mg|g|microgrammes|µg)\s*", self.dosage or "")
        if not m:
            return None
        valeur = Decimal(m.group(1).replace(" ", "").replace(",", "."))
        return {"mg": valeur, "g": valeur * 1000}.get(m.group(2), valeur / 1000)


class Presentation(models.Model):
    """A box (``CIS_CIP_bdpm.txt``): the CIP13 printed as EAN-13 / inside the DataMatrix."""

    specialite = models.ForeignKey(Specialite, on_delete=models.CASCADE, related_name="presentations")
    cip7 = models.CharField(max_length=7)
    cip13 = models.CharField(max_length=13, unique=True)
    libelle = models.CharField("libellé", max_length=400)
    statut = models.CharField(max_length=120)
    etat_commercialisation = models.CharField(max_length=120)
    agrement_collectivites = models.BooleanField(default=False)
    taux_remboursement = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "présentation"

    def __str__(self) -> str:
        return f"{self.specialite} — {self.libelle}"


class GroupeGenerique(models.Model):
    numero = models.PositiveIntegerField(unique=True)
    libelle = models.CharField("libellé", max_length=500)
    specialites = models.ManyToManyField(Specialite, through="MembreGroupe", related_name="groupes")

    class Meta:
        verbose_name = "groupe générique"

    def __str__(self) -> str:
        return self.libelle


class MembreGroupe(models.Model):
    TYPES = {
        0: "princeps",
        1: "générique",
        2: "génériques par complémentarité posologique",
        4: "substituable",
    }
    groupe = models.ForeignKey(GroupeGenerique, on_delete=models.CASCADE)
    specialite = models.ForeignKey(Specialite, on_delete=models.CASCADE)
    type_generique = models.PositiveSmallIntegerField()
    tri = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["groupe", "specialite"], name="membre_groupe_unique")]

    def __str__(self) -> str:
        return f"{self.specialite_id} ∈ {self.groupe_id} ({self.TYPES.get(self.type_generique, '?')})"


# --- Prescriptions ---------------------------------------------------------------------------------------------


class Unite(models.TextChoices):
    COMPRIME = "comprime", "comprimé(s)"
    GELULE = "gelule", "gélule(s)"
    SACHET = "sachet", "sachet(s)"
    MG = "mg", "mg"
    G = "g", "g"
    ML = "ml", "ml"
    GOUTTE = "goutte", "goutte(s)"
    UI = "ui", "UI"
    BOUFFEE = "bouffee", "bouffée(s)"
    SUPPOSITOIRE = "suppositoire", "suppositoire(s)"
    PATCH = "patch", "patch(s)"
    AMPOULE = "ampoule", "ampoule(s)"
    APPLICATION = "application", "application(s)"


# Units that count whole dosage units: the dose in mg is (number) × (dosage per unit).
UNITES_DE_PRISE = {Unite.COMPRIME, Unite.GELULE, Unite.SACHET, Unite.SUPPOSITOIRE, Unite.AMPOULE}


class Voie(models.TextChoices):
    ORALE = "orale", "orale"
    SUBLINGUALE = "sublinguale", "sublinguale"
    CUTANEE = "cutanee", "cutanée"
    TRANSDERMIQUE = "transdermique", "transdermique"
    SOUS_CUTANEE = "sous_cutanee", "sous-cutanée"
    INTRAMUSCULAIRE = "intramusculaire", "intramusculaire"
    INTRAVEINEUSE = "intraveineuse", "intraveineuse"
    RECTALE = "rectale", "rectale"
    INHALEE = "inhalee", "inhalée"
    OPHTALMIQUE = "ophtalmique", "ophtalmique"
    NASALE = "nasale", "nasale"
    AURICULAIRE = "auriculaire", "auriculaire"


class Consigne(models.TextChoices):
    ECRASABLE = "ecrasable", "Peut être écrasé / ouvert"
    NE_PAS_ECRASER = "ne_pas_ecraser", "Ne pas écraser ni ouvrir"
    A_JEUN = "a_jeun", "À jeun"
    AU_REPAS = "au_repas", "Pendant le repas"
    AVEC_EAU = "avec_eau", "Avec un grand verre d'eau"
    SURVEILLANCE = "surveillance", "Surveillance après la prise"


def nombre_fr(valeur: Decimal) -> str:
    """0.500 → "0,5" (a dose as a French form shows and accepts it)."""
    return f"{valeur.normalize():f}".replace(".", ",")


# The moments of the day a prescription is usually written with, and the hour each stands for.
MOMENTS = [
    ("matin", "Matin", datetime.time(8, 0)),
    ("midi", "Midi", datetime.time(12, 0)),
    ("soir", "Soir", datetime.time(18, 0)),
    ("coucher", "Coucher", datetime.time(21, 0)),
]


class Prescription(TenantModel, ClotureMotivee):
    """One line of a prescription, by a physician, for a person in an ESMS. Never edited once written: a
    modification stops it and writes a new line (``remplace``); stopping it keeps the past plan and what
    was administered. "Si besoin" lines have no planned doses, an indication and a maximum per 24 h."""

    categorie_donnees = Categorie.MEDICAMENTS
    categories_admises = (Categorie.SOINS, Categorie.MEDICAL, Categorie.DOCUMENTS)

    periode = Periode("debut", "fin", fin_exclue=True)  # datetimes: the end is the first moment out
    objects = PeriodeQuerySet.as_manager()

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="prescriptions")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    prescripteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    specialite = models.ForeignKey(
        Specialite, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_constraint=False
    )
    substance = models.ForeignKey(
        Substance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name="substance (DCI)",
    )
    # what is printed and shown: the spécialité's name, or the DCI with its dosage
    libelle = models.CharField("médicament", max_length=300)
    dosage_dci = models.CharField("dosage (DCI)", max_length=60, blank=True)
    dose = models.DecimalField(max_digits=8, decimal_places=3)
    unite = models.CharField("unité", max_length=20, choices=Unite.choices)
    voie = models.CharField(max_length=20, choices=Voie.choices)
    heures = ArrayField(models.TimeField(), default=list, blank=True)
    recurrence = models.CharField(
        "fréquence", max_length=20, choices=Recurrence.choices, default=Recurrence.QUOTIDIEN
    )
    intervalle = models.PositiveSmallIntegerField("tous les N jours", default=1)
    jours_semaine = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    debut = models.DateTimeField("début")
    fin = models.DateTimeField("fin", null=True, blank=True)
    si_besoin = models.BooleanField("si besoin", default=False)
    indication = models.CharField(max_length=200, blank=True)
    max_par_24h = models.PositiveSmallIntegerField("prises maximum par 24 h", null=True, blank=True)
    consignes = ArrayField(
        models.CharField(max_length=20, choices=Consigne.choices), default=list, blank=True
    )
    commentaire = models.CharField("autres consignes", max_length=300, blank=True)
    remplace = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="remplacee_par"
    )
    arrete_le = models.DateTimeField(null=True, blank=True)
    arrete_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "ligne de prescription"
        verbose_name_plural = "lignes de prescription"
        ordering = ["si_besoin", "libelle", "id"]
        indexes = [
            models.Index(
                fields=["organisme", "usager"],
                condition=Q(arrete_le__isnull=True),
                name="prescription_active_idx",
            ),
            models.Index(fields=["organisme", "etablissement", "usager"], name="prescription_etab_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(specialite__isnull=False) | Q(substance__isnull=False),
                name="prescription_medicament",
            ),
            models.CheckConstraint(condition=Q(dose__gt=0), name="prescription_dose_positive"),
            models.CheckConstraint(
                condition=Q(intervalle__gte=1) & Q(intervalle__lte=60), name="prescription_intervalle"
            ),
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gt=F("debut")), name="prescription_fin_apres_debut"
            ),
            models.CheckConstraint(
                condition=Q(si_besoin=False, max_par_24h__isnull=True) & ~Q(heures=[])
                | Q(si_besoin=True, max_par_24h__gte=1) & ~Q(indication=""),
                name="prescription_si_besoin_ou_heures",
            ),
            models.CheckConstraint(
                condition=Q(arrete_le__isnull=True) | ~Q(motif_cloture=""), name="prescription_arret_motif"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.libelle} — {self.posologie}"

    @property
    def intitule(self) -> str:
        return f"{self.libelle} {self.dosage_dci}".strip()

    @property
    def dose_texte(self) -> str:
        return f"{nombre_fr(self.dose)} {self.get_unite_display()}"

    @property
    def posologie(self) -> str:
        if self.si_besoin:
            return (
                f"{self.dose_texte} si besoin ({self.indication}), {self.max_par_24h} fois maximum par 24 h, "
                f"voie {self.get_voie_display()}"
            )
        heures = ", ".join(h.strftime("%H:%M").replace(":", " h ") for h in sorted(self.heures))
        if self.recurrence == Recurrence.TOUS_LES_N_JOURS and self.intervalle > 1:
            rythme = f"tous les {self.intervalle} jours"
        elif self.recurrence == Recurrence.JOURS_SEMAINE:
            from soins.models import JOURS_SEMAINE

            noms = dict(JOURS_SEMAINE)
            rythme = "le " + ", ".join(noms[j].lower() for j in sorted(self.jours_semaine))
        else:
            rythme = "tous les jours"
        return f"{self.dose_texte} {rythme} à {heures}, voie {self.get_voie_display()}"

    @property
    def dernier_jour(self) -> datetime.date | None:
        """The last day of treatment (``fin`` is the instant it ends, often midnight of the next day)."""
        return timezone.localtime(self.fin - datetime.timedelta(seconds=1)).date() if self.fin else None

    @property
    def consignes_libelles(self) -> list[str]:
        return [Consigne(c).label for c in self.consignes if c in Consigne.values]

    def active_le(self, moment: datetime.datetime) -> bool:
        """Whether a dose may be given at ``moment``: started, not ended, not stopped."""
        return self.periode.couvre(self, moment) and (self.arrete_le is None or moment < self.arrete_le)

    def prises_du_jour(self, jour: datetime.date) -> list[datetime.datetime]:
        """The planned times of ``jour`` (aware, Europe/Paris wall clock), within the prescription's period.
        A time that does not exist on the spring DST day (02:30) is given one hour later; one that exists
        twice in autumn is given once, at its first occurrence."""
        if self.si_besoin:
            return []
        tz = timezone.get_current_timezone()
        debut = timezone.localtime(self.debut, tz).date()
        if not jour_prevu(jour, debut, None, self.recurrence, self.intervalle, self.jours_semaine):
            return []
        moments = []
        for heure in sorted(self.heures):
            # fold=0, then UTC: a non-existent local time (the spring gap) moves an hour later, an ambiguous one
            # (autumn) is its first occurrence; UTC values compare without the ambiguity of local ones
            moment = datetime.datetime.combine(jour, heure, tzinfo=tz).astimezone(datetime.UTC)
            if self.active_le(moment):
                moments.append(moment)
        return moments


class AlertePrescription(TenantModel):
    """A safety alert raised when the line was written, and the prescriber's reason to go on."""

    class Type(models.TextChoices):
        ALLERGIE = "allergie", "Allergie / intolérance"
        DOUBLON = "doublon", "Substance déjà prescrite"
        DOSE_MAX = "dose_max", "Dose maximale par 24 h"

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="alertes")
    type_alerte = models.CharField(max_length=20, choices=Type.choices)
    cle = models.CharField(max_length=60)
    message = models.CharField(max_length=500)
    motif = models.CharField("motif pour passer outre", max_length=300)
    acquittee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    etablissement_path = "prescription__etablissement"

    class Meta:
        indexes = [models.Index(fields=["organisme", "prescription"], name="alerte_presc_idx")]
        constraints = [models.CheckConstraint(condition=~Q(motif=""), name="alerte_motif_obligatoire")]


class DosePlanifiee(TenantModel):
    """One dose of the plan d'administration: generated from a prescription for a day and time (a rolling
    horizon ahead); a change regenerates the future, never the past."""

    categorie_donnees = Categorie.MEDICAMENTS
    categories_admises = (Categorie.SOINS,)

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="doses")
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    prevue_le = models.DateTimeField()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "dose planifiée"
        indexes = [
            models.Index(fields=["organisme", "etablissement", "prevue_le"], name="dose_etab_moment_idx"),
            models.Index(fields=["organisme", "usager", "prevue_le"], name="dose_usager_moment_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["prescription", "prevue_le"], name="une_dose_par_moment")
        ]


class StatutAdministration(models.TextChoices):
    DONNE = "donne", "Donné"
    REFUSE = "refuse", "Refusé"
    NON_DONNE = "non_donne", "Non donné"
    REPORTE = "reporte", "Reporté"
    ANNULE = "annule", "Annulé (correction)"


class EffetSiBesoin(models.TextChoices):
    SOULAGE = "soulage", "Soulagé(e)"
    PARTIEL = "partiel", "Partiellement soulagé(e)"
    SANS_EFFET = "sans_effet", "Sans effet"
    INDESIRABLE = "indesirable", "Effet indésirable"


class Administration(TenantModel):
    """What happened to a planned dose — given, refused, not given (reason), postponed (then given or not,
    the same row) — or a "si besoin" dose given for an indication. At most one per planned dose (a
    database constraint: two nurses tapping at once get one row); a database trigger refuses any row whose
    time is outside the prescription's period (not started, ended or stopped)."""

    categorie_donnees = Categorie.MEDICAMENTS
    categories_admises = (Categorie.SOINS, Categorie.DOCUMENTS)

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="administrations")
    dose = models.OneToOneField(
        DosePlanifiee, on_delete=models.PROTECT, null=True, blank=True, related_name="administration"
    )
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    statut = models.CharField(max_length=20, choices=StatutAdministration.choices)
    motif = models.CharField(max_length=20, choices=MotifNonRealisation.choices, blank=True)
    precision = models.CharField(max_length=200, blank=True)
    reporte_a = models.DateTimeField("reporté à", null=True, blank=True)
    indication = models.CharField(max_length=200, blank=True)
    quantite = models.DecimalField(max_digits=8, decimal_places=3)
    administree_le = models.DateTimeField(default=timezone.now)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cip13_scanne = models.CharField("code scanné", max_length=13, blank=True)
    # given outside the dose's time window, confirmed: minutes from its time (negative = early)
    ecart_confirme = models.SmallIntegerField("écart horaire confirmé (minutes)", null=True, blank=True)
    # the key the device gave this validation (a one-tap action queued offline and replayed): a replay
    # of the same key is recognised as already done, never recorded twice
    cle_idempotence = models.CharField(max_length=64, blank=True)
    # A "si besoin" dose's effect is re-evaluated after DUI_REEVALUATION_SI_BESOIN_MINUTES (issue 23, item 4):
    # when it is due, then what was seen (effect, pain on the 0-10 numeric scale), by whom and when.
    reevaluer_le = models.DateTimeField("à réévaluer à", null=True, blank=True)
    effet = models.CharField("effet", max_length=12, choices=EffetSiBesoin.choices, blank=True)
    douleur_apres = models.PositiveSmallIntegerField("douleur après (EN 0 à 10)", null=True, blank=True)
    commentaire_reevaluation = models.CharField("observation", max_length=300, blank=True)
    reevaluee_le = models.DateTimeField("réévaluée le", null=True, blank=True)
    reevaluee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        indexes = [
            models.Index(fields=["organisme", "usager", "administree_le"], name="adm_usager_moment_idx"),
            # the "si besoin" doses to re-evaluate of an ESMS (the unit pages' section)
            models.Index(
                fields=["organisme", "etablissement", "reevaluer_le"],
                condition=Q(reevaluer_le__isnull=False),
                name="adm_reevaluation_idx",
            ),
            models.Index(fields=["organisme", "prescription", "administree_le"], name="adm_presc_moment_idx"),
            # an ESMS over a period, with the status: the director's counts read the index only
            models.Index(
                fields=["organisme", "etablissement", "administree_le"],
                include=["statut"],
                name="adm_etab_moment_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dose__isnull=False) | Q(statut__in=["donne", "annule"]) & ~Q(indication=""),
                name="administration_si_besoin_indication",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=["refuse", "non_donne"]) | ~Q(motif=""), name="administration_motif"
            ),
            models.CheckConstraint(
                condition=~Q(statut="reporte") | Q(reporte_a__isnull=False),
                name="administration_report_heure",
            ),
            models.CheckConstraint(
                condition=Q(douleur_apres__isnull=True) | Q(douleur_apres__lte=10),
                name="administration_douleur_0_10",
            ),
            models.CheckConstraint(
                condition=Q(reevaluee_le__isnull=True) | ~Q(effet=""),
                name="administration_reevaluation_effet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prescription.libelle} — {self.get_statut_display()}"

    @property
    def ouverte(self) -> bool:
        """Still to do: postponed, or its validation undone."""
        return self.statut in (StatutAdministration.REPORTE, StatutAdministration.ANNULE)


# --- Piluliers ---------------------------------------------------------------------------------------------


class Pilulier(TenantModel):
    """The weekly preparation of a person's pill box (Monday to Sunday), prepared by one professional and
    double-checked by another (a database constraint)."""

    categorie_donnees = Categorie.MEDICAMENTS

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="+")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    semaine = models.DateField("semaine du")
    prepare_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepare_le = models.DateTimeField(default=timezone.now)
    verifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verifie_le = models.DateTimeField(null=True, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        indexes = [
            models.Index(fields=["organisme", "etablissement", "semaine"], name="pilulier_semaine_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["usager", "etablissement", "semaine"], name="un_pilulier_par_semaine"
            ),
            models.CheckConstraint(
                condition=Q(verifie_par__isnull=True) | ~Q(verifie_par=F("prepare_par")),
                name="pilulier_double_controle",
            ),
            models.CheckConstraint(condition=Q(semaine__week_day=2), name="pilulier_commence_lundi"),
        ]


# --- Stock -------------------------------------------------------------------------------------------------


class ArticleStock(TenantModel):
    """A drug an ESMS keeps in stock (dotation or PUI), counted in units (comprimés, ampoules…)."""

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    specialite = models.ForeignKey(
        Specialite, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    seuil_alerte = models.PositiveIntegerField("seuil d'alerte", default=0)
    sortie_par_administration = models.BooleanField(
        "décompter chaque dose donnée",
        default=False,
        help_text="Le stock diminue à chaque administration notée « donné ».",
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "article en stock"
        indexes = [models.Index(fields=["organisme", "etablissement"], name="article_etab_idx")]
        constraints = [
            models.UniqueConstraint(fields=["etablissement", "specialite"], name="un_article_par_esms")
        ]

    def __str__(self) -> str:
        return str(self.specialite)


class TypeMouvement(models.TextChoices):
    RECEPTION = "reception", "Réception"
    SORTIE = "sortie", "Sortie"
    ADMINISTRATION = "administration", "Dose administrée"
    INVENTAIRE = "inventaire", "Écart d'inventaire"
    PERIME = "perime", "Destruction (périmé)"
    ANNULATION = "annulation", "Dose annulée (correction)"


class MouvementStock(TenantModel):
    """A signed movement of an article's stock, by lot (append-only: the stock is their sum)."""

    article = models.ForeignKey(ArticleStock, on_delete=models.PROTECT, related_name="mouvements")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    type_mouvement = models.CharField(max_length=20, choices=TypeMouvement.choices)
    quantite = models.IntegerField()
    lot = models.CharField(max_length=40, blank=True)
    peremption = models.DateField("péremption", null=True, blank=True)
    # a dose given, and its return to stock when that validation is undone (then given again: a third)
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="mouvements_stock"
    )
    commentaire = models.CharField(max_length=200, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    le = models.DateTimeField(default=timezone.now)

    etablissement_path = "etablissement"

    class Meta:
        indexes = [models.Index(fields=["organisme", "article", "lot"], name="mouvement_article_lot_idx")]
        constraints = [models.CheckConstraint(condition=~Q(quantite=0), name="mouvement_non_nul")]
