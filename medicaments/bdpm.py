"""Import of the BDPM (base de données publique des médicaments, ANSM) as published: tab-separated, no
header, ISO-8859-1, CRLF in some files, occasional extra columns.

Idempotent: every row has a natural key (CIS, CIP13, substance code, (CIS, substance, nature, liaison),
group number, (group, CIS)); a row is created when new, updated only when a value changed, left alone
otherwise — a second run of the same files writes nothing. Rows absent from a newer file are kept
(prescriptions point at them) and counted. The application role may only read these tables: the import
writes through the ``owner`` connection.

The repository ships an extract (``medicaments/bdpm/``, built by ``scripts/bdpm_extrait.py``) so a fresh
clone has the drugs the demo and the tests need; ``manage.py importer_bdpm --dossier`` loads the full files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from soins.models import normaliser

from .models import Composition, GroupeGenerique, MembreGroupe, Presentation, Specialite, Substance

DOSSIER_EXTRAIT = Path(__file__).resolve().parent / "bdpm"
FICHIERS = (
    "CIS_bdpm.txt",
    "CIS_CIP_bdpm.txt",
    "CIS_COMPO_bdpm.txt",
    "CIS_GENER_bdpm.txt",
    "CIS_CPD_bdpm.txt",
)
LOT = 2000


class FichierInvalide(ValueError):
    pass


@dataclass
class Bilan:
    crees: dict[str, int] = field(default_factory=dict)
    mis_a_jour: dict[str, int] = field(default_factory=dict)
    inchanges: dict[str, int] = field(default_factory=dict)
    absents: dict[str, int] = field(default_factory=dict)
    # reason → line references ("CIS_CIP_bdpm.txt:964")
    ignorees: dict[str, list[str]] = field(default_factory=dict)

    def ignorer(self, raison: str, fichier: str, numero: int) -> None:
        self.ignorees.setdefault(raison, []).append(f"{fichier}:{numero}")

    @property
    def ecritures(self) -> int:
        return sum(self.crees.values()) + sum(self.mis_a_jour.values())

    def lignes(self) -> list[str]:
        noms = {
            "specialites": "spécialités",
            "presentations": "présentations",
            "substances": "substances",
            "compositions": "compositions",
            "groupes": "groupes génériques",
            "membres": "membres de groupes",
        }
        sortie = []
        for cle, nom in noms.items():
            sortie.append(
                f"{nom} : {self.crees.get(cle, 0)} créées, {self.mis_a_jour.get(cle, 0)} mises à jour, "
                f"{self.inchanges.get(cle, 0)} inchangées"
                + (f", {self.absents[cle]} absentes du fichier (conservées)" if self.absents.get(cle) else "")
            )
        for raison, lignes in self.ignorees.items():
            sortie.append(
                f"{len(lignes)} ligne(s) ignorée(s), {raison} : "
                + ", ".join(lignes[:3])
                + (" …" if len(lignes) > 3 else "")
            )
        return sortie


def lire(chemin: Path, colonnes: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of an ANSM file, decoded from Latin-1, CR/LF stripped, fields stripped. Rows
    with extra columns (a stray tab at the end) are cut to ``colonnes``; shorter rows are padded."""
    if not chemin.exists():
        raise FichierInvalide(f"Fichier introuvable : {chemin}")
    with chemin.open("rb") as f:
        for numero, brute in enumerate(f, start=1):
            texte = brute.decode("latin-1").rstrip("\r\n")
            if not texte.strip():
                continue
            champs = [c.strip() for c in texte.split("\t")]
            yield numero, (champs + [""] * colonnes)[:colonnes]


def _oui(valeur: str) -> bool:
    return valeur.strip().lower() in ("oui", "o")


def _synchroniser(
    modele,
    cle: Callable,
    lignes: dict,
    champs: list[str],
    bilan: Bilan,
    nom: str,
    using: str,
    progression: Callable | None = None,
) -> dict:
    """Create / update / leave alone ``modele`` rows so they match ``lignes`` ({key: {champ: valeur}}).
    Returns {key: pk}."""
    objets = modele.objects.using(using)
    existants = {cle(o): o for o in objets.all()}
    a_creer, a_maj = [], []
    inchanges = 0
    for i, (k, valeurs) in enumerate(lignes.items(), start=1):
        obj = existants.get(k)
        if obj is None:
            a_creer.append(modele(**valeurs))
        elif any(getattr(obj, c) != valeurs[c] for c in champs):
            for c in champs:
                setattr(obj, c, valeurs[c])
            a_maj.append(obj)
        else:
            inchanges += 1
        if progression and i % LOT == 0:
            progression(nom, i, len(lignes))
    objets.bulk_create(a_creer, batch_size=LOT)
    if a_maj:
        objets.bulk_update(a_maj, champs, batch_size=LOT)
    if progression:
        progression(nom, len(lignes), len(lignes))
    bilan.crees[nom], bilan.mis_a_jour[nom], bilan.inchanges[nom] = len(a_creer), len(a_maj), inchanges
    bilan.absents[nom] = len(set(existants) - set(lignes))
    return {cle(o): o.pk for o in objets.all()}


def importer(dossier: Path | None = None, using: str = "owner", progression: Callable | None = None) -> Bilan:
    """Load the five files of ``dossier`` (default: the shipped extract) in one transaction."""
    dossier = Path(dossier) if dossier else DOSSIER_EXTRAIT
    bilan = Bilan()
    with transaction.atomic(using=using):
        _importer(dossier, using, progression, bilan)
    return bilan


def _importer(dossier: Path, using: str, progression, bilan: Bilan) -> None:
    # conditions de prescription: several rows per CIS, joined
    conditions: dict[str, list[str]] = {}
    for _, c in lire(dossier / "CIS_CPD_bdpm.txt", 2):
        conditions.setdefault(c[0], []).append(c[1])

    specialites: dict[str, dict] = {}
    for numero, c in lire(dossier / "CIS_bdpm.txt", 12):
        if not c[0].isdigit() or not c[1]:
            bilan.ignorer("code CIS ou dénomination manquant", "CIS_bdpm.txt", numero)
            continue
        specialites[c[0]] = {
            "cis": c[0],
            "denomination": c[1][:300],
            "denomination_normalisee": normaliser(c[1])[:300],
            "forme": c[2][:200],
            "voies": [v.strip() for v in c[3].split(";") if v.strip()],
            "statut_amm": c[4][:120],
            "etat_commercialisation": c[6][:120],
            "commercialisee": c[6].lower().startswith("commercialis"),
            "titulaire": c[10][:300],
            "surveillance_renforcee": _oui(c[11]),
            "conditions": " ; ".join(conditions.get(c[0], [])),
        }
    ids_specialites = _synchroniser(
        Specialite,
        lambda o: o.cis,
        specialites,
        [k for k in next(iter(specialites.values()), {}) if k != "cis"],
        bilan,
        "specialites",
        using,
        progression,
    )

    presentations: dict[str, dict] = {}
    for numero, c in lire(dossier / "CIS_CIP_bdpm.txt", 13):
        if c[0] not in ids_specialites:
            bilan.ignorer("spécialité absente de CIS_bdpm.txt", "CIS_CIP_bdpm.txt", numero)
            continue
        if len(c[6]) != 13 or not c[6].isdigit():
            bilan.ignorer("CIP13 invalide", "CIS_CIP_bdpm.txt", numero)
            continue
        presentations[c[6]] = {
            "cip13": c[6],
            "cip7": c[1][:7],
            "specialite_id": ids_specialites[c[0]],
            "libelle": c[2][:400],
            "statut": c[3][:120],
            "etat_commercialisation": c[4][:120],
            "agrement_collectivites": _oui(c[7]),
            "taux_remboursement": c[8][:40],
        }
    _synchroniser(
        Presentation,
        lambda o: o.cip13,
        presentations,
        [
            "cip7",
            "specialite_id",
            "libelle",
            "statut",
            "etat_commercialisation",
            "agrement_collectivites",
            "taux_remboursement",
        ],
        bilan,
        "presentations",
        using,
        progression,
    )

    substances: dict[str, dict] = {}
    compositions: dict[tuple, dict] = {}
    lignes_compo = []
    for numero, c in lire(dossier / "CIS_COMPO_bdpm.txt", 8):
        if c[0] not in ids_specialites:
            bilan.ignorer("spécialité absente de CIS_bdpm.txt", "CIS_COMPO_bdpm.txt", numero)
            continue
        if not c[2] or c[6] not in ("SA", "FT"):
            bilan.ignorer("code substance ou nature (SA/FT) manquant", "CIS_COMPO_bdpm.txt", numero)
            continue
        # the same code is sometimes written two ways: the first spelling read names the substance
        substances.setdefault(
            c[2],
            {"code": c[2], "denomination": c[3][:300], "denomination_normalisee": normaliser(c[3])[:300]},
        )
        lignes_compo.append((numero, c))
    ids_substances = _synchroniser(
        Substance,
        lambda o: o.code,
        substances,
        ["denomination", "denomination_normalisee"],
        bilan,
        "substances",
        using,
        progression,
    )
    for numero, c in lignes_compo:
        cle = (ids_specialites[c[0]], ids_substances[c[2]], c[6], int(c[7]) if c[7].isdigit() else 0)
        if cle in compositions:
            bilan.ignorer(
                "composition en double (même substance, nature et liaison)", "CIS_COMPO_bdpm.txt", numero
            )
            continue
        compositions[cle] = {
            "specialite_id": cle[0],
            "substance_id": cle[1],
            "nature": cle[2],
            "liaison": cle[3],
            "element": c[1][:200],
            "denomination": c[3][:300],
            "dosage": c[4][:200],
            "reference_dosage": c[5][:200],
        }
    _synchroniser(
        Composition,
        lambda o: (o.specialite_id, o.substance_id, o.nature, o.liaison),
        compositions,
        ["element", "denomination", "dosage", "reference_dosage"],
        bilan,
        "compositions",
        using,
        progression,
    )

    groupes: dict[int, dict] = {}
    lignes_gener = []
    for numero, c in lire(dossier / "CIS_GENER_bdpm.txt", 5):
        if c[2] not in ids_specialites:
            bilan.ignorer("spécialité absente de CIS_bdpm.txt", "CIS_GENER_bdpm.txt", numero)
            continue
        if not c[0].isdigit() or not c[3].isdigit():
            bilan.ignorer("numéro de groupe ou type invalide", "CIS_GENER_bdpm.txt", numero)
            continue
        groupes.setdefault(int(c[0]), {"numero": int(c[0]), "libelle": c[1][:500]})
        lignes_gener.append(c)
    ids_groupes = _synchroniser(
        GroupeGenerique, lambda o: o.numero, groupes, ["libelle"], bilan, "groupes", using, progression
    )
    membres = {}
    for c in lignes_gener:
        paire = (ids_groupes[int(c[0])], ids_specialites[c[2]])
        membres[paire] = {
            "groupe_id": paire[0],
            "specialite_id": paire[1],
            "type_generique": int(c[3]),
            "tri": int(c[4]) if c[4].isdigit() else 0,
        }
    _synchroniser(
        MembreGroupe,
        lambda o: (o.groupe_id, o.specialite_id),
        membres,
        ["type_generique", "tri"],
        bilan,
        "membres",
        using,
        progression,
    )
