"""Write paths of the tenancy core: établissements, unités, journal exports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from .models import Etablissement, ExportJournal, Unite
from .queue import enqueue_on_commit, tenant_kwargs
from .selectors import peut_consulter_journal


def _exiger_admin(admin: Any) -> None:
    if not (admin.is_authenticated and admin.est_admin_organisme and admin.organisme_id):
        raise PermissionDenied("Réservé aux administrateurs de l'organisme.")


def _enregistrer(obj: Etablissement | Unite) -> None:
    obj.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if "finess" in str(exc):
            raise ValidationError(
                {"finess_geographique": "Ce FINESS géographique est déjà enregistré."}
            ) from exc
        if "unite_nom" in str(exc):
            raise ValidationError({"nom": "Une unité porte déjà ce nom dans cet établissement."}) from exc
        raise


def do_enregistrer_etablissement(admin: Any, etablissement: Etablissement) -> Etablissement:
    _exiger_admin(admin)
    etablissement.organisme_id = admin.organisme_id
    _enregistrer(etablissement)
    return etablissement


def do_enregistrer_unite(admin: Any, etablissement: Etablissement, unite: Unite) -> Unite:
    _exiger_admin(admin)
    if etablissement.organisme_id != admin.organisme_id:
        raise PermissionDenied
    unite.etablissement = etablissement
    unite.organisme_id = admin.organisme_id
    _enregistrer(unite)
    return unite


def do_demander_export_journal(user: Any, filtres: dict[str, Any]) -> ExportJournal:
    """Record the request and hand the work to a worker once the transaction commits."""
    if not peut_consulter_journal(user):
        raise PermissionDenied
    serialisables = {
        k: (str(v) if v is not None and not isinstance(v, int | str) else v) for k, v in filtres.items()
    }
    export = ExportJournal.objects.create(
        organisme_id=user.organisme_id, demandeur=user, filtres=serialisables
    )
    enqueue_on_commit("dui.generer_export_journal", str(export.public_id), **tenant_kwargs(user))
    return export
