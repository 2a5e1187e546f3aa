"""The portal's own session: a separate URL space (``/espace/``), its own login and second factor, its own
middleware and access check. A portal account is never ``request.user``: a portal session reaches no
professional URL (they all require an authenticated professional), and a professional session is not a
portal session (the two never mix in one session: each login flushes the other).

Lockout and the journal are the professionals' (``habilitations.auth.etat_verrou`` and ``journaliser``,
in the ``portail`` space); the TOTP check is theirs too (``pas_totp``). Timeouts are the same settings.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import check_password, make_password
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone

from dui import tenancy
from habilitations.auth import journaliser, normaliser_identifiant, pas_totp
from habilitations.middleware import vers
from habilitations.models import EspaceAuth, TypeEvenementAuth

from .models import AccesPortail, CompteProche, Qualite, StatutAcces
from .regles import mesure_de_representation

PREFIXE = "/espace/"
COMPTE = "dui_portail_compte"  # the account, once both factors passed
EN_ATTENTE = "dui_portail_en_attente"  # the account whose password passed, before the second factor
ACTIVITE = "dui_portail_activite"
DEBUT = "dui_portail_debut"
_FACTICE = make_password("mot-de-passe-factice-pour-egaliser-les-temps")


def compte_par_email(email: str) -> CompteProche | None:
    identifiant = normaliser_identifiant(email)
    if not identifiant:
        return None
    with tenancy.auth_lookup():
        return CompteProche.objects.filter(email__iexact=identifiant).first()


def verifier_mot_de_passe(compte: CompteProche | None, password: str) -> bool:
    if compte is None or not compte.password:
        check_password(password, _FACTICE)  # same cost: no account oracle by timing
        return False
    return check_password(password, compte.password) and compte.actif and _organisme_actif(compte)


def _organisme_actif(compte: CompteProche) -> bool:
    from dui.models import OrganismeGestionnaire

    with tenancy.auth_lookup():
        return OrganismeGestionnaire.objects.filter(pk=compte.organisme_id, actif=True).exists()


def journal(request: HttpRequest, evenement: str, email: str, compte: CompteProche | None) -> None:
    journaliser(
        request,
        evenement,
        email,
        None,
        espace=EspaceAuth.PORTAIL,
        organisme_id=compte.organisme_id if compte is not None else None,
    )


# --- second factor ---------------------------------------------------------------------------------------


def verifier_totp(compte: CompteProche, code: str) -> bool:
    pas = pas_totp(compte.secret_clair, code, compte.totp_dernier_pas)
    if pas is None:
        return False
    with tenancy.auth_lookup():
        fait = CompteProche.objects.filter(pk=compte.pk, totp_dernier_pas__lt=pas).update(
            totp_dernier_pas=pas
        )
    compte.totp_dernier_pas = pas
    return fait == 1


def _empreinte_code(compte: CompteProche, code: str) -> str:
    chiffres = "".join(c for c in code or "" if c.isdigit())
    return hashlib.sha256(f"{settings.SECRET_KEY}:portail:{compte.pk}:{chiffres}".encode()).hexdigest()


def envoyer_code_courriel(compte: CompteProche) -> None:
    """A 6-digit code by e-mail, valid 10 minutes, for one use (the fallback second factor)."""
    from dui.queue import enqueue_on_commit

    code = f"{secrets.randbelow(1_000_000):06d}"
    with tenancy.auth_lookup():
        CompteProche.objects.filter(pk=compte.pk).update(
            code_courriel_empreinte=_empreinte_code(compte, code),
            code_courriel_expire_le=timezone.now() + datetime.timedelta(minutes=10),
        )
    enqueue_on_commit(
        "relation.envoyer_courriel",
        organisme_id=compte.organisme_id,
        destinataire=compte.email,
        sujet=f"Votre code de connexion : {code}",
        corps=f"Bonjour,\n\nVotre code de connexion à l'espace personne et proches est {code}. Il est valable "
        "10 minutes.\nSi vous n'êtes pas à l'origine de cette demande, changez votre mot de passe.\n",
    )


def verifier_code_courriel(compte: CompteProche, code: str) -> bool:
    if not compte.code_courriel_empreinte or compte.code_courriel_expire_le is None:
        return False
    if timezone.now() >= compte.code_courriel_expire_le:
        return False
    if not hmac.compare_digest(compte.code_courriel_empreinte, _empreinte_code(compte, code)):
        return False
    with tenancy.auth_lookup():
        return bool(
            CompteProche.objects.filter(
                pk=compte.pk, code_courriel_empreinte=compte.code_courriel_empreinte
            ).update(code_courriel_empreinte="", code_courriel_expire_le=None)
        )


def compte_en_attente(request: HttpRequest) -> CompteProche | None:
    """The account whose password (or invitation) passed, before its second factor."""
    compte_id = request.session.get(EN_ATTENTE)
    if not compte_id:
        return None
    with tenancy.auth_lookup():
        return CompteProche.objects.filter(pk=compte_id, actif=True).first()


def preparer_totp(compte: CompteProche) -> None:
    """A new TOTP seed (encrypted) for an account that has not confirmed its second factor yet."""
    from dui.chiffrement import chiffrer
    from habilitations.auth import nouveau_secret

    compte.totp_secret = chiffrer(nouveau_secret())
    compte.totp_dernier_pas = 0
    with tenancy.auth_lookup():
        CompteProche.objects.filter(pk=compte.pk, second_facteur="").update(
            totp_secret=compte.totp_secret, totp_dernier_pas=0
        )


def confirmer_second_facteur(compte: CompteProche, methode: str) -> None:
    with tenancy.auth_lookup():
        CompteProche.objects.filter(pk=compte.pk, second_facteur="").update(second_facteur=methode)


def ouvrir_session(request: HttpRequest, compte: CompteProche) -> None:
    """Both factors passed: a new session key, nothing of any earlier session kept."""
    request.session.flush()
    maintenant = time.time()
    request.session[COMPTE] = compte.pk
    request.session[DEBUT] = maintenant
    request.session[ACTIVITE] = maintenant
    with tenancy.auth_lookup():
        CompteProche.objects.filter(pk=compte.pk).update(derniere_connexion=timezone.now())
    journal(request, TypeEvenementAuth.SUCCES, compte.email, compte)


# --- the middleware and the access check ----------------------------------------------------------------


def _vers_connexion(request: HttpRequest) -> HttpResponseBase:
    return vers(request, reverse("relation:portail_connexion"))


class PortailMiddleware:
    """On ``/espace/`` only: load the session's portal account (its organisme active, the account active),
    bind the request's tenant to the account's organisme, end the session after inactivity or at its
    maximal length. Elsewhere a portal session is nobody."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.compte_portail = None  # type: ignore[attr-defined]
        if not request.path.startswith(PREFIXE):
            return self.get_response(request)
        session = request.session
        compte_id = session.get(COMPTE)
        if compte_id and request.user.is_authenticated:
            session.flush()  # a professional's session and a portal account never share one session
            compte_id = None
        if compte_id:
            with tenancy.auth_lookup():  # the account and its organisme, active, in one read
                compte = CompteProche.objects.filter(pk=compte_id, actif=True, organisme__actif=True).first()
            if compte is None:
                session.flush()
                return _vers_connexion(request)
            maintenant = time.time()
            if maintenant - session.get(DEBUT, maintenant) > settings.DUI_SESSION_MAX_HOURS * 3600:
                return self._fermer(
                    request,
                    compte,
                    TypeEvenementAuth.DUREE_MAXIMALE,
                    "Votre session a atteint sa durée maximale. Reconnectez-vous.",
                )
            if maintenant - session.get(ACTIVITE, maintenant) > settings.DUI_INACTIVITY_MINUTES * 60:
                return self._fermer(
                    request,
                    compte,
                    TypeEvenementAuth.INACTIVITE,
                    f"Votre session a été fermée après {settings.DUI_INACTIVITY_MINUTES} minutes d'inactivité. "
                    "Reconnectez-vous.",
                )
            if maintenant - session.get(ACTIVITE, 0) >= 30:
                session[ACTIVITE] = maintenant
            tenancy.activate(compte.organisme_id)
            request.organisme_id = compte.organisme_id  # type: ignore[attr-defined]
            request.compte_portail = compte  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _fermer(request: HttpRequest, compte: CompteProche, evenement: str, texte: str) -> HttpResponseBase:
        request.session.flush()
        journal(request, evenement, compte.email, compte)
        messages.info(request, texte)
        return _vers_connexion(request)


def compte_requis(vue: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(vue)
    def _vue(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "compte_portail", None) is None:
            return _vers_connexion(request)
        return vue(request, *args, **kwargs)

    return _vue


def acces_actifs(compte: CompteProche):
    return (
        AccesPortail.objects.filter(compte=compte, statut=StatutAcces.ACTIF, usager__archive_le__isnull=True)
        .select_related("usager", "etablissement", "proche")
        .order_by("usager__nom_recherche", "pk")
    )


def acces_ou_404(request: HttpRequest, public_id: Any, rubrique: str | None = None) -> AccesPortail:
    """The account's active access of that id, with the rubrique open; 404 for anything else (another
    person, another account's access, a revoked access, a representative whose measure has ended)."""
    compte = request.compte_portail  # type: ignore[attr-defined]
    try:
        public_id = uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        raise Http404 from None
    acces = acces_actifs(compte).filter(public_id=public_id).first()
    if acces is None or (rubrique and not getattr(acces, rubrique)):
        raise Http404
    if (
        acces.qualite == Qualite.REPRESENTANT
        and mesure_de_representation(acces.usager_id, timezone.localdate()) is None
    ):
        raise Http404
    return acces
