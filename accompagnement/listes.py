"""The AGGIR evaluations as an exportable list (``dui.listes``): the valid evaluations the user may read
(``soins.voir`` on the person and in the ESMS), of one ESMS or of all of them."""

from __future__ import annotations

from typing import Any

from dui.listes import Liste, declarer, parametre_etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import EvaluationAggir


def _lignes(user: Any, parametres: dict[str, Any]):
    return policy.scope_contenu(
        user, Droit.SOINS_VOIR, EvaluationAggir.objects.filter(annulee_le__isnull=True)
    ).select_related("usager", "etablissement", "evaluateur")


def _ligne(e: EvaluationAggir) -> list[Any]:
    return [
        e.etablissement.nom, e.usager.nom_naissance, e.usager.prenoms_naissance, e.usager.date_naissance,
        e.date_evaluation, e.gir, e.get_mode_display(), str(e.evaluateur),
    ]  # fmt: skip


def declarer_listes() -> None:
    declarer(
        Liste(
            code="evaluations_aggir",
            titre="Évaluations AGGIR",
            colonnes=(
                "Établissement",
                "Nom de naissance",
                "Prénoms",
                "Date de naissance",
                "Évaluée le",
                "GIR",
                "Mode",
                "Évaluateur",
            ),  # fmt: skip
            lignes=_lignes,
            ligne=_ligne,
            parametres=parametre_etablissement,
            autorise=lambda user: bool(policy.etablissements_autorises(user, Droit.SOINS_VOIR)),
            ordre=30,
        )
    )
