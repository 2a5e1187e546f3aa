"""The home page as a registry: each app declares, from its ``AppConfig.ready()``, the links it adds to an
ESMS's card (occupation, bilans, GMP, indicators…) and its "today" items (the professional's reminders…).
The shell's home page (``accueil.views.accueil``) reads them; no app edits the shell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .registre import Registre


@dataclass(frozen=True)
class LienEtablissement:
    """A link of an ESMS's card, shown when ``action`` is allowed in that ESMS (and ``condition`` holds);
    ``url`` names a route taking the ESMS's ``public_id``, or no argument when ``par_etablissement`` is
    false."""

    code: str
    libelle: str
    ordre: int
    url: str
    action: str
    condition: Callable[[Any], bool] | None = None
    par_etablissement: bool = True


@dataclass(frozen=True)
class ElementDuJour:
    libelle: str
    url: str


@dataclass(frozen=True)
class SourceDuJour:
    """A section of "today" items for the professional: ``elements(user)`` returns at most a page of
    ``ElementDuJour`` (already restricted to what the user may see)."""

    code: str
    titre: str
    ordre: int
    elements: Callable[[Any], Iterable[ElementDuJour]]


class RegistreAccueil:
    def __init__(self) -> None:
        self._liens: Registre[LienEtablissement] = Registre("Lien d'accueil")
        self._sources: Registre[SourceDuJour] = Registre("Rubrique d'accueil")

    def lien_etablissement(
        self,
        code: str,
        libelle: str,
        *,
        ordre: int,
        url: str,
        action: str,
        condition: Callable[[Any], bool] | None = None,
        par_etablissement: bool = True,
    ) -> LienEtablissement:
        return self._liens.ajouter(
            LienEtablissement(code, libelle, ordre, url, action, condition, par_etablissement)
        )

    def aujourdhui(
        self, code: str, titre: str, *, ordre: int, elements: Callable[[Any], Iterable[ElementDuJour]]
    ) -> SourceDuJour:
        return self._sources.ajouter(SourceDuJour(code, titre, ordre, elements))

    def retirer(self, code: str) -> None:
        self._liens.retirer(code)
        self._sources.retirer(code)

    def liens(self) -> list[LienEtablissement]:
        return self._liens.tous()

    def sources(self) -> list[SourceDuJour]:
        return self._sources.tous()


registre_accueil = RegistreAccueil()
