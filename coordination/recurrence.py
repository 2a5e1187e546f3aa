"""Recurring events: RFC 5545 rules (``RRULE``) expanded with python-dateutil, in Europe/Paris wall time.

A weekly 10:00 session stays at 10:00 on both sides of a DST change: the rule is expanded on naive local
times, and each occurrence is then placed in Europe/Paris. Two nights a year need a decision:
- spring forward (last Sunday of March, 02:00 → 03:00): a time that does not exist is moved by the gap
  (02:30 → 03:30), as a wall clock would show it;
- fall back (last Sunday of October, 03:00 → 02:00): a time that exists twice takes its first instant
  (``fold=0``, still summer time).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule  # type: ignore[import-untyped]

PARIS = ZoneInfo("Europe/Paris")
MAX_OCCURRENCES = 400  # one year of a daily event, with margin: a rule beyond is refused, not truncated
HORIZON = datetime.timedelta(days=365)  # how far ahead a series without end is developed
JOURS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NOMS_JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class RegleInvalide(ValueError):
    """A rule that cannot be expanded (its message is French, shown to the user)."""


@dataclass(frozen=True)
class Regle:
    """What the agenda's form asks: every ``intervalle`` days or weeks (on ``jours``, 0 = Monday), until a
    date included, or without end (``jusqu_au`` None: developed a year ahead, then extended every night)."""

    frequence: str  # "quotidienne" | "hebdomadaire"
    intervalle: int
    jusqu_au: datetime.date | None
    jours: tuple[int, ...] = ()

    def rrule(self) -> str:
        freq = {"quotidienne": "DAILY", "hebdomadaire": "WEEKLY"}.get(self.frequence)
        if freq is None:
            raise RegleInvalide("Fréquence inconnue.")
        if not 1 <= self.intervalle <= 52:
            raise RegleInvalide("L'intervalle va de 1 à 52.")
        parties = [f"FREQ={freq}", f"INTERVAL={self.intervalle}"]
        if freq == "WEEKLY" and self.jours:
            parties.append("BYDAY=" + ",".join(JOURS[j] for j in sorted(set(self.jours))))
        if self.jusqu_au is not None:
            parties.append(f"UNTIL={self.jusqu_au:%Y%m%d}T235959")
        return ";".join(parties)


def en_heure_de_paris(local: datetime.datetime) -> datetime.datetime:
    """A naive wall-clock time placed in Europe/Paris (see the module's docstring for the two DST nights)."""
    candidat = local.replace(tzinfo=PARIS, fold=0)
    # A non-existent time does not survive the round trip through UTC: move it by the gap.
    aller_retour = candidat.astimezone(datetime.UTC).astimezone(PARIS)
    if aller_retour.replace(tzinfo=None) != local:
        return aller_retour
    return candidat


def occurrences(
    regle: str,
    debut: datetime.datetime,
    jusqu: datetime.date | None = None,
    apres: datetime.date | None = None,
) -> list[datetime.datetime]:
    """The aware starts of the occurrences of ``regle`` from ``debut`` (aware; its Paris wall time is the
    time of every occurrence), on days after ``apres`` and up to ``jusqu`` included when given. A rule
    without end (no UNTIL nor COUNT) needs ``jusqu``; at most ``MAX_OCCURRENCES`` at a time."""
    if "UNTIL=" not in regle and "COUNT=" not in regle and jusqu is None:
        raise RegleInvalide("Une répétition sans date de fin se développe jusqu'à un horizon.")
    local = debut.astimezone(PARIS).replace(tzinfo=None)
    try:
        iterateur = rrule.rrulestr(regle, dtstart=local)
    except (ValueError, TypeError) as exc:
        raise RegleInvalide("Règle de répétition illisible.") from exc
    resultat: list[datetime.datetime] = []
    for occurrence in iterateur:
        if jusqu is not None and occurrence.date() > jusqu:
            break
        if apres is not None and occurrence.date() <= apres:
            continue
        if len(resultat) >= MAX_OCCURRENCES:
            raise RegleInvalide(
                f"Cette répétition donnerait plus de {MAX_OCCURRENCES} occurrences : raccourcissez-la."
            )
        resultat.append(en_heure_de_paris(occurrence))
    if not resultat and apres is None:
        raise RegleInvalide("Cette répétition ne donne aucune occurrence.")
    return resultat


def decrire(regle: str) -> str:
    """A French sentence for a rule made by ``Regle`` ("chaque semaine le lundi, jeudi jusqu'au 30/06/2027")."""
    parties = dict(p.split("=", 1) for p in regle.split(";") if "=" in p)
    intervalle = int(parties.get("INTERVAL", "1"))
    if parties.get("FREQ") == "DAILY":
        texte = "chaque jour" if intervalle == 1 else f"tous les {intervalle} jours"
    else:
        texte = "chaque semaine" if intervalle == 1 else f"toutes les {intervalle} semaines"
        if "BYDAY" in parties:
            texte += " le " + ", ".join(NOMS_JOURS[JOURS.index(j)] for j in parties["BYDAY"].split(","))
    if "UNTIL" in parties:
        u = parties["UNTIL"]
        fin = datetime.date(int(u[:4]), int(u[4:6]), int(u[6:8]))
        texte += f" jusqu'au {fin:%d/%m/%Y}"
    return texte
