"""Writing the partner directory: one transaction, the identifiers checked (RPPS, FINESS, SIRET keys), the
history kept by django-simple-history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from .models import Partenaire
from .selectors import peut_modifier

CHAMPS = ("genre", "nom", "specialite", "rpps", "finess", "siret", "adresse", "telephone", "mssante", "actif")


def _enregistrer(partenaire: Partenaire) -> Partenaire:
    partenaire.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            partenaire.save()
    except IntegrityError:
        # two people typed the same number at once: the unique constraint kept one of them
        partenaire.validate_constraints()
        raise
    return partenaire


@transaction.atomic
def do_creer_partenaire(auteur: Any, **valeurs: Any) -> Partenaire:
    if not peut_modifier(auteur):
        raise PermissionDenied
    partenaire = Partenaire(
        organisme_id=auteur.organisme_id, **{c: valeurs[c] for c in CHAMPS if c in valeurs}
    )
    partenaire.full_clean(exclude=["organisme"])
    return _enregistrer(partenaire)


@transaction.atomic
def do_modifier_partenaire(auteur: Any, partenaire: Partenaire, **valeurs: Any) -> Partenaire:
    if not peut_modifier(auteur) or partenaire.organisme_id != auteur.organisme_id:
        raise PermissionDenied
    for champ in CHAMPS:
        if champ in valeurs:
            setattr(partenaire, champ, valeurs[champ])
    try:
        partenaire.full_clean(exclude=["organisme"])
    except ValidationError:
        raise
    return _enregistrer(partenaire)
