"""Login with Pro Santé Connect: the redirect to PSC, its callback, the choice of the organisme when one
identity has accounts in several, and the re-authentication that a break-the-glass may require."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from dui.adresses import adresse_locale
from dui.tenancy import auth_lookup

from . import auth, psc
from .access import professionnel
from .models import MethodeAuth, Professionnel, TypeEvenementAuth
from .views import SESSION_SUIVANT, _ouvrir_session


def _redirect_uri(request: HttpRequest) -> str:
    return settings.DUI_PSC_REDIRECT_URI or request.build_absolute_uri(reverse("habilitations:psc_retour"))


def _echec(
    request: HttpRequest,
    echec: psc.EchecPSC,
    *,
    identifiant: str = "",
    user: Professionnel | None = None,
    statut: int = 403,
) -> HttpResponseBase:
    """The French page of a refused PSC login, and its row in the authentication journal (the organisme of
    the account when one was found, none otherwise)."""
    auth.journaliser(
        request,
        TypeEvenementAuth.ECHEC_PSC,
        user.email if user is not None else (f"psc:{identifiant}" if identifiant else "psc"),
        user,
        methode=MethodeAuth.PSC,
        motif=echec.motif,
    )
    return render(
        request,
        "habilitations/psc_echec.html",
        {"message": echec.message, "identifiant": identifiant},
        status=statut,
    )


@require_GET
def connexion(request: HttpRequest) -> HttpResponseBase:
    """``?next=`` the page to reach after the login; ``?reauth=1`` (logged in) a fresh PSC authentication
    for an action that requires one, then back to ``next``."""
    if not psc.est_configure():
        raise Http404
    reauth = request.GET.get("reauth") == "1"
    suivant = adresse_locale(request, request.GET.get("next", ""))
    if request.user.is_authenticated:
        if not reauth:
            return redirect(suivant or settings.LOGIN_REDIRECT_URL)
        request.session[psc.SESSION_PSC_REAUTH] = suivant or settings.LOGIN_REDIRECT_URL
    else:
        request.session.pop(psc.SESSION_PSC_REAUTH, None)
        request.session[SESSION_SUIVANT] = suivant
    try:
        return psc.demarrer(request, _redirect_uri(request), reauthentification=reauth)
    except psc.EchecPSC as echec:
        return _echec(request, echec, statut=502)


@require_GET
def retour(request: HttpRequest) -> HttpResponseBase:
    if not psc.est_configure():
        raise Http404
    try:
        identite = psc.terminer(request)
    except psc.EchecPSC as echec:
        return _echec(request, echec, user=request.user if request.user.is_authenticated else None)
    if request.user.is_authenticated:
        return _reauthentification(request, identite)
    candidats = psc.comptes(identite)
    if not candidats:
        return _echec(
            request,
            psc.EchecPSC(
                "Votre identité Pro Santé Connect n'est associée à aucun compte du DUI. Demandez à "
                "l'administrateur de votre organisme d'enregistrer votre numéro RPPS sur votre compte.",
                "identifiant national inconnu",
            ),
            identifiant=identite.identifiant_national,
        )
    try:
        comptes = psc.autorises(identite, candidats)
    except psc.EchecPSC as echec:
        return _echec(request, echec, identifiant=identite.identifiant_national, user=candidats[0])
    if len(comptes) == 1:
        return _ouvrir(request, comptes[0], identite)
    request.session.cycle_key()
    request.session[psc.SESSION_PSC_CANDIDATS] = [c.pk for c in comptes]
    request.session[psc.SESSION_PSC_IDENTITE] = {
        "sub": identite.sub,
        "identifiant_national": identite.identifiant_national,
        "nom": identite.nom,
        "prenom": identite.prenom,
        "acr": identite.acr,
        "id_token": identite.id_token,
        "depuis": time.time(),
    }
    return redirect("habilitations:psc_organisme")


def _ouvrir(request: HttpRequest, compte: Professionnel, identite: psc.IdentitePSC) -> HttpResponseBase:
    psc.lier(compte, identite)
    reponse = _ouvrir_session(request, compte, MethodeAuth.PSC)
    request.session[psc.SESSION_PSC_DEPUIS] = time.time()
    request.session[psc.SESSION_PSC_ID_TOKEN] = identite.id_token
    return reponse


@require_http_methods(["GET", "POST"])
def organisme(request: HttpRequest) -> HttpResponseBase:
    """One identity, accounts in several organismes: the professional chooses one. Only the accounts the
    callback found are offered; the tenant is the chosen account's."""
    ids = request.session.get(psc.SESSION_PSC_CANDIDATS) or []
    donnees = request.session.get(psc.SESSION_PSC_IDENTITE) or {}
    if not ids or time.time() - float(donnees.get("depuis", 0)) > psc.DELAI_CHOIX:
        return redirect("habilitations:connexion")
    with auth_lookup():
        comptes = list(
            Professionnel.objects.filter(pk__in=ids, is_active=True, organisme__actif=True)
            .select_related("organisme")
            .order_by("organisme__raison_sociale")
        )
    erreur = ""
    if request.method == "POST":
        choisi = next((c for c in comptes if str(c.public_id) == request.POST.get("compte", "")), None)
        if choisi is not None:
            identite = psc.IdentitePSC(**{k: v for k, v in donnees.items() if k != "depuis"})
            for cle in (psc.SESSION_PSC_CANDIDATS, psc.SESSION_PSC_IDENTITE):
                request.session.pop(cle, None)
            return _ouvrir(request, choisi, identite)
        erreur = "Choisissez l'un des organismes proposés."
    return render(request, "habilitations/psc_organisme.html", {"comptes": comptes, "erreur": erreur})


def _reauthentification(request: HttpRequest, identite: psc.IdentitePSC) -> HttpResponseBase:
    """A PSC authentication asked by a logged-in professional: it must be theirs (same RPPS, same linked
    PSC account); then the session's PSC authentication is fresh again."""
    user = professionnel(request)
    cible = request.session.pop(psc.SESSION_PSC_REAUTH, None)
    if cible is None:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not user.rpps or identite.rpps != user.rpps or (user.psc_sub and user.psc_sub != identite.sub):
        return _echec(
            request,
            psc.EchecPSC(
                "Cette identité Pro Santé Connect n'est pas celle de votre compte : l'authentification "
                "n'est pas prise en compte.",
                "ré-authentification par une autre identité",
            ),
            identifiant=identite.identifiant_national,
            user=user,
        )
    psc.lier(user, identite)
    request.session[psc.SESSION_PSC_DEPUIS] = time.time()
    request.session[psc.SESSION_PSC_ID_TOKEN] = identite.id_token
    auth.journaliser(request, TypeEvenementAuth.REAUTHENTIFICATION, user.email, user, methode=MethodeAuth.PSC)
    return redirect(cible)
