"""Write paths of admission: requests, commission decisions, pronouncing the admission, attachments."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from habilitations import policy
from habilitations.roles import Droit
from usagers import services as usagers_services
from usagers.models import Sejour, Usager

from .models import OUVERTES, Decision, DecisionCommission, DemandeAdmission, PieceJointe, StatutDemande

SIGNATURES = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}


def _exiger(user, action: str, etablissement) -> None:
    if not policy.can(user, action, etablissement):
        raise PermissionDenied("Vous n'êtes pas habilité(e) pour cette action dans cet établissement.")


def do_enregistrer_demande(auteur, demande: DemandeAdmission) -> DemandeAdmission:
    _exiger(auteur, Droit.ADMINISTRATIF_MODIFIER, demande.etablissement)
    demande.organisme_id = auteur.organisme_id
    if demande.usager is not None and demande.usager.organisme_id != auteur.organisme_id:
        raise PermissionDenied
    demande.full_clean()
    demande.save()
    return demande


@transaction.atomic
def do_decider(auteur, demande: DemandeAdmission, decision: DecisionCommission) -> DemandeAdmission:
    """Record the commission's decision (director: ``pilotage.modifier``)."""
    _exiger(auteur, Droit.PILOTAGE_MODIFIER, demande.etablissement)
    demande = DemandeAdmission.objects.select_for_update().get(pk=demande.pk)
    if demande.statut not in OUVERTES or demande.statut == StatutDemande.ACCEPTEE:
        raise ValidationError("Cette demande n'attend plus de décision de commission.")
    decision.demande = demande
    decision.organisme_id = demande.organisme_id
    decision.auteur = auteur
    decision.full_clean()
    decision.save()
    demande.statut = {
        Decision.ADMIS: StatutDemande.ACCEPTEE,
        Decision.REFUSE: StatutDemande.REFUSEE,
        Decision.AJOURNE: StatutDemande.AJOURNEE,
    }[Decision(decision.decision)]
    demande.save(update_fields=["statut", "modifie_le"])
    return demande


@transaction.atomic
def do_prononcer_admission(
    auteur,
    demande: DemandeAdmission,
    *,
    date_entree: datetime.date,
    unite=None,
    chambre: str = "",
    confirmer_doublon: bool = False,
) -> Usager:
    """Admit an accepted candidate: the séjour is opened, and the dossier created if the person has none
    (identitovigilance check included: ``usagers.services.DoublonProbable`` stops it)."""
    _exiger(auteur, Droit.ADMINISTRATIF_MODIFIER, demande.etablissement)
    demande = DemandeAdmission.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != StatutDemande.ACCEPTEE:
        raise ValidationError("Seule une demande acceptée en commission peut donner lieu à une admission.")
    if unite is not None and unite.etablissement_id != demande.etablissement_id:
        raise ValidationError("Cette unité n'appartient pas à l'établissement de la demande.")
    admission = usagers_services.Admission(
        etablissement=demande.etablissement,
        mode_accueil=demande.mode_accueil,
        date_entree=date_entree,
        unite=unite,
        chambre=chambre,
        provenance=demande.get_origine_display(),
    )
    if demande.usager is not None:
        usager = demande.usager
        if Sejour.objects.filter(
            usager=usager, etablissement=demande.etablissement, date_sortie__isnull=True
        ).exists():
            raise ValidationError("La personne a déjà un séjour en cours dans cet établissement.")
        sejour = Sejour(
            organisme_id=usager.organisme_id,
            usager=usager,
            etablissement=demande.etablissement,
            unite=unite,
            chambre=chambre,
            mode_accueil=demande.mode_accueil,
            date_entree=date_entree,
            provenance=admission.provenance,
        )
        sejour.full_clean()
        sejour.save()
    else:
        usager = usagers_services.do_creer_usager(
            auteur,
            Usager(
                nom_naissance=demande.nom_naissance,
                prenoms_naissance=list(demande.prenoms_naissance),
                premier_prenom=demande.prenoms_naissance[0],
                date_naissance=demande.date_naissance,
                sexe=demande.sexe,
                lieu_naissance_insee=demande.lieu_naissance_insee or "99999",
            ),
            admission,
            confirmer_doublon=confirmer_doublon,
        )
    demande.usager = usager
    demande.statut = StatutDemande.ADMISE
    demande.save(update_fields=["usager", "statut", "modifie_le"])
    return usager


def do_annuler(auteur, demande: DemandeAdmission, motif: str) -> None:
    _exiger(auteur, Droit.ADMINISTRATIF_MODIFIER, demande.etablissement)
    if not demande.ouverte:
        raise ValidationError("Cette demande est déjà close.")
    if len(motif.strip()) < 3:
        raise ValidationError("Indiquez le motif de l'annulation ou du désistement.")
    demande.statut = StatutDemande.ANNULEE
    demande.commentaire = (demande.commentaire + f"\nAnnulation : {motif.strip()}").strip()
    demande.save(update_fields=["statut", "commentaire", "modifie_le"])


def do_ajouter_piece(auteur, demande: DemandeAdmission, fichier, libelle: str) -> PieceJointe:
    _exiger(auteur, Droit.ADMINISTRATIF_MODIFIER, demande.etablissement)
    if fichier.size > settings.DUI_MAX_PIECE_JOINTE:
        raise ValidationError(
            f"Fichier trop volumineux (maximum {settings.DUI_MAX_PIECE_JOINTE // (1024 * 1024)} Mo)."
        )
    debut = fichier.read(4)
    fichier.seek(0)
    if not any(debut.startswith(signature) for signature in SIGNATURES):
        raise ValidationError("Le contenu du fichier n'est pas un PDF, un JPEG ou un PNG.")
    piece = PieceJointe(
        organisme_id=demande.organisme_id,
        demande=demande,
        libelle=libelle.strip(),
        fichier=fichier,
        depose_par=auteur,
    )
    piece.full_clean()
    piece.save()
    return piece
