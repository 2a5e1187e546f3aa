"""The import graph of the product packages, read from the source (``ast``): module-level imports and the
imports inside functions alike, so that a cycle cannot hide behind a late import."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]

# The layers, lowest first (docs/architecture.md): a package may import only packages of a lower rank.
# Domain apps are ordered among themselves too, so that their graph stays a chain of one-way arrows.
COUCHES: dict[str, int] = {
    "dui": 0,  # kernel: tenancy, RLS, audit, history, tasks base, registries
    "habilitations": 1,  # professionals, roles, the policy
    "administration": 2,
    "usagers": 2,  # the dossier and its registry
    "annuaire": 2,  # the partner directory
    "admission": 3,
    "documents": 3,
    "accompagnement": 4,
    "soins": 5,
    "administratif": 5,  # contrat, droits, presence for billing: reads accompagnement (GIR)
    "medicaments": 6,
    "coordination": 7,  # agenda: reads accompagnement (PP actions) and soins
    "interop": 8,
    "relation": 8,  # the space of the persons and relatives, messages: reads accompagnement, coordination, documents
    "pilotage": 9,  # director's dashboards: reads admission, accompagnement, usagers (indicators in SQL)
    "rgpd": 9,  # RGPD lifecycle: reads the dossiers through the model graph
    "accueil": 10,  # the shell: home page, journal pages, demo
}
# Project wiring needs no exception: settings and the URL map name the apps by string, the Celery app
# autodiscovers their tasks.
CABLAGE: set[str] = set()


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    cible: str  # imported module (resolved to a product module)
    ligne: int
    dans_fonction: bool


def modules(racine: Path = RACINE) -> dict[str, Path]:
    """Every product module (migrations excluded): dotted name → file."""
    trouves: dict[str, Path] = {}
    for paquet in COUCHES:
        for chemin in sorted((racine / paquet).rglob("*.py")):
            relatif = chemin.relative_to(racine)
            if "migrations" in relatif.parts:
                continue
            nom = ".".join(relatif.with_suffix("").parts)
            trouves[nom.removesuffix(".__init__")] = chemin
    return trouves


def _resoudre(nom: str, connus: dict[str, Path]) -> str | None:
    while nom:
        if nom in connus:
            return nom
        nom = nom.rpartition(".")[0]
    return None


def imports_du_source(
    module: str, source: str, connus: dict[str, Path], est_paquet: bool = False
) -> Iterator[Import]:
    """The product imports of one module's source, each resolved to the module it loads."""
    arbre = ast.parse(source)
    paquet = module if est_paquet else module.rpartition(".")[0]
    dans_fonctions = {
        id(n)
        for f in ast.walk(arbre)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
        if isinstance(n, ast.Import | ast.ImportFrom)
    }
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Import):
            noms = [alias.name for alias in noeud.names]
        elif isinstance(noeud, ast.ImportFrom):
            base = noeud.module or ""
            if noeud.level:
                parties = paquet.split(".")
                parties = parties[: len(parties) - (noeud.level - 1)]
                base = ".".join(parties + ([base] if base else []))
            # ``from a import b`` loads a.b when b is a module, a otherwise
            noms = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in connus else base for alias in noeud.names
            ]
        else:
            continue
        for nom in dict.fromkeys(noms):
            cible = _resoudre(nom, connus)
            if cible and cible != module:
                yield Import(module, cible, noeud.lineno, id(noeud) in dans_fonctions)


def graphe(racine: Path = RACINE) -> list[Import]:
    connus = modules(racine)
    return [
        imp
        for nom, chemin in connus.items()
        for imp in imports_du_source(nom, chemin.read_text(), connus, chemin.name == "__init__.py")
    ]


def cycles(aretes: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan): each holds a cycle."""
    voisins: dict[str, set[str]] = {}
    for imp in aretes:
        voisins.setdefault(imp.source, set()).add(imp.cible)
        voisins.setdefault(imp.cible, set())
    index: dict[str, int] = {}
    bas: dict[str, int] = {}
    pile: list[str] = []
    sur_pile: set[str] = set()
    composantes: list[list[str]] = []
    compteur = 0

    def visiter(v: str) -> None:
        nonlocal compteur
        index[v] = bas[v] = compteur
        compteur += 1
        pile.append(v)
        sur_pile.add(v)
        for w in voisins[v]:
            if w not in index:
                visiter(w)
                bas[v] = min(bas[v], bas[w])
            elif w in sur_pile:
                bas[v] = min(bas[v], index[w])
        if bas[v] == index[v]:
            composante = []
            while True:
                w = pile.pop()
                sur_pile.discard(w)
                composante.append(w)
                if w == v:
                    break
            if len(composante) > 1:
                composantes.append(sorted(composante))

    for v in sorted(voisins):
        if v not in index:
            visiter(v)
    return composantes


def paquet(module: str) -> str:
    return module.partition(".")[0]
