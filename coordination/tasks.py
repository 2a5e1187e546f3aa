"""Workers of the agenda: the day's transport sheet of an ESMS (PDF), and every evening the next day's
sheets of each organisme (beat: one task per organisme, idempotent — the same row is produced again)."""

from __future__ import annotations

import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from documents.pdf import rendre_pdf
from dui.models import Etablissement
from dui.tasks import SystemTenantTask, pour_chaque_organisme
from dui.tenancy import organisme_courant

from . import services
from .models import FeuilleTransports, StatutFeuille
from .selectors import transports_du_jour


@shared_task(base=SystemTenantTask, name="coordination.generer_feuille_transports")
def generer_feuille_transports(feuille_public_id: str, *, acteur: Any) -> int:
    feuille = FeuilleTransports.objects.select_related("etablissement").get(public_id=feuille_public_id)
    try:
        transports = transports_du_jour(feuille.etablissement, feuille.jour)
        contenu = rendre_pdf(
            "coordination/pdf/transports.html",
            {"feuille": feuille, "transports": transports, "genere_le": timezone.localtime()},
        )
    except Exception as exc:  # the sheet says it failed; the next request or evening produces it again
        FeuilleTransports.objects.filter(pk=feuille.pk).update(
            statut=StatutFeuille.ECHEC, erreur=str(exc)[:500]
        )
        raise
    services.enregistrer_feuille(feuille, contenu, len(transports))
    return len(transports)


@shared_task(base=SystemTenantTask, name="coordination.preparer_demain")
def preparer_demain(*, acteur: Any) -> int:
    """Every evening, for tomorrow: the transport sheet of every ESMS that has transports, and a fresh DLU
    for every rendez-vous that asks for one (see ``services.preparer_dlu_de_demain``). Idempotent."""
    demain = timezone.localdate() + datetime.timedelta(days=1)
    n = 0
    for etablissement in Etablissement.objects.filter(organisme_id=organisme_courant(), actif=True):
        if transports_du_jour(etablissement, demain):
            services.demander_feuille_transports(etablissement, demain)
            n += 1
    return n + services.preparer_dlu_de_demain(demain)


@shared_task(name="coordination.preparer_demain_tous")
def preparer_demain_tous() -> int:
    return pour_chaque_organisme(preparer_demain)


@shared_task(base=SystemTenantTask, name="coordination.prolonger_series")
def prolonger_series(*, acteur: Any) -> int:
    """Every night: the series without end keep a year of occurrences ahead (idempotent)."""
    from .models import Serie
    from .recurrence import HORIZON

    horizon = timezone.localdate() + HORIZON
    n = 0
    for serie in Serie.objects.filter(
        organisme_id=organisme_courant(), jusqu_au__isnull=True, developpee_jusqu_au__lt=horizon
    ):
        crees, _ = services.prolonger_serie(serie, horizon)
        n += crees
    return n


@shared_task(name="coordination.prolonger_series_tous")
def prolonger_series_tous() -> int:
    return pour_chaque_organisme(prolonger_series)
