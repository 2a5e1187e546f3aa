"""Workers of the soins: the document de liaison d'urgence (DLU), stored in the dossier's documents."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from dui.tasks import TenantTask
from habilitations import policy


def traitements_en_cours(usager) -> list:
    """Current treatments for the DLU: the person's lines not stopped nor ended, in every ESMS."""
    from medicaments.tasks import lignes_en_cours

    return lignes_en_cours(usager)


def contexte_dlu(document, acteur) -> dict:
    from accompagnement.models import EvaluationAggir
    from usagers.identite import matricule_partageable
    from usagers.models import DossierAdministratif
    from usagers.selectors import sejour_dans

    from .models import DEFINITIONS, Antecedent, DossierSoins, TypeAntecedent
    from .selectors import dernieres_constantes

    dossier = DossierSoins.objects.select_related("usager").get(public_id=document.objet_id)
    usager, etablissement = dossier.usager, document.etablissement

    dernieres = dernieres_constantes(acteur, usager)  # those of the ESMS the requester may read
    antecedents = list(Antecedent.objects.filter(usager=usager))
    proches = list(usager.proches.all())
    return {
        "usager": usager, "etablissement": etablissement, "dossier": dossier, "document": document,
        "ins": matricule_partageable(usager) or "",
        "sejour": sejour_dans(usager, etablissement, timezone.localdate()),
        "personne_confiance": next((p for p in proches if p.personne_confiance), None),
        "a_prevenir": sorted((p for p in proches if p.a_prevenir), key=lambda p: p.ordre_appel or 99)[:2],
        "representants": [p for p in proches if p.representant_legal],
        "intervenants": list(usager.intervenants.filter(actif=True)),
        "problemes": [a for a in antecedents if a.type_antecedent == TypeAntecedent.PROBLEME and not a.resolu],
        # medical history first (what the emergency team needs most), then surgical; resolved ones last
        "antecedents": sorted((a for a in antecedents if a.type_antecedent in (TypeAntecedent.MEDICAL,
                                                                                TypeAntecedent.CHIRURGICAL)),
                              key=lambda a: (a.type_antecedent != TypeAntecedent.MEDICAL, a.resolu)),
        "allergies": list(usager.allergies.filter(inactive_le__isnull=True)),
        "traitements": traitements_en_cours(usager),
        "constantes": [(DEFINITIONS[code].libelle if not DEFINITIONS[code].libelle_2 else "TA", dernieres[code])
                       for code in DEFINITIONS if code in dernieres],
        "gir": EvaluationAggir.objects.filter(usager=usager, annulee_le__isnull=True)
        .order_by("-date_evaluation").first(),
        "administratif": DossierAdministratif.objects.filter(usager=usager).first(),
        "genere_le": timezone.localtime(),
    }


@shared_task(base=TenantTask, name="soins.generer_dlu")
def generer_dlu(document_public_id: str, *, acteur) -> str:
    from documents.pdf import rendre_pdf
    from documents.services import produire

    def rendre(document) -> bytes:
        if not (policy.can_contenu(acteur, "medical.voir", document)
                and policy.can_contenu(acteur, "documents.modifier", document)):
            raise PermissionError("Le demandeur n'a plus l'habilitation pour produire ce DLU.")
        return rendre_pdf("soins/pdf/dlu.html", contexte_dlu(document, acteur))

    return produire(document_public_id, rendre)
