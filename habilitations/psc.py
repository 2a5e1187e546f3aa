"""Pro Santé Connect (PSC), the national OpenID Connect login of health and social professionals (CPS card,
e-CPS app): the client, the account linking and the organisme's policy (decision 0017).

- **The protocol is Authlib's** (``authlib.integrations.django_client``): authorization code flow with PKCE
  (S256), ``state`` and ``nonce`` kept in the session and used once, the ID token's signature checked
  against the provider's published keys (JWKS, cached in the process and fetched again when a token names
  an unknown key: a rotation), its issuer, audience, expiry and nonce. What PSC adds is checked here: the
  authentication level (``acr``), the ``sub`` of the userinfo equal to the ID token's, the national
  identifier (``SubjectNameID``: ``8`` + RPPS) in the userinfo, which may be plain JSON or a signed JWT.
- **Linking**: a PSC identity maps to the professional whose RPPS matches, in each active organisme —
  never by e-mail. The first PSC login records the PSC ``sub`` on the account; a later login with the same
  identifier but another ``sub`` is refused (the administrator clears the link by changing the RPPS). One
  identifier known in several organismes: the professional chooses the account; the tenant is the
  account's.
- **Policy** (``PolitiquePSC``): per role, PSC required (password refused), preferred, or off; and the
  break-the-glass may require a PSC authentication of less than N minutes.

Every failure raises ``EchecPSC`` with a French message for the professional and a short reason for the
authentication journal.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from dui.tenancy import auth_lookup, tenant_context

from .models import Habilitation, NiveauPSC, PolitiquePSC, Professionnel

NOM = "psc"
SESSION_PSC_DEPUIS = "dui_psc_depuis"  # epoch seconds of the last PSC authentication of this session
SESSION_PSC_ID_TOKEN = "dui_psc_id_token"  # for the logout at PSC (id_token_hint)
SESSION_PSC_CANDIDATS = "dui_psc_candidats"  # accounts offered when one identity has several organismes
SESSION_PSC_IDENTITE = "dui_psc_identite"
SESSION_PSC_REAUTH = "dui_psc_reauth"  # the URL a re-authentication returns to
DELAI_CHOIX = 300  # seconds to choose the organisme after the PSC login


class EchecPSC(Exception):
    """A PSC login that cannot go on: ``message`` for the professional (French), ``motif`` for the journal."""

    def __init__(self, message: str, motif: str) -> None:
        super().__init__(message)
        self.message, self.motif = message, motif


@dataclass(frozen=True)
class IdentitePSC:
    sub: str
    identifiant_national: str
    nom: str
    prenom: str
    acr: str
    id_token: str
    professions: list[str] = field(default_factory=list)

    @property
    def rpps(self) -> str:
        """The RPPS of an identifier ``8`` + 11 digits (RPPS, or RPPS+ for the staff of an ESMS); empty for
        another kind (ADELI-based identifiers, which the DUI does not record)."""
        ident = self.identifiant_national
        return ident[1:] if len(ident) == 12 and ident.startswith("8") and ident.isdigit() else ""


def est_configure() -> bool:
    return bool(settings.DUI_PSC_DISCOVERY_URL and settings.DUI_PSC_CLIENT_ID)


_clients: dict[tuple[str, ...], Any] = {}


def client() -> Any:
    """The Authlib client of the configured provider, one per configuration and process: its discovery
    document and keys stay cached between requests."""
    cle = (
        settings.DUI_PSC_DISCOVERY_URL,
        settings.DUI_PSC_CLIENT_ID,
        settings.DUI_PSC_CLIENT_SECRET,
        settings.DUI_PSC_SCOPES,
        settings.DUI_PSC_CERT,
        settings.DUI_PSC_KEY,
        settings.DUI_PSC_CA,
    )
    if cle not in _clients:
        if settings.PRODUCTION and not settings.DUI_PSC_DISCOVERY_URL.lower().startswith("https://"):
            raise EchecPSC(
                "Pro Santé Connect est mal configuré sur ce serveur (adresse non chiffrée).", "configuration"
            )
        registre = OAuth()
        client_kwargs: dict[str, Any] = {
            "scope": settings.DUI_PSC_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.DUI_PSC_TIMEOUT,
        }
        if settings.DUI_PSC_CERT:  # mutual TLS with the certificate the ANS issued for the service
            client_kwargs["cert"] = (
                (settings.DUI_PSC_CERT, settings.DUI_PSC_KEY)
                if settings.DUI_PSC_KEY
                else settings.DUI_PSC_CERT
            )
        if settings.DUI_PSC_CA:
            client_kwargs["verify"] = settings.DUI_PSC_CA
        registre.register(
            NOM,
            client_id=settings.DUI_PSC_CLIENT_ID,
            client_secret=settings.DUI_PSC_CLIENT_SECRET or None,
            server_metadata_url=settings.DUI_PSC_DISCOVERY_URL,
            client_kwargs=client_kwargs,
        )
        _clients[cle] = registre.create_client(NOM)
    return _clients[cle]


def oublier_les_clients() -> None:
    """Forget the cached clients (tests that restart a provider on a new port)."""
    _clients.clear()


def _injoignable(exc: Exception) -> EchecPSC:
    return EchecPSC(
        "Pro Santé Connect est injoignable pour le moment. Réessayez dans quelques minutes ou "
        "connectez-vous avec votre adresse e-mail si votre organisme le permet.",
        f"fournisseur injoignable ({exc.__class__.__name__})",
    )


def demarrer(
    request: HttpRequest, redirect_uri: str, *, reauthentification: bool = False
) -> HttpResponseBase:
    """The redirect to PSC's authorization endpoint (state, nonce and PKCE verifier kept in the session)."""
    import requests

    params: dict[str, Any] = {"acr_values": settings.DUI_PSC_ACR}
    if reauthentification:
        params["prompt"] = "login"
        params["max_age"] = 0
    try:
        reponse: HttpResponseBase = client().authorize_redirect(request, redirect_uri, **params)
    except (requests.RequestException, ValueError) as exc:
        raise _injoignable(exc) from exc
    return reponse


_MESSAGE_JETON = (
    "La réponse de Pro Santé Connect n'a pas pu être vérifiée : la connexion est refusée. "
    "Recommencez ; si cela se reproduit, prévenez l'administrateur de votre organisme."
)


def terminer(request: HttpRequest) -> IdentitePSC:
    """The identity of the callback: code exchanged, ID token and userinfo verified. Raises ``EchecPSC``."""
    import requests

    if request.GET.get("error"):
        erreur = request.GET.get("error", "")[:60]
        if erreur == "access_denied":
            raise EchecPSC("Connexion Pro Santé Connect annulée.", "annulée par le professionnel")
        raise EchecPSC(
            "Pro Santé Connect a refusé la connexion. Recommencez ou prévenez l'administrateur.",
            f"erreur du fournisseur : {erreur}",
        )
    app = client()
    try:
        # Authlib checks the audience and the expiry only when asked to: both are essential here
        options = {
            "iss": {"essential": True, "values": [app.load_server_metadata().get("issuer")]},
            "aud": {"essential": True, "values": [settings.DUI_PSC_CLIENT_ID]},
            "exp": {"essential": True},
            "sub": {"essential": True},
        }
        jeton = app.authorize_access_token(request, claims_options=options)
    except AuthlibBaseError as exc:
        if getattr(exc, "error", "") == "mismatching_state":
            raise EchecPSC(
                "Cette réponse de Pro Santé Connect ne correspond à aucune connexion en cours (lien expiré "
                "ou déjà utilisé). Recommencez la connexion.",
                "state invalide ou déjà utilisé",
            ) from exc
        raise EchecPSC(_MESSAGE_JETON, f"échange du code refusé ({getattr(exc, 'error', '')})") from exc
    except ExpiredTokenError as exc:
        raise EchecPSC(_MESSAGE_JETON, "jeton d'identité expiré") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise EchecPSC(_MESSAGE_JETON, f"jeton d'identité : revendication « {exc.claim} » invalide") from exc
    except InvalidKeyIdError as exc:
        raise EchecPSC(_MESSAGE_JETON, "jeton d'identité signé par une clé inconnue") from exc
    except JoseError as exc:
        raise EchecPSC(_MESSAGE_JETON, f"jeton d'identité invalide ({exc.error})") from exc
    except requests.RequestException as exc:
        raise _injoignable(exc) from exc
    claims = jeton.get("userinfo")
    if not claims:
        raise EchecPSC(_MESSAGE_JETON, "pas de jeton d'identité")
    acr = str(claims.get("acr") or "")
    if acr not in settings.DUI_PSC_ACR_ACCEPTES:
        raise EchecPSC(
            "Le niveau d'authentification de Pro Santé Connect est insuffisant : utilisez votre carte CPS "
            "ou l'application e-CPS.",
            f"niveau d'authentification insuffisant (acr « {acr[:40]} »)",
        )
    infos = _userinfo(app, jeton)
    if str(infos.get("sub") or "") != str(claims["sub"]):
        raise EchecPSC(_MESSAGE_JETON, "sub des informations différent de celui du jeton")
    identifiant = str(infos.get("SubjectNameID") or infos.get("preferred_username") or "").strip()
    if not identifiant:
        raise EchecPSC(_MESSAGE_JETON, "identifiant national absent")
    professions = []
    for exercice in (infos.get("SubjectRefPro") or {}).get("exercices") or []:
        if isinstance(exercice, dict) and exercice.get("codeProfession"):
            professions.append(str(exercice["codeProfession"]))
    return IdentitePSC(
        sub=str(claims["sub"]),
        identifiant_national=identifiant[:40],
        nom=str(infos.get("family_name") or "")[:100],
        prenom=str(infos.get("given_name") or "")[:100],
        acr=acr,
        id_token=jeton.get("id_token", ""),
        professions=professions,
    )


def _userinfo(app: Any, jeton: dict[str, Any]) -> dict[str, Any]:
    """The userinfo, as JSON or as a JWT signed with the provider's keys (PSC signs it)."""
    import requests

    metadata = app.load_server_metadata()
    try:
        reponse = app.get(metadata["userinfo_endpoint"], token=jeton)
        reponse.raise_for_status()
    except requests.RequestException as exc:
        raise _injoignable(exc) from exc
    if reponse.headers.get("Content-Type", "").split(";")[0].strip() != "application/jwt":
        try:
            donnees: dict[str, Any] = reponse.json()
        except ValueError as exc:
            raise EchecPSC(_MESSAGE_JETON, "informations du professionnel illisibles") from exc
        return donnees
    registre = JWSRegistry(algorithms=metadata.get("userinfo_signing_alg_values_supported") or ["RS256"])
    try:
        try:
            signe = jwt.decode(reponse.text, KeySet.import_key_set(app.fetch_jwk_set()), registry=registre)
        except InvalidKeyIdError:
            signe = jwt.decode(
                reponse.text, KeySet.import_key_set(app.fetch_jwk_set(force=True)), registry=registre
            )
    except JoseError as exc:
        raise EchecPSC(
            _MESSAGE_JETON, f"informations du professionnel : signature invalide ({exc.error})"
        ) from exc
    return dict(signe.claims)


def url_de_deconnexion(id_token: str, retour: str) -> str | None:
    """PSC's end-session URL for this ID token (RP-initiated logout), or None when PSC cannot be asked."""
    try:
        resultat = client().create_logout_url(post_logout_redirect_uri=retour, id_token_hint=id_token)
    except Exception:  # noqa: BLE001 - an unreachable provider must not prevent the local logout
        return None
    url: str = resultat["url"]
    return url


# --- Accounts and policy ------------------------------------------------------------------------------


def comptes(identite: IdentitePSC) -> list[Professionnel]:
    """The active accounts of this identity, one per organisme (active), whose RPPS matches."""
    if not identite.rpps:
        return []
    with auth_lookup():
        return list(
            Professionnel.objects.filter(
                rpps=identite.rpps, is_active=True, organisme__isnull=False, organisme__actif=True
            )
            .select_related("organisme")
            .order_by("organisme__raison_sociale")
        )


def politique(organisme_id: int) -> PolitiquePSC:
    """The organisme's rule (read in the organisme's tenant: the login has none yet)."""
    with tenant_context(organisme_id):
        trouvee = PolitiquePSC.objects.filter(organisme_id=organisme_id).first()
    return trouvee or PolitiquePSC(organisme_id=organisme_id)


def _categories_du_compte(user: Professionnel, jour: datetime.date) -> set[str]:
    """The account's roles today, and its administrator / DPO flags (read in the caller's tenant)."""
    categories = set(
        Habilitation.objects.filter(professionnel=user, debut__lte=jour)
        .filter(Q(fin__isnull=True) | Q(fin__gte=jour))
        .values_list("role", flat=True)
    )
    if user.est_admin_organisme:
        categories.add(PolitiquePSC.ADMIN_ORGANISME)
    if user.est_dpo:
        categories.add(PolitiquePSC.DPO)
    return categories


def niveau(user: Professionnel) -> str:
    """What the organisme's policy says for this account: required if one of its roles requires PSC; off if
    every one of its roles has PSC off; preferred otherwise (and for a platform administrator). The rule and
    the roles are read together in the account's tenant (the login has none yet)."""
    if user.organisme_id is None:
        return NiveauPSC.PREFEREE
    with tenant_context(user.organisme_id):
        regle = PolitiquePSC.objects.filter(organisme_id=user.organisme_id).first() or PolitiquePSC(
            organisme_id=user.organisme_id
        )
        categories = _categories_du_compte(user, timezone.localdate())
    niveaux = {regle.niveau(c) for c in categories}
    if NiveauPSC.REQUISE in niveaux:
        return NiveauPSC.REQUISE
    if niveaux == {NiveauPSC.DESACTIVEE}:
        return NiveauPSC.DESACTIVEE
    return NiveauPSC.PREFEREE


def autorises(identite: IdentitePSC, candidats: list[Professionnel]) -> list[Professionnel]:
    """The accounts this identity may open: linked to no other PSC account, PSC not off for their roles.
    Raises ``EchecPSC`` (with the reason of the first refusal) when none is left."""
    gardes, motif = [], ""
    for compte in candidats:
        if compte.psc_sub and compte.psc_sub != identite.sub:
            motif = motif or "compte lié à un autre compte Pro Santé Connect"
            continue
        if niveau(compte) == NiveauPSC.DESACTIVEE:
            motif = motif or "Pro Santé Connect désactivé pour les rôles de ce compte"
            continue
        gardes.append(compte)
    if not gardes:
        if "désactivé" in motif:
            raise EchecPSC(
                "Votre organisme n'a pas ouvert la connexion par Pro Santé Connect pour votre rôle : "
                "connectez-vous avec votre adresse e-mail.",
                motif,
            )
        raise EchecPSC(
            "Votre compte du DUI est rattaché à une autre identité Pro Santé Connect. Demandez à "
            "l'administrateur de votre organisme de vérifier votre numéro RPPS.",
            motif or "aucun compte",
        )
    return gardes


def lier(compte: Professionnel, identite: IdentitePSC) -> None:
    """Record the PSC account on the professional at its first PSC login (kept in the account's history)."""
    if compte.psc_sub == identite.sub:
        return
    compte.psc_sub, compte.psc_lie_le = identite.sub, timezone.now()
    with auth_lookup():
        compte.save(update_fields=["psc_sub", "psc_lie_le"])


def authentification_recente(request: HttpRequest, minutes: int) -> bool:
    depuis = request.session.get(SESSION_PSC_DEPUIS)
    return depuis is not None and time.time() - float(depuis) <= minutes * 60


def reauthentification_requise(request: HttpRequest, user: Professionnel) -> int | None:
    """The minutes of the break-the-glass rule when this session's PSC authentication is not recent enough
    (None: nothing to do)."""
    if user.organisme_id is None:
        return None
    minutes = politique(user.organisme_id).reauth_bris_de_glace_minutes
    if not minutes or authentification_recente(request, minutes):
        return None
    return minutes
