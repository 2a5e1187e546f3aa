"""INSi lookups run in a worker, never in the request."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dui.queue import tenant_kwargs
from dui.tasks import TenantTask

from . import services
from .insi.client import InsiIndisponible, client_par_defaut
from .insi.protocole import Traits
from .models import AppelInsi, StatutAppel


def delai_avant_tentative(tentative: int) -> int:
    """Exponential backoff: 10 s, 20 s, 40 s… capped at 10 minutes."""
    return min(600, 10 * 2 ** max(0, tentative - 1))


@shared_task(base=TenantTask, name="usagers.interroger_insi")
def interroger_insi(appel_public_id: str, *, acteur) -> str:
    appel = AppelInsi.objects.select_for_update().select_related("usager").get(public_id=appel_public_id)
    if appel.statut != StatutAppel.EN_ATTENTE:  # already answered (redelivered or duplicate message)
        return appel.statut
    usager = appel.usager
    appel.tentatives += 1
    traits = Traits(
        usager.nom_naissance,
        tuple(usager.prenoms_naissance),
        usager.sexe,
        usager.date_naissance,
        usager.lieu_naissance_insee,
    )
    try:
        reponse = client_par_defaut().rechercher(traits, requete_id=f"{appel.public_id}-{appel.tentatives}")
    except InsiIndisponible as exc:
        appel.erreur = str(exc)
        if appel.tentatives >= settings.DUI_INSI_MAX_TENTATIVES:
            appel.statut = StatutAppel.ECHEC
            appel.termine_le = timezone.now()
        else:
            delai = delai_avant_tentative(appel.tentatives)
            transaction.on_commit(
                lambda: interroger_insi.apply_async(
                    args=(appel_public_id,), kwargs=tenant_kwargs(acteur), countdown=delai
                )
            )
        appel.save()
        return appel.statut
    appel.code_cr, appel.libelle_cr, appel.erreur = reponse.code, reponse.libelle, ""
    appel.statut_avant = usager.statut_identite
    if reponse.code == "00" and reponse.traits is not None:
        t = reponse.traits
        appel.reponse = {
            "matricule": reponse.matricule,
            "oid": reponse.oid,
            "nom_naissance": t.nom_naissance,
            "prenoms": list(t.prenoms),
            "sexe": t.sexe,
            "date_naissance": t.date_naissance.isoformat(),
            "lieu_naissance": t.lieu_naissance,
        }
        appel.statut_apres = services.do_enregistrer_ins(
            acteur, usager, matricule=reponse.matricule, oid=reponse.oid, traits=services.traits_insi(t)
        )
    else:
        appel.statut_apres = usager.statut_identite
    appel.statut = StatutAppel.TERMINE
    appel.termine_le = timezone.now()
    appel.save()
    return appel.statut
