"""The dashboards' figures: the ESMS a director may pilot, and per ESMS and in total the indicators of
``pilotage.indicateurs`` for a period (a fixed number of queries, whatever the data or the number of ESMS)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dui.models import Etablissement
from habilitations import policy
from habilitations.access import for_tenant
from habilitations.roles import Droit
from usagers.models import ModeAccueil

from . import indicateurs
from .indicateurs import pourcentage
from .models import CoupePathos, RapportActivite, gmps


def etablissements_pilotes(user) -> QuerySet[Etablissement]:
    return for_tenant(
        user,
        Etablissement.objects.filter(pk__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR)),
    ).order_by("nom")


def coupes(user, etablissement: Etablissement) -> QuerySet[CoupePathos]:
    return policy.scope(user, Droit.PILOTAGE_VOIR, CoupePathos.objects.filter(etablissement=etablissement))


def _dernieres_coupes(organisme_id: int, ids: list[int], jour: datetime.date) -> dict[int, CoupePathos]:
    qs = (
        CoupePathos.objects.filter(organisme_id=organisme_id, etablissement_id__in=ids, date_coupe__lte=jour)
        .order_by("etablissement_id", "-date_coupe", "-id")
        .distinct("etablissement_id")
    )
    return {c.etablissement_id: c for c in qs}


def _ligne(
    capacite: int | None,
    jours: int,
    presents: int,
    mouv: dict[str, Any],
    pop: dict[str, Any],
    attente: dict[str, Any],
) -> dict[str, Any]:
    entrees, sorties = mouv.get("entrees", 0), mouv.get("sorties", 0)
    return {
        "capacite": capacite,
        "journees": presents,
        "taux_occupation": pourcentage(presents, (capacite or 0) * jours),
        "entrees": entrees,
        "sorties": sorties,
        "duree_moyenne_sejour": mouv.get("duree_moyenne_sejour"),
        "taux_rotation": pourcentage(entrees, capacite),
        "accompagnes": pop.get("presents", 0),
        "evalues": pop.get("evalues", 0),
        "part_gir_1_2": pourcentage(pop.get("gir_1_2", 0), pop.get("evalues")),
        "gmp": pop.get("gmp"),
        "moins_de_60_ans": pop.get("moins_de_60_ans", 0),
        "part_pp_a_jour": pourcentage(pop.get("pp_de_moins_d_un_an", 0), pop.get("presents")),
        "sans_pp": pop.get("sans_pp", 0),
        "bilans_en_retard": pop.get("bilans_en_retard", 0),
        "aggir_a_faire": pop.get("aggir_a_faire", 0),
        "demandes_en_attente": attente.get("demandes", 0),
        "demandes_urgentes": attente.get("urgentes", 0),
        "attente_mediane": attente.get("attente_mediane"),
        "attente_max": attente.get("attente_max"),
    }


def tableau_de_bord(
    user, etablissements: list[Etablissement], debut: datetime.date, fin: datetime.date
) -> dict[str, Any]:
    """Indicators per ESMS and for all of them over [debut, fin]; the persons accompanied are counted on the
    period's last realised day (today at the latest), the waiting list today."""
    aujourd_hui = timezone.localdate()
    realise = min(fin, aujourd_hui)
    jours = max((realise - debut).days + 1, 0)
    og = user.organisme_id
    ids = [e.pk for e in etablissements]
    journees = indicateurs.journees(og, ids, debut, realise)
    mouvements = indicateurs.mouvements(og, ids, debut, realise)
    population = indicateurs.population(og, ids, realise) if jours else {}
    attente = indicateurs.liste_d_attente(og, ids, aujourd_hui)
    dernieres = _dernieres_coupes(og, ids, realise)
    suivi = indicateurs.suivi(og, ids, debut, realise) if jours else {}

    avec_places = {e.pk for e in etablissements if e.capacite}
    presents_par_etab: dict[int, int] = defaultdict(int)
    par_mode: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    par_mois: dict[datetime.date, int] = defaultdict(int)  # presence days in the ESMS that have places
    for j in journees:
        presents_par_etab[j["etablissement_id"]] += j["presents"]
        par_mode[j["etablissement_id"]][j["mode_accueil"]] += j["presents"]
        if j["etablissement_id"] in avec_places:
            par_mois[j["mois"]] += j["presents"]

    lignes = []
    for etab in etablissements:
        ligne = _ligne(
            etab.capacite,
            jours,
            presents_par_etab[etab.pk],
            mouvements.get(etab.pk, {}),
            population.get(etab.pk, {}),
            attente.get(etab.pk, {}),
        )
        coupe = dernieres.get(etab.pk)
        s = suivi.get(etab.pk, dict.fromkeys(indicateurs.CHAMPS_SUIVI, 0))
        ligne.update(
            {
                "suivi": s,
                "part_soins_non_faits": pourcentage(s["soins_non_faits"], s["soins_prevus"]),
                "part_refus": pourcentage(s["refus"], s["administrations"]),
                "etablissement": etab,
                "coupe": coupe,
                "pmp": coupe.pmp if coupe else None,
                "gmps_valide": coupe.gmps if coupe else None,
                "gmps_actuel": gmps(ligne["gmp"], coupe.pmp) if coupe else None,
                "par_mode": [
                    (ModeAccueil(mode).label, n) for mode, n in sorted(par_mode[etab.pk].items()) if n
                ],
            }
        )
        lignes.append(ligne)

    # the whole: sums, and the rates recomputed from them (ESMS without a capacity left out of occupancy)
    avec_capacite = [ligne for ligne in lignes if ligne["capacite"]]
    capacite = sum(ligne["capacite"] for ligne in avec_capacite)
    points = sum(population.get(e.pk, {}).get("points_gir", 0) for e in etablissements)
    pop_totale = {
        cle: sum(population.get(e.pk, {}).get(cle, 0) for e in etablissements)
        for cle in (
            "presents",
            "evalues",
            "gir_1_2",
            "moins_de_60_ans",
            "pp_de_moins_d_un_an",
            "sans_pp",
            "bilans_en_retard",
            "aggir_a_faire",
        )
    }
    pop_totale["gmp"] = round(points / pop_totale["evalues"]) if pop_totale["evalues"] else None
    sorties = sum(m["sorties"] for m in mouvements.values())
    jours_sortis = sum((m["duree_moyenne_sejour"] or 0) * m["sorties"] for m in mouvements.values())
    total = _ligne(
        capacite,
        jours,
        sum(ligne["journees"] for ligne in avec_capacite),
        {
            "entrees": sum(m["entrees"] for m in mouvements.values()),
            "sorties": sorties,
            "duree_moyenne_sejour": round(jours_sortis / sorties) if sorties else None,
        },
        pop_totale,
        {
            "demandes": sum(a["demandes"] for a in attente.values()),
            "urgentes": sum(a["urgentes"] for a in attente.values()),
        },
    )
    total["journees"] = sum(ligne["journees"] for ligne in lignes)
    total["suivi"] = {c: sum(ligne["suivi"][c] for ligne in lignes) for c in indicateurs.CHAMPS_SUIVI}
    total["part_soins_non_faits"] = pourcentage(
        total["suivi"]["soins_non_faits"], total["suivi"]["soins_prevus"]
    )
    total["part_refus"] = pourcentage(total["suivi"]["refus"], total["suivi"]["administrations"])

    mois = []
    debut_mois = debut.replace(day=1)
    while debut_mois <= realise:
        suivant = (debut_mois.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        jours_du_mois = (min(suivant - datetime.timedelta(days=1), realise) - max(debut_mois, debut)).days + 1
        presents, places = par_mois.get(debut_mois, 0), capacite * jours_du_mois
        mois.append(
            {
                "mois": debut_mois,
                "presents": presents,
                "places": places,
                "taux": pourcentage(presents, places),
            }
        )
        debut_mois = suivant
    return {
        "debut": debut,
        "fin": fin,
        "realise": realise,
        "jours": jours,
        "lignes": lignes,
        "total": total,
        "mois": mois,
    }


def motifs(user, etablissement: Etablissement, debut: datetime.date, fin: datetime.date) -> dict[str, list]:
    """Where the persons who entered came from, why and where those who left went (an ESMS the caller opened
    with ``pilotage.voir``)."""
    return indicateurs.motifs(user.organisme_id, etablissement.pk, debut, fin)


def mes_rapports(user) -> QuerySet[RapportActivite]:
    """The reports ``user`` asked for, in the ESMS he still pilots."""
    return RapportActivite.objects.filter(
        organisme_id=user.organisme_id,
        demandeur=user,
        etablissement_id__in=policy.etablissements_autorises(user, Droit.PILOTAGE_VOIR),
    ).select_related("etablissement")
