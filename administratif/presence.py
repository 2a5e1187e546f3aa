"""The month of presence of one ESMS, as billing reads it — a pure computation over séjours, absences and
GIR evaluations, so that the rules are tested on hand-computed months.

Conventions (decision 0014):
- a day belongs to the month's record when the séjour covers it, the day of entry and the day of exit
  included (the room is occupied both days), as the occupancy page counts;
- an absence covers its first and last day; an absence still open runs to the end of the month;
- an absence of N whole days lasts N × 24 hours: it changes what is billed only beyond the threshold
  (72 h: CASF, art. R314-204), that is from its (threshold/24 + 1)-th day — counted from the absence's first
  day, even when that day is in the previous month. The days before stay billed as presence days;
- the days beyond the threshold are "minorés": the accommodation tariff is reduced (by the hospital daily
  charge for a hospitalisation, by the departmental amount otherwise) and the dépendance tariff is not billed;
- the GIR is the one of the last AGGIR evaluation on or before the last day of the month in the record; a
  change during the month is named with its date.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

MOTIFS = ("hospitalisation", "convenance", "vacances", "autre")


@dataclass
class SejourDuMois:
    usager_id: int
    nom: str
    prenom: str
    date_naissance: datetime.date | None
    chambre: str
    entree: datetime.date
    sortie: datetime.date | None
    absences: list[tuple[str, datetime.date, datetime.date | None]] = field(default_factory=list)


@dataclass
class Ligne:
    usager_id: int
    nom: str
    prenom: str
    date_naissance: datetime.date | None
    chambre: str
    entree: datetime.date
    sortie: datetime.date | None
    jours_inscrits: int = 0
    jours_presence: int = 0
    absences: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOTIFS, 0))
    minores: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOTIFS, 0))
    gir: int | None = None
    gir_changement: str = ""

    @property
    def jours_minores(self) -> int:
        return sum(self.minores.values())

    @property
    def jours_hebergement_plein(self) -> int:
        return self.jours_inscrits - self.jours_minores

    @property
    def jours_dependance(self) -> int:
        return self.jours_inscrits - self.jours_minores


def bornes(mois: datetime.date) -> tuple[datetime.date, datetime.date]:
    premier = mois.replace(day=1)
    return premier, premier.replace(day=calendar.monthrange(premier.year, premier.month)[1])


def calculer(
    mois: datetime.date,
    sejours: list[SejourDuMois],
    franchise_jours: int,
    girs: dict[int, list[tuple[datetime.date, int]]] | None = None,
) -> list[Ligne]:
    """One line per séjour of the month (a person with two séjours in the ESMS that month has two lines)."""
    debut, fin = bornes(mois)
    girs = girs or {}
    lignes = []
    for s in sorted(sejours, key=lambda s: (s.nom.lower(), s.prenom.lower(), s.entree)):
        du = max(debut, s.entree)
        au = min(fin, s.sortie) if s.sortie else fin
        if du > au:
            continue
        ligne = Ligne(s.usager_id, s.nom, s.prenom, s.date_naissance, s.chambre, s.entree, s.sortie)
        ligne.jours_inscrits = (au - du).days + 1
        absent: dict[datetime.date, tuple[str, bool]] = {}
        for motif, a_debut, a_fin in s.absences:
            motif = motif if motif in MOTIFS else "autre"
            dernier = min(a_fin or au, au)
            jour = max(a_debut, du)
            while jour <= dernier:
                rang = (jour - a_debut).days + 1  # 1 for the absence's first day, even last month
                absent[jour] = (motif, rang > franchise_jours)
                jour += datetime.timedelta(days=1)
        for motif, au_dela in absent.values():
            ligne.absences[motif] += 1
            if au_dela:
                ligne.minores[motif] += 1
        ligne.jours_presence = ligne.jours_inscrits - len(absent)
        evaluations = sorted(girs.get(s.usager_id, []))
        avant = [(d, g) for d, g in evaluations if d <= au]
        if avant:
            ligne.gir = avant[-1][1]
            dans_le_mois = [(d, g) for d, g in avant if d >= du]
            precedents = [(d, g) for d, g in avant if d < du]
            if dans_le_mois and precedents and precedents[-1][1] != dans_le_mois[-1][1]:
                d, g = dans_le_mois[-1]
                ligne.gir_changement = f"GIR {precedents[-1][1]} → {g} le {d:%d/%m/%Y}"
        lignes.append(ligne)
    return lignes


COLONNES = [
    ("nom", "Nom"),
    ("prenom", "Prénom"),
    ("date_naissance", "Date de naissance"),
    ("chambre", "Chambre"),
    ("entree", "Entrée"),
    ("sortie", "Sortie"),
    ("jours_inscrits", "Jours de séjour dans le mois"),
    ("jours_presence", "Jours de présence"),
    ("absences.hospitalisation", "Absence hospitalisation (jours)"),
    ("absences.convenance", "Absence convenance personnelle (jours)"),
    ("absences.vacances", "Absence vacances (jours)"),
    ("absences.autre", "Autre absence (jours)"),
    ("minores.hospitalisation", "Dont au-delà du seuil : hospitalisation"),
    ("minores.convenance", "Dont au-delà du seuil : convenance"),
    ("minores.vacances", "Dont au-delà du seuil : vacances"),
    ("minores.autre", "Dont au-delà du seuil : autre"),
    ("jours_hebergement_plein", "Jours d'hébergement au tarif plein"),
    ("jours_minores", "Jours d'hébergement minorés"),
    ("jours_dependance", "Jours de tarif dépendance"),
    ("gir", "GIR"),
    ("gir_changement", "Changement de GIR"),
]
NUMERIQUES = {c for c, _ in COLONNES[6:20]}


def valeur(ligne: Ligne, colonne: str):
    if "." in colonne:
        dictionnaire, cle = colonne.split(".")
        return getattr(ligne, dictionnaire)[cle]
    return getattr(ligne, colonne)


def totaux(lignes: list[Ligne]) -> dict[str, int]:
    return {c: sum(valeur(ligne, c) or 0 for ligne in lignes) for c in NUMERIQUES if c != "gir"}
