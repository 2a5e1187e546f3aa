"""The shared care tablet (issue 23, item 7; decision 0021): its user picker, taking it back with a PIN,
locking it, and the professional's PIN. The tablet's enrolment and revocation are in ``administration``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dui.adresses import adresse_locale
from habilitations.access import professionnel

from . import auth, postes, psc
from .forms import DefinirPinForm, PinForm
from .middleware import SESSION_METHODE
from .models import MethodeAuth, NiveauPSC, TypeEvenementAuth
from .views import MSG_PSC_EXIGE, _ouvrir_session, message_verrou


def _tablette_ou_404(request: HttpRequest) -> Any:
    poste = postes.tablette(request)
    if poste is None:
        raise Http404
    return poste


@require_http_methods(["GET"])
def tablette(request: HttpRequest) -> HttpResponseBase:
    """The locked tablet: the professionals on shift on it, each taking it back with their PIN, and the full
    login for whoever starts their shift. Not a shared tablet: a page that says so."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    poste = postes.tablette(request)
    if poste is None:
        return render(request, "habilitations/tablette.html", {"poste": None}, status=404)
    return render(
        request,
        "habilitations/tablette.html",
        {"poste": poste, "presences": postes.presences(poste), "psc": psc.est_configure()},
    )


@require_http_methods(["GET", "POST"])
def reprendre(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    """A tap on one's name, then one's PIN. Only a shift open on this very tablet can be taken back."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    poste = _tablette_ou_404(request)
    presence = postes.presence(poste, public_id)
    if presence is None:
        messages.warning(request, "Ce poste n'est plus ouvert sur cette tablette : connectez-vous.")
        return redirect("habilitations:tablette")
    user = presence.professionnel
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verrou = auth.etat_verrou(user.email, user, auth.client_ip(request))
        if psc.niveau(user) == NiveauPSC.REQUISE and presence.methode != MethodeAuth.PSC:
            form.add_error(None, MSG_PSC_EXIGE)  # the rule changed during the shift: a PSC login first
        elif verrou.refuse:
            auth.journaliser(request, TypeEvenementAuth.VERROUILLE, user.email, user, methode=MethodeAuth.PIN)
            form.add_error(None, message_verrou(verrou))
        else:
            reste = postes.verifier_pin(presence, form.cleaned_data["pin"])
            if reste is None:
                return _ouvrir_session(request, user, MethodeAuth.PIN, presence=presence)
            auth.journaliser(request, TypeEvenementAuth.ECHEC_PIN, user.email, user, methode=MethodeAuth.PIN)
            if reste == 0:
                messages.error(
                    request,
                    f"Code PIN erroné {settings.DUI_POSTE_PIN_ESSAIS} fois : la reprise par code est fermée "
                    f"pour {user.get_full_name()} sur cette tablette. Connectez-vous avec votre mot de passe "
                    "et votre second facteur (ou Pro Santé Connect).",
                )
                return redirect("habilitations:tablette")
            form.add_error(
                "pin",
                "Code PIN incorrect. "
                + (f"Il vous reste {reste} essais." if reste > 1 else "Il vous reste un essai."),
            )
    return render(
        request, "habilitations/tablette_pin.html", {"poste": poste, "presence": presence, "form": form}
    )


@login_required
@require_POST
def verrouiller(request: HttpRequest) -> HttpResponseBase:
    """« Changer d'utilisateur »: back to the tablet's user picker, the shift staying open."""
    if not request.session.get(postes.SESSION_PRESENCE):
        raise Http404
    return postes.verrouiller(
        request, TypeEvenementAuth.VERROUILLAGE, request.session.get(SESSION_METHODE, MethodeAuth.LOCALE)
    )


@login_required
@require_http_methods(["GET", "POST"])
def code_pin(request: HttpRequest) -> HttpResponseBase:
    """Choose or change one's PIN — after a full authentication only (a PIN never sets a PIN)."""
    user = professionnel(request)
    par_pin = request.session.get(SESSION_METHODE) == MethodeAuth.PIN
    form = DefinirPinForm(None if par_pin else (request.POST or None))
    if request.method == "POST" and not par_pin and form.is_valid():
        try:
            postes.definir_pin(user, form.cleaned_data["pin"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, "habilitations/code_pin.html", {"form": form}, status=400)
        messages.success(
            request,
            "Code PIN enregistré. Pendant votre poste, « Changer d'utilisateur » verrouille la tablette : "
            "touchez votre nom et saisissez ce code pour la reprendre.",
        )
        return redirect(adresse_locale(request, request.GET.get("suivant")) or "habilitations:mon_compte")
    return render(
        request,
        "habilitations/code_pin.html",
        {
            "form": form,
            "par_pin": par_pin,
            "a_un_pin": postes.a_un_pin(user),
            "suivant": adresse_locale(request, request.GET.get("suivant")),
            "longueur": settings.DUI_POSTE_PIN_LONGUEUR,
            "essais": settings.DUI_POSTE_PIN_ESSAIS,
        },
        status=403 if par_pin and request.method == "POST" else 200,
    )
