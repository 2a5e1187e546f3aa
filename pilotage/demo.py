"""Demo: the EHPAD's last two coupes Pathos, validated by the ARS (the dashboard shows its GMPS)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from . import services


def construire(etabs: list[Any], pros: dict[str, Any]) -> None:
    ehpad, direction = etabs[0], pros["direction"]
    aujourdhui = timezone.localdate()
    for annees, pmp, gmp in ((3, 186, 688), (1, 204, 712)):
        coupe = aujourdhui.replace(day=1) - datetime.timedelta(days=365 * annees)
        services.do_enregistrer_coupe(
            direction,
            ehpad,
            date_coupe=coupe,
            pmp=pmp,
            gmp=gmp,
            valide_le=coupe + datetime.timedelta(days=45),
            valide_par="Dr Claire Roussel, médecin valideur de l'ARS",
            commentaire="",
        )
