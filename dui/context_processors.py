from django.conf import settings


def dui(request):
    user = getattr(request, "user", None)
    context = {"dui_inactivite_minutes": settings.DUI_INACTIVITY_MINUTES, "bris_de_glace_actifs": [],
               "peut_revoir_bris_de_glace": False}
    if user is not None and user.is_authenticated and user.organisme_id:
        from habilitations.policy import actions_dans, bris_de_glace_actifs, roles_par_etablissement

        context["bris_de_glace_actifs"] = list(bris_de_glace_actifs(user).order_by("expire_le")[:5])
        context["peut_revoir_bris_de_glace"] = user.est_dpo or any(
            "pilotage.modifier" in actions_dans(user, etab) for etab in roles_par_etablissement(user))
        context["voit_soins"] = any("soins.voir" in actions_dans(user, etab) for etab in roles_par_etablissement(user))
        context["voit_echanges"] = any("documents.voir" in actions_dans(user, etab)
                                       for etab in roles_par_etablissement(user))
        context["voit_stock"] = any("medicaments.voir" in actions_dans(user, etab) for etab in roles_par_etablissement(user))
    return context
