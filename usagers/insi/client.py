"""INSi client behind a replaceable transport (ARCHITECTURE.md §5). Called only from a Celery task."""

from __future__ import annotations

import uuid
from typing import Protocol

from dui import transport

from .protocole import Reponse, Traits, lire_reponse, requete_xml


class InsiIndisponible(Exception):
    """The service did not answer usably (network, timeout, 5xx): the call may be retried."""


class Transport(Protocol):
    def envoyer(self, corps: bytes) -> bytes: ...


class HttpTransport:
    """SOAP over HTTP(S) through the shared transport (``dui.transport``); in production over TLS with the
    establishment's certificate. Every transport failure is an ``InsiIndisponible`` (the task retries)."""

    ACTION = 'application/soap+xml; charset=utf-8; action="RECSANSVITALE"'

    def __init__(self, url: str, timeout: float = 10.0, certificat: str = "", cle: str = "", ca: str = ""):
        try:
            self.http = transport.HttpTransport(
                url, service="Le téléservice INSi", timeout=timeout, certificat=certificat, cle=cle, ca=ca
            )
        except transport.EchecDefinitif as exc:
            raise InsiIndisponible(str(exc)) from exc

    def envoyer(self, corps: bytes) -> bytes:
        try:
            return self.http.envoyer(corps, self.ACTION)
        except (transport.EchecTemporaire, transport.EchecDefinitif) as exc:
            raise InsiIndisponible(str(exc)) from exc


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
    return InsiClient(
        HttpTransport(
            settings.DUI_INSI_URL,
            timeout=settings.DUI_INSI_TIMEOUT,
            certificat=settings.DUI_INSI_CERT,
            cle=settings.DUI_INSI_KEY,
            ca=settings.DUI_INSI_CA,
        )
    )
