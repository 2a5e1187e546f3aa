"""The data categories of the dossier (ARCHITECTURE.md §3): the kernel's vocabulary, on which the
habilitations (``habilitations.roles``) declare their permission matrix and the models their object-level
exceptions."""

from __future__ import annotations

from typing import Any

from django.db import models


class Categorie(models.TextChoices):
    ADMINISTRATIF = "administratif", "Administratif"
    SOCIAL = "social", "Social / éducatif"
    SOINS = "soins", "Soins"
    MEDICAL = "medical", "Médical"
    MEDICAMENTS = "medicaments", "Médicaments"
    DOCUMENTS = "documents", "Documents"
    COORDINATION = "coordination", "Agenda et coordination"
    PILOTAGE = "pilotage", "Pilotage"
    ADMINISTRATION = "administration", "Administration"


def exception_permissions() -> list[tuple[str, str | Any]]:
    """Permission codenames for object-level exceptions, declared on each protected model's Meta."""
    perms: list[tuple[str, str | Any]] = []
    for code, libelle in Categorie.choices:
        perms.append((f"refuser_{code}", f"Refus d'accès : {libelle.lower()}"))
        perms.append((f"accorder_{code}", f"Accès accordé par exception : {libelle.lower()}"))
    return perms
