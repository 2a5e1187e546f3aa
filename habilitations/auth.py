"""Authentication of professionals: e-mail + password, then a TOTP second factor (PGSSI-S 2026 rule:
a password alone is not enough), limits against guessing, and a journal of every attempt.

- Per account: password and second-factor failures on one account, from every address, lock that account
  after ``DUI_LOCKOUT_ATTEMPTS`` (the account is the one the lookup resolves, so a case or Unicode variant
  of the e-mail counts on the same account; an identifier that matches no account is counted on its
  normalised form, so that the answer is the same whether the account exists or not).
- Per address: beyond ``DUI_LOCKOUT_IP_ATTEMPTS`` failures from one address, each attempt from it waits a
  doubling delay (capped): spraying is slowed, and failures on unknown accounts never lock a real user.

Why this stays hand-written rather than django-axes: decision 0009.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from dui.reseau import client_ip as client_ip  # re-exported (moved to the kernel)
from dui.tenancy import auth_lookup, current_organisme_id

from .models import (
    CodeSecours,
    DispositifTOTP,
    EspaceAuth,
    EvenementAuthentification,
    MethodeAuth,
    Professionnel,
    TypeEvenementAuth,
)

ECHECS = (TypeEvenementAuth.ECHEC_MOT_DE_PASSE, TypeEvenementAuth.ECHEC_SECOND_FACTEUR)
_DUMMY_HASH = make_password("mot-de-passe-factice-pour-egaliser-les-temps")


def normaliser_identifiant(email: str | None) -> str:
    """One form per identifier: Unicode compatibility forms folded (``ſ`` is ``s``), case folded."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()[:254]


def compte(email: str | None) -> Professionnel | None:
    """The account an identifier designates (the narrow ``auth_lookup`` window), whatever its case."""
    identifiant = normaliser_identifiant(email)
    if not identifiant:
        return None
    with auth_lookup():
        return Professionnel.objects.filter(email__iexact=identifiant).first()


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
        user = compte(email)
        if user is None:
            make_password(password, salt=None)  # same cost as a real check: no account oracle by timing
            return None
        if user.check_password(password) and user.is_active and self.organisme_actif(user):
            if user.doit_changer_mot_de_passe and mot_de_passe_temporaire_perime(user):
                return None  # an administrator's password: one session, before its expiry
            return user
        return None

    @staticmethod
    def organisme_actif(user: Professionnel) -> bool:
        if user.organisme_id is None:  # platform administrator
            return True
        from dui.models import OrganismeGestionnaire

        with auth_lookup():
            return OrganismeGestionnaire.objects.filter(pk=user.organisme_id, actif=True).exists()

    def get_user(self, user_id: Any) -> Any:
        """The session's professional, while the account and its organisme are active: one lookup within the
        request's tenant when one is bound (``dui.middleware.TenantMiddleware``), the authentication
        window otherwise (a platform administrator, a session from before the login wrote its organisme).
        The professional is marked fresh: its ``droits_version`` was just read, so the policy may use the
        rights it keeps for that version (``habilitations.policy``)."""
        organisme_id = current_organisme_id()
        if organisme_id is not None and connection.in_atomic_block:
            user = Professionnel.objects.filter(
                pk=user_id, is_active=True, organisme_id=organisme_id, organisme__actif=True
            ).first()
        else:
            with auth_lookup():
                user = (
                    Professionnel.objects.filter(pk=user_id, is_active=True)
                    .filter(Q(organisme__isnull=True) | Q(organisme__actif=True))
                    .first()
                )
        if user is not None:
            user._dui_droits_frais = True  # type: ignore[attr-defined]
        return user


def mot_de_passe_temporaire_perime(user: Professionnel) -> bool:
    expire = user.mot_de_passe_temporaire_expire_le
    return expire is not None and timezone.now() >= expire


def journaliser(
    request: HttpRequest,
    type_evenement: str,
    email: str,
    user: Professionnel | None = None,
    *,
    espace: str = EspaceAuth.PROFESSIONNELS,
    organisme_id: int | None = None,
    methode: str = MethodeAuth.LOCALE,
    motif: str = "",
) -> None:
    """Record an authentication event; a failure on a known account goes to that account's organisme
    (so its DPO sees attacks on it), a failure on an unknown e-mail to none. The space of the persons and
    relatives journals here too (``espace``, with the organisme of its account): one lockout, one journal."""
    if user is None and email and espace == EspaceAuth.PROFESSIONNELS and methode == MethodeAuth.LOCALE:
        user = compte(email)
    with auth_lookup():
        EvenementAuthentification.objects.create(
            organisme_id=getattr(user, "organisme_id", None) if user is not None else organisme_id,
            espace=espace,
            professionnel=user,
            email_saisi=normaliser_identifiant(email),
            type_evenement=type_evenement,
            methode=methode,
            motif=motif[:300],
            adresse_ip=client_ip(request),
            agent_utilisateur=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


@dataclass(frozen=True)
class Verrou:
    compte_verrouille: bool = False
    attente: int = 0  # seconds the address must still wait

    @property
    def refuse(self) -> bool:
        return self.compte_verrouille or self.attente > 0


def etat_verrou(
    email: str, user: Professionnel | None, ip: str | None, espace: str = EspaceAuth.PROFESSIONNELS
) -> Verrou:
    """The lockout of an identifier and of an address. The portal's accounts are counted on their
    normalised e-mail (``user`` is None), within their space."""
    maintenant = timezone.now()
    fenetre = maintenant - datetime.timedelta(minutes=settings.DUI_LOCKOUT_MINUTES)
    with auth_lookup():
        evenements = EvenementAuthentification.objects.filter(horodatage__gte=fenetre, espace=espace)
        du_compte = (
            evenements.filter(professionnel=user)
            if user is not None
            else evenements.filter(professionnel__isnull=True, email_saisi=normaliser_identifiant(email))
        )
        dernier_succes = (
            du_compte.filter(type_evenement=TypeEvenementAuth.SUCCES)
            .order_by("-horodatage")
            .values_list("horodatage", flat=True)
            .first()
        )
        echecs = du_compte.filter(type_evenement__in=ECHECS)
        if dernier_succes:
            echecs = echecs.filter(horodatage__gt=dernier_succes)
        if echecs.count() >= settings.DUI_LOCKOUT_ATTEMPTS:
            return Verrou(compte_verrouille=True)
        if not ip:
            return Verrou()
        de_l_adresse = evenements.filter(adresse_ip=ip, type_evenement__in=ECHECS)
        nombre = de_l_adresse.count()
        if nombre < settings.DUI_LOCKOUT_IP_ATTEMPTS:
            return Verrou()
        dernier = de_l_adresse.order_by("-horodatage").values_list("horodatage", flat=True).first()
    delai = min(2 ** (nombre - settings.DUI_LOCKOUT_IP_ATTEMPTS), settings.DUI_LOCKOUT_IP_DELAY_MAX)
    reste = delai - int((maintenant - dernier).total_seconds()) if dernier else 0
    return Verrou(attente=max(reste, 0))


# --- TOTP (RFC 6238, 30-second steps, 6 digits) ------------------------------------------------------


def nouveau_secret() -> str:
    return pyotp.random_base32(length=32)


def emettre_code_enrolement(user: Professionnel) -> str:
    """A new, unconfirmed second factor for ``user`` (the old one and its recovery codes are removed) and
    the one-time code that lets them enrol it, valid ``DUI_CODE_ENROLEMENT_HEURES``: handed over by the
    administrator, never sent with the password."""
    from dui.chiffrement import chiffrer

    code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    with auth_lookup():
        DispositifTOTP.objects.filter(professionnel=user).delete()
        CodeSecours.objects.filter(professionnel=user).delete()
        DispositifTOTP.objects.create(
            organisme_id=user.organisme_id,
            professionnel=user,
            secret=chiffrer(nouveau_secret()),
            empreinte_code_enrolement=_empreinte(code),
            code_enrolement_expire_le=timezone.now()
            + datetime.timedelta(hours=settings.DUI_CODE_ENROLEMENT_HEURES),
        )
    return code


def utiliser_code_enrolement(dispositif: DispositifTOTP, code: str) -> bool:
    """Check and consume the enrolment code (single use, before its expiry)."""
    if not dispositif.empreinte_code_enrolement or dispositif.confirme:
        return False
    if dispositif.code_enrolement_expire_le is None or timezone.now() >= dispositif.code_enrolement_expire_le:
        return False
    if not hmac.compare_digest(dispositif.empreinte_code_enrolement, _empreinte(code or "")):
        return False
    with auth_lookup():
        return bool(
            DispositifTOTP.objects.filter(
                pk=dispositif.pk, empreinte_code_enrolement=dispositif.empreinte_code_enrolement
            ).update(empreinte_code_enrolement="", code_enrolement_expire_le=None)
        )


def uri_provisioning(user: Professionnel, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.DUI_TOTP_ISSUER)


def verifier_totp(dispositif: DispositifTOTP, code: str, maintenant: datetime.datetime | None = None) -> bool:
    """Accept the current step ±1 (clock drift), never the same or an earlier step twice (replay)."""
    pas = pas_totp(dispositif.secret_clair, code, dispositif.dernier_pas, maintenant)
    if pas is None:
        return False
    with auth_lookup():
        updated = DispositifTOTP.objects.filter(pk=dispositif.pk, dernier_pas__lt=pas).update(dernier_pas=pas)
    dispositif.dernier_pas = pas
    return updated == 1


def pas_totp(
    secret: str, code: str, dernier_pas: int, maintenant: datetime.datetime | None = None
) -> int | None:
    """The time step ``code`` matches (current ±1), if it is later than ``dernier_pas``; the caller stores
    it (conditionally, so that two concurrent uses of one code cannot both pass). Shared by every kind of
    account that has a TOTP (professionals, the portal of the persons and relatives)."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6 or not secret:
        return None
    maintenant = maintenant or timezone.now()
    totp = pyotp.TOTP(secret)
    pas_courant = int(maintenant.timestamp()) // totp.interval
    for decalage in (0, -1, 1):
        pas = pas_courant + decalage
        if pas > dernier_pas and hmac.compare_digest(totp.generate_otp(pas), code):
            return pas
    return None


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
