"""The one shape of the DUI's registries (the dossier's tabs and banner, the home page's links and "today"
items, the DLU's sections): declarations keyed by a code, each declared once (a second declaration of a
code is a configuration error), read in their declared order."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured


class Declaration(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def ordre(self) -> int: ...


D = TypeVar("D", bound=Declaration)


class Registre(Generic[D]):
    def __init__(self, nom: str) -> None:
        self.nom = nom  # what is declared, for the error message ("onglet du dossier"…)
        self._declarations: dict[str, D] = {}

    def ajouter(self, declaration: D) -> D:
        if declaration.code in self._declarations:
            raise ImproperlyConfigured(f"{self.nom} {declaration.code!r} : déjà déclaré.")
        self._declarations[declaration.code] = declaration
        return declaration

    def retirer(self, code: str) -> None:
        """Forget a declaration (tests that declare one of their own)."""
        self._declarations.pop(code, None)

    def get(self, code: str) -> D | None:
        return self._declarations.get(code)

    def tous(self) -> list[D]:
        return sorted(self._declarations.values(), key=lambda d: (d.ordre, d.code))
