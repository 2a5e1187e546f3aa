"""Worker of the administrative side: the monthly presence record for billing."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from dui.tasks import TenantTaskParEtapes

from . import services


@shared_task(base=TenantTaskParEtapes, name="administratif.produire_export_presence")
def produire_export_presence(export_public_id: str, *, acteur: Any) -> str:
    return services.produire_export(export_public_id, acteur)
