"""Reading the partner directory: a professional who may see the agenda in one ESMS of the organisme reads
the whole directory of the organisme (it holds no personal data of the people accompanied)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from habilitations import policy
from habilitations.access import for_tenant
from habilitations.roles import Droit

from .identifiants import texte_de_recherche
from .models import Partenaire


def peut_lire(user: Any) -> bool:
    return bool(policy.etablissements_autorises(user, Droit.COORDINATION_VOIR))


def peut_modifier(user: Any) -> bool:
    return bool(policy.etablissements_autorises(user, Droit.COORDINATION_MODIFIER))


def partenaires(
    user: Any, recherche: str = "", genre: str = "", inactifs: bool = False
) -> QuerySet[Partenaire]:
    """The directory as ``user`` may read it, filtered by a typed text and a kind."""
    if not peut_lire(user):
        return Partenaire.objects.none()
    qs = for_tenant(user, Partenaire.objects.all())
    if not inactifs:
        qs = qs.filter(actif=True)
    if genre:
        qs = qs.filter(genre=genre)
    for mot in recherche.split()[:5]:
        qs = qs.filter(
            Q(recherche__contains=texte_de_recherche(mot))
            | Q(rpps=mot)
            | Q(finess=mot.upper())
            | Q(siret=mot)
        )
    return qs.order_by("nom", "pk")


def adresses_mssante(user: Any) -> QuerySet[Partenaire]:
    """The partners a document may be sent to over MSSanté (the recipient picker)."""
    return partenaires(user).exclude(mssante="")


GENRES_SOIGNANTS = ("medecin", "paramedical", "hopital", "ssiad", "pharmacie", "laboratoire")


def partenaires_soignants(user: Any) -> QuerySet[Partenaire]:
    """The partners a person's care team may be taken from (their intervenants)."""
    return partenaires(user).filter(genre__in=GENRES_SOIGNANTS)
