"""Roles and their permissions, declared in code, per data category (ARCHITECTURE.md §3).

An action is ``"<catégorie>.<niveau>"``: ``"medical.voir"``, ``"soins.modifier"``. ``modifier`` implies
``voir``. Medical data is reserved to the équipe de soins (secret professionnel partagé, CSP L1110-4 and
L1110-12): only the roles with ``medical`` below can see it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models

from dui.categories import Categorie as Categorie  # re-exported: the roles are declared on it

VOIR = "voir"
MODIFIER = "modifier"
NIVEAUX = (VOIR, MODIFIER)


class Droit(StrEnum):
    """Every action of the policy, ``"<catégorie>.<niveau>"``: views, services, selectors, templates (through
    ``dui_tags``) and tests name them here, so that a typo fails at import, not silently at run time."""

    ADMINISTRATIF_VOIR = "administratif.voir"
    ADMINISTRATIF_MODIFIER = "administratif.modifier"
    SOCIAL_VOIR = "social.voir"
    SOCIAL_MODIFIER = "social.modifier"
    SOINS_VOIR = "soins.voir"
    SOINS_MODIFIER = "soins.modifier"
    MEDICAL_VOIR = "medical.voir"
    MEDICAL_MODIFIER = "medical.modifier"
    MEDICAMENTS_VOIR = "medicaments.voir"
    MEDICAMENTS_MODIFIER = "medicaments.modifier"
    DOCUMENTS_VOIR = "documents.voir"
    DOCUMENTS_MODIFIER = "documents.modifier"
    COORDINATION_VOIR = "coordination.voir"
    COORDINATION_MODIFIER = "coordination.modifier"
    PILOTAGE_VOIR = "pilotage.voir"
    PILOTAGE_MODIFIER = "pilotage.modifier"
    ADMINISTRATION_VOIR = "administration.voir"
    ADMINISTRATION_MODIFIER = "administration.modifier"

    @classmethod
    def de(cls, categorie: str, niveau: str) -> Droit:
        """The action of a category known only at run time (a grid's category): unknown ones raise."""
        return cls(f"{categorie}.{niveau}")


class Role(models.TextChoices):
    DIRECTEUR = "directeur", "Directeur / directrice"
    CHEF_SERVICE = "chef_service", "Chef de service"
    MEDECIN_COORDONNATEUR = "medecin_coordonnateur", "Médecin coordonnateur"
    MEDECIN = "medecin", "Médecin"
    INFIRMIER = "infirmier", "Infirmier / infirmière"
    AIDE_SOIGNANT = "aide_soignant", "Aide-soignant(e) / AES"
    PHARMACIEN = "pharmacien", "Pharmacien"
    PSYCHOLOGUE = "psychologue", "Psychologue"
    EDUCATEUR = "educateur", "Éducateur / éducatrice"
    TRAVAILLEUR_SOCIAL = "travailleur_social", "Travailleur social"
    AGENT_ADMINISTRATIF = "agent_administratif", "Agent administratif / admission"


C = Categorie
M, V = MODIFIER, VOIR

# Role → {catégorie: niveau}. The single source of truth for the permission matrix.
MATRICE: dict[str, dict[str, str]] = {
    Role.DIRECTEUR: {
        C.ADMINISTRATIF: M,
        C.SOCIAL: V,
        C.SOINS: V,
        C.DOCUMENTS: M,
        C.COORDINATION: M,
        C.PILOTAGE: M,
        C.ADMINISTRATION: V,
    },
    Role.CHEF_SERVICE: {
        C.ADMINISTRATIF: V,
        C.SOCIAL: M,
        C.SOINS: V,
        C.DOCUMENTS: M,
        C.COORDINATION: M,
        C.PILOTAGE: V,
    },
    Role.MEDECIN_COORDONNATEUR: {
        C.ADMINISTRATIF: V,
        C.SOCIAL: V,
        C.SOINS: M,
        C.MEDICAL: M,
        C.MEDICAMENTS: M,
        C.DOCUMENTS: M,
        C.COORDINATION: M,
        C.PILOTAGE: V,
    },
    Role.MEDECIN: {
        C.ADMINISTRATIF: V,
        C.SOCIAL: V,
        C.SOINS: M,
        C.MEDICAL: M,
        C.MEDICAMENTS: M,
        C.DOCUMENTS: M,
        C.COORDINATION: M,
    },
    Role.INFIRMIER: {
        C.ADMINISTRATIF: V,
        C.SOCIAL: V,
        C.SOINS: M,
        C.MEDICAL: V,
        C.MEDICAMENTS: M,
        C.DOCUMENTS: M,
        C.COORDINATION: M,
    },
    Role.AIDE_SOIGNANT: {C.ADMINISTRATIF: V, C.SOINS: M, C.MEDICAMENTS: V, C.DOCUMENTS: V, C.COORDINATION: M},
    Role.PHARMACIEN: {C.SOINS: V, C.MEDICAL: V, C.MEDICAMENTS: M},
    Role.PSYCHOLOGUE: {C.ADMINISTRATIF: V, C.SOCIAL: M, C.SOINS: V, C.DOCUMENTS: M, C.COORDINATION: M},
    Role.EDUCATEUR: {C.ADMINISTRATIF: V, C.SOCIAL: M, C.DOCUMENTS: M, C.COORDINATION: M},
    Role.TRAVAILLEUR_SOCIAL: {C.ADMINISTRATIF: M, C.SOCIAL: M, C.DOCUMENTS: M, C.COORDINATION: M},
    Role.AGENT_ADMINISTRATIF: {C.ADMINISTRATIF: M, C.DOCUMENTS: M, C.COORDINATION: M},
}

# What a break-the-glass access opens, for its duration: consultation of the care record only.
CATEGORIES_BRIS_DE_GLACE = (
    C.ADMINISTRATIF,
    C.SOCIAL,
    C.SOINS,
    C.MEDICAL,
    C.MEDICAMENTS,
    C.DOCUMENTS,
    C.COORDINATION,
)


def actions_du_niveau(categorie: str, niveau: str) -> set[str]:
    return (
        {f"{categorie}.{VOIR}", f"{categorie}.{MODIFIER}"} if niveau == MODIFIER else {f"{categorie}.{VOIR}"}
    )


def actions_du_role(role: str) -> frozenset[str]:
    actions: set[str] = set()
    for categorie, niveau in MATRICE.get(role, {}).items():
        actions |= actions_du_niveau(categorie, niveau)
    return frozenset(actions)


def roles_ayant(action: str) -> list[str]:
    return [role for role in MATRICE if action in actions_du_role(role)]


def valider_action(action: str) -> tuple[str, str]:
    if action not in _ACTIONS:
        raise ValueError(f"Action inconnue : {action!r}")
    return _ACTIONS[action]


_ACTIONS: dict[str, tuple[str, str]] = {a.value: tuple(a.value.split(".")) for a in Droit}  # type: ignore[misc]
