"""Worker of the administrative side: the monthly presence record for billing."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from dui.tasks import TenantTask, TenantTaskParEtapes

from . import services
from .models import Contrat


@shared_task(base=TenantTaskParEtapes, name="administratif.produire_export_presence")
def produire_export_presence(export_public_id: str, *, acteur: Any) -> str:
    return services.produire_export(export_public_id, acteur)


@shared_task(base=TenantTask, name="administratif.generer_contrat")
def generer_contrat(document_public_id: str, *, acteur: Any) -> str:
    from documents.pdf import rendre_pdf
    from documents.services import produire
    from habilitations import policy
    from habilitations.roles import Droit

    from .pdf import contexte_contrat

    def rendre(document) -> bytes:
        contrat = Contrat.objects.select_related("usager", "etablissement", "sejour").get(
            public_id=document.objet_id
        )
        if not policy.can_contenu(acteur, Droit.ADMINISTRATIF_VOIR, contrat):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour lire ce contrat.")
        return rendre_pdf("administratif/pdf/contrat.html", contexte_contrat(contrat))

    return produire(document_public_id, rendre)
