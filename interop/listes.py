"""The exchanges (DMP, MSSanté, FHIR) as an exportable list (``dui.listes``): what the exchanges page shows
to the user — the person's name and the document's title, never its content."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from dui.listes import Liste, declarer, parametre_etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import Envoi, StatutEnvoi
from .selectors import envois_visibles


def _parametres(user: Any, donnees: dict[str, Any]) -> dict[str, Any]:
    parametres = parametre_etablissement(user, donnees)
    statut = (donnees.get("statut") or "").strip()
    if statut:
        if statut not in StatutEnvoi.values:
            raise ValidationError("Statut inconnu : choisissez-le dans la liste.")
        parametres["statut"] = statut
    return parametres


def _lignes(user: Any, parametres: dict[str, Any]):
    qs = envois_visibles(user).select_related("usager", "document", "etablissement")
    if parametres.get("statut"):
        qs = qs.filter(statut=parametres["statut"])
    return qs


def _ligne(e: Envoi) -> list[Any]:
    return [
        e.etablissement.nom, e.get_type_envoi_display(), e.cree_le, e.usager.nom_naissance,
        e.usager.prenoms_naissance, e.document.titre if e.document else "", e.libelle_destinataire or e.destinataire,
        e.get_statut_display(), e.tentatives,
    ]  # fmt: skip


def declarer_listes() -> None:
    declarer(
        Liste(
            code="echanges",
            titre="Échanges DMP et messagerie sécurisée",
            colonnes=(
                "Établissement",
                "Service",
                "Demandé le",
                "Nom de naissance",
                "Prénoms",
                "Document",
                "Destinataire",
                "Statut",
                "Tentatives",
            ),  # fmt: skip
            lignes=_lignes,
            ligne=_ligne,
            parametres=_parametres,
            autorise=lambda user: bool(policy.etablissements_autorises(user, Droit.DOCUMENTS_VOIR)),
            ordre=50,
        )
    )
