"""Workers of the circuit du médicament: the ordonnance PDF and the daily extension of the plans."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from dui.tasks import SystemTenantTask, TenantTask


def lignes_en_cours(usager, etablissement=None) -> list:
    """The person's current lines (not stopped, not ended), regular ones first."""
    from .models import Prescription

    lignes = Prescription.objects.filter(usager=usager, arrete_le__isnull=True).select_related("prescripteur")
    if etablissement is not None:
        lignes = lignes.filter(etablissement=etablissement)
    maintenant = timezone.now()
    return [p for p in lignes if p.fin is None or p.fin > maintenant]


def contexte_ordonnance(document, acteur) -> dict:
    from usagers.identite import matricule_partageable

    usager, etablissement = document.usager, document.etablissement
    lignes = lignes_en_cours(usager, etablissement)
    return {"usager": usager, "etablissement": etablissement, "document": document, "prescripteur": acteur,
            "ins": matricule_partageable(usager) or "", "lignes": [p for p in lignes if not p.si_besoin],
            "si_besoin": [p for p in lignes if p.si_besoin], "genere_le": timezone.localtime()}


@shared_task(base=TenantTask, name="medicaments.generer_ordonnance")
def generer_ordonnance(document_public_id: str, *, acteur) -> str:
    from documents.pdf import rendre_pdf
    from documents.services import produire

    from .services import peut_prescrire

    def rendre(document) -> bytes:
        if not peut_prescrire(acteur, document.usager, document.etablissement):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour signer cette ordonnance.")
        return rendre_pdf("medicaments/pdf/ordonnance.html", contexte_ordonnance(document, acteur))

    return produire(document_public_id, rendre)


def contexte_cr_administration(document, acteur) -> dict:
    import datetime

    from usagers.identite import matricule_partageable

    from .models import Administration

    du = datetime.date.fromisoformat(document.options["du"])
    au = datetime.date.fromisoformat(document.options["au"])
    tz = timezone.get_current_timezone()
    administrations = (Administration.objects.filter(
        usager=document.usager, etablissement=document.etablissement,
        administree_le__gte=datetime.datetime.combine(du, datetime.time(0), tzinfo=tz),
        administree_le__lt=datetime.datetime.combine(au + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz))
        .select_related("prescription", "dose", "auteur").order_by("administree_le"))
    lignes = list(administrations)
    return {"usager": document.usager, "etablissement": document.etablissement, "document": document,
            "ins": matricule_partageable(document.usager) or "", "du": du, "au": au, "administrations": lignes,
            "donnees": sum(1 for a in lignes if a.statut == "donne"),
            "non_donnees": [a for a in lignes if a.statut in ("refuse", "non_donne")],
            "genere_le": timezone.localtime()}


@shared_task(base=TenantTask, name="medicaments.generer_cr_administration")
def generer_cr_administration(document_public_id: str, *, acteur) -> str:
    from documents.pdf import rendre_pdf
    from documents.services import produire
    from habilitations import policy

    def rendre(document) -> bytes:
        if not (policy.can_contenu(acteur, "medicaments.voir", document)
                and policy.can_contenu(acteur, "documents.modifier", document)):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour produire ce compte rendu.")
        return rendre_pdf("medicaments/pdf/cr_administration.html", contexte_cr_administration(document, acteur))

    return produire(document_public_id, rendre)


@shared_task(base=SystemTenantTask, name="medicaments.etendre_plans_organisme")
def etendre_plans_organisme(*, acteur=None) -> int:
    from dui.tenancy import current_organisme_id

    from .services import etendre_plans

    return etendre_plans(current_organisme_id())


@shared_task(name="medicaments.etendre_plans")
def etendre_plans() -> int:
    """Every six hours (Celery beat): one task per active organisme, each bound to its tenant."""
    from dui.tasks import pour_chaque_organisme

    return pour_chaque_organisme(etendre_plans_organisme)

