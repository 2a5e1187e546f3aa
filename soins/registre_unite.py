"""Sections of the unit pages (relève, day view) declared by the domains above the soins: the agenda's
rendez-vous and transports of the day (``coordination``). The soins never import them."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dui.registre import Registre


@dataclass(frozen=True)
class SectionUnite:
    code: str
    titre: str
    ordre: int
    template: str  # rendered with ``section`` and ``elements``
    elements: Callable[[Any, Any, datetime.date], Sequence[Any]]  # elements(user, unite, jour)


@dataclass(frozen=True)
class SectionRemplie:
    section: SectionUnite
    elements: Sequence[Any]


class RegistreUnite:
    def __init__(self) -> None:
        self._sections: Registre[SectionUnite] = Registre("Section des pages d'unité")

    def section(
        self,
        code: str,
        titre: str,
        *,
        ordre: int,
        template: str,
        elements: Callable[[Any, Any, datetime.date], Sequence[Any]],
    ) -> SectionUnite:
        return self._sections.ajouter(SectionUnite(code, titre, ordre, template, elements))

    def retirer(self, code: str) -> None:
        self._sections.retirer(code)

    def remplir(self, user: Any, unite: Any, jour: datetime.date) -> list[SectionRemplie]:
        """The sections for ``user`` on ``unite``'s page of ``jour`` (each already restricted by its domain)."""
        return [SectionRemplie(s, s.elements(user, unite, jour)) for s in self._sections.tous()]


registre_unite = RegistreUnite()
