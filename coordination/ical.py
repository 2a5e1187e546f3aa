"""A professional's agenda as an iCalendar feed (RFC 5545), written with the ``icalendar`` package.

What leaves the DUI here may end up on a personal phone and in a calendar provider's cloud: no health data.
Each event shows its kind and the initials of the person ("Rendez-vous extérieur — M. D."), its place and
its times; never its object, the partner, the preparation or the compte rendu."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Evenement, GenreEvenement, StatutEvenement


def initiales(usager: Any) -> str:
    prenom = (usager.prenom_affiche or "")[:1]
    nom = (usager.nom_affiche or "")[:1]
    return ". ".join(x for x in (prenom.upper(), nom.upper()) if x) + "."


def resume(evenement: Evenement) -> str:
    libelle = GenreEvenement(evenement.genre).label
    if evenement.genre in (GenreEvenement.ACTIVITE, GenreEvenement.REUNION):
        return libelle
    return f"{libelle} — {initiales(evenement.usager)}" if evenement.usager_id else libelle


def lieu(evenement: Evenement) -> str:
    return evenement.lieu or (evenement.ressource.nom if evenement.ressource is not None else "")


def calendrier(professionnel: Any, evenements: Iterable[Evenement], hote: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//DUI//Agenda des professionnels//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"DUI — {professionnel.get_full_name()}")
    cal.add("x-wr-timezone", "Europe/Paris")
    for e in evenements:
        ve = Event()
        ve.add("uid", f"{e.public_id}@{hote}")
        ve.add("dtstamp", timezone.now())
        ve.add("dtstart", e.debut)
        ve.add("dtend", e.fin)
        ve.add("summary", resume(e))
        if endroit := lieu(e):
            ve.add("location", endroit)
        ve.add(
            "status",
            "CANCELLED" if e.statut in (StatutEvenement.ANNULE, StatutEvenement.REPORTE) else "CONFIRMED",
        )
        cal.add_component(ve)
    return cal.to_ical()
