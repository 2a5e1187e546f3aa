"""Read paths of the circuit du médicament. Lists are restricted in SQL to the tenant and to what the
user may read; the eMAR round runs a fixed number of queries whatever the size of the history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from dui.adresses import adresse_par_objet
from dui.models import Unite
from habilitations import policy
from habilitations.roles import Droit
from soins.models import Allergie, DossierSoins, Liquides, Texture, TypeAgent
from soins.selectors import Resident, residents
from usagers.models import Sejour, Usager

from .models import (
    MOMENTS,
    Administration,
    ArticleStock,
    DosePlanifiee,
    EffetSiBesoin,
    MouvementStock,
    Pilulier,
    Prescription,
    Specialite,
    StatutAdministration,
    Substance,
)
from .models import Unite as UniteDose

# Time slots of the rounds: (code, label, first hour, hour after the last). The night runs past midnight
# and belongs to the day it starts on.
CRENEAUX = [
    ("matin", "Matin", 5, 11),
    ("midi", "Midi", 11, 16),
    ("soir", "Soir", 16, 21),
    ("coucher", "Coucher", 21, 24),
    ("nuit", "Nuit", 24, 29),
]
LIBELLES_CRENEAUX = {code: libelle for code, libelle, _, _ in CRENEAUX}


def creneau_de(moment: datetime.datetime) -> tuple[datetime.date, str]:
    local = timezone.localtime(moment)
    heure = local.hour + (24 if local.hour < 5 else 0)
    jour = local.date() - datetime.timedelta(days=1 if local.hour < 5 else 0)
    for code, _, debut, fin in CRENEAUX:
        if debut <= heure < fin:
            return jour, code
    return jour, "nuit"


def bornes_creneau(jour: datetime.date, code: str) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    _, _, debut, fin = next(c for c in CRENEAUX if c[0] == code)
    minuit = datetime.datetime.combine(jour, datetime.time(0), tzinfo=tz)
    # wall-clock hours (a DST night is an hour shorter or longer, not shifted)
    de = datetime.datetime.combine(
        jour + datetime.timedelta(days=debut // 24), datetime.time(debut % 24), tzinfo=tz
    )
    a = datetime.datetime.combine(
        jour + datetime.timedelta(days=fin // 24), datetime.time(fin % 24), tzinfo=tz
    )
    return max(de, minuit), a


# --- Search (reference data) ----------------------------------------------------------------------------------


def unite_de_forme(forme: str) -> str:
    """The unit a prescription of this pharmaceutical form is usually written in ("" when none is obvious):
    the prescription form preselects it when the drug is chosen (issue 23, item 8)."""
    forme = forme.lower()
    regles = (
        (("goutte", "collyre"), UniteDose.GOUTTE),
        (("comprimé", "lyophilisat"), UniteDose.COMPRIME),
        (("gélule", "capsule"), UniteDose.GELULE),
        (("suppositoire",), UniteDose.SUPPOSITOIRE),
        (("sachet",), UniteDose.SACHET),
        (("transdermique", "patch"), UniteDose.PATCH),
        (("inhalation",), UniteDose.BOUFFEE),
        (("buvable", "sirop", "injectable", "perfusion"), UniteDose.ML),
        (("crème", "pommade", "gel ", "application"), UniteDose.APPLICATION),
    )
    for mots, unite in regles:
        if any(mot in forme + " " for mot in mots):
            return str(unite)
    return ""


def rechercher(texte: str, limite: int = 20) -> list[tuple[str, str, str]]:
    """(value, label, usual unit) of spécialités and substances matching a name, a substance or a CIP13."""
    from soins.models import normaliser

    texte = texte.strip()
    if len(texte) < 2:
        return []
    chiffres = "".join(c for c in texte if c.isdigit())
    if len(chiffres) >= 7 and len(chiffres) == len(texte.replace(" ", "")):
        specialites = Specialite.objects.filter(
            Q(presentations__cip13=chiffres) | Q(presentations__cip7=chiffres)
        )
        return [
            (f"S:{s.cis}", s.denomination, unite_de_forme(s.forme)) for s in specialites.distinct()[:limite]
        ]
    mots = normaliser(texte).split()
    filtre_s, filtre_d = Q(), Q()
    for mot in mots:
        filtre_s &= Q(denomination_normalisee__contains=mot) | Q(compositions__denomination__icontains=mot)
        filtre_d &= Q(denomination_normalisee__contains=mot)
    substances = [
        (f"D:{s.code}", f"{s.denomination} (DCI)", "")
        for s in Substance.objects.filter(filtre_d)
        .filter(compositions__nature="SA")
        .distinct()
        .order_by("denomination")[:5]
    ]
    specialites = Specialite.objects.filter(filtre_s).distinct().order_by("-commercialisee", "denomination")
    return substances + [
        (
            f"S:{s.cis}",
            s.denomination + ("" if s.commercialisee else " — non commercialisé"),
            unite_de_forme(s.forme),
        )
        for s in specialites[:limite]
    ]


def libelle_choix(valeur: str) -> str:
    from .forms import choix_medicament

    choix = choix_medicament(valeur)
    if isinstance(choix, Substance):
        return f"{choix.denomination} (DCI)"
    return str(choix) if choix else ""


# --- Dossier -------------------------------------------------------------------------------------------------


def prescriptions_du_dossier(user, usager: Usager) -> QuerySet[Prescription]:
    return (
        policy.scope_contenu_du_dossier(
            user, Droit.MEDICAMENTS_VOIR, Prescription.objects.filter(usager=usager), usager
        )
        .select_related("prescripteur", "arrete_par", "etablissement")
        .prefetch_related("alertes")
    )


def administrations_du_dossier(user, usager: Usager, jours: int = 7) -> QuerySet[Administration]:
    depuis = timezone.now() - datetime.timedelta(days=jours)
    return (
        policy.scope_contenu_du_dossier(
            user,
            Droit.MEDICAMENTS_VOIR,
            Administration.objects.filter(usager=usager, administree_le__gte=depuis),
            usager,
        )
        .select_related("prescription", "auteur", "dose")
        .order_by("-administree_le")
    )


# --- eMAR round -----------------------------------------------------------------------------------------------


@dataclass
class LigneDose:
    dose: DosePlanifiee
    administration: Administration | None
    en_retard: bool
    url: str = ""
    absent: bool = False  # the person is away that day (hospitalisation, leave): suspended, not due
    correction: str = ""  # how the user may undo its validation: "auteur", "motif" or "" (set by the view)
    url_correction: str = ""
    cible: str = ""  # the element the correction's answer replaces, and what it corrects (screen readers)
    quoi: str = ""


@dataclass
class LigneSiBesoin:
    prescription: Prescription
    prises_24h: int
    url: str = ""
    derniere: Administration | None = None  # the last dose given within 24 h (what a correction undoes)
    correction: str = ""  # how the user may undo it: "auteur", "motif" or "" (set by the view)
    url_correction: str = ""
    cible: str = ""
    quoi: str = ""

    @property
    def maximum_atteint(self) -> bool:
        return self.prises_24h >= (self.prescription.max_par_24h or 0)


@dataclass
class LigneTournee:
    resident: Resident
    doses: list[LigneDose] = field(default_factory=list)
    si_besoin: list[LigneSiBesoin] = field(default_factory=list)
    allergies: list[Allergie] = field(default_factory=list)
    # what changes how a dose is given (swallowing): "Texture mixée lisse", "Eau gélifiée"; "" when usual
    deglutition: list[str] = field(default_factory=list)


TOLERANCE_RETARD = datetime.timedelta(hours=1)


def derniere_prise(maintenant: datetime.datetime) -> dict[str, Subquery]:
    """Annotations of a "si besoin" line: its last dose given within 24 h (in the line's own query)."""
    prises = Administration.objects.filter(
        prescription=OuterRef("pk"),
        dose__isnull=True,
        statut=StatutAdministration.DONNE,
        administree_le__gt=maintenant - datetime.timedelta(hours=24),
    ).order_by("-administree_le")
    return {
        f"derniere_{champ}": Subquery(prises.values(champ)[:1])
        for champ in ("pk", "public_id", "administree_le", "auteur_id")
    }


def derniere_de(p: Prescription) -> Administration | None:
    valeurs: Any = p
    if valeurs.derniere_pk is None:
        return None
    return Administration(
        pk=valeurs.derniere_pk,
        public_id=valeurs.derniere_public_id,
        administree_le=valeurs.derniere_administree_le,
        auteur_id=valeurs.derniere_auteur_id,
        prescription=p,
        statut=StatutAdministration.DONNE,
    )


def tournee(
    user, unite: Unite, jour: datetime.date, creneau: str, maintenant: datetime.datetime | None = None
) -> list[LigneTournee]:
    """The round of ``unite`` for a time slot: each resident's planned doses with what was done, their
    current "si besoin" lines with the doses given over 24 h, their drug allergies, what their swallowing
    needs (texture, liquids). Six queries."""
    maintenant = maintenant or timezone.now()
    liste = residents(user, unite, jour, action=Droit.MEDICAMENTS_VOIR)
    ids = [r.usager.pk for r in liste]
    etab = unite.etablissement_id
    de, a = bornes_creneau(jour, creneau)
    doses = (
        DosePlanifiee.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id=etab,
            usager_id__in=ids,
            prevue_le__gte=de,
            prevue_le__lt=a,
        )
        .select_related("prescription", "administration__auteur")
        .order_by("prevue_le", "id")
    )
    lignes_si_besoin = (
        Prescription.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id=etab,
            usager_id__in=ids,
            si_besoin=True,
            arrete_le__isnull=True,
        )
        .en_cours(maintenant)
        .annotate(**derniere_prise(maintenant))
        .annotate(
            prises=Count(
                "administrations",
                filter=Q(
                    administrations__statut=StatutAdministration.DONNE,
                    administrations__administree_le__gt=maintenant - datetime.timedelta(hours=24),
                ),
            )
        )
    )
    allergies = Allergie.objects.filter(
        organisme_id=user.organisme_id, usager_id__in=ids, inactive_le__isnull=True
    ).exclude(type_agent=TypeAgent.ALIMENT)
    textures = DossierSoins.objects.filter(organisme_id=user.organisme_id, usager_id__in=ids).exclude(
        texture=Texture.NORMALE, liquides=Liquides.NORMAUX
    )
    par_usager = {r.usager.pk: LigneTournee(r) for r in liste}
    for dossier in textures:
        if dossier.texture != Texture.NORMALE:
            par_usager[dossier.usager_id].deglutition.append(
                f"Texture {dossier.get_texture_display().lower()}"
            )
        if dossier.liquides != Liquides.NORMAUX:
            par_usager[dossier.usager_id].deglutition.append(dossier.get_liquides_display())
    for dose in doses:
        administration = getattr(dose, "administration", None)
        attendu = dose.prevue_le
        if administration is not None and administration.statut == StatutAdministration.REPORTE:
            attendu = administration.reporte_a
        final = administration is not None and not administration.ouverte
        ligne = par_usager[dose.usager_id]
        # away that day (hospitalisation, leave): the dose is suspended — shown as absent, neither due nor late
        suspendue = ligne.resident.absent and not final
        ligne.doses.append(
            LigneDose(
                dose,
                administration,
                not final and not suspendue and attendu + TOLERANCE_RETARD < maintenant,
                absent=suspendue,
            )
        )
    for p in lignes_si_besoin:
        par_usager[p.usager_id].si_besoin.append(LigneSiBesoin(p, p.prises, derniere=derniere_de(p)))
    for allergie in allergies:
        par_usager[allergie.usager_id].allergies.append(allergie)
    return list(par_usager.values())


# --- Piluliers -------------------------------------------------------------------------------------------------

FORMES_PILULIER = ("comprime", "gelule")


def moment_de(prevue_le: datetime.datetime) -> str:
    """The pill box compartment of a dose: its round's slot, the night going with the bedtime one."""
    _, code = creneau_de(prevue_le)
    return "coucher" if code == "nuit" else code


@dataclass
class CasePilulier:
    jour: datetime.date
    moment: str
    doses: list[DosePlanifiee] = field(default_factory=list)


def contenu_pilulier(
    usager: Usager, etablissement_id: int, semaine: datetime.date
) -> list[list[CasePilulier]]:
    """The week's compartments (rows: moments, columns: Monday to Sunday) with the oral solid doses of the
    plan (tablets, capsules) — one query."""
    tz = timezone.get_current_timezone()
    de = datetime.datetime.combine(semaine, datetime.time(0), tzinfo=tz)
    a = datetime.datetime.combine(semaine + datetime.timedelta(days=7), datetime.time(0), tzinfo=tz)
    jours = [semaine + datetime.timedelta(days=i) for i in range(7)]
    grille = {(j, m): CasePilulier(j, m) for j in jours for m, _, _ in MOMENTS}
    for dose in (
        DosePlanifiee.objects.filter(
            usager=usager,
            etablissement_id=etablissement_id,
            prevue_le__gte=de,
            prevue_le__lt=a,
            prescription__voie="orale",
            prescription__unite__in=FORMES_PILULIER,
        )
        .select_related("prescription")
        .order_by("prevue_le", "prescription__libelle")
    ):
        local = timezone.localtime(dose.prevue_le)
        grille[(local.date(), moment_de(dose.prevue_le))].doses.append(dose)
    return [[grille[(j, m)] for j in jours] for m, _, _ in MOMENTS]


def piluliers_de_la_semaine(
    liste: list[Resident], etablissement_id: int, semaine: datetime.date
) -> dict[int, Pilulier]:
    return {
        p.usager_id: p
        for p in Pilulier.objects.filter(
            etablissement_id=etablissement_id, semaine=semaine, usager_id__in=[r.usager.pk for r in liste]
        ).select_related("prepare_par", "verifie_par")
    }


def piluliers_a_refaire(piluliers: list[Pilulier]) -> set[int]:
    """Usagers whose plan changed after their pill box was prepared (a line written or stopped since, for
    that week): the box must be checked again. Two queries whatever the number of piluliers."""
    if not piluliers:
        return set()
    tz = timezone.get_current_timezone()
    changes: set[int] = set()
    conditions_doses, conditions_arrets = Q(), Q()
    for p in piluliers:
        de = datetime.datetime.combine(p.semaine, datetime.time(0), tzinfo=tz)
        a = de + datetime.timedelta(days=7)
        conditions_doses |= Q(
            usager_id=p.usager_id,
            etablissement_id=p.etablissement_id,
            prevue_le__gte=de,
            prevue_le__lt=a,
            cree_le__gt=p.prepare_le,
        )
        conditions_arrets |= Q(
            usager_id=p.usager_id,
            etablissement_id=p.etablissement_id,
            arrete_le__gt=p.prepare_le,
            arrete_le__lt=a,
            si_besoin=False,
        )
    changes |= set(
        DosePlanifiee.objects.filter(conditions_doses).values_list("usager_id", flat=True).distinct()
    )
    changes |= set(
        Prescription.objects.filter(conditions_arrets).values_list("usager_id", flat=True).distinct()
    )
    return changes


# --- Stock ---------------------------------------------------------------------------------------------------

PEREMPTION_PROCHE = datetime.timedelta(days=60)


@dataclass
class EtatArticle:
    article: ArticleStock
    quantite: int
    lots: list[dict]

    @property
    def sous_le_seuil(self) -> bool:
        return self.quantite <= self.article.seuil_alerte


def etat_du_stock(etablissement_id: int) -> list[EtatArticle]:
    """Each article with its quantity and its lots still in stock (expiry first): two queries."""
    articles = list(
        ArticleStock.objects.filter(etablissement_id=etablissement_id)
        .select_related("specialite")
        .annotate(quantite=Sum("mouvements__quantite"))
        .order_by("specialite__denomination")
    )
    lots: dict[int, list[dict]] = {}
    limite = timezone.localdate() + PEREMPTION_PROCHE
    for lot in (
        MouvementStock.objects.filter(etablissement_id=etablissement_id)
        .values("article_id", "lot", "peremption")
        .annotate(reste=Sum("quantite"))
        .filter(reste__gt=0)
        .order_by("peremption", "lot")
    ):
        peremption = lot["peremption"]
        lots.setdefault(lot["article_id"], []).append(
            {
                **lot,
                "perime": peremption is not None and peremption < timezone.localdate(),
                "proche": peremption is not None and peremption <= limite,
            }
        )
    return [EtatArticle(a, a.quantite or 0, lots.get(a.pk, [])) for a in articles]


def lignes_en_cours(usager, etablissement=None) -> list:
    """The person's current lines (not stopped, not ended), regular ones first."""
    lignes = Prescription.objects.filter(usager=usager, arrete_le__isnull=True).select_related("prescripteur")
    if etablissement is not None:
        lignes = lignes.filter(etablissement=etablissement)
    maintenant = timezone.now()
    return [p for p in lignes if p.fin is None or p.fin > maintenant]


# --- "Si besoin" re-evaluations (issue 23, item 4) ------------------------------------------------------------

FENETRE_REEVALUATIONS = datetime.timedelta(hours=12)  # a shift and its handover


@dataclass
class Reevaluation:
    """A "si besoin" dose whose effect is to be, or was, re-evaluated, with its resident's room."""

    administration: Administration
    chambre: str
    en_retard: bool = False
    url: str = ""  # where to record it (set when the user may)

    @property
    def alerte(self) -> bool:
        return self.administration.effet in ("sans_effet", "indesirable")

    # what the form offers (the section is rendered by the unit pages, without this app's context)
    effets = EffetSiBesoin.choices
    echelle = [str(n) for n in range(11)]


def reevaluations_de_l_unite(
    user, unite: Unite, jour: datetime.date, maintenant: datetime.datetime | None = None
) -> list[Reevaluation]:
    """The unit pages' section (``soins.registre_unite``) and the round's: today, the "si besoin" doses given
    on the unit's residents within the last 12 hours — those still to re-evaluate first (by due time), then
    those re-evaluated (newest first). The ids of the window's doses given to the people staying in the unit
    first (one indexed read without joins; most of the time there are none and the page is done with it), then,
    only if there are, those rows with what they show and the unit's residents under the médicaments'
    habilitation (who may see whom): one query, or three, whatever the unit."""
    maintenant = maintenant or timezone.now()
    if jour != timezone.localdate(maintenant):
        return []
    if unite.etablissement_id not in policy.etablissements_autorises(user, Droit.MEDICAMENTS_VOIR):
        return []
    depuis = maintenant - FENETRE_REEVALUATIONS
    ids = list(
        Administration.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id=unite.etablissement_id,
            usager_id__in=Sejour.objects.filter(organisme_id=user.organisme_id, unite=unite)
            .en_cours(jour)
            .values("usager_id"),
            dose__isnull=True,
            statut=StatutAdministration.DONNE,
            reevaluer_le__gte=depuis,  # due after the dose: bounds the scan of the (partial) index
            administree_le__gte=depuis,
        )
        .order_by("reevaluer_le")
        .values_list("pk", flat=True)[:200]  # a bound: 12 hours of "si besoin" of a unit
    )
    if not ids:
        return []
    # the rows to show, with what they show, only when there are some: PostgreSQL plans the five joins in
    # about 4 ms at the bench (0.2 ms without them), once per unit page, for a read that is empty most of the time
    dans_l_unite = list(
        Administration.objects.filter(organisme_id=user.organisme_id, pk__in=ids)
        .select_related("usager", "auteur", "reevaluee_par", "prescription__specialite")
        .order_by("reevaluer_le")
    )
    chambres = {
        r.usager.pk: r.sejour.chambre or "" for r in residents(user, unite, jour, Droit.MEDICAMENTS_VOIR)
    }
    administrations = [a for a in dans_l_unite if a.usager_id in chambres][:60]
    a_faire = [
        Reevaluation(
            a, chambres[a.usager_id], en_retard=bool(a.reevaluer_le and a.reevaluer_le <= maintenant)
        )
        for a in administrations
        if a.reevaluee_le is None
    ]
    faites = sorted(
        (Reevaluation(a, chambres[a.usager_id]) for a in administrations if a.reevaluee_le is not None),
        key=lambda r: r.administration.reevaluee_le,  # type: ignore[arg-type,return-value]
        reverse=True,
    )
    return a_faire + faites


def section_reevaluations(user, unite: Unite, jour: datetime.date) -> list[Reevaluation]:
    """``reevaluations_de_l_unite`` with the address to record each one, for whoever gives the doses there."""
    elements = reevaluations_de_l_unite(user, unite, jour)
    if elements and all(
        unite.etablissement_id in policy.etablissements_autorises(user, droit)
        for droit in (Droit.MEDICAMENTS_MODIFIER, Droit.SOINS_MODIFIER)
    ):
        url = adresse_par_objet("medicaments:reevaluer")
        for r in elements:
            if r.administration.reevaluee_le is None:
                r.url = url(r.administration.public_id)
    return elements
