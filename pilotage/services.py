from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dui.models import Etablissement
from habilitations import policy
from habilitations.roles import Droit

from .models import CoupePathos


@transaction.atomic
def do_enregistrer_coupe(auteur, etablissement: Etablissement, **champs) -> CoupePathos:
    """Record the validated result of a coupe Pathos of an EHPAD (``pilotage.modifier`` there)."""
    if not policy.can(auteur, Droit.PILOTAGE_MODIFIER, etablissement):
        raise PermissionDenied
    coupe = CoupePathos(
        organisme_id=etablissement.organisme_id, etablissement=etablissement, enregistree_par=auteur, **champs
    )
    coupe.full_clean()
    try:
        with transaction.atomic():
            coupe.save()
    except IntegrityError as erreur:  # two people recording the same coupe at once
        raise ValidationError(
            {"date_coupe": "Une coupe Pathos est déjà enregistrée à cette date pour cet ESMS."}
        ) from erreur
    return coupe
