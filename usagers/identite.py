"""Identity status transitions (RNIV) and the single rule for showing or sharing the matricule INS.

Transitions (../shared/docs/DOMAIN.md "Identity"):
- an INSi check whose reply matches the identity: PROV → RECUP, VALI → QUAL (RECUP, QUAL unchanged);
- a high-trust document check: PROV → VALI, RECUP → QUAL (VALI, QUAL unchanged);
- a change to a strict trait: back to PROV, and the matricule is dropped. Both the INS retrieval and
  the document check vouched for the previous traits; the identity must be checked again. (When the
  change is made *on* a high-trust document, the document check is recorded right after: → VALI.)
Any other move (e.g. PROV → QUAL in one step, or a document that is not of high trust) is refused.
"""

from __future__ import annotations

from .models import StatutIdentite, TypeDocument

P, R, V, Q = (
    StatutIdentite.PROVISOIRE,
    StatutIdentite.RECUPEREE,
    StatutIdentite.VALIDEE,
    StatutIdentite.QUALIFIEE,
)

APRES_INSI = {P: R, R: R, V: Q, Q: Q}
APRES_DOCUMENT = {P: V, R: Q, V: V, Q: Q}


class TransitionRefusee(ValueError):
    pass


def statut_apres_insi(statut: str) -> str:
    return APRES_INSI[StatutIdentite(statut)]


def statut_apres_document(statut: str, type_document: str) -> str:
    if type_document not in TypeDocument.values:
        raise TransitionRefusee(
            "Ce document n'est pas un justificatif d'identité à haut niveau de confiance : "
            "l'identité ne peut pas être validée."
        )
    return APRES_DOCUMENT[StatutIdentite(statut)]


def statut_apres_modification_trait(statut: str) -> str:
    return P


def matricule_partageable(usager) -> str | None:
    """The matricule INS, only when the identity is qualified: the one place that decides whether it may
    be shown, printed, exported or sent (DMP, MSSanté)."""
    if usager.statut_identite == Q and usager.matricule_ins:
        return usager.matricule_ins
    return None
