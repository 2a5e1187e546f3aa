"""The document de liaison d'urgence (DLU): what it shows, gathered for the worker that renders it.

Sections that belong to a domain above the soins (the current treatments, from the circuit du médicament)
are declared by that domain in ``registre_dlu`` from its ``AppConfig.ready()``: the soins never import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accompagnement.models import EvaluationAggir
from dui.registre import Registre
from usagers.identite import matricule_partageable
from usagers.models import DossierAdministratif
from usagers.selectors import sejour_dans

from .models import DEFINITIONS, Antecedent, DossierSoins, TypeAntecedent
from .selectors import dernieres_constantes


@dataclass(frozen=True)
class SectionDLU:
    code: str  # the template variable of the DLU
    fournisseur: Callable[[Any], Any]  # fournisseur(usager)
    ordre: int = 0


class RegistreDLU:
    def __init__(self) -> None:
        self._sections: Registre[SectionDLU] = Registre("Section du DLU")

    def section(self, cle: str, fournisseur: Callable[[Any], Any]) -> None:
        """``fournisseur(usager)`` gives the template variable ``cle`` of the DLU."""
        self._sections.ajouter(SectionDLU(cle, fournisseur))

    def contexte(self, usager) -> dict[str, Any]:
        return {s.code: s.fournisseur(usager) for s in self._sections.tous()}


registre_dlu = RegistreDLU()


def traitements_en_cours(usager) -> list:
    """Current treatments for the DLU (declared by the circuit du médicament), in every ESMS."""
    return registre_dlu.contexte(usager).get("traitements", [])


def contexte_dlu(document, acteur) -> dict:
    dossier = DossierSoins.objects.select_related("usager").get(public_id=document.objet_id)
    usager, etablissement = dossier.usager, document.etablissement

    dernieres = dernieres_constantes(acteur, usager)  # those of the ESMS the requester may read
    antecedents = list(Antecedent.objects.filter(usager=usager))
    proches = list(usager.proches.all())
    return {
        "usager": usager,
        "etablissement": etablissement,
        "dossier": dossier,
        "document": document,
        "ins": matricule_partageable(usager) or "",
        "sejour": sejour_dans(usager, etablissement, timezone.localdate()),
        "personne_confiance": next((p for p in proches if p.personne_confiance), None),
        "a_prevenir": sorted((p for p in proches if p.a_prevenir), key=lambda p: p.ordre_appel or 99)[:2],
        "representants": [p for p in proches if p.representant_legal],
        "intervenants": list(usager.intervenants.filter(actif=True)),
        "problemes": [
            a for a in antecedents if a.type_antecedent == TypeAntecedent.PROBLEME and not a.resolu
        ],
        # medical history first (what the emergency team needs most), then surgical; resolved ones last
        "antecedents": sorted(
            (
                a
                for a in antecedents
                if a.type_antecedent in (TypeAntecedent.MEDICAL, TypeAntecedent.CHIRURGICAL)
            ),
            key=lambda a: (a.type_antecedent != TypeAntecedent.MEDICAL, a.resolu),
        ),
        "allergies": list(usager.allergies.filter(inactive_le__isnull=True)),
        "constantes": [
            (DEFINITIONS[code].libelle if not DEFINITIONS[code].libelle_2 else "TA", dernieres[code])
            for code in DEFINITIONS
            if code in dernieres
        ],
        "gir": EvaluationAggir.objects.filter(usager=usager, annulee_le__isnull=True)
        .order_by("-date_evaluation")
        .first(),
        "administratif": DossierAdministratif.objects.filter(usager=usager).first(),
        "genere_le": timezone.localtime(),
        "traitements": [],
        **registre_dlu.contexte(usager),
    }
