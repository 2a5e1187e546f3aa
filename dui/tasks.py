"""Base of every Celery task touching tenant data.

Tasks are called with ``organisme_id`` and ``acteur_id`` keyword arguments and public ids, never model
instances. The base class opens a transaction bound to the tenant, sets the acting professional for the
history, and fails closed when either is missing or inconsistent.
"""

from __future__ import annotations

import contextlib
from typing import Any

from celery import Task, shared_task
from django.contrib.auth import get_user_model

from . import tenancy
from .history import reset_actor, set_actor


class TenantContextError(RuntimeError):
    pass


class TenantTask(Task[Any, Any]):
    abstract = True
    typing = False  # organisme_id / acteur_id are consumed here, not by the task function
    une_transaction = True  # the whole task is one transaction bound to the tenant

    def _acteur(self, kwargs: dict[str, Any]) -> tuple[int, Any]:
        """The tenant and the acting professional popped from ``kwargs``, checked (fails closed); to call
        inside the tenant's transaction."""
        organisme_id = kwargs.pop("organisme_id", None)
        acteur_id = kwargs.pop("acteur_id", None)
        if not organisme_id or not acteur_id:
            raise TenantContextError(
                f"La tâche {self.name} exige organisme_id et acteur_id : refusée sans contexte."
            )
        with tenancy.tenant_context(int(organisme_id)):
            acteur = (
                get_user_model()
                .objects.filter(pk=acteur_id, organisme_id=organisme_id, is_active=True)
                .first()
            )
        if acteur is None:
            raise TenantContextError(
                f"La tâche {self.name} : l'acteur {acteur_id} n'appartient pas à l'organisme {organisme_id}."
            )
        return int(organisme_id), acteur

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs = dict(kwargs)  # retries re-send the original kwargs: do not consume them in place
        organisme_id, acteur = self._acteur(kwargs)
        with tenancy.tenant_context(organisme_id) if self.une_transaction else contextlib.nullcontext():
            token = set_actor(acteur)
            try:
                return self.run(*args, acteur=acteur, **kwargs)
            finally:
                reset_actor(token)


class TenantTaskParEtapes(TenantTask):
    """A long task whose progress is seen while it runs (an export): the tenant and the acting professional
    are checked as for ``TenantTask``, but the task is not one transaction — each step opens its own
    ``tenancy.tenant_context(acteur.organisme_id)`` and commits when it ends, so that the page polling the
    progress sees it. Outside a step nothing is visible (row-level security without a tenant)."""

    abstract = True
    une_transaction = False


class SystemTenantTask(Task[Any, Any]):
    """A periodic task acting for the system within one tenant (reminders…): ``organisme_id`` is required
    (fails closed without it), there is no acting professional (history records no user)."""

    abstract = True
    typing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs = dict(kwargs)
        organisme_id = kwargs.pop("organisme_id", None)
        if not organisme_id:
            raise TenantContextError(f"La tâche {self.name} exige organisme_id : refusée sans contexte.")
        with tenancy.tenant_context(int(organisme_id)):
            token = set_actor(None)
            try:
                return self.run(*args, acteur=None, **kwargs)
            finally:
                reset_actor(token)


def pour_chaque_organisme(tache: Task[Any, Any]) -> int:
    """Periodic tasks (Celery beat): queue ``tache`` (a ``SystemTenantTask``) once per active organisme, each
    run bound to its tenant. Returns how many were queued."""
    from dui.models import OrganismeGestionnaire

    ids = list(OrganismeGestionnaire.objects.filter(actif=True).values_list("pk", flat=True))
    for organisme_id in ids:
        tache.delay(organisme_id=organisme_id)
    return len(ids)


@shared_task(base=TenantTask, bind=True, name="dui.generer_export_journal")
def generer_export_journal(self: Task[Any, Any], export_public_id: str, *, acteur: Any) -> int:
    """Write the filtered access journal as CSV (semicolon, UTF-8 with BOM: opens in French Excel)."""
    import csv
    import datetime
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from .exports import cellule_sure
    from .models import ExportJournal, StatutExport
    from .selectors import journal_filtre

    export = ExportJournal.objects.get(public_id=export_public_id)
    filtres = dict(export.filtres)
    for cle in ("du", "au"):
        if filtres.get(cle):
            filtres[cle] = datetime.date.fromisoformat(filtres[cle])
    dossier = Path(settings.MEDIA_ROOT) / "exports" / str(export.organisme_id)
    dossier.mkdir(parents=True, exist_ok=True)
    chemin = dossier / f"journal-{export.public_id}.csv"
    lignes = 0
    with chemin.open("w", encoding="utf-8-sig", newline="") as fichier:
        writer = csv.writer(fichier, delimiter=";")
        writer.writerow(
            [
                "horodatage",
                "professionnel",
                "email",
                "type",
                "objet",
                "identifiant",
                "libellé",
                "établissement",
                "adresse IP",
                "chemin",
            ]
        )
        paris = timezone.get_current_timezone()
        for entree in journal_filtre(acteur, **filtres).iterator(chunk_size=2000):
            writer.writerow(
                cellule_sure(v)
                for v in [
                    entree.horodatage.astimezone(paris).strftime("%d/%m/%Y %H:%M:%S"),
                    str(entree.professionnel),
                    entree.professionnel.email,
                    entree.get_type_acces_display(),
                    entree.objet_type,
                    entree.objet_id or "",
                    entree.libelle,
                    entree.etablissement.nom if entree.etablissement else "",
                    entree.adresse_ip or "",
                    entree.chemin,
                ]
            )
            lignes += 1
    export.fichier = str(chemin.relative_to(settings.MEDIA_ROOT))
    export.nb_lignes = lignes
    export.statut = StatutExport.TERMINE
    export.termine_le = timezone.now()
    export.save(update_fields=["fichier", "nb_lignes", "statut", "termine_le", "modifie_le"])
    return lignes


@shared_task(base=TenantTaskParEtapes, name="dui.produire_export_liste")
def produire_export_liste(export_public_id: str, *, acteur: Any) -> str:
    from .listes import produire

    return produire(export_public_id, acteur)
