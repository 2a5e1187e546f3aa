"""Pages of the partner directory: the list (search), a partner's page (edit), a new partner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from dui.forms import traitement
from habilitations.access import get_in_scope_or_404

from . import selectors, services
from .forms import PartenaireForm, RechercheForm


@login_required
def liste(request):
    if not selectors.peut_lire(request.user):
        raise Http404
    recherche = RechercheForm(request.GET or None)
    q, genre = "", ""
    if recherche.is_valid():
        q, genre = recherche.cleaned_data["q"], recherche.cleaned_data["genre"]
    page = Paginator(selectors.partenaires(request.user, q, genre), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "annuaire/liste.html",
        {"recherche": recherche, "page": page, "peut_modifier": selectors.peut_modifier(request.user)},
    )


def _formulaire(request, partenaire=None):
    form = PartenaireForm(request.POST or None, instance=partenaire)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            valeurs = {c: form.cleaned_data[c] for c in services.CHAMPS}
            if partenaire is None:
                partenaire = services.do_creer_partenaire(request.user, **valeurs)
                messages.success(request, f"« {partenaire} » ajouté à l'annuaire.")
            else:
                services.do_modifier_partenaire(request.user, partenaire, **valeurs)
                messages.success(request, f"« {partenaire} » modifié.")
            return redirect(reverse("annuaire:liste"))
    return render(request, "annuaire/partenaire.html", {"form": form, "partenaire": partenaire})


@login_required
def nouveau(request):
    if not selectors.peut_modifier(request.user):
        raise Http404
    return _formulaire(request)


@login_required
def partenaire(request, public_id):
    objet = get_in_scope_or_404(selectors.partenaires(request.user, inactifs=True), public_id)
    if request.method == "POST" and not selectors.peut_modifier(request.user):
        raise Http404
    return _formulaire(request, objet)
