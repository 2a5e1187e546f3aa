"""What the accompagnement's PDFs show, shared by the pages and the workers (no view or task imports)."""

from __future__ import annotations

from . import aggir
from .models import EvaluationAggir


def lignes_aggir(evaluation: EvaluationAggir) -> list[dict]:
    """Rows of the grid as answered: variable, sub-variable, adverbs, item code, variable code."""
    items = evaluation.reponses.get("items", {})
    codes_items = evaluation.reponses.get("codes", {})
    lignes = []
    for variable, sous in aggir.VARIABLES_DISCRIMINANTES.items():
        for index, cle in enumerate([f"{variable}.{s}" for s in sous] or [variable]):
            valeur = items.get(cle)
            lignes.append(
                {
                    "variable": aggir.LIBELLES[variable] if index == 0 else "",
                    "rowspan": max(len(sous), 1) if index == 0 else 0,
                    "sous_variable": aggir.LIBELLES.get(cle, "") if sous else "",
                    "adverbes": ("".join(valeur) or "aucun") if isinstance(valeur, list) else "",
                    "code_item": codes_items.get(cle, ""),
                    "code_variable": evaluation.codes.get(variable, "") if index == 0 else "",
                    "ponderee": variable in aggir.VARIABLES_PONDEREES,
                }
            )
    return lignes
