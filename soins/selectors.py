"""Read paths of the soins. Every list is restricted in SQL to the tenant and to what the user may read;
the unit pages (relève, day view, round of constantes) run a fixed number of queries whatever the size of
the history (tests pin them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dui.graphiques import Repere, polyline
from dui.models import Unite
from habilitations import policy
from habilitations.roles import Droit
from usagers.models import Absence, MotifAbsence, Sejour, Usager

from .models import (
    DEFINITIONS,
    Allergie,
    Constante,
    DossierSoins,
    Lecture,
    MotifNonRealisation,
    RealisationSoin,
    SoinPlanifie,
    StatutAllergies,
    StatutRealisation,
    Transmission,
    TypeConstante,
)

# A planned task not validated this long after its time is shown late.
TOLERANCE_RETARD = datetime.timedelta(hours=1)


# --- The residents of a unit -------------------------------------------------------------------------------


@dataclass
class Resident:
    usager: Usager
    sejour: Sejour
    absent: bool
    motif_absence: str = ""  # the reason of the absence covering the day (MotifAbsence), if any

    @property
    def libelle_absence(self) -> str:
        return MotifAbsence(self.motif_absence).label if self.motif_absence else ""


def residents(user, unite: Unite, jour: datetime.date, action: str = Droit.SOINS_VOIR) -> list[Resident]:
    """People whose séjour in ``unite`` covers ``jour`` and whom ``user`` may care for, with the absence
    covering that day if any (one query)."""
    autorises = policy.scope(user, action, Usager.objects.all()).values("pk")
    absences = Absence.objects.filter(sejour=OuterRef("pk")).en_cours(jour).order_by("-debut")
    sejours = (
        Sejour.objects.filter(organisme_id=user.organisme_id, unite=unite, usager__in=autorises)
        .en_cours(jour)
        .annotate(motif_absence=Subquery(absences.values("motif")[:1]))
        .select_related("usager")
        .order_by("chambre", "usager__nom_naissance")
    )
    return [Resident(s.usager, s, s.motif_absence is not None, s.motif_absence or "") for s in sejours]


# --- Relève ------------------------------------------------------------------------------------------------


@dataclass
class ElementReleve:
    genre: str  # "transmission", "alerte", "soin", "absence", "arrivee"
    moment: datetime.datetime
    usager: Usager
    objet: object
    lu: bool
    important: bool


# What comes first in a one-minute relève (issue 23, item 6): the resident's most serious unread item.
PRIORITES_RELEVE = {"alerte": 4, "chute": 4, "hospitalisation": 3, "importante": 3, "refus": 2}
LIBELLES_PRIORITE = {
    "alerte": "Alerte constante",
    "chute": "Chute",
    "hospitalisation": "Hospitalisation",
    "importante": "Transmission importante",
    "refus": "Refus",
}


def motif_releve(e: ElementReleve) -> str:
    """Why an item of the relève matters first ("" for an ordinary one)."""
    objet: Any = e.objet
    if e.genre == "alerte":
        return "alerte"
    if e.genre == "transmission":
        texte = " ".join((objet.cible, objet.donnees, objet.texte)).lower()
        if "chute" in texte or "tombé" in texte or "au sol" in texte:
            return "chute"
        return "importante" if objet.importante else ""
    if e.genre == "absence" and objet.motif == "hospitalisation":
        return "hospitalisation"
    if e.genre == "soin" and objet.motif == MotifNonRealisation.REFUS:
        return "refus"
    return ""


@dataclass
class GroupeReleve:
    """One resident's part of the relève: read in one look, marked read in one tap."""

    usager: Usager
    chambre: str
    elements: list[ElementReleve]
    non_lus: int = 0
    motifs: list[str] = field(default_factory=list)  # labels of what matters, unread first
    priorite: int = 0


def regrouper_releve(elements: list[ElementReleve], liste: list[Resident]) -> list[GroupeReleve]:
    """The relève by resident, most important first: a resident's rank is their most serious unread item
    (alerts and falls, then hospitalisations and important transmissions, then refusals), then the number of
    unread items, then the room. Items keep their order (newest first). Pure function."""
    chambres = {r.usager.pk: r.sejour.chambre or "" for r in liste}
    groupes: dict[int, GroupeReleve] = {}
    for e in elements:
        g = groupes.get(e.usager.pk)
        if g is None:
            g = groupes[e.usager.pk] = GroupeReleve(e.usager, chambres.get(e.usager.pk, ""), [])
        g.elements.append(e)
        motif = motif_releve(e)
        if not e.lu:
            g.non_lus += 1
            g.priorite = max(g.priorite, PRIORITES_RELEVE.get(motif, 1))
        if motif and LIBELLES_PRIORITE[motif] not in g.motifs:
            g.motifs.append(LIBELLES_PRIORITE[motif])
    return sorted(
        groupes.values(), key=lambda g: (-g.priorite, -g.non_lus, g.chambre, g.usager.nom_naissance)
    )


def releve(user, unite: Unite, depuis: datetime.datetime, usagers: list[Usager]) -> list[ElementReleve]:
    """Everything that happened on ``unite`` since ``depuis``: transmissions, alerts raised by constantes,
    care tasks not done or postponed, absences and arrivals; newest first, each with the user's read mark.
    Five queries, whatever the history."""
    ids = [u.pk for u in usagers]
    par_id = {u.pk: u for u in usagers}
    etab = unite.etablissement_id
    lu_t = Exists(Lecture.objects.filter(professionnel=user, transmission=OuterRef("pk")))
    lu_c = Exists(Lecture.objects.filter(professionnel=user, constante=OuterRef("pk")))
    lu_r = Exists(Lecture.objects.filter(professionnel=user, realisation=OuterRef("pk")))
    elements: list[ElementReleve] = []
    transmissions = (
        Transmission.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id=etab,
            unite=unite,
            usager_id__in=ids,
            ecrite_le__gte=depuis,
        )
        .annotate(lu=lu_t)
        .select_related("auteur")
    )
    elements += [
        ElementReleve("transmission", t.ecrite_le, par_id[t.usager_id], t, t.lu, t.importante)
        for t in transmissions
    ]
    alertes = (
        Constante.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id=etab,
            usager_id__in=ids,
            mesure_le__gte=depuis,
            annulee_le__isnull=True,
        )
        .exclude(alerte="")
        .annotate(lu=lu_c)
        .select_related("auteur")
    )
    elements += [ElementReleve("alerte", c.mesure_le, par_id[c.usager_id], c, c.lu, True) for c in alertes]
    soins = (
        RealisationSoin.objects.filter(
            organisme_id=user.organisme_id,
            etablissement_id=etab,
            usager_id__in=ids,
            realise_le__gte=depuis,
            statut__in=[StatutRealisation.PAS_FAIT, StatutRealisation.REPORTE],
        )
        .annotate(lu=lu_r)
        .select_related("auteur", "soin")
    )
    elements += [ElementReleve("soin", r.realise_le, par_id[r.usager_id], r, r.lu, False) for r in soins]
    # Events of the unit's residents: an absence recorded or changed (hospitalisation, return), an arrival.
    lu_a = Exists(
        Lecture.objects.filter(professionnel=user, absence=OuterRef("pk"), lu_le__gte=OuterRef("modifie_le"))
    )
    absences = (
        Absence.objects.filter(
            organisme_id=user.organisme_id,
            sejour__unite=unite,
            sejour__usager_id__in=ids,
            modifie_le__gte=depuis,
        )
        .annotate(lu=lu_a)
        .select_related("sejour")
    )
    elements += [
        ElementReleve(
            "absence", a.modifie_le, par_id[a.sejour.usager_id], a, a.lu, a.motif == "hospitalisation"
        )
        for a in absences
    ]
    lu_s = Exists(Lecture.objects.filter(professionnel=user, sejour=OuterRef("pk")))
    arrivees = Sejour.objects.filter(
        organisme_id=user.organisme_id, unite=unite, usager_id__in=ids, cree_le__gte=depuis
    ).annotate(lu=lu_s)
    elements += [ElementReleve("arrivee", s.cree_le, par_id[s.usager_id], s, s.lu, False) for s in arrivees]
    elements.sort(key=lambda e: e.moment, reverse=True)
    return elements


# --- Plan de soins: the day view -----------------------------------------------------------------------------


@dataclass
class Occurrence:
    soin: SoinPlanifie
    heure: datetime.time
    realisation: RealisationSoin | None
    en_retard: bool
    url: str = ""  # where to validate it (set by the view)
    absent: bool = False  # the person is away that day (hospitalisation, leave): suspended, not due
    correction: str = ""  # how the user may undo its validation: "auteur", "motif" or "" (set by the view)
    url_correction: str = ""
    cible: str = ""  # the element the correction's answer replaces, and what it corrects (screen readers)
    quoi: str = ""

    def __post_init__(self):
        # computed once: a day view renders a hundred occurrences or more
        self.heure_texte = self.heure.strftime("%H:%M")
        self.cle = f"{self.soin.public_id}-{self.heure:%H%M}"


@dataclass
class LigneJournee:
    resident: Resident
    occurrences: list[Occurrence] = field(default_factory=list)


def occurrences_du_jour(
    soins: list[SoinPlanifie], jour: datetime.date
) -> list[tuple[SoinPlanifie, datetime.time]]:
    """The plan de soins expanded for one day: (task, time), in time order. Pure function."""
    prevues = [(soin, heure) for soin in soins if soin.prevu_le(jour) for heure in soin.heures]
    return sorted(prevues, key=lambda p: (p[1], p[0].type_soin))


def soins_actifs(usager_ids: list[int], etablissement_id: int, jour: datetime.date) -> QuerySet[SoinPlanifie]:
    debut_jour = datetime.datetime.combine(jour, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return (
        SoinPlanifie.objects.filter(etablissement_id=etablissement_id, usager_id__in=usager_ids)
        .en_cours(jour)
        .filter(Q(arrete_le__isnull=True) | Q(arrete_le__gte=debut_jour))
    )


def journee(
    unite: Unite, jour: datetime.date, liste: list[Resident], maintenant: datetime.datetime | None = None
) -> list[LigneJournee]:
    """The day view of ``unite``: for each resident, the day's care tasks with what was done (two queries)."""
    maintenant = maintenant or timezone.now()
    ids = [r.usager.pk for r in liste]
    soins = list(soins_actifs(ids, unite.etablissement_id, jour))
    realisations = {
        (r.soin_id, r.heure_prevue): r
        for r in RealisationSoin.objects.filter(
            etablissement_id=unite.etablissement_id, usager_id__in=ids, date_prevue=jour
        ).select_related("auteur")
    }
    par_usager: dict[int, list[SoinPlanifie]] = {}
    for soin in soins:
        par_usager.setdefault(soin.usager_id, []).append(soin)
    tz = timezone.get_current_timezone()
    lignes = []
    for resident in liste:
        ligne = LigneJournee(resident)
        for soin, heure in occurrences_du_jour(par_usager.get(resident.usager.pk, []), jour):
            realisation = realisations.get((soin.pk, heure))
            attendu = heure
            if realisation is not None and realisation.statut == StatutRealisation.REPORTE:
                attendu = realisation.reporte_a or heure
            final = realisation is not None and not realisation.ouverte
            # a person away that day: the task is suspended (shown as such, neither due nor late)
            suspendue = resident.absent and (realisation is None or realisation.ouverte)
            en_retard = (
                not final
                and not suspendue
                and datetime.datetime.combine(jour, attendu, tzinfo=tz) + TOLERANCE_RETARD < maintenant
            )
            ligne.occurrences.append(Occurrence(soin, heure, realisation, en_retard, absent=suspendue))
        lignes.append(ligne)
    return lignes


# --- Constantes ---------------------------------------------------------------------------------------------


def constantes_du_dossier(user, usager: Usager) -> QuerySet[Constante]:
    return policy.scope_contenu_du_dossier(user, Droit.SOINS_VOIR, Constante.objects.all(), usager)


def dernieres_constantes(user, usager: Usager) -> dict[str, Constante]:
    """The last valid measurement of each constante (one query, DISTINCT ON)."""
    qs = (
        constantes_du_dossier(user, usager)
        .filter(annulee_le__isnull=True)
        .order_by("type_constante", "-mesure_le")
        .distinct("type_constante")
    )
    return {c.type_constante: c for c in qs}


def imc(poids: Constante | None, taille: Constante | None) -> str:
    if poids is None or taille is None or not taille.valeur:
        return ""
    metres = taille.valeur / 100
    return f"{poids.valeur / (metres * metres):.1f}".replace(".", ",")


@dataclass
class Graphique:
    code: str
    libelle: str
    unite: str
    points: list[dict]
    polyline: str
    polyline_2: str
    seuils: list[dict]
    graduations: list[dict]
    dates: list[dict]
    derniere: Constante | None
    largeur: int = 640
    hauteur: int = 200


def graphiques(
    mesures: list[Constante], seuils: dict, debut: datetime.datetime, fin: datetime.datetime
) -> list[Graphique]:
    """Server-rendered SVG charts (one per constante measured), with the thresholds as dashed lines; in
    plain SVG so that they print."""
    largeur, hauteur = 640, 200
    resultat = []
    for code, d in DEFINITIONS.items():
        serie = sorted((m for m in mesures if m.type_constante == code), key=lambda m: m.mesure_le)
        if not serie:
            continue
        valeurs = [m.valeur for m in serie] + [m.valeur_2 for m in serie if m.valeur_2 is not None]
        bornes = [b for b in (*seuils[code],) if b is not None]
        bas, haut = float(min(valeurs + bornes)), float(max(valeurs + bornes))
        if haut - bas < 1:
            bas, haut = bas - 1, haut + 1
        marge = (haut - bas) * 0.1
        bas, haut = bas - marge, haut + marge
        repere = Repere(largeur, hauteur, debut, fin, bas=bas, haut=haut, marge_g=48, marge_d=8, marge_b=24)
        x, y = repere.x, repere.y

        points: list[dict[str, Any]] = [
            {
                "x": x(m.mesure_le),
                "y": y(m.valeur),
                "y2": y(m.valeur_2) if m.valeur_2 is not None else None,
                "mesure": m,
            }
            for m in serie
        ]
        seuils_lignes = [{"y": y(b), "valeur": b} for b in bornes]
        pas = (haut - bas) / 4
        graduations = [
            {"y": y(bas + i * pas), "valeur": round(bas + i * pas, d.decimales if d.decimales else 0)}
            for i in range(5)
        ]
        dates = []
        for i in range(5):
            moment = debut + (fin - debut) * i / 4
            dates.append({"x": x(moment), "texte": timezone.localtime(moment).strftime("%d/%m")})
        resultat.append(
            Graphique(
                code=code,
                libelle=dict(TypeConstante.choices)[code],
                unite=d.unite,
                points=points,
                polyline=polyline([(p["x"], p["y"]) for p in points]),
                polyline_2=polyline([(p["x"], p["y2"]) for p in points if p["y2"] is not None]),
                seuils=seuils_lignes,
                graduations=graduations,
                dates=dates,
                derniere=serie[-1],
            )
        )
    return resultat


def transmissions_du_dossier(user, usager: Usager) -> QuerySet[Transmission]:
    return policy.scope_contenu_du_dossier(
        user, Droit.SOINS_VOIR, Transmission.objects.all(), usager
    ).select_related("auteur", "etablissement")


def soins_du_dossier(user, usager: Usager) -> QuerySet[SoinPlanifie]:
    return (
        policy.scope_contenu_du_dossier(user, Droit.SOINS_VOIR, SoinPlanifie.objects.all(), usager)
        .select_related("etablissement", "cree_par", "arrete_par")
        .order_by("arrete_le", "type_soin", "id")
    )


def realisations_recentes(user, usager: Usager, jours: int = 7) -> QuerySet[RealisationSoin]:
    depuis = timezone.localdate() - datetime.timedelta(days=jours)
    return (
        policy.scope_contenu_du_dossier(user, Droit.SOINS_VOIR, RealisationSoin.objects.all(), usager)
        .filter(date_prevue__gte=depuis)
        .select_related("soin", "auteur")
        .order_by("-date_prevue", "-heure_prevue")
    )


def unites_de_soins(user) -> QuerySet[Unite]:
    """The units the user works on (``soins.voir`` in their ESMS)."""
    return (
        policy.scope(user, Droit.SOINS_VOIR, Unite.objects.filter(active=True))
        .select_related("etablissement")
        .order_by("etablissement__nom", "nom")
    )


def bandeau_soins(user, usager: Usager) -> dict:
    """Allergies, and the diet and risks every carer must know, for the dossier's banner (declared in
    ``soins.apps``; shown to the équipe de soins only — the registry checks ``soins.voir``)."""
    dossier = DossierSoins.objects.filter(usager=usager).first()
    return {
        "allergies": list(
            Allergie.objects.filter(usager=usager, inactive_le__isnull=True).order_by("-severite", "agent")
        ),
        "statut_allergies": dossier.statut_allergies if dossier else StatutAllergies.NON_RENSEIGNE,
        "dossier_soins": dossier,
    }
