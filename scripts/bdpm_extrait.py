"""Build the BDPM extract shipped in ``medicaments/bdpm/`` from the full ANSM files.

    python scripts/bdpm_extrait.py ../shared/data/bdpm medicaments/bdpm

Keeps the spécialités (and their presentations, compositions, generic groups, prescription conditions)
whose active substances include one of ``SUBSTANCES`` below: the drugs an EHPAD or a MAS prescribes most,
enough for the demo, the tests and the bench. The lines are copied byte for byte (Latin-1, tabs, CRLF
where the ANSM put them), so the shipped files exercise the importer exactly as the published ones do.
"""

import sys
import unicodedata
from pathlib import Path

SUBSTANCES = (
    "paracetamol",
    "tramadol",
    "codeine",
    "morphine",
    "oxycodone",
    "nefopam",
    "ibuprofene",
    "ketoprofene",
    "acide acetylsalicylique",
    "amoxicilline",
    "clavulan",
    "pristinamycine",
    "cefixime",
    "ceftriaxone",
    "sulfamethoxazole",
    "furosemide",
    "bisoprolol",
    "amlodipine",
    "ramipril",
    "perindopril",
    "atorvastatine",
    "simvastatine",
    "apixaban",
    "rivaroxaban",
    "fluindione",
    "warfarine",
    "enoxaparine",
    "metformine",
    "insuline glargine",
    "levothyroxine",
    "omeprazole",
    "esomeprazole",
    "pantoprazole",
    "macrogol",
    "lactulose",
    "loperamide",
    "metoclopramide",
    "donepezil",
    "memantine",
    "rivastigmine",
    "levodopa",
    "sertraline",
    "escitalopram",
    "mirtazapine",
    "paroxetine",
    "oxazepam",
    "lorazepam",
    "alprazolam",
    "zopiclone",
    "zolpidem",
    "risperidone",
    "haloperidol",
    "quetiapine",
    "tiapride",
    "valproate",
    "levetiracetam",
    "lamotrigine",
    "carbamazepine",
    "colecalciferol",
    "calcium",
    "potassium",
    "fer",
    "cyanocobalamine",
    "prednisone",
    "prednisolone",
    "salbutamol",
    "tiotropium",
)


def normaliser(texte: str) -> str:
    sans = unicodedata.normalize("NFKD", texte.lower())
    return "".join(c for c in sans if not unicodedata.combining(c))


def lignes(chemin: Path) -> list[bytes]:
    return chemin.read_bytes().splitlines(keepends=True)


def cis(ligne: bytes) -> bytes:
    return ligne.split(b"\t", 1)[0]


def main(source: Path, cible: Path) -> None:
    cible.mkdir(parents=True, exist_ok=True)
    gardes: set[bytes] = set()
    for ligne in lignes(source / "CIS_COMPO_bdpm.txt"):
        champs = ligne.decode("latin-1").split("\t")
        if len(champs) > 6 and champs[6] == "SA":
            nom = normaliser(champs[3])
            if any(nom == s or nom.startswith(s + " ") or f" {s}" in f" {nom}" for s in SUBSTANCES):
                gardes.add(cis(ligne))
    commercialisees = {
        cis(lg) for lg in lignes(source / "CIS_bdpm.txt") if "Commercialisée" in lg.decode("latin-1")
    }
    gardes &= commercialisees
    for nom in ("CIS_bdpm.txt", "CIS_CIP_bdpm.txt", "CIS_COMPO_bdpm.txt", "CIS_CPD_bdpm.txt"):
        (cible / nom).write_bytes(b"".join(lg for lg in lignes(source / nom) if cis(lg) in gardes))
    generiques = [lg for lg in lignes(source / "CIS_GENER_bdpm.txt") if lg.split(b"\t")[2] in gardes]
    (cible / "CIS_GENER_bdpm.txt").write_bytes(b"".join(generiques))
    print(f"{len(gardes)} spécialités gardées")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
