"""The AGGIR algorithm (accompagnement.aggir): a pure, standard-library module checked exhaustively."""

from __future__ import annotations

import ast
import itertools
import sys
from collections import Counter
from pathlib import Path

import pytest

from accompagnement import aggir
from accompagnement.aggir import CodeInvalide, calcul_gir, code_des_adverbes, combiner

ORDRE = (
    "coherence",
    "orientation",
    "toilette",
    "habillage",
    "alimentation",
    "elimination",
    "transferts",
    "deplacements_interieurs",
)


def _codes(valeurs, exterieurs="A", alerter="A"):
    return {
        **dict(zip(ORDRE, valeurs, strict=True)),
        "deplacements_exterieurs": exterieurs,
        "alerter": alerter,
    }


def test_distribution_over_all_6561_combinations():
    distribution = Counter(calcul_gir(_codes(p))[0] for p in itertools.product("ABC", repeat=8))
    assert dict(distribution) == {1: 8, 2: 3208, 3: 2400, 4: 760, 5: 157, 6: 28}


def test_thresholds_are_greater_or_equal():
    # coh A, ori A, toi B, hab B, ali A, eli A, tra A, dpi A: group G scores 200 + 200 + … = 650 exactly.
    assert calcul_gir(_codes("AABBAAAA")) == (4, 11)


def test_known_profiles():
    assert calcul_gir(_codes("CCCCCCCC")) == (1, 1)
    assert calcul_gir(_codes("AAAAAAAA")) == (6, 13)
    # Cohérence and orientation C alone: group A scores 3200 < 3390; group B 2700 ≥ 2016 → rang 4, GIR 2.
    assert calcul_gir(_codes("CCAAAAAA")) == (2, 4)


def test_exterior_moves_and_alert_weigh_nothing():
    for p in itertools.islice(itertools.product("ABC", repeat=8), 0, 6561, 37):
        assert calcul_gir(_codes(p, "A", "A")) == calcul_gir(_codes(p, "C", "C"))


@pytest.mark.parametrize(
    "variable,sous,attendu",
    [
        ("coherence", "CA", "C"),  # communication C + comportement A → C (DOMAIN.md)
        ("coherence", "AA", "A"),
        ("coherence", "AB", "B"),
        ("orientation", "BC", "C"),
        ("alimentation", "BB", "B"),
        ("elimination", "AC", "C"),
        ("toilette", "CA", "B"),
        ("toilette", "CC", "C"),
        ("toilette", "AA", "A"),
        ("habillage", "CCA", "B"),
        ("habillage", "CCC", "C"),
        ("habillage", "AAA", "A"),
        ("transferts", "B", "B"),
    ],
)
def test_combiner_follows_the_sub_variable_rule(variable, sous, attendu):
    assert combiner(variable, list(sous)) == attendu


def test_adverbs():
    assert code_des_adverbes("STCH") == "A"
    assert code_des_adverbes([]) == "C"
    assert code_des_adverbes(["S", "T"]) == "B"
    assert code_des_adverbes(["h", "c", "t", "s"]) == "A"
    with pytest.raises(CodeInvalide):
        code_des_adverbes(["X"])


def test_invalid_input_is_refused_clearly():
    with pytest.raises(CodeInvalide, match="Variable manquante"):
        calcul_gir({"coherence": "A"})
    with pytest.raises(CodeInvalide, match="invalide"):
        calcul_gir({**_codes("AAAAAAAA"), "toilette": "D"})
    with pytest.raises(CodeInvalide):
        combiner("habillage", ["A", "A"])
    with pytest.raises(CodeInvalide):
        combiner("inconnue", ["A"])


def test_grid_items_cover_every_sub_variable():
    items = aggir.items_ordonnes()
    assert len(items) == 17 and items[0] == "coherence.communication" and items[-1] == "alerter"
    reponses = {item: "A" for item in items}
    reponses["coherence.comportement"] = "C"
    assert aggir.codes_des_reponses(reponses)["coherence"] == "C"


def test_module_imports_only_the_standard_library():
    source = Path(aggir.__file__).read_text(encoding="utf-8")
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules - {"__future__"} <= set(sys.stdlib_module_names), modules
