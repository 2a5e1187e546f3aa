"""What would block distributing the tenant tables by ``organisme_id`` with Citus (issue 24): read from the
PostgreSQL catalog of the migrated database, not from the models.

Citus distributes a table by one column and then requires that column in every primary key and unique
constraint of the table, and in every foreign key between two distributed tables (so that the rows they
relate live on the same node). The report lists, for the tables that carry ``organisme_id`` (the candidates):

- primary keys and unique constraints without ``organisme_id``;
- foreign keys towards another candidate table that do not include ``organisme_id`` on both sides;

and the tables without ``organisme_id``, which would be reference tables (copied to every node) or stay on the
coordinator. No schema change here: decision 0019 says what the path to a sharded platform would be.

    python manage.py rapport_citus [--json]
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connections

SQL_TABLES = """
SELECT c.relname, bool_or(a.attname = 'organisme_id')
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
GROUP BY c.relname ORDER BY c.relname
"""
SQL_CONTRAINTES = """
SELECT c.conname, c.contype, t.relname,
       array(SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey)),
       f.relname,
       array(SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey))
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
ORDER BY t.relname, c.conname
"""
SQL_INDEX_UNIQUES = """
SELECT i.relname, t.relname,
       array(SELECT attname FROM pg_attribute WHERE attrelid = t.oid AND attnum = ANY(x.indkey))
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = 'public'::regnamespace AND x.indisunique AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY t.relname, i.relname
"""


JOINTURE = re.compile(
    r'(?:INNER|LEFT OUTER|RIGHT OUTER|FULL OUTER|LEFT|RIGHT|FULL)?\s*JOIN\s+"(\w+)"(?:\s+(\w+))?\s+ON\s+\((.*?)\)(?=\s+(?:INNER|LEFT|RIGHT|FULL|JOIN|WHERE|GROUP|ORDER|LIMIT|HAVING|\)|$))',
    re.S,
)


def jointures_sans_organisme(requetes: list[str], distribuables: set[str]) -> dict[str, int]:
    """In SQL statements (as the tests ran them): the joins of two tenant tables whose condition does not
    mention organisme_id — Citus would have to repartition them (or refuse), where a join on the distribution
    column stays on one node. A reading of Django's SQL by pattern, not a parser: a count to act on."""
    trouvees: dict[str, int] = defaultdict(int)
    for requete in requetes:
        depart = re.search(r'\bFROM\s+"(\w+)"', requete)
        if depart is None or depart.group(1) not in distribuables:
            continue
        for table, _alias, condition in JOINTURE.findall(requete):
            if table in distribuables and "organisme_id" not in condition:
                cote = sorted(set(re.findall(r'"(\w+)"\."', condition)) | {table})
                trouvees[" ⋈ ".join(cote)] += 1
    return dict(sorted(trouvees.items(), key=lambda x: (-x[1], x[0])))


def rapport(alias: str = "default") -> dict[str, Any]:
    with connections[alias].cursor() as cursor:
        cursor.execute(SQL_TABLES)
        tables = dict(cursor.fetchall())
        cursor.execute(SQL_CONTRAINTES)
        contraintes = cursor.fetchall()
        cursor.execute(SQL_INDEX_UNIQUES)
        index_uniques = cursor.fetchall()
    candidates = {t for t, a in tables.items() if a}
    cles: dict[str, list[str]] = defaultdict(list)
    etrangeres: dict[str, list[str]] = defaultdict(list)
    for nom, genre, table, colonnes, cible, colonnes_cible in contraintes:
        if table not in candidates:
            continue
        if genre in ("p", "u") and "organisme_id" not in colonnes:
            cles[table].append(
                f"{'clé primaire' if genre == 'p' else 'unicité'} {nom} ({', '.join(colonnes)})"
            )
        elif (
            genre == "f"
            and cible in candidates
            and not ("organisme_id" in colonnes and "organisme_id" in colonnes_cible)
        ):
            etrangeres[table].append(f"{nom} ({', '.join(colonnes)}) → {cible} ({', '.join(colonnes_cible)})")
    for nom, table, colonnes in index_uniques:  # unique indexes (partial ones included) outside constraints
        if table in candidates and "organisme_id" not in colonnes:
            cles[table].append(f"index unique {nom} ({', '.join(colonnes)})")
    return {
        "tables_distribuables": sorted(candidates),
        "tables_sans_organisme": sorted(set(tables) - candidates),
        "cles_sans_organisme": dict(sorted(cles.items())),
        "cles_etrangeres_sans_organisme": dict(sorted(etrangeres.items())),
        "totaux": {
            "tables_distribuables": len(candidates),
            "tables_sans_organisme": len(set(tables) - candidates),
            "cles_sans_organisme": sum(len(v) for v in cles.values()),
            "cles_etrangeres_sans_organisme": sum(len(v) for v in etrangeres.values()),
        },
    }


class Command(BaseCommand):
    help = "Ce qui bloquerait la distribution des tables par organisme_id (Citus) : rapport, sans changement."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="le rapport en JSON")
        parser.add_argument(
            "--requetes",
            nargs="*",
            default=[],
            help="fichiers des requêtes de la suite de tests (DUI_JOURNAL_SQL) : jointures sans organisme_id",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        r = rapport()
        if options["requetes"]:
            requetes = [
                q
                for f in options["requetes"]
                for q in Path(f).read_text(encoding="utf-8").split("\n;;\n")
                if q
            ]
            r["jointures_sans_organisme"] = jointures_sans_organisme(requetes, set(r["tables_distribuables"]))
            r["totaux"]["requetes_lues"] = len(requetes)
            r["totaux"]["jointures_sans_organisme"] = sum(r["jointures_sans_organisme"].values())
        if options["json"]:
            self.stdout.write(json.dumps(r, ensure_ascii=False, indent=2))
            return
        t = r["totaux"]
        self.stdout.write(
            f"{t['tables_distribuables']} tables portent organisme_id (distribuables) ; "
            f"{t['tables_sans_organisme']} n'en ont pas (tables de référence ou locales au coordinateur)."
        )
        self.stdout.write(
            f"\nBloquants : {t['cles_sans_organisme']} clés primaires ou d'unicité sans organisme_id, "
            f"{t['cles_etrangeres_sans_organisme']} clés étrangères entre tables distribuables sans organisme_id."
        )
        for titre, cle in (
            ("Clés sans organisme_id", "cles_sans_organisme"),
            ("Clés étrangères sans organisme_id", "cles_etrangeres_sans_organisme"),
        ):
            self.stdout.write(f"\n== {titre}")
            for table, lignes in r[cle].items():
                for ligne in lignes:
                    self.stdout.write(f"  {table} : {ligne}")
        if "jointures_sans_organisme" in r:
            self.stdout.write(
                f"\n== Jointures entre tables distribuables sans organisme_id, dans {t['requetes_lues']} requêtes "
                f"de la suite de tests ({t['jointures_sans_organisme']} occurrences)"
            )
            for paire, nombre in r["jointures_sans_organisme"].items():
                self.stdout.write(f"  {nombre:5d}  {paire}")
        self.stdout.write("\n== Tables sans organisme_id")
        self.stdout.write("  " + ", ".join(r["tables_sans_organisme"]))
