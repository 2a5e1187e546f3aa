"""The AGGIR grid and its algorithm: from the codes A / B / C of the discriminant variables to the GIR.

Standard library only, on purpose: anyone can check the algorithm without Django
(``python -c "from accompagnement.aggir import calcul_gir; ..."``).

Source of every rule and number below: Code de l'action sociale et des familles, **annexe 2-1**
(« Guide de remplissage de la grille nationale AGGIR » : the variables, the four adverbs, the way
sub-variables combine) and **annexe 2-2** (« Modalités de classement des personnes dans les groupes
iso-ressources » : the eight groups of weights A to H, their thresholds, the rang → GIR table), as
summarised in ``shared/docs/DOMAIN.md`` (section "AGGIR → GIR"). The test suite checks the algorithm on
all 3⁸ = 6 561 combinations of the eight weighted variables (distribution GIR 1…6 = 8 / 3 208 / 2 400 /
760 / 157 / 28) and against the example "A A B B A A A A → rang 11, GIR 4" that shows thresholds are
"greater than or equal".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

CODES = ("A", "B", "C")

# Annexe 2-1: the four adverbs. S spontanément, T totalement, C correctement, H habituellement.
ADVERBES = ("S", "T", "C", "H")
ADVERBES_LIBELLES = {
    "S": "Spontanément",
    "T": "Totalement",
    "C": "Correctement",
    "H": "Habituellement",
}

# Annexe 2-1: the ten discriminant variables and their sub-variables (a variable without sub-variables
# is scored directly). Order = the order of the grid.
VARIABLES_DISCRIMINANTES: dict[str, tuple[str, ...]] = {
    "coherence": ("communication", "comportement"),
    "orientation": ("temps", "espace"),
    "toilette": ("haut", "bas"),
    "habillage": ("haut", "moyen", "bas"),
    "alimentation": ("se_servir", "manger"),
    "elimination": ("urinaire", "fecale"),
    "transferts": (),
    "deplacements_interieurs": (),
    "deplacements_exterieurs": (),
    "alerter": (),
}

# Annexe 2-1: the seven illustrative variables (they do not enter the GIR computation).
VARIABLES_ILLUSTRATIVES: tuple[str, ...] = (
    "gestion",
    "cuisine",
    "menage",
    "transports",
    "achats",
    "suivi_traitement",
    "activites_temps_libre",
)

LIBELLES: dict[str, str] = {
    "coherence": "Cohérence",
    "coherence.communication": "Communication",
    "coherence.comportement": "Comportement",
    "orientation": "Orientation",
    "orientation.temps": "Dans le temps",
    "orientation.espace": "Dans l'espace",
    "toilette": "Toilette",
    "toilette.haut": "Haut du corps",
    "toilette.bas": "Bas du corps",
    "habillage": "Habillage",
    "habillage.haut": "Haut",
    "habillage.moyen": "Moyen (fermetures)",
    "habillage.bas": "Bas",
    "alimentation": "Alimentation",
    "alimentation.se_servir": "Se servir",
    "alimentation.manger": "Manger",
    "elimination": "Élimination",
    "elimination.urinaire": "Urinaire",
    "elimination.fecale": "Fécale",
    "transferts": "Transferts",
    "deplacements_interieurs": "Déplacements à l'intérieur",
    "deplacements_exterieurs": "Déplacements à l'extérieur",
    "alerter": "Alerter",
    "gestion": "Gestion",
    "cuisine": "Cuisine",
    "menage": "Ménage",
    "transports": "Transports",
    "achats": "Achats",
    "suivi_traitement": "Suivi du traitement",
    "activites_temps_libre": "Activités de temps libre",
}

# Annexe 2-1, combination of sub-variables into the variable's code:
# - cohérence, orientation, alimentation, élimination: AA → A; at least one C → C; otherwise B;
# - toilette: AA → A; CC → C; otherwise B;
# - habillage: AAA → A; CCC → C; otherwise B.
_UN_C_SUFFIT = {"coherence", "orientation", "alimentation", "elimination"}
_TOUS_C = {"toilette", "habillage"}

# Annexe 2-2: the eight weighted variables, in the order of the weight tables.
VARIABLES_PONDEREES = (
    "coherence",
    "orientation",
    "toilette",
    "habillage",
    "alimentation",
    "elimination",
    "transferts",
    "deplacements_interieurs",
)

# Annexe 2-2: for each group, the weight of each weighted variable as (if coded C, if coded B) — a code A
# weighs 0 — and the thresholds (score ≥ threshold → rang), tested in this order.
GROUPES: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], ...] = (
    (
        "A",
        ((2000, 0), (1200, 0), (40, 16), (40, 16), (60, 20), (100, 16), (800, 120), (200, 32)),
        ((4380, 1), (4140, 2), (3390, 3)),
    ),
    (
        "B",
        ((1500, 320), (1200, 120), (40, 16), (40, 16), (60, 0), (100, 16), (800, 120), (-80, -40)),
        ((2016, 4),),
    ),
    (
        "C",
        ((0, 0), (0, 0), (40, 16), (40, 16), (60, 20), (160, 20), (1000, 200), (400, 40)),
        ((1700, 5), (1432, 6)),
    ),
    ("D", ((0, 0), (0, 0), (0, 0), (0, 0), (2000, 200), (400, 200), (2000, 200), (200, 0)), ((2400, 7),)),
    (
        "E",
        ((400, 0), (400, 0), (400, 100), (400, 100), (400, 100), (800, 100), (800, 100), (200, 0)),
        ((1200, 8),),
    ),
    (
        "F",
        ((200, 100), (200, 100), (500, 100), (500, 100), (500, 100), (500, 100), (500, 100), (200, 0)),
        ((800, 9),),
    ),
    (
        "G",
        ((150, 0), (150, 0), (300, 200), (300, 200), (500, 200), (500, 200), (400, 200), (200, 100)),
        ((650, 10),),
    ),
    (
        "H",
        ((0, 0), (0, 0), (3000, 2000), (3000, 2000), (3000, 2000), (3000, 2000), (1000, 2000), (1000, 1000)),
        ((4000, 11), (2000, 12)),
    ),
)
RANG_PAR_DEFAUT = 13  # annexe 2-2: no threshold reached in group H

# Annexe 2-2: rang → GIR.
GIR_DU_RANG = {1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 4, 11: 4, 12: 5, 13: 6}

# Points of each GIR for the GIR moyen pondéré (GMP = Σ points / number of persons): GIR 1 → 1000,
# 2 → 840, 3 → 660, 4 → 420, 5 → 250, 6 → 70 (CASF annexe 3-6, as given in the specification).
POINTS_GIR = {1: 1000, 2: 840, 3: 660, 4: 420, 5: 250, 6: 70}


class CodeInvalide(ValueError):
    """A code that is not A, B or C, a missing variable or an unknown adverb."""


def valider_code(valeur: str, nom: str) -> str:
    """The code A, B or C (case and spaces ignored); ``CodeInvalide`` otherwise."""
    code = str(valeur).strip().upper()
    if code not in CODES:
        raise CodeInvalide(f"{nom} : code {valeur!r} invalide (A, B ou C attendu).")
    return code


def code_des_adverbes(adverbes: Iterable[str]) -> str:
    """Annexe 2-1: all four adverbs satisfied (S, T, C and H) → A; none → C; otherwise B."""
    satisfaits = {str(a).strip().upper() for a in adverbes}
    inconnus = satisfaits - set(ADVERBES)
    if inconnus:
        raise CodeInvalide(f"Adverbe inconnu : {', '.join(sorted(inconnus))} (S, T, C ou H attendus).")
    if satisfaits == set(ADVERBES):
        return "A"
    if not satisfaits:
        return "C"
    return "B"


def combiner(variable: str, sous_codes: Sequence[str]) -> str:
    """The code of a variable from the codes of its sub-variables (annexe 2-1), in the grid's order.

    >>> combiner("coherence", ["C", "A"])
    'C'
    >>> combiner("toilette", ["C", "A"])
    'B'
    """
    if variable not in VARIABLES_DISCRIMINANTES:
        raise CodeInvalide(f"Variable inconnue : {variable!r}.")
    attendues = VARIABLES_DISCRIMINANTES[variable]
    codes = [valider_code(c, variable) for c in sous_codes]
    if not attendues:
        if len(codes) != 1:
            raise CodeInvalide(f"{variable} n'a pas de sous-variable : un seul code attendu.")
        return codes[0]
    if len(codes) != len(attendues):
        raise CodeInvalide(f"{variable} : {len(attendues)} sous-variables attendues, {len(codes)} reçues.")
    if all(c == "A" for c in codes):
        return "A"
    if variable in _UN_C_SUFFIT:
        return "C" if "C" in codes else "B"
    if variable in _TOUS_C:
        return "C" if all(c == "C" for c in codes) else "B"
    raise CodeInvalide(f"Règle de combinaison inconnue pour {variable!r}.")  # pragma: no cover


def rang(codes: Mapping[str, str]) -> int:
    """The rang (1 to 13) of the eight weighted variables' codes (annexe 2-2): groups A to H are tried in
    order; the first threshold reached (score ≥ threshold) gives the rang."""
    valeurs = []
    for nom in VARIABLES_PONDEREES:
        if nom not in codes:
            raise CodeInvalide(f"Variable manquante : {nom}.")
        valeurs.append(valider_code(codes[nom], nom))
    for _groupe, poids, seuils in GROUPES:
        score = 0
        for code, (si_c, si_b) in zip(valeurs, poids, strict=True):
            score += si_c if code == "C" else si_b if code == "B" else 0
        for seuil, r in seuils:
            if score >= seuil:
                return r
    return RANG_PAR_DEFAUT


def calcul_gir(codes: Mapping[str, str]) -> tuple[int, int]:
    """``(gir, rang)`` from the codes A / B / C of the discriminant variables.

    ``codes`` maps ``coherence, orientation, toilette, habillage, alimentation, elimination, transferts,
    deplacements_interieurs, deplacements_exterieurs, alerter`` to "A", "B" or "C". Déplacements
    extérieurs and alerter are required (they belong to the grid) but weigh nothing (annexe 2-2).
    """
    for nom in VARIABLES_DISCRIMINANTES:
        if nom not in codes:
            raise CodeInvalide(f"Variable manquante : {nom}.")
        valider_code(codes[nom], nom)
    r = rang(codes)
    return GIR_DU_RANG[r], r


def codes_des_reponses(reponses: Mapping[str, str]) -> dict[str, str]:
    """Codes of the ten discriminant variables from the codes of the grid's items, keyed
    ``"variable.sous_variable"`` (or ``"variable"`` for a variable without sub-variables)."""
    codes = {}
    for variable, sous in VARIABLES_DISCRIMINANTES.items():
        if sous:
            codes[variable] = combiner(variable, [reponses[f"{variable}.{s}"] for s in sous])
        else:
            codes[variable] = valider_code(reponses[variable], variable)
    return codes


def items_ordonnes() -> list[str]:
    """Keys of the items scored on the grid, in its order: ``"variable.sous_variable"``, or ``"variable"``
    for a variable without sub-variables."""
    items = []
    for v, sous in VARIABLES_DISCRIMINANTES.items():
        items.extend([f"{v}.{s}" for s in sous] or [v])
    return items
