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

from .models import DEFINITIONS, RISQUES, Antecedent, DossierSoins, TypeAntecedent
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


def donnees_structurees(ctx: dict[str, Any]) -> dict[str, Any]:
    """The DLU's content as plain data, kept on the document when its PDF is made (``options["dlu"]``): the
    structured version sent to the DMP or by MSSanté (CI-SIS DLU-EHPAD) says exactly what the PDF says, and a
    resend carries the same bytes."""
    dossier, administratif, gir = ctx["dossier"], ctx["administratif"], ctx["gir"]
    medecin = next((i for i in ctx["intervenants"] if i.role == "medecin_traitant"), None)
    confiance = ctx["personne_confiance"]
    return {
        "version": 1,
        "medecin_traitant": (
            {
                "nom": medecin.nom,
                "rpps": medecin.rpps,
                "telephone": medecin.telephone,
                "id": str(medecin.public_id),
            }
            if medecin
            else None
        ),
        "problemes": [f"{a.libelle}{f' ({a.code_cim10})' if a.code_cim10 else ''}" for a in ctx["problemes"]],
        "antecedents": [
            f"{a.libelle}{f' ({a.date_debut})' if a.date_debut else ''}{' — résolu' if a.resolu else ''}"
            for a in ctx["antecedents"]
        ],
        "allergies": [
            f"{a.agent} — {a.get_nature_display().lower()} {a.get_severite_display().lower()} : {a.reaction}"
            for a in ctx["allergies"]
        ],
        "aucune_allergie": dossier.statut_allergies == "aucune",
        "traitements": [f"{t.intitule} — {t.posologie}" for t in ctx["traitements"]],
        "directives": (
            f"{administratif.get_directives_anticipees_display()}"
            f"{f' — {administratif.directives_lieu}' if administratif.directives_lieu else ''}"
            if administratif is not None
            else "Non renseigné."
        ),
        "personne_confiance": (
            f"{confiance.prenom} {confiance.nom} ({confiance.get_lien_display().lower()}) {confiance.telephone}".strip()
            if confiance
            else ""
        ),
        "gir": f"GIR {gir.gir} (évaluation du {gir.date_evaluation:%d/%m/%Y})" if gir else "",
        "alimentation": (
            f"Régime {dossier.get_regime_display().lower()}"
            f"{f' ({dossier.regime_precisions})' if dossier.regime_precisions else ''} ; texture "
            f"{dossier.get_texture_display().lower()} ; {dossier.get_liquides_display().lower()}"
        ),
        "risques": {champ: getattr(dossier, champ) for champ, _libelle in RISQUES},
        "risques_libelles": [
            f"Risque {libelle.lower()} : {niveau_libelle.lower()}"
            for libelle, niveau, niveau_libelle in dossier.risques()
            if niveau != "non_evalue"
        ],
        "remarques": dossier.remarques,
    }
