"""Dossier usager pages: search, creation with identitovigilance, the dossier hub, identity checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dui.access import get_for_user_or_404
from dui.audit import journaliser_acces
from dui.models import Etablissement, TypeAcces
from habilitations import policy

from . import selectors, services
from .forms import AdmissionForm, DocumentForm, UsagerForm
from .models import StatutIdentite, Usager


def _etablissements_admission(user):
    return policy.scope(user, "administratif.modifier", Etablissement.objects.filter(actif=True))


@login_required
def recherche(request):
    texte = request.GET.get("q", "")
    resultats = selectors.avec_sejours(Usager.objects.filter(
        pk__in=[u.pk for u in selectors.rechercher(request.user, texte)])) if texte.strip() else []
    contexte = {"q": texte, "resultats": resultats,
                "peut_creer": _etablissements_admission(request.user).exists()}
    if request.headers.get("HX-Request"):
        return render(request, "usagers/_resultats.html", contexte)
    return render(request, "usagers/recherche.html", contexte)


@login_required
@require_http_methods(["GET", "POST"])
def creer(request):
    etablissements = _etablissements_admission(request.user)
    if not etablissements.exists():
        raise Http404
    form = UsagerForm(request.POST or None)
    admission = AdmissionForm(etablissements, request.POST or None,
                              initial={"date_entree": timezone.localdate()})
    doublons = []
    if request.method == "POST" and form.is_valid() and admission.is_valid():
        data = admission.cleaned_data
        try:
            usager = services.do_creer_usager(
                request.user, form.instance,
                services.Admission(etablissement=data["etablissement"], mode_accueil=data["mode_accueil"],
                                   date_entree=data["date_entree"], chambre=data["chambre"],
                                   provenance=data["provenance"]),
                confirmer_doublon=data["confirmer_doublon"])
        except services.DoublonProbable as exc:
            doublons = exc.doublons
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Dossier de {usager} créé (identité provisoire).")
            return redirect(usager.get_absolute_url())
    return render(request, "usagers/creer.html", {"form": form, "admission": admission, "doublons": doublons})


def _usager(request, public_id, action="administratif.voir") -> Usager:
    return get_for_user_or_404(request.user, action, Usager.objects.filter(fusionne_dans__isnull=True), public_id)


@login_required
def dossier(request, public_id):
    usager = _usager(request, public_id)
    journaliser_acces(request, TypeAcces.LECTURE, usager, f"Dossier de {usager}")
    sejours = list(usager.sejours.select_related("etablissement", "unite"))
    jour = timezone.localdate()
    return render(request, "usagers/dossier.html", {
        "usager": usager,
        "sejours": sejours,
        "sejour_courant": next((s for s in sejours if s.en_cours(jour)), None),
        "transitions": usager.transitions.select_related("auteur")[:20],
        "peut_modifier": policy.can(request.user, "administratif.modifier", usager),
        "document_form": DocumentForm(),
    })


@login_required
@require_POST
def verifier_document(request, public_id):
    usager = _usager(request, public_id, "administratif.modifier")
    form = DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez le document d'identité présenté.")
    else:
        try:
            statut = services.do_verifier_document(request.user, usager, form.cleaned_data["type_document"],
                                                   form.cleaned_data["commentaire"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Document contrôlé : identité {StatutIdentite(statut).label.lower()}.")
    return redirect(usager.get_absolute_url())
