"""Two controls on one dossier: the break-the-glass of a professional (emergency consultation of a
dossier outside their habilitations) and the per-dossier DENY/GRANT exceptions set by the organisme's
administrator. A person is designated by strict traits (matricule INS, or birth name + first name + birth
date), never chosen from a list: neither screen lists the organisme's population."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dui.forms import traitement
from habilitations import policy
from habilitations import services as habilitations
from habilitations.access import for_tenant, professionnel
from habilitations.models import Professionnel
from habilitations.roles import Categorie, Droit

from .forms import BrisDeGlaceDossierForm, ExceptionDossierForm
from .models import ExceptionAccesUsager


@login_required
@require_http_methods(["GET", "POST"])
def bris_de_glace(request):
    """Emergency consultation of a dossier outside one's habilitations: reasoned, limited in time, limited
    to the categories one's own roles read, journaled on the person, shown in a banner, reviewed."""
    user = professionnel(request)
    if not policy.roles_par_etablissement(user):
        raise Http404
    form = BrisDeGlaceDossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        usager = form.designer(request.user.organisme_id)
        if usager is not None:
            if policy.can(user, Droit.ADMINISTRATIF_VOIR, usager) or Droit.SOINS_VOIR in policy.actions_sur(
                user, usager
            ):
                messages.info(
                    request, "Ce dossier est dans vos habilitations : aucun accès exceptionnel n'est utile."
                )
                return redirect(usager.get_absolute_url())
            with traitement(form, refus_404=False):
                habilitations.do_ouvrir_bris_de_glace(request, usager, form.cleaned_data["motif"])
                messages.warning(
                    request,
                    f"Accès exceptionnel en consultation ouvert pour {settings.DUI_BREAK_GLASS_HOURS} h. "
                    "Il est journalisé et sera revu par la direction ou le DPO.",
                )
                return redirect(usager.get_absolute_url())
    categories = [Categorie(c).label for c in sorted(policy.categories_bris_de_glace(user))]
    return render(
        request,
        "usagers/bris_de_glace.html",
        {"form": form, "categories": categories, "duree": settings.DUI_BREAK_GLASS_HOURS},
    )


def _exiger_admin(request) -> None:
    if not (request.user.est_admin_organisme and request.user.organisme_id):
        raise Http404


def _form_exception(request, data=None):
    professionnels = for_tenant(request.user, Professionnel.objects.filter(is_active=True)).order_by(
        "nom", "prenom"
    )
    return ExceptionDossierForm(professionnels, Categorie.choices, data)


@login_required
@require_http_methods(["GET", "POST"])
def exceptions(request):
    """The organisme administrator's screen of per-dossier exceptions (DENY wins over every habilitation,
    GRANT opens one category of one dossier); each change is journaled on the person."""
    _exiger_admin(request)
    form = _form_exception(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        usager = form.designer(request.user.organisme_id)
        if usager is not None:
            with traitement(form, refus_404=False):
                habilitations.do_definir_exception(
                    request.user,
                    form.cleaned_data["professionnel"],
                    usager,
                    form.cleaned_data["categorie"],
                    form.cleaned_data["nature"],
                    request=request,
                )
                messages.success(request, f"Exception enregistrée sur le dossier de {usager}.")
                return redirect("usagers:exceptions")
    liste = for_tenant(
        request.user, ExceptionAccesUsager.objects.select_related("user", "permission", "content_object")
    ).order_by("-cree_le")[:500]
    return render(request, "usagers/exceptions.html", {"form": form, "exceptions": liste})


@login_required
@require_POST
def exception_retirer(request, exception_id: int):
    _exiger_admin(request)
    exc = (
        for_tenant(request.user, ExceptionAccesUsager.objects.filter(pk=exception_id))
        .select_related("user", "permission", "content_object")
        .first()
    )
    if exc is None:
        raise Http404
    nature, _, categorie = exc.permission.codename.partition("_")
    with traitement(request=request, refus_404=False):
        habilitations.do_retirer_exception(
            request.user, exc.user, exc.content_object, categorie, nature, request=request
        )
        messages.success(request, "Exception retirée.")
    return redirect("usagers:exceptions")
