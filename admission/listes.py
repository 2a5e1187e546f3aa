"""The waiting list as an exportable list (``dui.listes``): the open requests the user may see."""

from __future__ import annotations

from typing import Any

from dui.listes import Liste, declarer, parametre_etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import OUVERTES, DemandeAdmission


def _lignes(user: Any, parametres: dict[str, Any]):
    return policy.scope(
        user, Droit.ADMINISTRATIF_VOIR, DemandeAdmission.objects.filter(statut__in=OUVERTES)
    ).select_related("etablissement")


def _ligne(d: DemandeAdmission) -> list[Any]:
    return [
        d.etablissement.nom, d.date_reception, d.get_priorite_display(), d.get_statut_display(), d.nom_naissance,
        d.prenoms_naissance, d.date_naissance, d.get_sexe_display(), d.get_mode_accueil_display(),
        d.date_souhaitee, d.get_origine_display(), d.contact,
    ]  # fmt: skip


def declarer_listes() -> None:
    declarer(
        Liste(
            code="liste_attente",
            titre="Liste d'attente",
            colonnes=(
                "Établissement",
                "Reçue le",
                "Priorité",
                "Statut",
                "Nom de naissance",
                "Prénoms",
                "Date de naissance",
                "Sexe",
                "Mode d'accueil souhaité",
                "Entrée souhaitée",
                "Origine",
                "Contact",
            ),  # fmt: skip
            lignes=_lignes,
            ligne=_ligne,
            parametres=parametre_etablissement,
            autorise=lambda user: bool(policy.etablissements_autorises(user, Droit.ADMINISTRATIF_VOIR)),
            ordre=20,
        )
    )
