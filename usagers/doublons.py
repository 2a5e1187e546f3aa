"""What a professional is shown when the duplicate check stops a creation (identitovigilance).

The check runs across the whole organisme, so a hit may be a person the professional has no right to see:
they learn only that a similar dossier exists, not who. Every hit is journaled on the person found, so the
DPO sees who probed whom.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dui.audit import journaliser_acces
from dui.models import TypeAcces
from habilitations import policy
from habilitations.roles import Droit

from .models import Usager


def presenter_doublons(request: HttpRequest, doublons: list[Usager]) -> dict[str, Any]:
    """Journal each hit; the hits the user may see, and how many others exist."""
    for usager in doublons:
        journaliser_acces(request, TypeAcces.CONTROLE_DOUBLON, usager, "Contrôle de doublon à la création")
    ids = [u.pk for u in doublons]
    visibles = list(
        policy.scope(request.user, Droit.ADMINISTRATIF_VOIR, Usager.objects.filter(pk__in=ids)).order_by(
            "nom_naissance"
        )
    )
    return {"doublons": visibles, "doublons_masques": len(ids) - len(visibles)}
