"""Workers of the accompagnement: PDFs of the projet personnalisé and of the AGGIR grid (stored in the
dossier's documents), and the daily reminders of the PP bilans."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from documents.pdf import rendre_pdf
from documents.services import produire
from dui.tasks import SystemTenantTask, TenantTask, pour_chaque_organisme
from dui.tenancy import organisme_courant
from habilitations import policy
from habilitations.roles import Droit

from .aggir import LIBELLES
from .models import EvaluationAggir, ProjetPersonnalise
from .pdf import lignes_aggir
from .selectors import projet_complet
from .services import creer_rappels_bilans


@shared_task(base=TenantTask, name="accompagnement.generer_pdf_projet")
def generer_pdf_projet(document_public_id: str, *, acteur) -> str:
    def rendre(document) -> bytes:
        projet = ProjetPersonnalise.objects.get(public_id=document.objet_id)
        if not policy.can_contenu(acteur, Droit.SOCIAL_VOIR, projet):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour lire ce projet.")
        projet = projet_complet(projet)
        return rendre_pdf(
            "accompagnement/pdf/projet.html",
            {
                "projet": projet,
                "usager": projet.usager,
                "gros": bool(document.options.get("gros_caracteres")),
                "genere_le": timezone.localtime(),
                "document": document,
            },
        )

    return produire(document_public_id, rendre)


@shared_task(base=TenantTask, name="accompagnement.generer_pdf_aggir")
def generer_pdf_aggir(document_public_id: str, *, acteur) -> str:
    def rendre(document) -> bytes:
        evaluation = EvaluationAggir.objects.select_related("usager", "etablissement", "evaluateur").get(
            public_id=document.objet_id
        )
        if not policy.can_contenu(acteur, Droit.SOINS_VOIR, evaluation):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour lire cette évaluation.")
        return rendre_pdf(
            "accompagnement/pdf/aggir.html",
            {
                "evaluation": evaluation,
                "usager": evaluation.usager,
                "lignes": lignes_aggir(evaluation),
                "illustratives": [(LIBELLES[k], v) for k, v in evaluation.illustratives.items()],
                "genere_le": timezone.localtime(),
                "document": document,
            },
        )

    return produire(document_public_id, rendre)


@shared_task(base=SystemTenantTask, name="accompagnement.rappels_bilans_organisme")
def rappels_bilans_organisme(*, acteur=None) -> int:
    return creer_rappels_bilans(organisme_courant())


@shared_task(name="accompagnement.rappels_bilans")
def rappels_bilans() -> int:
    """Daily (Celery beat): one task per active organisme, each bound to its tenant."""
    return pour_chaque_organisme(rappels_bilans_organisme)
