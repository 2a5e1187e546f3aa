"""The director's indicators, computed by the database over a set of ESMS of one organisme and a period.

Each function runs one SQL query whatever the number of persons, séjours or ESMS, scoped by
``organisme_id`` (row-level security applies on top). Conventions, shared with the occupancy page
(``usagers.selectors.occupation``) and the billing presence (decision 0014):
- a day belongs to a séjour when the séjour covers it, the day of entry and the day of exit included;
- a day of absence (hospitalisation, holidays…) is not a day of presence; absences may overlap, a day counts
  once;
- only days up to today are realised: a period that runs into the future stops today.

Definitions follow the ANAP « Tableau de bord de la performance dans le secteur médico-social »
(indicateurs de prestations de soins et d'accompagnement):
- taux d'occupation (taux de réalisation de l'activité) = journées réalisées / (capacité autorisée × jours
  de la période), in %;
- taux de rotation des places = entrées de la période / capacité autorisée, in %;
- durée moyenne de séjour des personnes sorties = Σ (sortie − entrée + 1) / sorties, in days;
- part des personnes en GIR 1-2 = personnes accompagnées à la date, évaluées GIR 1 ou 2 / personnes évaluées;
- GMP = Σ points GIR / personnes évaluées (points of ``accompagnement.aggir.POINTS_GIR``);
- GMPS = GMP + 2,59 × PMP (``pilotage.models.gmps``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from accompagnement.aggir import POINTS_GIR
from accompagnement.models import STATUTS_COURANTS
from admission.models import OUVERTES
from dui.replique import connexion_de_lecture

_JOURNEES_SQL = """
WITH mois AS (
    SELECT m::date AS mois,
           greatest(m::date, %(debut)s::date) AS debut,
           least((m + interval '1 month' - interval '1 day')::date, %(fin)s::date) AS fin
    FROM generate_series(date_trunc('month', %(debut)s::date), %(fin)s::date, interval '1 month') m
),
sejours AS (
    SELECT s.id, s.etablissement_id, s.mode_accueil, daterange(s.date_entree, s.date_sortie, '[]') AS r
    FROM usagers_sejour s
    WHERE s.organisme_id = %(og)s AND s.etablissement_id = ANY(%(etabs)s)
      AND s.date_entree <= %(fin)s AND (s.date_sortie IS NULL OR s.date_sortie >= %(debut)s)
),
morceaux AS (
    SELECT s.id, s.etablissement_id, s.mode_accueil, m.mois, s.r * daterange(m.debut, m.fin, '[]') AS r
    FROM sejours s JOIN mois m ON s.r && daterange(m.debut, m.fin, '[]')
)
SELECT p.etablissement_id, p.mode_accueil, p.mois,
       sum(upper(p.r) - lower(p.r))::bigint AS inscrits,
       coalesce(sum(a.jours), 0)::bigint AS absents
FROM morceaux p
LEFT JOIN LATERAL (
    SELECT sum(upper(x) - lower(x)) AS jours
    FROM unnest((
        SELECT range_agg(daterange(a.debut, a.fin, '[]'))
        FROM usagers_absence a
        WHERE a.organisme_id = %(og)s AND a.sejour_id = p.id AND daterange(a.debut, a.fin, '[]') && p.r
    ) * multirange(p.r)) x
) a ON true
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""

_MOUVEMENTS_SQL = """
SELECT s.etablissement_id,
       count(*) FILTER (WHERE s.date_entree BETWEEN %(debut)s AND %(fin)s) AS entrees,
       count(*) FILTER (WHERE s.date_sortie BETWEEN %(debut)s AND %(fin)s) AS sorties,
       coalesce(sum(s.date_sortie - s.date_entree + 1) FILTER (WHERE s.date_sortie BETWEEN %(debut)s AND %(fin)s), 0)::bigint
FROM usagers_sejour s
WHERE s.organisme_id = %(og)s AND s.etablissement_id = ANY(%(etabs)s)
  AND (s.date_entree BETWEEN %(debut)s AND %(fin)s OR s.date_sortie BETWEEN %(debut)s AND %(fin)s)
GROUP BY 1
"""

# the latest valid GIR on %(jour)s of the person ``p.usager_id`` (evaluated in any ESMS of the organisme)
_DERNIER_GIR = """
LEFT JOIN LATERAL (
    SELECT e.gir, e.date_evaluation FROM accompagnement_evaluationaggir e
    WHERE e.organisme_id = %(og)s AND e.usager_id = p.usager_id AND e.annulee_le IS NULL
      AND e.date_evaluation <= %(jour)s
    ORDER BY e.date_evaluation DESC, e.id DESC LIMIT 1
) g ON true
"""

_POPULATION_SQL = """
WITH presents AS (
    SELECT DISTINCT s.etablissement_id, s.usager_id
    FROM usagers_sejour s
    WHERE s.organisme_id = %(og)s AND s.etablissement_id = ANY(%(etabs)s)
      AND s.date_entree <= %(jour)s AND (s.date_sortie IS NULL OR s.date_sortie >= %(jour)s)
)
SELECT p.etablissement_id,
       count(*) AS presents,
       count(g.gir) AS evalues,
       count(*) FILTER (WHERE g.gir IN (1, 2)) AS gir_1_2,
       coalesce(sum(CASE g.gir WHEN 1 THEN %(p1)s WHEN 2 THEN %(p2)s WHEN 3 THEN %(p3)s WHEN 4 THEN %(p4)s
                               WHEN 5 THEN %(p5)s WHEN 6 THEN %(p6)s END), 0)::bigint AS points,
       count(*) FILTER (WHERE u.date_naissance > (%(jour)s::date - interval '60 years')) AS moins_de_60_ans,
       count(pp.id) FILTER (WHERE pp.date_validation > %(jour)s::date - 365) AS pp_de_moins_d_un_an,
       count(pp.id) FILTER (WHERE pp.echeance_bilan < %(jour)s) AS bilans_en_retard,
       count(*) FILTER (WHERE pp.id IS NULL) AS sans_pp,
       count(*) FILTER (WHERE g.gir IS NULL OR g.date_evaluation <= %(jour)s::date - 365) AS aggir_a_faire
FROM presents p
JOIN usagers_usager u ON u.id = p.usager_id AND u.organisme_id = %(og)s
{dernier_gir}LEFT JOIN LATERAL (
    SELECT pp.id, pp.date_validation, pp.echeance_bilan FROM accompagnement_projetpersonnalise pp
    WHERE pp.organisme_id = %(og)s AND pp.usager_id = p.usager_id AND pp.etablissement_id = p.etablissement_id
      AND pp.statut = ANY(%(courants)s) AND pp.date_validation <= %(jour)s
    ORDER BY pp.date_validation DESC, pp.id DESC LIMIT 1
) pp ON true
GROUP BY 1
""".replace("{dernier_gir}", _DERNIER_GIR)

_ATTENTE_SQL = """
SELECT d.etablissement_id, count(*),
       count(*) FILTER (WHERE d.priorite = 1),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY %(jour)s::date - d.date_reception),
       max(%(jour)s::date - d.date_reception)
FROM admission_demandeadmission d
WHERE d.organisme_id = %(og)s AND d.etablissement_id = ANY(%(etabs)s) AND d.statut = ANY(%(ouvertes)s)
GROUP BY 1
"""


def _executer(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connexion_de_lecture().cursor() as cursor:  # the replica when the page reads there
        cursor.execute(sql, params)
        return cursor.fetchall()


def journees(
    organisme_id: int, etablissements: Iterable[int], debut: datetime.date, fin: datetime.date
) -> list[dict[str, Any]]:
    """Days of séjour (``inscrits``), of absence and of presence (``presents``), per ESMS, mode d'accueil and
    month (``mois``: the month's first day), between ``debut`` and ``fin`` included."""
    if fin < debut:
        return []
    lignes = _executer(
        _JOURNEES_SQL, {"og": organisme_id, "etabs": list(etablissements), "debut": debut, "fin": fin}
    )
    return [
        {
            "etablissement_id": etab,
            "mode_accueil": mode,
            "mois": mois,
            "inscrits": inscrits,
            "absents": absents,
            "presents": inscrits - absents,
        }
        for etab, mode, mois, inscrits, absents in lignes
    ]


def mouvements(
    organisme_id: int, etablissements: Iterable[int], debut: datetime.date, fin: datetime.date
) -> dict[int, dict[str, Any]]:
    """Entries and exits of the period per ESMS, with the mean length of stay of those who left."""
    lignes = _executer(
        _MOUVEMENTS_SQL, {"og": organisme_id, "etabs": list(etablissements), "debut": debut, "fin": fin}
    )
    return {
        etab: {
            "entrees": entrees,
            "sorties": sorties,
            "duree_moyenne_sejour": round(jours / sorties) if sorties else None,
        }
        for etab, entrees, sorties, jours in lignes
    }


def population(
    organisme_id: int, etablissements: Iterable[int], jour: datetime.date
) -> dict[int, dict[str, Any]]:
    """The persons accompanied on ``jour`` per ESMS: their number, GIR (latest valid evaluation on or before
    the day, in any ESMS of the organisme), GMP, persons under 60, AGGIR evaluations due (none, or the last
    one a year old or more), and their projet personnalisé (the current version validated on or before the day:
    under a year old, bilan overdue, none)."""
    params: dict[str, Any] = {f"p{g}": p for g, p in POINTS_GIR.items()}
    params.update(
        {
            "og": organisme_id,
            "etabs": list(etablissements),
            "jour": jour,
            "courants": [str(s) for s in STATUTS_COURANTS],
        }
    )
    resultat = {}
    for (
        etab,
        presents,
        evalues,
        gir_1_2,
        points,
        moins_60,
        pp_recent,
        bilans_retard,
        sans_pp,
        aggir,
    ) in _executer(_POPULATION_SQL, params):
        resultat[etab] = {
            "presents": presents,
            "evalues": evalues,
            "gir_1_2": gir_1_2,
            "points_gir": points,
            "gmp": round(points / evalues) if evalues else None,
            "moins_de_60_ans": moins_60,
            "pp_de_moins_d_un_an": pp_recent,
            "bilans_en_retard": bilans_retard,
            "sans_pp": sans_pp,
            "aggir_a_faire": aggir,
        }
    return resultat


def liste_d_attente(
    organisme_id: int, etablissements: Iterable[int], jour: datetime.date
) -> dict[int, dict[str, Any]]:
    """The admission requests open today per ESMS: how many, how many urgent, the median and the longest
    wait in days (counted to ``jour``)."""
    lignes = _executer(
        _ATTENTE_SQL,
        {
            "og": organisme_id,
            "etabs": list(etablissements),
            "jour": jour,
            "ouvertes": [str(s) for s in OUVERTES],
        },
    )
    return {
        etab: {"demandes": n, "urgentes": urgentes, "attente_mediane": mediane, "attente_max": maxi}
        for etab, n, urgentes, mediane, maxi in lignes
    }


def pourcentage(numerateur: float | int | None, denominateur: float | int | None) -> float | None:
    if not denominateur or numerateur is None:
        return None
    return round(100 * numerateur / denominateur, 1)


_PROFIL_SQL = """
WITH presents AS (
    SELECT DISTINCT ON (s.usager_id) s.usager_id, s.date_entree
    FROM usagers_sejour s
    WHERE s.organisme_id = %(og)s AND s.etablissement_id = %(etab)s
      AND s.date_entree <= %(jour)s AND (s.date_sortie IS NULL OR s.date_sortie >= %(jour)s)
    ORDER BY s.usager_id, s.date_entree
),
p AS (
    SELECT date_part('year', age(%(jour)s::date, u.date_naissance))::int AS age, u.sexe,
           %(jour)s::date - p.date_entree AS anciennete, g.gir
    FROM presents p
    JOIN usagers_usager u ON u.id = p.usager_id AND u.organisme_id = %(og)s
{dernier_gir})
SELECT count(*),
       count(*) FILTER (WHERE age < 60), count(*) FILTER (WHERE age BETWEEN 60 AND 74),
       count(*) FILTER (WHERE age BETWEEN 75 AND 84), count(*) FILTER (WHERE age BETWEEN 85 AND 94),
       count(*) FILTER (WHERE age >= 95),
       round(avg(age), 1),
       count(*) FILTER (WHERE sexe = 'F'), count(*) FILTER (WHERE sexe = 'M'),
       count(*) FILTER (WHERE sexe NOT IN ('F', 'M')),
       count(*) FILTER (WHERE gir = 1), count(*) FILTER (WHERE gir = 2), count(*) FILTER (WHERE gir = 3),
       count(*) FILTER (WHERE gir = 4), count(*) FILTER (WHERE gir = 5), count(*) FILTER (WHERE gir = 6),
       count(*) FILTER (WHERE gir IS NULL),
       count(*) FILTER (WHERE anciennete < 365), count(*) FILTER (WHERE anciennete >= 365 AND anciennete < 3 * 365),
       count(*) FILTER (WHERE anciennete >= 3 * 365 AND anciennete < 5 * 365),
       count(*) FILTER (WHERE anciennete >= 5 * 365)
FROM p
""".replace("{dernier_gir}", _DERNIER_GIR)

TRANCHES_AGE = ("moins de 60 ans", "60 à 74 ans", "75 à 84 ans", "85 à 94 ans", "95 ans et plus")
TRANCHES_ANCIENNETE = ("moins d'un an", "1 à 3 ans", "3 à 5 ans", "5 ans et plus")


def profil(organisme_id: int, etablissement_id: int, jour: datetime.date) -> dict[str, Any]:
    """The persons accompanied on ``jour`` in one ESMS, by age band, sex, GIR and time since entry."""
    (ligne,) = _executer(_PROFIL_SQL, {"og": organisme_id, "etab": etablissement_id, "jour": jour})
    total, *reste = ligne
    ages, reste = reste[:5], reste[5:]
    age_moyen, femmes, hommes, autres, *reste = reste
    girs, reste = reste[:7], reste[7:]
    return {
        "total": total,
        "ages": list(zip(TRANCHES_AGE, ages, strict=True)),
        "age_moyen": age_moyen,
        "sexes": [("Femmes", femmes), ("Hommes", hommes), ("Autre ou non renseigné", autres)],
        "girs": [(f"GIR {g}", n) for g, n in zip(range(1, 7), girs[:6], strict=True)]
        + [("Non évalué", girs[6])],
        "anciennetes": list(zip(TRANCHES_ANCIENNETE, reste, strict=True)),
    }


_MOTIFS_SQL = """
(SELECT 'provenance', coalesce(nullif(trim(s.provenance), ''), 'Non renseignée'), count(*)
 FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.etablissement_id = %(etab)s
   AND s.date_entree BETWEEN %(debut)s AND %(fin)s GROUP BY 2)
UNION ALL
(SELECT 'motif_sortie', coalesce(nullif(trim(s.motif_sortie), ''), 'Non renseigné'), count(*)
 FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.etablissement_id = %(etab)s
   AND s.date_sortie BETWEEN %(debut)s AND %(fin)s GROUP BY 2)
UNION ALL
(SELECT 'destination', coalesce(nullif(trim(s.destination), ''), 'Non renseignée'), count(*)
 FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.etablissement_id = %(etab)s
   AND s.date_sortie BETWEEN %(debut)s AND %(fin)s GROUP BY 2)
ORDER BY 1, 3 DESC, 2
"""


def motifs(
    organisme_id: int, etablissement_id: int, debut: datetime.date, fin: datetime.date
) -> dict[str, list]:
    """Entries by provenance, exits by motif and by destination (free texts, grouped as typed)."""
    resultat: dict[str, list] = {"provenance": [], "motif_sortie": [], "destination": []}
    for genre, valeur, n in _executer(
        _MOTIFS_SQL, {"og": organisme_id, "etab": etablissement_id, "debut": debut, "fin": fin}
    ):
        resultat[genre].append((valeur, n))
    return resultat


_ACTIVITE_SQL = """
SELECT
  (SELECT count(*) FROM accompagnement_projetpersonnalise pp WHERE pp.organisme_id = %(og)s
     AND pp.etablissement_id = %(etab)s AND pp.date_validation BETWEEN %(debut)s AND %(fin)s),
  (SELECT count(*) FROM accompagnement_projetpersonnalise pp WHERE pp.organisme_id = %(og)s
     AND pp.etablissement_id = %(etab)s AND pp.date_bilan BETWEEN %(debut)s AND %(fin)s),
  (SELECT count(*) FROM accompagnement_evaluationaggir e WHERE e.organisme_id = %(og)s
     AND e.etablissement_id = %(etab)s AND e.annulee_le IS NULL AND e.date_evaluation BETWEEN %(debut)s AND %(fin)s),
  (SELECT count(*) FROM accompagnement_evaluationserafin e WHERE e.organisme_id = %(og)s
     AND e.etablissement_id = %(etab)s AND e.date_evaluation BETWEEN %(debut)s AND %(fin)s)
"""

_EVENEMENTS_SQL = """
SELECT ev.genre, count(*), count(DISTINCT ev.titre),
       coalesce(sum((SELECT count(*) FROM coordination_participation pa
                     WHERE pa.organisme_id = %(og)s AND pa.evenement_id = ev.id AND pa.presence = 'present')), 0)::bigint
FROM coordination_evenement ev
WHERE ev.organisme_id = %(og)s AND ev.etablissement_id = %(etab)s AND ev.statut = 'fait'
  AND ev.debut >= %(debut)s AND ev.debut < %(fin)s::date + 1
GROUP BY 1 ORDER BY 1
"""


def activite(
    organisme_id: int, etablissement_id: int, debut: datetime.date, fin: datetime.date
) -> dict[str, Any]:
    """What the team did in the period: projets personnalisés validated and reviewed, evaluations, and the
    events of the agenda that took place, by kind (activities with the attendance they had)."""
    params = {"og": organisme_id, "etab": etablissement_id, "debut": debut, "fin": fin}
    ((pp_valides, bilans, aggir, serafin),) = _executer(_ACTIVITE_SQL, params)
    return {
        "pp_valides": pp_valides,
        "bilans_pp": bilans,
        "evaluations_aggir": aggir,
        "evaluations_serafin": serafin,
        "evenements": [
            {"genre": genre, "nombre": n, "intitules": intitules, "presences": presences}
            for genre, n, intitules, presences in _executer(_EVENEMENTS_SQL, params)
        ],
    }


_FILE_ACTIVE_SQL = """
SELECT count(DISTINCT s.usager_id)
FROM usagers_sejour s
WHERE s.organisme_id = %(og)s AND s.etablissement_id = %(etab)s
  AND s.date_entree <= %(fin)s AND (s.date_sortie IS NULL OR s.date_sortie >= %(debut)s)
"""


def file_active(organisme_id: int, etablissement_id: int, debut: datetime.date, fin: datetime.date) -> int:
    """Persons accompanied at least one day of the period (the « file active »)."""
    ((n,),) = _executer(
        _FILE_ACTIVE_SQL, {"og": organisme_id, "etab": etablissement_id, "debut": debut, "fin": fin}
    )
    return int(n)


_SUIVI_SQL = """
SELECT e.id, r.prevus, r.non_faits, a.total, a.refus, a.non_donnes, ev.total, ev.eigs, rc.total, en.reussis, en.echecs
FROM unnest(%(etabs)s::bigint[]) AS e(id)
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE r.statut <> 'annule') AS prevus,
           count(*) FILTER (WHERE r.statut = 'pas_fait') AS non_faits
    FROM soins_realisationsoin r
    WHERE r.organisme_id = %(og)s AND r.etablissement_id = e.id AND r.date_prevue BETWEEN %(debut)s AND %(fin)s
) r
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE a.statut <> 'annule') AS total, count(*) FILTER (WHERE a.statut = 'refuse') AS refus,
           count(*) FILTER (WHERE a.statut = 'non_donne') AS non_donnes
    FROM medicaments_administration a
    WHERE a.organisme_id = %(og)s AND a.etablissement_id = e.id AND a.administree_le >= %(du)s
      AND a.administree_le < %(au)s
) a
CROSS JOIN LATERAL (
    SELECT count(*) AS total, count(*) FILTER (WHERE ev.eigs) AS eigs
    FROM relation_evenementindesirable ev
    WHERE ev.organisme_id = %(og)s AND ev.etablissement_id = e.id AND ev.survenu_le >= %(du)s AND ev.survenu_le < %(au)s
) ev
CROSS JOIN LATERAL (
    SELECT count(*) AS total FROM relation_reclamation rc
    WHERE rc.organisme_id = %(og)s AND rc.etablissement_id = e.id AND rc.recue_le BETWEEN %(debut)s AND %(fin)s
) rc
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE en.statut = 'envoye') AS reussis, count(*) FILTER (WHERE en.statut = 'echec') AS echecs
    FROM interop_envoi en
    WHERE en.organisme_id = %(og)s AND en.etablissement_id = e.id AND en.cree_le >= %(du)s AND en.cree_le < %(au)s
) en
"""

CHAMPS_SUIVI = (
    "soins_prevus",
    "soins_non_faits",
    "administrations",
    "refus",
    "non_donnes",
    "evenements_indesirables",
    "eigs",
    "reclamations",
    "envois_reussis",
    "envois_en_echec",
)


def suivi(
    organisme_id: int, etablissements: Iterable[int], debut: datetime.date, fin: datetime.date
) -> dict[int, dict[str, int]]:
    """Per ESMS over the period: care tasks due and not done, medication administrations recorded with the
    refusals and the doses not given, adverse events (and EIGS), complaints received, documents sent to the
    DMP or by MSSanté and those that failed. Days are local days (the database compares instants)."""
    from django.utils import timezone

    du = timezone.make_aware(datetime.datetime.combine(debut, datetime.time.min))
    au = timezone.make_aware(datetime.datetime.combine(fin + datetime.timedelta(days=1), datetime.time.min))
    params = {
        "og": organisme_id,
        "etabs": list(etablissements),
        "debut": debut,
        "fin": fin,
        "du": du,
        "au": au,
    }
    return {
        ligne[0]: dict(zip(CHAMPS_SUIVI, ligne[1:], strict=True)) for ligne in _executer(_SUIVI_SQL, params)
    }
