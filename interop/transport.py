"""HTTP(S) transport of the national clients, replaceable (ARCHITECTURE.md §5): TLS with the ESMS's client
certificate in production, a local test server in the tests and the demo."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from typing import Protocol

from .erreurs import EchecDefinitif, EchecTemporaire, contexte_tls


class Transport(Protocol):
    def envoyer(self, corps: bytes, content_type: str) -> bytes: ...


class HttpTransport:
    def __init__(self, url: str, *, service: str, timeout: float = 30.0, certificat: str = "", cle: str = "",
                 ca: str = ""):
        if not url:
            raise EchecDefinitif(f"Le service {service} n'est pas configuré sur ce serveur.")
        self.url, self.service, self.timeout = url, service, timeout
        self.contexte = None
        if url.startswith("https://"):
            self.contexte = contexte_tls(service, ca, certificat, cle)

    def envoyer(self, corps: bytes, content_type: str) -> bytes:
        requete = urllib.request.Request(  # noqa: S310 - the URL comes from the settings
            self.url, data=corps, method="POST", headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(requete, timeout=self.timeout, context=self.contexte) as reponse:  # noqa: S310
                return reponse.read()
        except urllib.error.HTTPError as exc:
            corps_erreur = exc.read()
            if exc.code >= 500 or exc.code in (408, 429):
                raise EchecTemporaire(f"{self.service} a répondu {exc.code} : nouvel essai plus tard.") from exc
            if exc.code == 400 and corps_erreur:
                return corps_erreur  # an error answer in the protocol's own format: the client reads it
            raise EchecDefinitif(f"{self.service} a refusé l'envoi (HTTP {exc.code}).") from exc
        except ssl.SSLError as exc:
            raise EchecTemporaire(f"{self.service} : échec de la connexion TLS ({exc.reason or exc}).") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise EchecTemporaire(f"{self.service} est injoignable ({getattr(exc, 'reason', exc)}).") from exc
