"""Worker of the pilotage: the annual activity report."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from dui.tasks import TenantTaskParEtapes

from . import services


@shared_task(base=TenantTaskParEtapes, name="pilotage.produire_rapport")
def produire_rapport(rapport_public_id: str, *, acteur: Any) -> str:
    return services.produire_rapport(rapport_public_id, acteur)
