"""Authentication of professionals: e-mail + password, then a TOTP second factor (PGSSI-S 2026 rule:
a password alone is not enough), lockout against guessing, and a journal of every attempt.

Lockout counts failures per (account, source address) — an attacker elsewhere cannot lock a
professional out of their own workstation — and per source address across accounts, against spraying.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils import timezone

from dui.reseau import client_ip as client_ip  # re-exported (moved to the kernel)
from dui.tenancy import auth_lookup

from .models import CodeSecours, DispositifTOTP, EvenementAuthentification, Professionnel, TypeEvenementAuth

ECHECS = (TypeEvenementAuth.ECHEC_MOT_DE_PASSE, TypeEvenementAuth.ECHEC_SECOND_FACTEUR)
_DUMMY_HASH = make_password("mot-de-passe-factice-pour-egaliser-les-temps")


class EmailBackend(BaseBackend):
    """Finds the professional by e-mail across tenants (the one narrow ``auth_lookup`` window)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Professionnel | None:
        if not email or not password:
            return None
        with auth_lookup():
            user = Professionnel.objects.filter(email__iexact=email.strip()).first()
            if user is None:
                make_password(password, salt=None)  # same cost as a real check: no account oracle by timing
                return None
            if user.check_password(password) and user.is_active:
                return user
        return None

    def get_user(self, user_id: Any) -> Any:
        with auth_lookup():
            return Professionnel.objects.filter(pk=user_id, is_active=True).first()


def journaliser(
    request: HttpRequest, type_evenement: str, email: str, user: Professionnel | None = None
) -> None:
    """Record an authentication event; a failure on a known account goes to that account's organisme
    (so its DPO sees attacks on it), a failure on an unknown e-mail to none."""
    with auth_lookup():
        if user is None and email:
            user = Professionnel.objects.filter(email__iexact=email.strip()).first()
        EvenementAuthentification.objects.create(
            organisme_id=getattr(user, "organisme_id", None),
            professionnel=user,
            email_saisi=(email or "")[:254].strip().lower(),
            type_evenement=type_evenement,
            adresse_ip=client_ip(request),
            agent_utilisateur=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


def est_verrouille(email: str, ip: str | None) -> bool:
    fenetre = timezone.now() - datetime.timedelta(minutes=settings.DUI_LOCKOUT_MINUTES)
    email = (email or "").strip().lower()
    with auth_lookup():
        evenements = EvenementAuthentification.objects.filter(horodatage__gte=fenetre, adresse_ip=ip)
        dernier_succes = (
            evenements.filter(email_saisi=email, type_evenement=TypeEvenementAuth.SUCCES)
            .order_by("-horodatage")
            .values_list("horodatage", flat=True)
            .first()
        )
        echecs_paire = evenements.filter(email_saisi=email, type_evenement__in=ECHECS)
        if dernier_succes:
            echecs_paire = echecs_paire.filter(horodatage__gt=dernier_succes)
        if echecs_paire.count() >= settings.DUI_LOCKOUT_ATTEMPTS:
            return True
        return bool(evenements.filter(type_evenement__in=ECHECS).count() >= settings.DUI_LOCKOUT_IP_ATTEMPTS)


# --- TOTP (RFC 6238, 30-second steps, 6 digits) ------------------------------------------------------


def nouveau_secret() -> str:
    return pyotp.random_base32(length=32)


def uri_provisioning(user: Professionnel, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.DUI_TOTP_ISSUER)


def verifier_totp(dispositif: DispositifTOTP, code: str, maintenant: datetime.datetime | None = None) -> bool:
    """Accept the current step ±1 (clock drift), never the same or an earlier step twice (replay)."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return False
    maintenant = maintenant or timezone.now()
    totp = pyotp.TOTP(dispositif.secret)
    pas_courant = int(maintenant.timestamp()) // totp.interval
    for decalage in (0, -1, 1):
        pas = pas_courant + decalage
        if pas <= dispositif.dernier_pas:
            continue
        if hmac.compare_digest(totp.generate_otp(pas), code):
            with auth_lookup():
                updated = DispositifTOTP.objects.filter(pk=dispositif.pk, dernier_pas__lt=pas).update(
                    dernier_pas=pas
                )
            dispositif.dernier_pas = pas
            return updated == 1
    return False


def _empreinte(code: str) -> str:
    normalise = code.replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(f"{settings.SECRET_KEY}:{normalise}".encode()).hexdigest()


def generer_codes_secours(user: Professionnel, nombre: int = 10) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(nombre)]
    with auth_lookup():
        CodeSecours.objects.filter(professionnel=user).delete()
        CodeSecours.objects.bulk_create(
            CodeSecours(organisme_id=user.organisme_id, professionnel=user, empreinte=_empreinte(c))
            for c in codes
        )
    return codes


def utiliser_code_secours(user: Professionnel, code: str) -> bool:
    with auth_lookup():
        return bool(
            CodeSecours.objects.filter(
                professionnel=user, empreinte=_empreinte(code or ""), utilise_le__isnull=True
            ).update(utilise_le=timezone.now())
        )
