from typing import Any

from django.conf import settings
from django.http import HttpRequest

from habilitations.postes import SESSION_PRESENCE
from habilitations.roles import Droit


def dui(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    context = {
        "dui_inactivite_minutes": settings.DUI_INACTIVITY_MINUTES,
        "bris_de_glace_actifs": [],
        "peut_revoir_bris_de_glace": False,
    }
    session = getattr(request, "session", None)
    if session is not None and user is not None and user.is_authenticated and session.get(SESSION_PRESENCE):
        # a shared tablet: a shorter idleness locks it back to its user picker (decision 0021)
        context["sur_tablette"] = True
        context["dui_inactivite_minutes"] = settings.DUI_POSTE_INACTIVITE_MINUTES
    if user is not None and user.is_authenticated and user.organisme_id:
        from habilitations.policy import actions_dans, bris_de_glace_en_cours, roles_par_etablissement

        context["bris_de_glace_actifs"] = bris_de_glace_en_cours(user)[:5]
        context["peut_revoir_bris_de_glace"] = user.est_dpo or any(
            Droit.PILOTAGE_MODIFIER in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
        context["voit_admissions"] = any(
            Droit.ADMINISTRATIF_VOIR in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
        context["voit_soins"] = any(
            Droit.SOINS_VOIR in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
        context["voit_echanges"] = any(
            Droit.DOCUMENTS_VOIR in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
        context["voit_agenda"] = any(
            Droit.COORDINATION_VOIR in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
        context["voit_pilotage"] = any(
            Droit.PILOTAGE_VOIR in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
        context["voit_stock"] = any(
            Droit.MEDICAMENTS_VOIR in actions_dans(user, etab) for etab in roles_par_etablissement(user)
        )
    return context
