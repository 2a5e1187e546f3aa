"""Read paths of the accompagnement: always through the policy (tenant, habilitation, exceptions) in SQL,
with what the templates walk prefetched (query counts do not grow with the record)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dui.models import Etablissement
from dui.registre_accueil import ElementDuJour
from habilitations import policy
from habilitations.roles import VOIR, Droit
from usagers.models import Sejour, Usager

from .aggir import POINTS_GIR
from .models import (
    ACTION_CONFIDENTIALITE,
    DELAI_PREMIER_PP,
    Action,
    AvisValidation,
    Confidentialite,
    EvaluationAggir,
    EvaluationGrille,
    EvaluationSerafin,
    Objectif,
    Observation,
    ProjetPersonnalise,
    Rappel,
    StatutPP,
)


def projets_du_dossier(user, usager: Usager) -> list[ProjetPersonnalise]:
    return list(
        policy.scope_contenu_du_dossier(user, Droit.SOCIAL_VOIR, ProjetPersonnalise.objects.all(), usager)
        .select_related("etablissement", "coordonnateur")
        .order_by("etablissement__nom", "-version")
    )


def projet_complet(projet: ProjetPersonnalise) -> ProjetPersonnalise:
    """The PP with everything its page and its PDF show, in a fixed number of queries."""
    return (
        ProjetPersonnalise.objects.filter(pk=projet.pk)
        .select_related("usager", "etablissement", "coordonnateur", "bilan_par", "precedent")
        .prefetch_related(
            "attentes",
            "besoins__code_serafin",
            Prefetch(
                "objectifs",
                queryset=Objectif.objects.select_related("referent", "besoin__code_serafin").prefetch_related(
                    Prefetch("actions", queryset=Action.objects.select_related("prestation"))
                ),
            ),
            Prefetch("avis", queryset=AvisValidation.objects.select_related("recueilli_par")),
        )
        .get()
    )


def versions(projet: ProjetPersonnalise) -> QuerySet[ProjetPersonnalise]:
    return (
        ProjetPersonnalise.objects.filter(
            usager_id=projet.usager_id, etablissement_id=projet.etablissement_id
        )
        .order_by("-version")
        .only("public_id", "version", "statut", "date_validation", "date_bilan", "cree_le")
    )


# --- Bilans dus --------------------------------------------------------------------------------------------


def suivi_des_bilans(etablissement: Etablissement, jour: datetime.date | None = None) -> dict:
    """For the chef de service and the director: validated PP whose bilan is late or due within 60 days,
    and persons accompanied for more than six months without a validated PP (CASF art. D311)."""
    jour = jour or timezone.localdate()
    courants = (
        ProjetPersonnalise.objects.filter(etablissement=etablissement, statut=StatutPP.EN_OEUVRE)
        .select_related("usager", "coordonnateur")
        .order_by("echeance_bilan")
    )
    en_retard = list(courants.filter(echeance_bilan__lt=jour))
    a_venir = list(
        courants.filter(echeance_bilan__gte=jour, echeance_bilan__lte=jour + datetime.timedelta(days=60))
    )
    sans_pp = (
        Sejour.objects.filter(etablissement=etablissement, date_entree__lte=jour - DELAI_PREMIER_PP)
        .en_cours(jour)
        .exclude(
            usager__in=ProjetPersonnalise.objects.filter(
                etablissement=etablissement, statut__in=[StatutPP.EN_OEUVRE, StatutPP.BILAN]
            ).values("usager_id")
        )
        .select_related("usager")
        .order_by("date_entree")
    )
    return {"jour": jour, "en_retard": en_retard, "a_venir": a_venir, "sans_pp": list(sans_pp)}


def rappels_de(user) -> QuerySet[Rappel]:
    return (
        policy.scope(user, Droit.SOCIAL_VOIR, Rappel.objects.filter(destinataire=user, fait_le__isnull=True))
        .select_related("projet__usager")
        .order_by("echeance")
    )


def rappels_du_jour(user) -> list[ElementDuJour]:
    """The professional's open reminders, for the home page (``dui.registre_accueil``)."""
    return [
        ElementDuJour(r.libelle, reverse("accompagnement:projet", args=[r.projet.public_id]))
        for r in rappels_de(user)[:20]
    ]


# --- Évaluations --------------------------------------------------------------------------------------------


def evaluations_aggir(user, usager: Usager) -> list[EvaluationAggir]:
    return list(
        policy.scope_contenu_du_dossier(
            user, Droit.SOINS_VOIR, EvaluationAggir.objects.all(), usager
        ).select_related("evaluateur", "etablissement", "annulee_par")
    )


def evaluations_serafin(user, usager: Usager) -> list[EvaluationSerafin]:
    return list(
        policy.scope_contenu_du_dossier(
            user, Droit.SOCIAL_VOIR, EvaluationSerafin.objects.all(), usager
        ).select_related("evaluateur", "etablissement")
    )


def evaluations_grille(user, usager: Usager) -> list[EvaluationGrille]:
    lignes: list[EvaluationGrille] = []
    for categorie in ("social", "soins"):
        lignes += policy.scope_contenu_du_dossier(
            user, Droit.de(categorie, VOIR), EvaluationGrille.objects.filter(categorie=categorie), usager
        ).select_related("grille", "evaluateur", "etablissement")
    return sorted(lignes, key=lambda e: (e.date_evaluation, e.id), reverse=True)


def courbe_gir(evaluations: list[EvaluationAggir], largeur: int = 600, hauteur: int = 160) -> dict | None:
    """Points of an SVG step chart of the GIR over time (GIR 1 at the top: the most dependent)."""
    valides = sorted((e for e in evaluations if not e.annulee_le), key=lambda e: (e.date_evaluation, e.id))
    if len(valides) < 2:
        return None
    from dui.graphiques import Repere, polyline

    debut, fin = valides[0].date_evaluation, valides[-1].date_evaluation
    repere = Repere(largeur, hauteur, debut, fin, bas=6, haut=1)  # GIR 1 at the top
    x, y = repere.x, repere.y
    points, precedent = [], None
    for e in valides:
        if precedent is not None:
            points.append((x(e.date_evaluation), y(precedent)))
        points.append((x(e.date_evaluation), y(e.gir)))
        precedent = e.gir
    return {
        "largeur": largeur,
        "hauteur": hauteur,
        "polyline": polyline(points),
        "points": [
            {"x": x(e.date_evaluation), "y": y(e.gir), "gir": e.gir, "date": e.date_evaluation}
            for e in valides
        ],
        "graduations": [{"gir": g, "y": y(g)} for g in range(1, 7)],
        "debut": debut,
        "fin": fin,
        "x0": repere.x0,
        "x1": repere.x1,
        "bas": hauteur - 8,
    }


_GMP_SQL = """
SELECT j.jour,
       count(d.usager_id) AS presents,
       count(d.gir) AS evalues,
       coalesce(sum(CASE d.gir WHEN 1 THEN %(p1)s WHEN 2 THEN %(p2)s WHEN 3 THEN %(p3)s WHEN 4 THEN %(p4)s
                                WHEN 5 THEN %(p5)s WHEN 6 THEN %(p6)s END), 0) AS points,
       count(*) FILTER (WHERE d.gir = 1), count(*) FILTER (WHERE d.gir = 2), count(*) FILTER (WHERE d.gir = 3),
       count(*) FILTER (WHERE d.gir = 4), count(*) FILTER (WHERE d.gir = 5), count(*) FILTER (WHERE d.gir = 6)
FROM unnest(%(jours)s::date[]) AS j(jour)
LEFT JOIN LATERAL (
    SELECT s.usager_id,
           (SELECT e.gir FROM accompagnement_evaluationaggir e
             WHERE e.organisme_id = %(og)s AND e.usager_id = s.usager_id AND e.annulee_le IS NULL
               AND e.date_evaluation <= j.jour
             ORDER BY e.date_evaluation DESC, e.id DESC LIMIT 1) AS gir
    FROM (SELECT DISTINCT s.usager_id FROM usagers_sejour s
          WHERE s.organisme_id = %(og)s AND s.etablissement_id = %(etab)s AND s.date_entree <= j.jour
            AND (s.date_sortie IS NULL OR s.date_sortie >= j.jour)) s
) d ON true
GROUP BY j.jour ORDER BY j.jour
"""


def gmp(etablissement: Etablissement, jours: list[datetime.date]) -> list[dict]:
    """GIR moyen pondéré of the ESMS on each day: persons accompanied that day (séjour in progress, absent
    or not), each with their latest valid GIR at that date (evaluated in any ESMS of the organisme);
    GMP = Σ points / number of persons evaluated (points: ``aggir.POINTS_GIR``). One SQL query."""
    params: dict[str, Any] = {f"p{g}": p for g, p in POINTS_GIR.items()}
    params.update({"jours": list(jours), "og": etablissement.organisme_id, "etab": etablissement.pk})
    with connection.cursor() as cursor:
        cursor.execute(_GMP_SQL, params)
        lignes = []
        for jour, presents, evalues, points, *repartition in cursor.fetchall():
            lignes.append(
                {
                    "jour": jour,
                    "presents": presents,
                    "evalues": evalues,
                    "non_evalues": presents - evalues,
                    "gmp": round(points / evalues) if evalues else None,
                    "repartition": dict(zip(range(1, 7), repartition, strict=True)),
                }
            )
        return lignes


def fins_de_mois(fin: datetime.date, nombre: int = 12) -> list[datetime.date]:
    """The last ``nombre`` month ends up to ``fin`` (``fin`` itself last)."""
    jours = [fin]
    courant = fin.replace(day=1) - datetime.timedelta(days=1)
    while len(jours) < nombre:
        jours.append(courant)
        courant = courant.replace(day=1) - datetime.timedelta(days=1)
    return sorted(jours)


def non_evalues(etablissement: Etablissement, jour: datetime.date) -> QuerySet[Usager]:
    """Persons accompanied on ``jour`` without a valid AGGIR evaluation at that date."""
    presents = Sejour.objects.filter(etablissement=etablissement).en_cours(jour).values("usager_id")
    evalues = EvaluationAggir.objects.filter(
        organisme_id=etablissement.organisme_id, annulee_le__isnull=True, date_evaluation__lte=jour
    ).values("usager_id")
    return Usager.objects.filter(pk__in=presents).exclude(pk__in=evalues)


# --- Journal de suivi ---------------------------------------------------------------------------------------


def observations_visibles(
    user, queryset: QuerySet[Observation] | None = None, usager: Usager | None = None
) -> QuerySet[Observation]:
    """Observations ``user`` may read: ``social.voir`` on the usager and its ESMS, and the confidentiality
    level: équipe de soins → ``soins.voir`` there; restreinte → its author, or ``pilotage.voir`` there."""
    queryset = Observation.objects.all() if queryset is None else queryset
    base = (
        policy.scope_contenu(user, Droit.SOCIAL_VOIR, queryset)
        if usager is None
        else policy.scope_contenu_du_dossier(user, Droit.SOCIAL_VOIR, queryset, usager)
    )
    if not getattr(user, "is_authenticated", False):
        return base.none()
    condition = Q(confidentialite=Confidentialite.EQUIPE)
    condition |= Q(
        confidentialite=Confidentialite.SOINS,
        etablissement_id__in=policy.etablissements_autorises(
            user, ACTION_CONFIDENTIALITE[Confidentialite.SOINS]
        ),
    )
    condition |= Q(confidentialite=Confidentialite.RESTREINTE) & (
        Q(auteur_id=user.pk)
        | Q(
            etablissement_id__in=policy.etablissements_autorises(
                user, ACTION_CONFIDENTIALITE[Confidentialite.RESTREINTE]
            )
        )
    )
    return base.filter(condition)


def journal_du_dossier(user, usager: Usager) -> QuerySet[Observation]:
    return observations_visibles(user, Observation.objects.all(), usager).select_related(
        "auteur", "etablissement", "objectif"
    )
