"""The rules of what a portal account may see, pure and shared by the services, the selectors and the
portal's access check (CASF L311-3: the person's consent to share; protection measures, C. civ. 425 s.)."""

from __future__ import annotations

import datetime

from usagers.models import MesureProtection, TypeMesure

# Measures under which a legal representative acts for the person (representation): tutelle, habilitation
# familiale (with representation), mandat de protection future. Under curatelle or sauvegarde de justice the
# person keeps the decision: a curator is a relative who needs the person's agreement.
MESURES_DE_REPRESENTATION = (
    TypeMesure.TUTELLE,
    TypeMesure.HABILITATION_FAMILIALE,
    TypeMesure.MANDAT_PROTECTION_FUTURE,
)


def mesure_de_representation(usager_id: int, jour: datetime.date) -> MesureProtection | None:
    """The active measure of representation of the person on ``jour``, if any."""
    return (
        MesureProtection.objects.filter(usager_id=usager_id, type_mesure__in=MESURES_DE_REPRESENTATION)
        .en_cours(jour)
        .first()
    )
