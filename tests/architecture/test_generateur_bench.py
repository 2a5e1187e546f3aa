"""The bench generator (bench/generate.py) writes its rows with INSERT … SELECT, column by column: a NOT NULL
column added to a model without a database default breaks it, and nothing ran it between issues 18 and 23
(four columns were missing). Each INSERT of the generator must name every NOT NULL column of its table that
has no database default (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

GENERATEUR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def _inserts() -> list[tuple[str, set[str], int]]:
    source = GENERATEUR.read_text()
    constantes = dict(re.findall(r"(\w+) = \(\s*((?:\"[^\"]*\"\s*)+)\)", source))
    resultat = []
    for m in re.finditer(r"INSERT INTO (\w+) \(([^)]*)\)", source):
        colonnes = m.group(2)
        if colonnes.startswith("{") and colonnes.endswith("}"):  # a list of columns kept in a constant
            colonnes = "".join(re.findall(r"\"([^\"]*)\"", constantes[colonnes.strip("{}")]))
        noms = {c.strip().strip('"') for c in colonnes.split(",") if c.strip()}
        resultat.append((m.group(1), noms, source[: m.start()].count("\n") + 1))
    return resultat


def test_chaque_insert_du_generateur_nomme_les_colonnes_obligatoires():
    inserts = _inserts()
    assert len(inserts) > 40  # the parsing still finds the generator's INSERTs
    manques = []
    with connection.cursor() as cur:
        for table, noms, ligne in inserts:
            cur.execute(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO'
                   AND column_default IS NULL AND is_identity = 'NO'""",
                [table],
            )
            obligatoires = {r[0] for r in cur.fetchall()} - {"id"}
            assert obligatoires, f"table inconnue : {table}"
            if obligatoires - noms:
                manques.append(f"bench/generate.py:{ligne} {table} : {sorted(obligatoires - noms)}")
    assert manques == [], "\n".join(manques)
