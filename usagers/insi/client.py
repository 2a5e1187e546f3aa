"""INSi client behind a replaceable transport (ARCHITECTURE.md §5). Called only from a Celery task."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
import uuid
from typing import Protocol

from .protocole import Reponse, Traits, lire_reponse, requete_xml


class InsiIndisponible(Exception):
    """The service did not answer usably (network, timeout, 5xx): the call may be retried."""


class Transport(Protocol):
    def envoyer(self, corps: bytes) -> bytes: ...


class HttpTransport:
    """SOAP over HTTP(S); in production over TLS with the establishment's certificate."""

    def __init__(self, url: str, timeout: float = 10.0, certificat: str = "", cle: str = "", ca: str = ""):
        self.url, self.timeout = url, timeout
        self.contexte = None
        if url.startswith("https://"):
            self.contexte = ssl.create_default_context(cafile=ca or None)
            if certificat:
                self.contexte.load_cert_chain(certificat, cle or None)

    def envoyer(self, corps: bytes) -> bytes:
        requete = urllib.request.Request(  # noqa: S310 - the URL comes from the settings
            self.url, data=corps, method="POST",
            headers={"Content-Type": 'application/soap+xml; charset=utf-8; action="RECSANSVITALE"'})
        try:
            with urllib.request.urlopen(requete, timeout=self.timeout, context=self.contexte) as reponse:  # noqa: S310
                return reponse.read()
        except urllib.error.HTTPError as exc:
            raise InsiIndisponible(f"Le téléservice INSi a répondu {exc.code}.") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise InsiIndisponible(f"Le téléservice INSi est injoignable ({exc}).") from exc


class InsiClient:
    def __init__(self, transport: Transport):
        self.transport = transport

    def rechercher(self, traits: Traits, requete_id: str | None = None) -> Reponse:
        corps = self.transport.envoyer(requete_xml(traits, requete_id or str(uuid.uuid4())))
        try:
            return lire_reponse(corps)
        except (ValueError, SyntaxError) as exc:  # ElementTree.ParseError is a SyntaxError
            raise InsiIndisponible(f"Réponse INSi illisible : {exc}") from exc


def client_par_defaut() -> InsiClient:
    from django.conf import settings

    if not settings.DUI_INSI_URL:
        raise InsiIndisponible("Le téléservice INSi n'est pas configuré (DUI_INSI_URL).")
    return InsiClient(HttpTransport(settings.DUI_INSI_URL, timeout=settings.DUI_INSI_TIMEOUT,
                                    certificat=settings.DUI_INSI_CERT, cle=settings.DUI_INSI_KEY,
                                    ca=settings.DUI_INSI_CA))
