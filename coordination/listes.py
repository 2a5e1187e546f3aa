"""The activities (ateliers, sorties) as an exportable list (``dui.listes``): in the ESMS where the user sees
the agenda, with their attendance — counts only, no participant's name."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from dui.listes import Liste, declarer, parametre_etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import Evenement, GenreEvenement


def _lignes(user: Any, parametres: dict[str, Any]):
    return (
        Evenement.objects.filter(
            organisme_id=user.organisme_id,
            genre=GenreEvenement.ACTIVITE,
            etablissement_id__in=policy.etablissements_autorises(user, Droit.COORDINATION_VOIR),
        )
        .select_related("etablissement")
        .annotate(
            inscrits=Count("participations"),
            presents=Count("participations", filter=Q(participations__presence="present")),
        )
    )


def _ligne(e: Any) -> list[Any]:
    return [
        e.etablissement.nom,
        e.debut,
        e.fin,
        e.titre,
        e.lieu,
        e.get_statut_display(),
        e.inscrits,
        e.presents,
    ]


def declarer_listes() -> None:
    declarer(
        Liste(
            code="activites",
            titre="Activités",
            colonnes=("Établissement", "Début", "Fin", "Activité", "Lieu", "Statut", "Inscrits", "Présents"),
            lignes=_lignes,
            ligne=_ligne,
            parametres=parametre_etablissement,
            autorise=lambda user: bool(policy.etablissements_autorises(user, Droit.COORDINATION_VOIR)),
            ordre=60,
        )
    )
