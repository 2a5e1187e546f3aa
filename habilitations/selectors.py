"""Read paths of the habilitations app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from habilitations.roles import Droit

from . import policy
from .models import BrisDeGlace


def bris_de_glace_a_revoir(user: Any) -> QuerySet[BrisDeGlace] | None:
    """Break-the-glass accesses the user reviews: all of the organisme for the DPO, those of the ESMS
    they direct (``pilotage.modifier``) otherwise; ``None`` when the user reviews nothing."""
    if not getattr(user, "is_authenticated", False) or not user.organisme_id:
        return None
    base = BrisDeGlace.objects.filter(organisme_id=user.organisme_id).order_by("revu_le", "-debut")
    if user.est_dpo:
        return base
    if not any(
        Droit.PILOTAGE_MODIFIER in policy.actions_dans(user, etab)
        for etab in policy.roles_par_etablissement(user)
    ):
        return None
    return policy.scope(user, Droit.PILOTAGE_MODIFIER, base)
