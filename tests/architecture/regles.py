"""The project's own lint rules, as functions of a module's source: each returns its violations
(``"line: message"``). ``test_regles.py`` runs them over the product code and over a good and a bad example
each, so a rule that stops catching what it is for fails too."""

from __future__ import annotations

import ast
import re

from .graphe import COUCHES, imports_du_source, modules, paquet

CATEGORIES = [
    "administratif",
    "social",
    "soins",
    "medical",
    "medicaments",
    "documents",
    "pilotage",
    "administration",
]
ACTION_EN_CLAIR = re.compile(rf"^({'|'.join(CATEGORIES)})\.(voir|modifier)$")

# Helpers that restrict a queryset to the user's organisme (and habilitations): a tenant model queried in a
# view goes through one of them.
AIDES_CIBLEES = {
    "for_tenant",
    "scope",
    "scope_contenu",
    "scope_contenu_du_dossier",
    "get_for_user_or_404",
    "get_contenu_or_404",
    "get_in_scope_or_404",
    "usager_ou_404",
    "unite_ou_404",
}


def _connus() -> dict:
    return modules()


def vues_d_une_autre_app(module: str, source: str, connus: dict | None = None) -> list[str]:
    """No module imports the ``views`` of another app (what apps share is a registry or a selector module)."""
    connus = connus or _connus()
    return [
        f"{imp.ligne}: importe {imp.cible}"
        for imp in imports_du_source(module, source, connus)
        if imp.cible.split(".")[1:2] == ["views"] and paquet(imp.cible) != paquet(module)
    ]


def services_importent_des_taches(module: str, source: str, connus: dict | None = None) -> list[str]:
    """A service enqueues by task name (``dui.queue.enqueue_on_commit``): no ``services`` module imports a
    ``tasks`` module, its own app's or the kernel's."""
    if module.rpartition(".")[2] != "services":
        return []
    connus = connus or _connus()
    return [
        f"{imp.ligne}: importe {imp.cible}"
        for imp in imports_du_source(module, source, connus)
        if imp.cible.rpartition(".")[2] == "tasks"
    ]


def couches_respectees(module: str, source: str, connus: dict | None = None) -> list[str]:
    """A package imports only packages of a lower layer (``graphe.COUCHES``); the kernel imports no app."""
    from .graphe import CABLAGE

    if module in CABLAGE:
        return []
    connus = connus or _connus()
    rang = COUCHES[paquet(module)]
    return [
        f"{imp.ligne}: {paquet(module)} (couche {rang}) importe {imp.cible} (couche {COUCHES[paquet(imp.cible)]})"
        for imp in imports_du_source(module, source, connus)
        if paquet(imp.cible) != paquet(module) and COUCHES[paquet(imp.cible)] >= rang
    ]


def _chaine_objects(noeud: ast.AST) -> str | None:
    """``Modele`` for an expression built on ``Modele.objects`` (``Modele.objects.filter(…).exclude(…)``)."""
    while True:
        if isinstance(noeud, ast.Call):
            noeud = noeud.func
        elif isinstance(noeud, ast.Attribute):
            if noeud.attr == "objects" and isinstance(noeud.value, ast.Name):
                return noeud.value.id
            noeud = noeud.value
        else:
            return None


def update_sans_historique(module: str, source: str, modeles_suivis: set[str]) -> list[str]:
    """``Modele.objects….update()`` / ``bulk_update()`` on a history-tracked model writes no history row:
    use ``dui.history.update_with_history`` (the one place allowed to)."""
    if module == "dui.history":
        return []
    violations = []
    for noeud in ast.walk(ast.parse(source)):
        if (
            isinstance(noeud, ast.Call)
            and isinstance(noeud.func, ast.Attribute)
            and noeud.func.attr in ("update", "bulk_update")
        ):
            modele = _chaine_objects(noeud.func.value)
            if modele in modeles_suivis:
                violations.append(f"{noeud.lineno}: {modele}.objects….{noeud.func.attr}() sans historique")
    return violations


def actions_en_clair(module: str, source: str) -> list[str]:
    """Permission actions are ``habilitations.roles.Droit`` members, never bare strings (a typo would be a
    right silently refused)."""
    if module == "habilitations.roles":
        return []
    violations = []
    for noeud in ast.walk(ast.parse(source)):
        if (
            isinstance(noeud, ast.Constant)
            and isinstance(noeud.value, str)
            and ACTION_EN_CLAIR.match(noeud.value)
        ):
            violations.append(f"{noeud.lineno}: {noeud.value!r}")
        elif isinstance(noeud, ast.JoinedStr) and noeud.values:
            fin = noeud.values[-1]
            if isinstance(fin, ast.Constant) and re.search(r"\.(voir|modifier)$", str(fin.value)):
                violations.append(f"{noeud.lineno}: action construite dans une f-string")
    return violations


def requetes_hors_aides(module: str, source: str, modeles_locataires: set[str]) -> list[str]:
    """In views, a tenant model is queried through the scoped helpers only (``AIDES_CIBLEES``): a
    ``Modele.objects…`` chain must sit inside a call to one of them (Sentry's scoped lookups)."""
    if not module.rpartition(".")[2].startswith("views"):
        return []
    arbre = ast.parse(source)

    def nom_appele(appel: ast.Call) -> str:
        return appel.func.attr if isinstance(appel.func, ast.Attribute) else getattr(appel.func, "id", "")

    # the module's own wrappers of a scoped helper count as scoped helpers (``_contenu(request, …)``)
    aides = set(AIDES_CIBLEES)
    for _ in range(3):
        aides |= {
            f.name
            for f in ast.walk(arbre)
            if isinstance(f, ast.FunctionDef)
            and any(isinstance(n, ast.Call) and nom_appele(n) in aides for n in ast.walk(f))
        }
    couverts: set[int] = set()
    parents = {id(enfant): parent for parent in ast.walk(arbre) for enfant in ast.iter_child_nodes(parent)}
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Call):
            if nom_appele(noeud) in aides:
                couverts |= {
                    id(n) for arg in [*noeud.args, *(k.value for k in noeud.keywords)] for n in ast.walk(arg)
                }
    violations = []
    for noeud in ast.walk(arbre):
        if (
            isinstance(noeud, ast.Attribute)
            and noeud.attr == "objects"
            and isinstance(noeud.value, ast.Name)
            and noeud.value.id in modeles_locataires
            and id(noeud) not in couverts
        ):
            parent = parents.get(id(noeud))
            if isinstance(parent, ast.Attribute) and parent.attr == "none":  # an empty queryset reads nothing
                continue
            violations.append(f"{noeud.lineno}: {noeud.value.id}.objects hors des aides ciblées")
    return violations
