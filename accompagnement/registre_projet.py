"""What the domains above the accompagnement say about the actions of a projet personnalisé (the agenda's
participations in activities, ``coordination``): shown beside each action on the PP page, for its follow-up
and its bilan. The accompagnement never imports them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dui.registre import Registre


@dataclass(frozen=True)
class SuiviDesActions:
    code: str
    ordre: int
    fournisseur: Callable[[Any, Any], Mapping[int, str]]  # fournisseur(user, projet) → {action pk: texte}


class RegistreProjet:
    def __init__(self) -> None:
        self._suivis: Registre[SuiviDesActions] = Registre("Suivi des actions du projet personnalisé")

    def suivi_des_actions(
        self, code: str, *, ordre: int, fournisseur: Callable[[Any, Any], Mapping[int, str]]
    ) -> None:
        self._suivis.ajouter(SuiviDesActions(code, ordre, fournisseur))

    def retirer(self, code: str) -> None:
        self._suivis.retirer(code)

    def annoter(self, user: Any, projet: Any) -> None:
        """Set ``action.suivis`` (a list of texts) on every action of ``projet`` (prefetched)."""
        textes = [s.fournisseur(user, projet) for s in self._suivis.tous()]
        for objectif in projet.objectifs.all():
            for action in objectif.actions.all():
                action.suivis = [t[action.pk] for t in textes if action.pk in t]


registre_projet = RegistreProjet()
