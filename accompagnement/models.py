"""Accompagnement: the projet personnalisé (PP / PPA) and its versions, the évaluations (AGGIR, SERAFIN-PH
besoins, grilles configurables) and the journal de suivi (écrits professionnels).

Every row belongs to one usager *and* one ESMS (``etablissement``): access is decided by
``habilitations.policy.scope_contenu`` / ``can_contenu`` (the usager's exceptions, then the row's ESMS).
Data categories: the PP, SERAFIN-PH and the journal are ``social``; AGGIR is ``soins``; a configurable grid
says which category it belongs to; a confidential observation needs more (see ``Confidentialite``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dui.models import ClotureMotivee, Etablissement, TenantModel, tenant_history
from habilitations.roles import Categorie, Droit

# --- SERAFIN-PH nomenclature (reference data, shared by every tenant) -----------------------------------


class JeuSerafin(models.TextChoices):
    BESOINS = "J285", "Besoins (J285)"
    PRESTATIONS_DIRECTES = "J284", "Prestations directes (J284)"
    PRESTATIONS_INDIRECTES = "J283", "Prestations indirectes (J283)"


class CodeSerafin(models.Model):
    """One code of a SERAFIN-PH value set, in one version of it. Reference data, not tenant data: no
    ``organisme`` and no row-level security (like the tenant registry), read-only for the application.
    Older versions stay (records keep pointing at the code they used) and are marked inactive."""

    jeu = models.CharField(max_length=4, choices=JeuSerafin.choices)
    oid = models.CharField("OID du jeu de valeurs", max_length=40)
    version = models.CharField(max_length=20)
    code = models.CharField(max_length=20)
    libelle = models.CharField("libellé", max_length=300)
    parent_code = models.CharField(max_length=20, blank=True)
    niveau = models.PositiveSmallIntegerField()
    actif = models.BooleanField(default=True)

    class Meta:
        verbose_name = "code SERAFIN-PH"
        verbose_name_plural = "codes SERAFIN-PH"
        ordering = ["jeu", "code"]
        constraints = [models.UniqueConstraint(fields=["jeu", "version", "code"], name="serafin_code_unique")]
        indexes = [models.Index(fields=["jeu", "actif", "code"], name="serafin_jeu_actif_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.libelle}"

    @property
    def feuille(self) -> bool:
        return self.niveau >= 3


# --- Projet personnalisé --------------------------------------------------------------------------------


class StatutPP(models.TextChoices):
    RECUEIL = "recueil", "Recueil des attentes"
    CO_CONSTRUCTION = "co_construction", "Co-construction"
    EN_OEUVRE = "en_oeuvre", "Validé — mise en œuvre"
    BILAN = "bilan", "Bilan réalisé — révision à engager"
    REMPLACE = "remplace", "Remplacé par une version plus récente"


STATUTS_BROUILLON = (StatutPP.RECUEIL, StatutPP.CO_CONSTRUCTION)
STATUTS_COURANTS = (StatutPP.EN_OEUVRE, StatutPP.BILAN)

# Bilan at least yearly (DOMAIN.md: the PP is reviewed at least every year).
DUREE_MAX_AVANT_BILAN = datetime.timedelta(days=365)
# CASF art. D311: the avenant to the contrat de séjour setting out the PP's objectives and prestations is
# drawn up within six months of admission.
DELAI_PREMIER_PP = datetime.timedelta(days=183)


class ProjetPersonnalise(TenantModel):
    """One version of a usager's projet personnalisé in one ESMS. Versions are never overwritten: a
    revision is a new version (``precedent``); the current one is the validated one (en œuvre or with its
    bilan done), at most one per usager and ESMS; at most one draft is being built beside it."""

    categorie_donnees = Categorie.SOCIAL
    categories_admises = (Categorie.DOCUMENTS,)

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="projets")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(default=1)
    precedent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    statut = models.CharField(max_length=20, choices=StatutPP.choices, default=StatutPP.RECUEIL)
    coordonnateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="coordonnateur du projet",
        help_text="Professionnel référent du projet : il reçoit les rappels.",
    )
    projet_de_vie = models.TextField(
        "projet de vie", blank=True, help_text="Les aspirations de la personne, avec ses mots."
    )
    date_validation = models.DateField("validé le", null=True, blank=True)
    echeance_bilan = models.DateField("bilan prévu au plus tard le", null=True, blank=True)
    date_bilan = models.DateField("bilan réalisé le", null=True, blank=True)
    synthese_bilan = models.TextField("synthèse du bilan", blank=True)
    avis_usager_bilan = models.TextField("avis de la personne sur le bilan", blank=True)
    bilan_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "projet personnalisé"
        verbose_name_plural = "projets personnalisés"
        ordering = ["-version"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-version"], name="pp_org_usager_idx"),
            models.Index(
                fields=["organisme", "etablissement", "statut", "echeance_bilan"], name="pp_org_etab_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["usager", "etablissement", "version"], name="pp_version_unique"),
            models.UniqueConstraint(
                fields=["usager", "etablissement"],
                condition=Q(statut__in=STATUTS_COURANTS),
                name="pp_un_seul_courant",
                violation_error_message="Un projet validé est déjà en cours pour cette personne.",
            ),
            models.UniqueConstraint(
                fields=["usager", "etablissement"],
                condition=Q(statut__in=STATUTS_BROUILLON),
                name="pp_un_seul_brouillon",
                violation_error_message="Un projet est déjà en cours d'élaboration.",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=[*STATUTS_COURANTS, StatutPP.REMPLACE])
                | Q(date_validation__isnull=False, echeance_bilan__isnull=False),
                name="pp_valide_date_echeance",
            ),
            models.CheckConstraint(
                condition=Q(echeance_bilan__isnull=True) | Q(echeance_bilan__gte=models.F("date_validation")),
                name="pp_echeance_apres_validation",
            ),
        ]

    def __str__(self) -> str:
        return f"Projet personnalisé v{self.version} ({self.get_statut_display().lower()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accompagnement:projet", args=[self.public_id])

    @property
    def brouillon(self) -> bool:
        return self.statut in STATUTS_BROUILLON

    @property
    def courant(self) -> bool:
        return self.statut in STATUTS_COURANTS

    def en_retard(self, jour: datetime.date | None = None) -> bool:
        jour = jour or timezone.localdate()
        return (
            self.statut == StatutPP.EN_OEUVRE
            and self.echeance_bilan is not None
            and self.echeance_bilan < jour
        )


class SourceAttente(models.TextChoices):
    USAGER = "usager", "La personne"
    FAMILLE = "famille", "Sa famille / ses proches"
    REPRESENTANT = "representant", "Son représentant légal"
    AUTRE = "autre", "Autre"


class Attente(TenantModel):
    """An expectation, in the words of the person (or of their family / representative)."""

    projet = models.ForeignKey(ProjetPersonnalise, on_delete=models.CASCADE, related_name="attentes")
    source = models.CharField("exprimée par", max_length=20, choices=SourceAttente.choices)
    precision_source = models.CharField(
        "qui précisément", max_length=120, blank=True, help_text="Par exemple : « sa fille Claire »."
    )
    texte = models.TextField("attente, avec ses mots")
    recueillie_le = models.DateField("recueillie le", default=timezone.localdate)
    history = tenant_history()

    etablissement_path = "projet__etablissement"

    class Meta:
        verbose_name = "attente"
        ordering = ["recueillie_le", "id"]
        indexes = [models.Index(fields=["organisme", "projet"], name="attente_org_projet_idx")]

    def __str__(self) -> str:
        return self.texte[:80]


class Besoin(TenantModel):
    """A need: a SERAFIN-PH code (J285, disability sector) or a free category (elsewhere)."""

    projet = models.ForeignKey(ProjetPersonnalise, on_delete=models.CASCADE, related_name="besoins")
    code_serafin = models.ForeignKey(
        CodeSerafin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"jeu": JeuSerafin.BESOINS},
        verbose_name="besoin SERAFIN-PH",
    )
    categorie_libre = models.CharField("catégorie", max_length=120, blank=True)
    description = models.TextField(blank=True)
    priorite = models.PositiveSmallIntegerField(
        "priorité", default=2, choices=[(1, "Haute"), (2, "Moyenne"), (3, "Basse")]
    )
    history = tenant_history()

    etablissement_path = "projet__etablissement"

    class Meta:
        verbose_name = "besoin"
        ordering = ["priorite", "id"]
        indexes = [models.Index(fields=["organisme", "projet"], name="besoin_org_projet_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_serafin__isnull=False) | ~Q(categorie_libre=""),
                name="besoin_code_ou_categorie",
                violation_error_message="Choisissez un besoin SERAFIN-PH ou saisissez une catégorie.",
            ),
        ]

    def __str__(self) -> str:
        return self.code_serafin.libelle if self.code_serafin is not None else self.categorie_libre


class ResultatObjectif(models.TextChoices):
    ATTEINT = "atteint", "Atteint"
    PARTIEL = "partiel", "Partiellement atteint"
    NON_ATTEINT = "non_atteint", "Non atteint"
    ABANDONNE = "abandonne", "Abandonné"


RESULTATS_A_RECONDUIRE = (ResultatObjectif.PARTIEL, ResultatObjectif.NON_ATTEINT)


class Objectif(TenantModel):
    projet = models.ForeignKey(ProjetPersonnalise, on_delete=models.CASCADE, related_name="objectifs")
    besoin = models.ForeignKey(
        Besoin,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectifs",
        verbose_name="besoin auquel il répond",
    )
    libelle = models.CharField("objectif", max_length=300)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="référent"
    )
    echeance = models.DateField("échéance")
    avis_usager = models.TextField("avis de la personne", blank=True)
    resultat = models.CharField(
        "résultat au bilan", max_length=20, choices=ResultatObjectif.choices, blank=True
    )
    commentaire_bilan = models.TextField("commentaire au bilan", blank=True)
    reconduit_de = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "projet__etablissement"

    class Meta:
        verbose_name = "objectif"
        ordering = ["echeance", "id"]
        indexes = [models.Index(fields=["organisme", "projet"], name="objectif_org_projet_idx")]

    def __str__(self) -> str:
        return self.libelle


class Action(TenantModel):
    """What is done for an objective: by whom, how often, with which means; the SERAFIN-PH prestation it
    belongs to (J284 direct or J283 indirect) in the disability sector."""

    objectif = models.ForeignKey(Objectif, on_delete=models.CASCADE, related_name="actions")
    libelle = models.CharField("action", max_length=300)
    intervenant = models.CharField(
        "qui", max_length=200, help_text="Professionnel, équipe, partenaire, famille…"
    )
    frequence = models.CharField("à quelle fréquence", max_length=120, blank=True)
    moyens = models.CharField("moyens", max_length=300, blank=True)
    prestation = models.ForeignKey(
        CodeSerafin,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"jeu__in": [JeuSerafin.PRESTATIONS_DIRECTES, JeuSerafin.PRESTATIONS_INDIRECTES]},
        verbose_name="prestation SERAFIN-PH",
    )
    history = tenant_history()

    etablissement_path = "objectif__projet__etablissement"

    class Meta:
        verbose_name = "action"
        ordering = ["id"]
        indexes = [models.Index(fields=["organisme", "objectif"], name="action_org_objectif_idx")]

    def __str__(self) -> str:
        return self.libelle


class Decision(models.TextChoices):
    ACCORD = "accord", "Accord"
    REFUS = "refus", "Refus"


class ExprimePar(models.TextChoices):
    USAGER = "usager", "La personne elle-même"
    REPRESENTANT = "representant", "Son représentant légal"


class Modalite(models.TextChoices):
    SIGNATURE = "signature", "Signature du document"
    ORAL = "oral", "Accord ou refus exprimé oralement, tracé par l'équipe"
    NON_VERBAL = "non_verbal", "Expression non verbale (communication adaptée)"
    COURRIER = "courrier", "Courrier / courriel du représentant"
    EN_LIGNE = "en_ligne", "En ligne, dans l'espace personne et proches"


class AvisValidation(TenantModel):
    """The agreement — or refusal — of the person or their legal representative on a version of the PP.
    Every answer is kept: a refusal sends the project back to co-construction."""

    projet = models.ForeignKey(ProjetPersonnalise, on_delete=models.CASCADE, related_name="avis")
    decision = models.CharField("décision", max_length=10, choices=Decision.choices)
    exprime_par = models.CharField("exprimée par", max_length=20, choices=ExprimePar.choices)
    nom_representant = models.CharField("nom du représentant", max_length=200, blank=True)
    modalite = models.CharField("comment elle a été recueillie", max_length=20, choices=Modalite.choices)
    date_avis = models.DateField("date")
    motif = models.TextField("motif / paroles de la personne", blank=True)
    recueilli_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # an opinion given online: who wrote it (the account of the space, named here: that app sits above)
    donne_en_ligne_par = models.CharField("donné en ligne par", max_length=200, blank=True)
    history = tenant_history()

    etablissement_path = "projet__etablissement"

    class Meta:
        verbose_name = "avis sur le projet"
        ordering = ["date_avis", "id"]
        indexes = [models.Index(fields=["organisme", "projet"], name="avis_org_projet_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(recueilli_par__isnull=False)
                | (Q(modalite="en_ligne") & ~Q(donne_en_ligne_par="")),
                name="avis_recueilli_ou_en_ligne",
                violation_error_message="Un avis est recueilli par un professionnel ou donné en ligne.",
            ),
            models.CheckConstraint(
                condition=~Q(decision="refus") | ~Q(motif=""),
                name="avis_refus_motif",
                violation_error_message="Un refus s'accompagne de son motif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} le {self.date_avis:%d/%m/%Y}"


class Rappel(TenantModel):
    """A reminder for a professional: the yearly bilan of a PP falls due. Created by the daily task,
    closed when the bilan is recorded."""

    projet = models.ForeignKey(ProjetPersonnalise, on_delete=models.CASCADE, related_name="rappels")
    destinataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    echeance = models.DateField()
    libelle = models.CharField(max_length=255)
    fait_le = models.DateTimeField(null=True, blank=True)

    etablissement_path = "projet__etablissement"

    class Meta:
        verbose_name = "rappel"
        ordering = ["echeance", "id"]
        indexes = [models.Index(fields=["organisme", "destinataire", "fait_le"], name="rappel_org_dest_idx")]
        constraints = [
            models.UniqueConstraint(fields=["projet", "destinataire", "echeance"], name="rappel_unique"),
        ]

    def __str__(self) -> str:
        return self.libelle


# --- Évaluations ----------------------------------------------------------------------------------------


# ESMS for older people, where AGGIR and the GIR moyen pondéré are used (the home page links their GMP).
CATEGORIES_AGGIR = frozenset({"EHPAD", "EHPA", "USLD", "ACCUEIL_JOUR", "SSIAD", "SAAD", "SPASAD"})


class ModeAggir(models.TextChoices):
    ADVERBES = "adverbes", "Adverbes S T C H"
    DIRECT = "direct", "Codes A / B / C (évaluateur expérimenté)"


class EvaluationAggir(TenantModel, ClotureMotivee):
    """One AGGIR evaluation: the answers per item, the codes of the variables and the GIR computed by
    ``accompagnement.aggir`` (never typed in). A mistaken evaluation is cancelled with a reason, not
    deleted."""

    categorie_donnees = Categorie.SOINS
    categories_admises = (Categorie.DOCUMENTS,)

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="evaluations_aggir")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    date_evaluation = models.DateField("date de l'évaluation")
    evaluateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=ModeAggir.choices)
    reponses = models.JSONField(default=dict)
    codes = models.JSONField(default=dict)
    illustratives = models.JSONField(default=dict, blank=True)
    gir = models.PositiveSmallIntegerField("GIR", validators=[MinValueValidator(1), MaxValueValidator(6)])
    rang = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(13)])
    commentaire = models.TextField(blank=True)
    annulee_le = models.DateTimeField(null=True, blank=True)
    annulee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "évaluation AGGIR"
        verbose_name_plural = "évaluations AGGIR"
        ordering = ["-date_evaluation", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-date_evaluation"], name="aggir_org_usager_idx"),
            models.Index(fields=["organisme", "etablissement", "date_evaluation"], name="aggir_org_etab_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(gir__gte=1, gir__lte=6), name="aggir_gir_1_6"),
            models.CheckConstraint(condition=Q(rang__gte=1, rang__lte=13), name="aggir_rang_1_13"),
            models.CheckConstraint(
                condition=Q(annulee_le__isnull=True) | ~Q(motif_cloture=""), name="aggir_annulation_motif"
            ),
        ]

    def __str__(self) -> str:
        return f"AGGIR du {self.date_evaluation:%d/%m/%Y} : GIR {self.gir}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accompagnement:aggir", args=[self.public_id])


class Importance(models.IntegerChoices):
    AUCUN = 0, "Pas de besoin"
    PONCTUEL = 1, "Besoin ponctuel"
    REGULIER = 2, "Besoin régulier"
    IMPORTANT = 3, "Besoin important / permanent"


class EvaluationSerafin(TenantModel):
    """An evaluation of needs with the SERAFIN-PH nomenclature (J285), which can feed the PP's besoins."""

    categorie_donnees = Categorie.SOCIAL
    categories_admises = (Categorie.DOCUMENTS,)

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="evaluations_serafin")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    date_evaluation = models.DateField("date de l'évaluation")
    evaluateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commentaire = models.TextField(blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "évaluation des besoins SERAFIN-PH"
        ordering = ["-date_evaluation", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-date_evaluation"], name="serafin_org_usager_idx")
        ]

    def __str__(self) -> str:
        return f"Besoins SERAFIN-PH du {self.date_evaluation:%d/%m/%Y}"


class BesoinEvalue(TenantModel):
    evaluation = models.ForeignKey(EvaluationSerafin, on_delete=models.CASCADE, related_name="besoins")
    code = models.ForeignKey(CodeSerafin, on_delete=models.PROTECT, related_name="+")
    importance = models.PositiveSmallIntegerField(choices=Importance.choices)
    commentaire = models.CharField(max_length=300, blank=True)

    etablissement_path = "evaluation__etablissement"

    class Meta:
        verbose_name = "besoin évalué"
        ordering = ["code__code"]
        indexes = [models.Index(fields=["organisme", "evaluation"], name="besoin_eval_org_idx")]
        constraints = [models.UniqueConstraint(fields=["evaluation", "code"], name="besoin_evalue_unique")]


class TypeItem(models.TextChoices):
    CHOIX = "choix", "Choix dans une liste (avec points)"
    OUI_NON = "oui_non", "Oui / non (avec points)"
    NOMBRE = "nombre", "Nombre (compte dans le score)"
    TEXTE = "texte", "Texte libre (ne compte pas)"


CATEGORIES_GRILLE = [
    (Categorie.SOCIAL.value, "Accompagnement (social / éducatif)"),
    (Categorie.SOINS.value, "Soins"),
]


class GrilleEvaluation(TenantModel):
    """A grid an ESMS defines without code (risque de chute, nutrition, douleur…): items with points and
    the interpretation of the total score. Once used, its items are frozen (the evaluations keep their
    own copy of the questions as asked)."""

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    nom = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    categorie = models.CharField(
        "données concernées", max_length=20, choices=CATEGORIES_GRILLE, default=Categorie.SOINS
    )
    interpretation = models.JSONField(
        default=list, blank=True, help_text="Seuils du score, du plus haut au plus bas : [{min, libelle}]."
    )
    active = models.BooleanField(default=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "grille d'évaluation"
        ordering = ["nom"]
        indexes = [models.Index(fields=["organisme", "etablissement", "active"], name="grille_org_etab_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["etablissement", "nom"],
                name="grille_nom_unique",
                violation_error_message="Une grille porte déjà ce nom.",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    def interpreter(self, score: float | None) -> str:
        if score is None:
            return ""
        for seuil in sorted(self.interpretation, key=lambda s: s["min"], reverse=True):
            if score >= seuil["min"]:
                return seuil["libelle"]
        return ""


class ItemGrille(TenantModel):
    grille = models.ForeignKey(GrilleEvaluation, on_delete=models.CASCADE, related_name="items")
    ordre = models.PositiveSmallIntegerField(default=0)
    libelle = models.CharField("question", max_length=300)
    type_item = models.CharField("type de réponse", max_length=10, choices=TypeItem.choices)
    options = models.JSONField(default=list, blank=True, help_text="[{libelle, points}] pour un choix.")
    obligatoire = models.BooleanField(default=True)

    etablissement_path = "grille__etablissement"

    class Meta:
        verbose_name = "question de grille"
        ordering = ["ordre", "id"]
        indexes = [models.Index(fields=["organisme", "grille"], name="item_grille_org_idx")]

    def __str__(self) -> str:
        return self.libelle


class EvaluationGrille(TenantModel):
    categorie_donnees = None
    categories_admises = (Categorie.SOCIAL, Categorie.SOINS)
    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="evaluations_grille")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    grille = models.ForeignKey(GrilleEvaluation, on_delete=models.PROTECT, related_name="evaluations")
    categorie = models.CharField(max_length=20, choices=CATEGORIES_GRILLE)
    date_evaluation = models.DateField("date de l'évaluation")
    evaluateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reponses = models.JSONField(default=list, help_text="[{question, reponse, points}] tels que posés.")
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    interpretation = models.CharField(max_length=200, blank=True)
    commentaire = models.TextField(blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "évaluation par grille"
        ordering = ["-date_evaluation", "-id"]
        indexes = [
            models.Index(fields=["organisme", "usager", "-date_evaluation"], name="eval_grille_org_idx")
        ]

    def __str__(self) -> str:
        return f"{self.grille} du {self.date_evaluation:%d/%m/%Y}"


# --- Journal de suivi -----------------------------------------------------------------------------------


class CategorieObservation(models.TextChoices):
    EDUCATIF = "educatif", "Éducatif"
    SOCIAL = "social", "Social"
    PSYCHOLOGIQUE = "psychologique", "Psychologique"
    VIE_QUOTIDIENNE = "vie_quotidienne", "Vie quotidienne"
    FAMILLE = "famille", "Relations familiales"
    SCOLAIRE_PRO = "scolaire_pro", "Scolarité / vie professionnelle"
    LOISIRS = "loisirs", "Loisirs et vie sociale"
    SANTE = "sante", "Santé (observation)"


class Confidentialite(models.TextChoices):
    EQUIPE = "equipe", "Équipe pluridisciplinaire"
    SOINS = "soins", "Équipe de soins (informations de santé)"
    RESTREINTE = "restreinte", "Restreinte : l'auteur et l'encadrement"


# Confidentiality → the habilitation needed to read, besides ``social.voir`` (the journal's category).
# RESTREINTE: only the author and professionals with ``pilotage.voir`` in the ESMS (direction, chef de
# service, médecin coordonnateur), as the secret professionnel partagé requires for sensitive writings.
ACTION_CONFIDENTIALITE = {
    Confidentialite.SOINS: Droit.SOINS_VOIR,
    Confidentialite.RESTREINTE: Droit.PILOTAGE_VOIR,
}


class Observation(TenantModel):
    """An écrit professionnel in the journal de suivi."""

    categorie_donnees = Categorie.SOCIAL

    usager = models.ForeignKey("usagers.Usager", on_delete=models.PROTECT, related_name="observations")
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date_observation = models.DateTimeField("date et heure", default=timezone.now)
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieObservation.choices)
    texte = models.TextField("observation")
    objectif = models.ForeignKey(
        Objectif,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name="objectif du projet concerné",
    )
    confidentialite = models.CharField(
        "confidentialité", max_length=20, choices=Confidentialite.choices, default=Confidentialite.EQUIPE
    )
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "observation"
        ordering = ["-date_observation", "-id"]
        indexes = [
            models.Index(
                fields=["organisme", "usager", "-date_observation"], name="observation_org_usager_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_categorie_display()} — {self.date_observation:%d/%m/%Y}"
