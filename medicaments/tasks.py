"""Workers of the circuit du médicament: the ordonnance PDF, the compte rendu d'administration and the
daily extension of the plans."""

from __future__ import annotations

from celery import shared_task

from documents.pdf import rendre_pdf
from documents.services import produire
from dui.tasks import SystemTenantTask, TenantTask, pour_chaque_organisme
from dui.tenancy import organisme_courant
from habilitations import policy
from habilitations.roles import Droit

from . import services
from .pdf import contexte_cr_administration, contexte_ordonnance


@shared_task(base=TenantTask, name="medicaments.generer_ordonnance")
def generer_ordonnance(document_public_id: str, *, acteur) -> str:
    def rendre(document) -> bytes:
        if not services.peut_prescrire(acteur, document.usager, document.etablissement):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour signer cette ordonnance.")
        return rendre_pdf("medicaments/pdf/ordonnance.html", contexte_ordonnance(document, acteur))

    return produire(document_public_id, rendre)


@shared_task(base=TenantTask, name="medicaments.generer_cr_administration")
def generer_cr_administration(document_public_id: str, *, acteur) -> str:
    def rendre(document) -> bytes:
        if not (
            policy.can_contenu(acteur, Droit.MEDICAMENTS_VOIR, document)
            and policy.can_contenu(acteur, Droit.DOCUMENTS_MODIFIER, document)
        ):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour produire ce compte rendu.")
        return rendre_pdf(
            "medicaments/pdf/cr_administration.html", contexte_cr_administration(document, acteur)
        )

    return produire(document_public_id, rendre)


@shared_task(base=SystemTenantTask, name="medicaments.etendre_plans_organisme")
def etendre_plans_organisme(*, acteur=None) -> int:
    return services.etendre_plans(organisme_courant())


@shared_task(name="medicaments.etendre_plans")
def etendre_plans() -> int:
    """Every six hours (Celery beat): one task per active organisme, each bound to its tenant."""
    return pour_chaque_organisme(etendre_plans_organisme)
