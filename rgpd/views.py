"""Pages of the RGPD app: the right of access (request, follow-up, one download)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dui.exports import nom_de_fichier_sur
from dui.forms import traitement
from habilitations.access import for_tenant
from usagers import selectors as usagers

from . import services
from .forms import DroitAccesForm
from .models import DemandeDroitAcces


def _exiger(request) -> None:
    if not services.peut_demander_droit_acces(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def droit_acces(request):
    """The DPO (or a director) designates the person by strict traits and asks for the export; the list of
    their own requests follows their progress."""
    _exiger(request)
    form = DroitAccesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        trouves = list(
            usagers.identifier_strictement(
                request.user.organisme_id,
                matricule_ins=data.get("matricule_ins") or "",
                nom_naissance=data.get("nom_naissance") or "",
                premier_prenom=data.get("premier_prenom") or "",
                date_naissance=data.get("date_naissance"),
            )[:2]
        )
        if len(trouves) != 1:
            form.add_error(
                None,
                "Aucun dossier de l'organisme ne correspond exactement à ces traits."
                if not trouves
                else "Plusieurs dossiers correspondent : désignez la personne par son matricule INS.",
            )
        else:
            with traitement(form):
                services.do_demander_droit_acces(request, trouves[0], data["motif"])
                messages.success(
                    request,
                    "Export demandé : il est préparé en arrière-plan (rafraîchissez la page dans un instant).",
                )
                return redirect("rgpd:droit_acces")
    demandes = for_tenant(
        request.user, DemandeDroitAcces.objects.filter(demandeur=request.user).select_related("usager")
    )[:20]
    return render(
        request,
        "rgpd/droit_acces.html",
        {"form": form, "demandes": demandes, "jours": settings.DUI_DROIT_ACCES_JOURS},
    )


@login_required
@require_POST
def telecharger(request, public_id):
    _exiger(request)
    demande = (
        for_tenant(request.user, DemandeDroitAcces.objects.filter(demandeur=request.user))
        .select_related("usager")
        .filter(public_id=public_id)
        .first()
    )
    if demande is None or not demande.telechargeable or not services.chemin_du_fichier(demande).is_file():
        raise Http404
    fichier = services.do_retirer_pour_telechargement(request, demande)
    nom = nom_de_fichier_sur(f"droit-acces-{demande.usager.nom_naissance}-{demande.termine_le:%Y%m%d}.zip")
    reponse = FileResponse(fichier, as_attachment=True, filename=nom, content_type="application/zip")
    reponse["Cache-Control"] = "private, no-store"
    return reponse
