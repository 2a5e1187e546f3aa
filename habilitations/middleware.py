"""Session guards: a session only counts as authenticated after the second factor, and it ends after
``DUI_INACTIVITY_MINUTES`` without activity or ``DUI_SESSION_MAX_HOURS`` after the login, whatever the
activity (an absolute lifetime)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from . import postes
from .auth import journaliser
from .models import MethodeAuth, TypeEvenementAuth

SESSION_2FA = "dui_2fa_ok"
SESSION_ACTIVITE = "dui_derniere_activite"
SESSION_DEBUT = "dui_debut_session"
SESSION_METHODE = "dui_methode_auth"  # how the session was opened: MethodeAuth (habilitations.psc)


def _vers_connexion(request: HttpRequest) -> HttpResponseBase:
    return vers(request, reverse(settings.LOGIN_URL))


def vers(request: HttpRequest, url: str) -> HttpResponseBase:
    """A redirection that also works for an htmx request (the whole page goes, not a fragment)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and not request.session.get(SESSION_2FA):
            logout(request)
            return _vers_connexion(request)
        return self.get_response(request)


def _fermer(request: HttpRequest, evenement: str, message: str) -> HttpResponseBase:
    """End the session, journal why, tell the professional on the login page."""
    user = request.user
    logout(request)
    journaliser(request, evenement, getattr(user, "email", ""), user)  # type: ignore[arg-type]
    messages.info(request, message)
    return _vers_connexion(request)


class InactivityTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            maintenant = time.time()
            derniere = request.session.get(SESSION_ACTIVITE, maintenant)
            debut = request.session.get(SESSION_DEBUT, maintenant)
            if maintenant - debut > settings.DUI_SESSION_MAX_HOURS * 3600:
                return _fermer(
                    request,
                    TypeEvenementAuth.DUREE_MAXIMALE,
                    f"Votre session a atteint sa durée maximale ({settings.DUI_SESSION_MAX_HOURS} h). "
                    "Reconnectez-vous.",
                )
            if request.session.get(postes.SESSION_PRESENCE):
                # a shared tablet (decision 0021): its shift must still be open, on this very tablet, and
                # a shorter idleness locks it back to its user picker (the shift stays open)
                if not postes.presence_valide(request, request.session[postes.SESSION_PRESENCE]):
                    return _fermer(
                        request,
                        TypeEvenementAuth.DECONNEXION,
                        "Votre poste sur cette tablette est fermé (fin de poste, tablette révoquée ou codes "
                        "erronés) : connectez-vous de nouveau.",
                    )
                if maintenant - derniere > settings.DUI_POSTE_INACTIVITE_MINUTES * 60:
                    methode = request.session.get(SESSION_METHODE, MethodeAuth.LOCALE)
                    reponse = postes.verrouiller(request, TypeEvenementAuth.INACTIVITE, methode)
                    return vers(request, reponse["Location"])
            if maintenant - derniere > settings.DUI_INACTIVITY_MINUTES * 60:
                return _fermer(
                    request,
                    TypeEvenementAuth.INACTIVITE,
                    f"Votre session a été fermée après {settings.DUI_INACTIVITY_MINUTES} "
                    "minutes d'inactivité. Reconnectez-vous.",
                )
            if maintenant - derniere >= 30 or SESSION_ACTIVITE not in request.session:
                # Written at most every 30 s so that a busy page does not rewrite its session each time.
                request.session[SESSION_ACTIVITE] = maintenant
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A password set by an administrator must be replaced before anything else is shown."""

    ALLOWED = ("/compte/", "/deconnexion/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated
            and user.doit_changer_mot_de_passe
            and request.session.get(SESSION_METHODE)
            != MethodeAuth.PSC  # no password was used: nothing to replace
            and not request.path.startswith(self.ALLOWED)
        ):
            messages.warning(request, "Choisissez votre propre mot de passe avant de continuer.")
            return redirect("habilitations:mon_compte")
        return self.get_response(request)
