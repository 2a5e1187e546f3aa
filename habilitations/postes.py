"""Shared care tablets (issue 23, item 7; decision 0021).

A tablet is enrolled by the organisme's administrator as a device of one ESMS: the browser receives a random
token in a long-lived cookie, the database keeps its SHA-256 (``PostePartage``). A professional who
authenticates fully on that tablet (password and second factor, or Pro Santé Connect) opens a *presence* for
their shift (``PresencePoste``); within it, taking the tablet back after someone else used it costs a tap on
their name and their PIN. Three wrong PINs close the presence (a full login again), idleness locks the tablet
back to its user picker, the end of the shift (« Terminer mon poste ») or the revocation of the tablet close it.

Every session opened by PIN rests on three things at once: the enrolled tablet (possession, revocable), the PIN
(knowledge) and a full authentication of the same person on the same tablet less than
``DUI_POSTE_DUREE_HEURES`` ago.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from dui.models import Etablissement
from dui.tenancy import auth_lookup, tenant_context

from . import auth, policy
from .models import (
    CodePIN,
    MotifFermeturePresence,
    PostePartage,
    PresencePoste,
    Professionnel,
    TypeEvenementAuth,
)

COOKIE = "dui_tablette"
SESSION_PRESENCE = "dui_presence_poste"  # the shift on a shared tablet a session belongs to


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


# --- The tablet ----------------------------------------------------------------------------------------


def tablette(request: HttpRequest) -> PostePartage | None:
    """The enrolled, unrevoked tablet this browser is (its cookie), read once per request."""
    if not hasattr(request, "_dui_tablette"):
        jeton = request.COOKIES.get(COOKIE, "")
        poste = None
        if 20 <= len(jeton) <= 100:
            with auth_lookup():
                poste = PostePartage.objects.filter(
                    empreinte_jeton=_empreinte(jeton), revoque_le__isnull=True
                ).first()
            if poste is not None:  # its ESMS (named on the picker) is read within the tablet's organisme
                with tenant_context(poste.organisme_id):
                    poste.etablissement = Etablissement.objects.get(pk=poste.etablissement_id)
        request._dui_tablette = poste  # type: ignore[attr-defined]
    resultat: PostePartage | None = request._dui_tablette  # type: ignore[attr-defined]
    return resultat


def enroler(admin: Professionnel, etablissement: Etablissement, libelle: str) -> tuple[PostePartage, str]:
    """Enrol the administrator's browser as a shared tablet of ``etablissement`` (of their organisme: the
    caller found it through the tenant). Returns the tablet and the token to put in its cookie."""
    if etablissement.organisme_id != admin.organisme_id:
        raise ValidationError("Cet établissement ne relève pas de votre organisme.")
    jeton = secrets.token_urlsafe(32)
    poste = PostePartage(
        organisme_id=admin.organisme_id,
        etablissement=etablissement,
        libelle=libelle.strip(),
        empreinte_jeton=_empreinte(jeton),
        enrole_par=admin,
    )
    poste.full_clean()
    poste.save()
    return poste, jeton


def poser_cookie(response: HttpResponseBase, jeton: str) -> None:
    response.set_cookie(
        COOKIE,
        jeton,
        max_age=settings.DUI_POSTE_JETON_JOURS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",  # sent on the way back from Pro Santé Connect (a top-level navigation)
    )


@transaction.atomic
def revoquer(admin: Professionnel, poste: PostePartage) -> None:
    """A lost or replaced tablet: its token no longer opens anything, its presences close (the sessions
    opened on it end at their next request, ``PostePartageMiddleware``)."""
    maintenant = timezone.now()
    PostePartage.objects.filter(pk=poste.pk, revoque_le__isnull=True).update(
        revoque_le=maintenant, revoque_par=admin
    )
    PresencePoste.objects.filter(poste=poste, fermee_le__isnull=True).update(
        fermee_le=maintenant, motif_fermeture=MotifFermeturePresence.REVOCATION
    )


# --- The PIN -------------------------------------------------------------------------------------------


def valider_pin(pin: str) -> None:
    """Digits only, at least ``DUI_POSTE_PIN_LONGUEUR`` and at most 8, and not guessable at first sight."""
    longueur = settings.DUI_POSTE_PIN_LONGUEUR
    if not pin.isdigit() or not (longueur <= len(pin) <= 8):
        raise ValidationError(f"Le code PIN se compose de {longueur} à 8 chiffres.")
    if len(set(pin)) == 1:
        raise ValidationError("Un code fait d'un seul chiffre répété se devine : choisissez-en un autre.")
    pas = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if pas in ({1}, {-1}):
        raise ValidationError("Une suite de chiffres (1234, 9876…) se devine : choisissez un autre code.")


def definir_pin(user: Professionnel, pin: str) -> None:
    valider_pin(pin)
    organisme_id = user.organisme_id
    if organisme_id is None:
        raise ValidationError("Les tablettes partagées sont celles d'un organisme : pas de code PIN ici.")
    with auth_lookup():
        CodePIN.objects.update_or_create(
            professionnel=user,
            defaults={"organisme_id": organisme_id, "empreinte": make_password(pin)},
        )


def a_un_pin(user: Any) -> bool:
    with auth_lookup():
        return CodePIN.objects.filter(professionnel_id=user.pk).exists()


def _pin_correct(user: Professionnel, pin: str) -> bool:
    with auth_lookup():
        empreinte = CodePIN.objects.filter(professionnel=user).values_list("empreinte", flat=True).first()
    if empreinte is None:
        make_password(pin)  # the same cost either way
        return False
    return check_password(pin, empreinte)


# --- Presences -----------------------------------------------------------------------------------------


def ouvrir_presence(request: HttpRequest, user: Professionnel, methode: str) -> PresencePoste | None:
    """After a full authentication: on an enrolled tablet of the professional's organisme, in an ESMS where
    they hold a habilitation today, open their shift on it (a previous one of theirs there is replaced)."""
    poste = tablette(request)
    if poste is None or user.organisme_id is None or poste.organisme_id != user.organisme_id:
        return None
    with tenant_context(user.organisme_id):
        if not policy.habilitations_actives(user).filter(etablissement_id=poste.etablissement_id).exists():
            return None
    maintenant = timezone.now()
    duree = min(settings.DUI_POSTE_DUREE_HEURES, settings.DUI_SESSION_MAX_HOURS)
    with auth_lookup():
        PresencePoste.objects.filter(poste=poste, professionnel=user, fermee_le__isnull=True).update(
            fermee_le=maintenant, motif_fermeture=MotifFermeturePresence.NOUVELLE_OUVERTURE
        )
        presence = PresencePoste.objects.create(
            organisme_id=user.organisme_id,
            poste=poste,
            professionnel=user,
            methode=methode,
            ouverte_le=maintenant,
            expire_le=maintenant + datetime.timedelta(hours=duree),
        )
    request.session[SESSION_PRESENCE] = presence.pk
    return presence


def _ouvertes(poste: PostePartage) -> Any:
    return PresencePoste.objects.filter(
        poste=poste,
        fermee_le__isnull=True,
        expire_le__gt=timezone.now(),
        professionnel__is_active=True,
    )


def presences(poste: PostePartage) -> list[PresencePoste]:
    """The professionals on shift on this tablet, for its user picker (by name)."""
    with auth_lookup():
        return list(
            _ouvertes(poste)
            .select_related("professionnel")
            .order_by("professionnel__nom", "professionnel__prenom")
        )


def presence(poste: PostePartage, public_id: Any) -> PresencePoste | None:
    with auth_lookup():
        trouvee: PresencePoste | None = (
            _ouvertes(poste).select_related("professionnel").filter(public_id=public_id).first()
        )
    return trouvee


def verifier_pin(presence: PresencePoste, pin: str) -> int | None:
    """None when the PIN is right (its failures reset); otherwise the attempts left, 0 when this failure
    closed the presence. Counted under a row lock: two tablets' worth of guesses never get more attempts."""
    correct = _pin_correct(presence.professionnel, pin)
    with auth_lookup():
        courante = PresencePoste.objects.select_for_update().filter(pk=presence.pk).first()
        if courante is None or courante.fermee_le is not None:
            return 0
        if correct:
            if courante.echecs_pin:
                PresencePoste.objects.filter(pk=presence.pk).update(echecs_pin=0)
            return None
        echecs = courante.echecs_pin + 1
        reste: int = max(settings.DUI_POSTE_PIN_ESSAIS - echecs, 0)
        champs: dict[str, Any] = {"echecs_pin": F("echecs_pin") + 1}
        if reste == 0:
            champs |= {"fermee_le": timezone.now(), "motif_fermeture": MotifFermeturePresence.ESSAIS_PIN}
        PresencePoste.objects.filter(pk=presence.pk).update(**champs)
        return reste


def fermer(presence_id: int, motif: str = MotifFermeturePresence.FIN_DE_POSTE) -> None:
    with auth_lookup():
        PresencePoste.objects.filter(pk=presence_id, fermee_le__isnull=True).update(
            fermee_le=timezone.now(), motif_fermeture=motif
        )


def presence_valide(request: HttpRequest, presence_id: int) -> bool:
    """The session's presence is still open, unexpired, on an unrevoked tablet, and this browser is that
    tablet (a session cookie replayed from another browser is not). One query, every request of a tablet's
    session: it runs under the request's tenant (the presence and the tablet are the professional's
    organisme's rows), no authentication window needed."""
    jeton = request.COOKIES.get(COOKIE, "")
    user: Any = request.user
    if not 20 <= len(jeton) <= 100 or not user.is_authenticated:
        return False
    valide: bool = PresencePoste.objects.filter(
        pk=presence_id,
        professionnel_id=user.pk,
        fermee_le__isnull=True,
        expire_le__gt=timezone.now(),
        poste__empreinte_jeton=_empreinte(jeton),
        poste__revoque_le__isnull=True,
    ).exists()
    return valide


def verrouiller(request: HttpRequest, evenement: str, methode: str) -> HttpResponseBase:
    """End the session on a shared tablet and go back to its user picker; the professional's shift stays
    open there (their PIN takes the tablet back)."""
    user: Any = request.user
    auth.journaliser(request, evenement, user.email, user, methode=methode)
    logout(request)
    if evenement == TypeEvenementAuth.INACTIVITE:
        messages.info(
            request,
            f"Tablette verrouillée après {settings.DUI_POSTE_INACTIVITE_MINUTES} minutes sans activité : "
            "touchez votre nom pour la reprendre.",
        )
    return redirect("habilitations:tablette")
