"""Login with a second factor, enrolment, account, break-the-glass and its review."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dui.adresses import adresse_locale
from dui.chiffrement import chiffrer, dechiffrer
from dui.forms import traitement
from dui.models import Etablissement
from dui.tenancy import SESSION_ORGANISME, auth_lookup
from habilitations.access import for_tenant, professionnel

from . import auth, policy, postes, psc, selectors, services
from .forms import BrisDeGlaceForm, CodeEnrolementForm, CodeForm, ConnexionForm, MotDePasseForm, RevueForm
from .middleware import SESSION_2FA, SESSION_ACTIVITE, SESSION_DEBUT, SESSION_METHODE
from .models import (
    DispositifTOTP,
    MethodeAuth,
    NiveauPSC,
    PresencePoste,
    Professionnel,
    TypeEvenementAuth,
)

SESSION_EN_ATTENTE = "dui_2fa_user"
SESSION_EN_ATTENTE_DEPUIS = "dui_2fa_depuis"
SESSION_SUIVANT = "dui_suivant"
SESSION_ENROLEMENT = "dui_enrolement_autorise"  # the device whose enrolment code was given
SESSION_CODES = "dui_codes_secours"  # recovery codes waiting to be shown once, encrypted
DELAI_SECOND_FACTEUR = 300  # seconds between the password and the second factor

MSG_ECHEC = "Adresse e-mail ou mot de passe incorrect."
MSG_PSC_EXIGE = (
    "Votre organisme exige Pro Santé Connect pour votre rôle : connectez-vous avec le bouton "
    "« Se connecter avec Pro Santé Connect » (carte CPS ou application e-CPS)."
)
MSG_VERROU = (
    f"Trop de tentatives pour ce compte. Réessayez dans {settings.DUI_LOCKOUT_MINUTES} minutes "
    "ou contactez l'administrateur de votre organisme."
)


def message_verrou(verrou: auth.Verrou) -> str:
    if verrou.compte_verrouille:
        return MSG_VERROU
    return f"Trop de tentatives depuis ce poste : patientez {verrou.attente} secondes avant de réessayer."


def _suivant(request: HttpRequest) -> str:
    return adresse_locale(request, request.session.get(SESSION_SUIVANT)) or settings.LOGIN_REDIRECT_URL


def _utilisateur_en_attente(request: HttpRequest) -> Professionnel | None:
    user_id = request.session.get(SESSION_EN_ATTENTE)
    depuis = request.session.get(SESSION_EN_ATTENTE_DEPUIS, 0)
    if not user_id or time.time() - depuis > DELAI_SECOND_FACTEUR:
        return None
    with auth_lookup():
        return Professionnel.objects.filter(pk=user_id, is_active=True).first()


def _dispositif(user: Professionnel) -> DispositifTOTP | None:
    with auth_lookup():
        return DispositifTOTP.objects.filter(professionnel=user).first()


@require_http_methods(["GET", "POST"])
def connexion(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method == "GET" and request.GET.get("deconnexion") == "psc":  # back from PSC's logout
        messages.info(request, "Vous êtes déconnecté(e) du DUI et de Pro Santé Connect.")
    form = ConnexionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        verrou = auth.etat_verrou(email, auth.compte(email), auth.client_ip(request))
        if verrou.refuse:
            auth.journaliser(request, TypeEvenementAuth.VERROUILLE, email)
            form.add_error(None, message_verrou(verrou))
        else:
            user = auth.EmailBackend().authenticate(
                request, email=email, password=form.cleaned_data["password"]
            )
            if user is None:
                auth.journaliser(request, TypeEvenementAuth.ECHEC_MOT_DE_PASSE, email)
                form.add_error(None, MSG_ECHEC)
            elif psc.niveau(user) == NiveauPSC.REQUISE:
                auth.journaliser(
                    request, TypeEvenementAuth.LOCALE_REFUSEE, email, user, motif="Pro Santé Connect exigé"
                )
                form.add_error(None, MSG_PSC_EXIGE)
            else:
                request.session.cycle_key()
                request.session[SESSION_EN_ATTENTE] = user.pk
                request.session[SESSION_EN_ATTENTE_DEPUIS] = time.time()
                request.session[SESSION_SUIVANT] = request.GET.get("next", "")
                dispositif = _dispositif(user)
                if dispositif is None or not dispositif.confirme:
                    return redirect("habilitations:enrolement")
                return redirect("habilitations:second_facteur")
    return render(
        request,
        "habilitations/connexion.html",
        {
            "form": form,
            "psc": psc.est_configure(),
            "suivant": request.GET.get("next", ""),
            "tablette": postes.tablette(request),
        },
    )


def _ouvrir_session(
    request: HttpRequest,
    user: Professionnel,
    methode: str = MethodeAuth.LOCALE,
    presence: PresencePoste | None = None,
) -> HttpResponseBase:
    """Open the professional's session after a full authentication — or, with ``presence``, after their PIN
    on a shared tablet, within the shift that full authentication opened there (``habilitations.postes``):
    the session's absolute lifetime then counts from that full authentication."""
    suivant = _suivant(request)
    for cle in (SESSION_EN_ATTENTE, SESSION_EN_ATTENTE_DEPUIS, SESSION_SUIVANT):
        request.session.pop(cle, None)
    with auth_lookup():
        login(request, user, backend="habilitations.auth.EmailBackend")
    request.session[SESSION_2FA] = True
    request.session[SESSION_ORGANISME] = user.organisme_id  # the next requests' tenant (dui.middleware)
    request.session[SESSION_ACTIVITE] = request.session[SESSION_DEBUT] = time.time()
    request.session[SESSION_METHODE] = methode
    if presence is not None:
        request.session[SESSION_DEBUT] = presence.ouverte_le.timestamp()
        request.session[postes.SESSION_PRESENCE] = presence.pk
    elif postes.ouvrir_presence(request, user, methode) is not None and not postes.a_un_pin(user):
        messages.info(
            request,
            "Cette tablette est partagée : choisissez un code PIN pour la reprendre d'une touche pendant "
            "votre poste.",
        )
        suivant = f"{reverse('habilitations:code_pin')}?suivant={quote(suivant)}"
    if (
        methode == MethodeAuth.LOCALE and user.doit_changer_mot_de_passe
    ):  # an administrator's password: one session
        user.mot_de_passe_temporaire_expire_le = timezone.now()
        with auth_lookup():
            user.save(update_fields=["mot_de_passe_temporaire_expire_le"])
    auth.journaliser(request, TypeEvenementAuth.SUCCES, user.email, user, methode=methode)
    return redirect(suivant)


@require_http_methods(["GET", "POST"])
def second_facteur(request: HttpRequest) -> HttpResponseBase:
    user = _utilisateur_en_attente(request)
    if user is None:
        messages.warning(request, "Votre saisie a expiré : identifiez-vous de nouveau.")
        return redirect("habilitations:connexion")
    dispositif = _dispositif(user)
    if dispositif is None or not dispositif.confirme:
        return redirect("habilitations:enrolement")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        verrou = auth.etat_verrou(user.email, user, auth.client_ip(request))
        if verrou.refuse:
            auth.journaliser(request, TypeEvenementAuth.VERROUILLE, user.email, user)
            form.add_error(None, message_verrou(verrou))
        elif auth.verifier_totp(dispositif, code) or (
            len(code) > 6 and auth.utiliser_code_secours(user, code)
        ):
            return _ouvrir_session(request, user)
        else:
            auth.journaliser(request, TypeEvenementAuth.ECHEC_SECOND_FACTEUR, user.email, user)
            form.add_error("code", "Code incorrect ou déjà utilisé.")
    return render(request, "habilitations/second_facteur.html", {"form": form})


@require_http_methods(["GET", "POST"])
def enrolement(request: HttpRequest) -> HttpResponseBase:
    """First login, or after a reset: the one-time code issued by the administrator, then an authenticator
    application (QR code), confirmed by its first code; then the recovery codes."""
    user = _utilisateur_en_attente(request)
    if user is None:
        return redirect("habilitations:connexion")
    dispositif = _dispositif(user)
    if dispositif is not None and dispositif.confirme:
        return redirect("habilitations:second_facteur")
    if dispositif is None or request.session.get(SESSION_ENROLEMENT) != dispositif.pk:
        return _code_enrolement(request, user, dispositif)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if auth.verifier_totp(dispositif, form.cleaned_data["code"]):
            with auth_lookup():
                DispositifTOTP.objects.filter(pk=dispositif.pk).update(confirme=True)
            codes = auth.generer_codes_secours(user)
            request.session.pop(SESSION_ENROLEMENT, None)
            response = _ouvrir_session(request, user)
            request.session[SESSION_CODES] = chiffrer(json.dumps(codes))  # the session row is not in clear
            return redirect("habilitations:codes_secours") if response.status_code == 302 else response
        auth.journaliser(request, TypeEvenementAuth.ECHEC_SECOND_FACTEUR, user.email, user)
        form.add_error("code", "Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
    secret = dispositif.secret_clair
    uri = auth.uri_provisioning(user, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    secret_groupe = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "habilitations/enrolement.html",
        {"form": form, "qr": qr, "secret": secret_groupe, "professionnel": user},
    )


def _code_enrolement(
    request: HttpRequest, user: Professionnel, dispositif: DispositifTOTP | None
) -> HttpResponseBase:
    """The step before the QR code: the one-time code handed over by the organisme's administrator (a
    stolen password alone cannot enrol a new second factor). Failures count towards the lockout."""
    form = CodeEnrolementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verrou = auth.etat_verrou(user.email, user, auth.client_ip(request))
        if verrou.refuse:
            auth.journaliser(request, TypeEvenementAuth.VERROUILLE, user.email, user)
            form.add_error(None, message_verrou(verrou))
        elif dispositif is not None and auth.utiliser_code_enrolement(dispositif, form.cleaned_data["code"]):
            request.session[SESSION_ENROLEMENT] = dispositif.pk
            return redirect("habilitations:enrolement")
        else:
            auth.journaliser(request, TypeEvenementAuth.ECHEC_SECOND_FACTEUR, user.email, user)
            form.add_error("code", "Code d'enrôlement incorrect, déjà utilisé ou expiré.")
    return render(request, "habilitations/code_enrolement.html", {"form": form})


@login_required
def codes_secours(request: HttpRequest) -> HttpResponseBase:
    chiffres = request.session.pop(SESSION_CODES, None)
    codes = json.loads(dechiffrer(chiffres)) if chiffres else None
    if not codes:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "habilitations/codes_secours.html", {"codes": codes})


@login_required
@require_POST
def regenerer_codes_secours(request: HttpRequest) -> HttpResponseBase:
    request.session[SESSION_CODES] = chiffrer(json.dumps(auth.generer_codes_secours(professionnel(request))))
    return redirect("habilitations:codes_secours")


@require_POST
def deconnexion(request: HttpRequest) -> HttpResponseBase:
    inactivite = request.POST.get("motif") == "inactivite"
    id_token = request.session.get(psc.SESSION_PSC_ID_TOKEN, "")
    methode = request.session.get(SESSION_METHODE, MethodeAuth.LOCALE)
    presence_id = request.session.get(postes.SESSION_PRESENCE)
    if presence_id and inactivite and request.user.is_authenticated:
        # a shared tablet left idle locks back to its user picker: the shift stays open on it
        return postes.verrouiller(request, TypeEvenementAuth.INACTIVITE, methode)
    if request.user.is_authenticated:
        evenement = TypeEvenementAuth.INACTIVITE if inactivite else TypeEvenementAuth.DECONNEXION
        auth.journaliser(request, evenement, request.user.email, request.user, methode=methode)
    if presence_id:
        postes.fermer(presence_id)  # « Terminer mon poste »: the PIN no longer opens anything here
    logout(request)
    if id_token and psc.est_configure():
        # the session at PSC ends too (RP-initiated logout); a page, not a redirect: the logout form's
        # CSP (form-action 'self') would block a redirect to another origin
        retour = request.build_absolute_uri(reverse("habilitations:connexion")) + "?deconnexion=psc"
        url = psc.url_de_deconnexion(id_token, retour)
        if url:
            return render(request, "habilitations/deconnexion_psc.html", {"url": url})
    if inactivite:
        messages.info(
            request,
            f"Votre session a été fermée après {settings.DUI_INACTIVITY_MINUTES} minutes "
            "d'inactivité. Reconnectez-vous.",
        )
    else:
        messages.info(request, "Vous êtes déconnecté(e).")
    return redirect("habilitations:connexion")


@login_required
@require_http_methods(["GET", "POST"])
def mon_compte(request: HttpRequest) -> HttpResponseBase:
    user = professionnel(request)
    form = MotDePasseForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_changer_mot_de_passe(user, form.cleaned_data["nouveau"])
        except ValidationError as exc:
            form.add_error("nouveau", exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Mot de passe modifié.")
            return redirect("habilitations:mon_compte")
    habilitations = policy.habilitations_actives(request.user).select_related("etablissement")
    return render(
        request,
        "habilitations/mon_compte.html",
        {"form": form, "habilitations": habilitations, "a_un_pin": postes.a_un_pin(user)},
    )


# --- Break-the-glass -------------------------------------------------------------------------------

BRIS_DE_GLACE_CIBLES = {"etablissement": Etablissement}


@login_required
@require_http_methods(["GET", "POST"])
def bris_de_glace(request: HttpRequest, objet_type: str, public_id: Any) -> HttpResponseBase:
    model = BRIS_DE_GLACE_CIBLES.get(objet_type)
    if model is None:
        raise Http404
    obj = for_tenant(request.user, model.objects.all()).filter(public_id=public_id).first()
    if obj is None or not policy.roles_par_etablissement(request.user):
        raise Http404
    form = BrisDeGlaceForm(request.POST or None)
    reauth = psc.reauthentification_requise(request, professionnel(request))
    if reauth is not None:
        if request.method == "POST":
            form.is_valid()
            form.add_error(
                None,
                f"Votre organisme demande une authentification Pro Santé Connect de moins de {reauth} "
                "minutes pour ouvrir un accès exceptionnel : authentifiez-vous d'abord.",
            )
        return render(
            request,
            "habilitations/bris_de_glace.html",
            {"form": form, "objet": obj, "reauth": reauth, "psc": psc.est_configure()},
            status=403 if request.method == "POST" else 200,
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_ouvrir_bris_de_glace(request, obj, form.cleaned_data["motif"])
        except ValidationError as exc:
            form.add_error("motif", exc.messages[0])
        else:
            messages.warning(
                request,
                f"Accès exceptionnel ouvert pour {settings.DUI_BREAK_GLASS_HOURS} h. "
                "Il est journalisé et sera revu par la direction.",
            )
            return redirect(obj.get_absolute_url())
    return render(request, "habilitations/bris_de_glace.html", {"form": form, "objet": obj})


@login_required
def revue_bris_de_glace(request: HttpRequest) -> HttpResponseBase:
    acces = selectors.bris_de_glace_a_revoir(request.user)
    if acces is None:
        raise Http404
    return render(
        request,
        "habilitations/revue_bris_de_glace.html",
        {
            "acces": acces.select_related("professionnel", "etablissement", "revu_par")[:200],
            "form": RevueForm(),
        },
    )


@login_required
@require_POST
def revoir_bris_de_glace(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    acces = selectors.bris_de_glace_a_revoir(request.user)
    if acces is None:
        raise Http404
    bdg = acces.filter(public_id=public_id).first()
    if bdg is None:
        raise Http404
    form = RevueForm(request.POST)
    if form.is_valid():
        with traitement(request=request, refus_404=False):
            services.do_revoir_bris_de_glace(
                professionnel(request), bdg, form.cleaned_data["avis"], form.cleaned_data["commentaire"]
            )
            messages.success(request, "Revue enregistrée.")
    else:
        messages.error(request, "Choisissez un avis pour enregistrer la revue.")
    return redirect("habilitations:revue_bris_de_glace")
