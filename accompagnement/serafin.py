"""Loading of the SERAFIN-PH nomenclatures (ANS value sets J285 besoins, J284 prestations directes, J283
prestations indirectes) shipped in ``accompagnement/nomenclatures/`` with their source (SOURCE.md).

Idempotent: loading the same version twice changes nothing; loading a new version adds its codes beside
the previous version's, which become inactive (records keep pointing at the codes they used).
"""

from __future__ import annotations

import csv
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent / "nomenclatures"
VERSION = "20241025120000"  # ans.fr.terminologies 1.12.0
JEUX = {
    # jeu: (file, OID of the value set)
    "J285": ("J285-besoins.tsv", "1.2.250.1.213.3.3.254"),
    "J284": ("J284-prestations-directes.tsv", "1.2.250.1.213.3.3.253"),
    "J283": ("J283-prestations-indirectes.tsv", "1.2.250.1.213.3.3.252"),
}


class NomenclatureInvalide(ValueError):
    pass


def lire(chemin: Path) -> list[tuple[str, str]]:
    """(code, libellé) rows of a value set file (UTF-8, tab-separated, header ``code	display``)."""
    with chemin.open(encoding="utf-8", newline="") as f:
        lecteur = csv.reader(f, delimiter="\t")
        entete = next(lecteur, None)
        if entete is None or [c.strip().lower() for c in entete[:2]] != ["code", "display"]:
            raise NomenclatureInvalide(f"{chemin.name} : en-tête « code	display » attendu.")
        lignes = []
        for numero, ligne in enumerate(lecteur, start=2):
            if not ligne or not "".join(ligne).strip():
                continue
            if len(ligne) < 2 or not ligne[0].strip() or not ligne[1].strip():
                raise NomenclatureInvalide(f"{chemin.name}, ligne {numero} : code ou libellé manquant.")
            lignes.append((ligne[0].strip(), ligne[1].strip()))
        return lignes


def charger(
    modele, dossier: Path | None = None, version: str = VERSION, using: str | None = None
) -> dict[str, int]:
    """Load the three value sets into ``modele`` (``CodeSerafin``, or its historical version in a data
    migration) through the connection ``using`` (the application role may only read it: management
    commands write through ``owner``). Returns {"crees": n, "mis_a_jour": n, "desactives": n}."""
    objets = modele.objects.using(using) if using else modele.objects
    dossier = Path(dossier) if dossier else DOSSIER
    stats = {"crees": 0, "mis_a_jour": 0, "desactives": 0}
    for jeu, (fichier, oid) in JEUX.items():
        lignes = lire(dossier / fichier)
        codes = {code for code, _ in lignes}
        for code, libelle in lignes:
            parent = code.rsplit(".", 1)[0] if "." in code else ""
            if parent and parent not in codes:
                raise NomenclatureInvalide(f"{fichier} : le code {code} n'a pas de parent {parent}.")
            obj, cree = objets.get_or_create(
                jeu=jeu,
                version=version,
                code=code,
                defaults={
                    "oid": oid,
                    "libelle": libelle,
                    "parent_code": parent,
                    "niveau": code.count(".") + 1,
                },
            )
            if cree:
                stats["crees"] += 1
            elif (obj.libelle, obj.oid, obj.actif) != (libelle, oid, True):
                obj.libelle, obj.oid, obj.actif = libelle, oid, True
                obj.save(update_fields=["libelle", "oid", "actif"], using=using or obj._state.db)
                stats["mis_a_jour"] += 1
        stats["desactives"] += objets.filter(jeu=jeu, actif=True).exclude(version=version).update(actif=False)
    return stats
