"""The HTTP(S) transport of every national-service client (ARCHITECTURE.md §5): replaceable, TLS with the
ESMS's client certificate in production, a local test server in the tests and the demo. Used by the INSi
client and by the exchanges (DMP, FHIR).

A failure is typed: ``EchecTemporaire`` (network, TLS, timeout, 5xx, 408/429: worth retrying) or
``EchecDefinitif`` (the service refused, or the configuration is unusable). Messages are French.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings


class EchecTemporaire(Exception):
    """The service did not answer usably (network, timeout, 5xx, busy): retried with a backoff."""


class EchecDefinitif(Exception):
    """The service refused the exchange, or the configuration cannot work: retrying as is would fail again.
    The message is French and shown to the professional."""


def contexte_tls(service: str, ca: str = "", certificat: str = "", cle: str = "") -> ssl.SSLContext:
    """The client TLS context of a national service; a missing or unreadable file is a configuration error,
    said in French."""
    try:
        contexte = ssl.create_default_context(cafile=ca or None)
        if certificat:
            contexte.load_cert_chain(certificat, cle or None)
    except (OSError, ssl.SSLError) as exc:
        raise EchecDefinitif(
            f"{service} : certificat ou autorité de certification illisible ({exc.__class__.__name__} "
            f"sur {certificat or ca}) — vérifiez la configuration du serveur."
        ) from exc
    return contexte


class Transport(Protocol):
    def envoyer(self, corps: bytes, content_type: str) -> bytes: ...


class HttpTransport:
    def __init__(
        self,
        url: str,
        *,
        service: str,
        timeout: float = 30.0,
        certificat: str = "",
        cle: str = "",
        ca: str = "",
    ) -> None:
        if not url:
            raise EchecDefinitif(f"{service} n'est pas configuré sur ce serveur.")
        if settings.PRODUCTION and not url.lower().startswith("https://"):
            raise EchecDefinitif(f"{service} : adresse non chiffrée refusée en production ({url}).")
        self.url, self.service, self.timeout = url, service, timeout
        self.contexte = contexte_tls(service, ca, certificat, cle) if url.startswith("https://") else None

    def envoyer(self, corps: bytes, content_type: str) -> bytes:
        requete = urllib.request.Request(  # noqa: S310 - the URL comes from the settings
            self.url, data=corps, method="POST", headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(requete, timeout=self.timeout, context=self.contexte) as reponse:  # noqa: S310
                corps_reponse: bytes = reponse.read()
                return corps_reponse
        except urllib.error.HTTPError as exc:
            corps_erreur = exc.read()
            if exc.code >= 500 or exc.code in (408, 429):
                raise EchecTemporaire(
                    f"{self.service} a répondu {exc.code} : nouvel essai plus tard."
                ) from exc
            if exc.code == 400 and corps_erreur:
                return corps_erreur  # an error answer in the protocol's own format: the client reads it
            raise EchecDefinitif(f"{self.service} a refusé l'envoi (HTTP {exc.code}).") from exc
        except ssl.SSLError as exc:
            raise EchecTemporaire(
                f"{self.service} : échec de la connexion TLS ({exc.reason or exc})."
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise EchecTemporaire(f"{self.service} est injoignable ({getattr(exc, 'reason', exc)}).") from exc
