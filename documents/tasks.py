"""Workers of the gestion documentaire: the preview, text and search vector of a stored document; every
night, per organisme, the documents past their retention period proposed to the DPO and any document whose
indexation was lost (broker down, worker killed) indexed again."""

from __future__ import annotations

import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from dui.tasks import SystemTenantTask, pour_chaque_organisme
from dui.tenancy import organisme_courant

from . import services
from .models import Document, Indexation

RATTRAPAGE_PAR_NUIT = 500


@shared_task(base=SystemTenantTask, name="documents.indexer")
def indexer(document_public_id: str, *, acteur: Any) -> str:
    return services.indexer(document_public_id)


@shared_task(base=SystemTenantTask, name="documents.entretien")
def entretien(*, acteur: Any) -> dict[str, int]:
    organisme_id = organisme_courant()
    proposes = services.proposer_destructions(organisme_id, timezone.localdate())
    perdus = list(
        Document.objects.filter(
            organisme_id=organisme_id,
            indexation=Indexation.A_FAIRE,
            detruit_le__isnull=True,
            cree_le__lt=timezone.now() - datetime.timedelta(minutes=30),
        )
        .exclude(fichier="")
        .values_list("public_id", flat=True)[:RATTRAPAGE_PAR_NUIT]
    )
    for public_id in perdus:
        services.indexer(str(public_id))
    return {"proposes": proposes, "indexes": len(perdus)}


@shared_task(name="documents.entretien_tous")
def entretien_tous() -> int:
    return pour_chaque_organisme(entretien)
