"""Workers of the soins: the document de liaison d'urgence (DLU), stored in the dossier's documents."""

from __future__ import annotations

from celery import shared_task

from documents.pdf import rendre_pdf
from documents.services import produire
from dui.tasks import TenantTask
from habilitations import policy
from habilitations.roles import Droit

from .dlu import contexte_dlu, donnees_structurees


@shared_task(base=TenantTask, name="soins.generer_dlu")
def generer_dlu(document_public_id: str, *, acteur) -> str:
    def rendre(document) -> bytes:
        if not (
            policy.can_contenu(acteur, Droit.MEDICAL_VOIR, document)
            and policy.can_contenu(acteur, Droit.DOCUMENTS_MODIFIER, document)
        ):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour produire ce DLU.")
        contexte = contexte_dlu(document, acteur)
        # what the PDF says, as data: the structured DLU of the national exchanges is built from it
        document.options = {**document.options, "dlu": donnees_structurees(contexte)}
        return rendre_pdf("soins/pdf/dlu.html", contexte)

    return produire(document_public_id, rendre)
