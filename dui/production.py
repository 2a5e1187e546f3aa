"""The one way a worker produces files the user asked for and follows on a page (an export, a report):

    objet = production.a_produire(RapportActivite.objects.select_related("etablissement"), public_id, acteur)
    if objet is None:
        return "déjà fait"                     # redelivered, or being produced by another worker
    return production.produire(objet, acteur, etapes, refus="Le demandeur n'a plus …", nom="Rapport d'activité")

``etapes()`` fills the object's files and fields, calling ``progres(objet, n)`` as it goes (each call commits
on its own, so the polling page sees it); a ``PermissionDenied`` records ``refus``, any other error its class
name (logged); the object ends at 100 % with its status, under the requester's tenant. The model has
``statut`` (``StatutExport``), ``progression``, ``erreur`` and ``termine_le``."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from . import tenancy
from .models import StatutExport

logger = logging.getLogger(__name__)


def refuser_un_doublon(queryset: QuerySet[Any], auteur: Any, message: str, **meme_demande: Any) -> None:
    """A second request of the same thing by the same person while the first is still being prepared (ten
    minutes at most): refused with ``message`` (a double tap, a reload), the first one goes on."""
    from django.core.exceptions import ValidationError

    if queryset.filter(
        organisme_id=auteur.organisme_id,
        demandeur=auteur,
        statut=StatutExport.EN_ATTENTE,
        cree_le__gt=timezone.now() - datetime.timedelta(minutes=10),
        **meme_demande,
    ).exists():
        raise ValidationError(message)


def progres(objet: Any, pourcentage: int) -> None:
    with tenancy.tenant_context(objet.organisme_id):  # its own transaction: the page sees it at once
        type(objet).objects.filter(pk=objet.pk).update(progression=pourcentage)


def a_produire(queryset: QuerySet[Any], public_id: str, acteur: Any) -> Any | None:
    """The object to produce, or None when it is no longer waiting (already produced, or started)."""
    with tenancy.tenant_context(acteur.organisme_id):
        objet = queryset.get(public_id=public_id)
        if objet.statut != StatutExport.EN_ATTENTE or objet.progression:
            return None
    return objet


def produire(objet: Any, acteur: Any, etapes: Callable[[], None], refus: str, nom: str) -> str:
    try:
        etapes()
    except PermissionDenied:
        objet.statut, objet.erreur = StatutExport.ECHEC, refus
    except Exception as exc:  # noqa: BLE001 - recorded on the object, shown on the page
        logger.exception("%s %s en échec", nom, objet.public_id)
        objet.statut, objet.erreur = StatutExport.ECHEC, f"Échec de la production ({exc.__class__.__name__})."
    else:
        objet.statut = StatutExport.TERMINE
    objet.progression = 100
    objet.termine_le = timezone.now()
    with tenancy.tenant_context(acteur.organisme_id):
        objet.save()
    return str(objet.statut)
