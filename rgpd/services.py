"""Commands of the RGPD app: a right-of-access request, its download (once), the purge of expired files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone

from dui.audit import journaliser_acces
from dui.models import StatutExport, TypeAcces
from dui.queue import enqueue_on_commit, tenant_kwargs
from habilitations import policy
from habilitations.roles import Droit

from .models import DemandeDroitAcces


def peut_demander_droit_acces(user: Any, usager: Any | None = None) -> bool:
    """The DPO of the organisme, or a director of one of the person's ESMS (``pilotage.modifier``)."""
    if not getattr(user, "is_authenticated", False) or not user.organisme_id:
        return False
    if user.est_dpo:
        return usager is None or usager.organisme_id == user.organisme_id
    autorises = policy.etablissements_autorises(user, Droit.PILOTAGE_MODIFIER)
    if usager is None:
        return bool(autorises)
    return usager.organisme_id == user.organisme_id and bool(set(usager.etablissement_ids()) & set(autorises))


def do_demander_droit_acces(request: HttpRequest, usager: Any, motif: str) -> DemandeDroitAcces:
    user: Any = request.user
    if not peut_demander_droit_acces(user, usager):
        raise PermissionDenied
    motif = (motif or "").strip()
    if len(motif) < 5:
        raise ValidationError({"motif": "Indiquez la demande de la personne (date, référence du courrier)."})
    demande = DemandeDroitAcces.objects.create(
        organisme_id=user.organisme_id, usager=usager, demandeur=user, motif=motif[:255]
    )
    journaliser_acces(request, TypeAcces.EXPORT, usager, f"Droit d'accès demandé : {motif}"[:255])
    enqueue_on_commit("rgpd.generer_droit_acces", str(demande.public_id), **tenant_kwargs(user))
    return demande


def chemin_du_fichier(demande: DemandeDroitAcces) -> Path:
    return Path(settings.MEDIA_ROOT) / demande.fichier


def do_retirer_pour_telechargement(request: HttpRequest, demande: DemandeDroitAcces) -> Any:
    """The open ZIP, handed over once: the file is unlinked at once (the open handle still reads it) and the
    request marked downloaded, in the same transaction as the journal entry."""
    if not demande.telechargeable or demande.demandeur_id != getattr(request.user, "pk", None):
        raise PermissionDenied
    chemin = chemin_du_fichier(demande)
    fichier = chemin.open("rb")
    chemin.unlink()
    demande.telecharge_le = timezone.now()
    demande.save(update_fields=["telecharge_le", "modifie_le"])
    journaliser_acces(
        request, TypeAcces.EXPORT, demande.usager, f"Droit d'accès téléchargé ({demande.taille} octets)"
    )
    return fichier


def purger(organisme_id: int) -> int:
    """Remove the files of requests past their expiry (never downloaded); the request rows stay (trace)."""
    nombre = 0
    for demande in DemandeDroitAcces.objects.filter(
        organisme_id=organisme_id, statut=StatutExport.TERMINE, expire_le__lte=timezone.now()
    ).exclude(fichier=""):
        chemin = chemin_du_fichier(demande)
        chemin.unlink(missing_ok=True)
        demande.fichier = ""
        demande.save(update_fields=["fichier", "modifie_le"])
        nombre += 1
    return nombre


def expiration() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.DUI_DROIT_ACCES_JOURS)


def do_definir_regle(
    request: HttpRequest, nature: str, *, archivage_apres_mois: int, conservation_annees: int, source: str
) -> None:
    """The DPO sets the organisme's retention period for one kind of data (journaled)."""
    from .models import RegleConservation

    user: Any = request.user
    if not user.est_dpo:
        raise PermissionDenied
    if not source.strip():
        raise ValidationError({"source": "Indiquez la source ou la justification de cette durée."})
    RegleConservation.objects.update_or_create(
        organisme_id=user.organisme_id,
        nature=nature,
        defaults={
            "archivage_apres_mois": archivage_apres_mois,
            "conservation_annees": conservation_annees,
            "source": source.strip(),
        },
    )
    journaliser_acces(
        request,
        TypeAcces.ADMINISTRATION,
        None,
        f"Règle de conservation « {nature} » : archivage {archivage_apres_mois} mois, "
        f"conservation {conservation_annees} ans",
    )


def do_anonymiser(request: HttpRequest, usager: Any) -> dict[str, int]:
    from .cycle import anonymiser

    try:
        return anonymiser(request, usager)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
