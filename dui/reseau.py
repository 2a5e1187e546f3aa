"""The client's address of a request, behind the reverse proxies the deployment declares.

``DUI_TRUSTED_PROXIES`` lists the proxies' networks (CIDR): ``X-Forwarded-For`` is read only when the
peer itself is one of them, from the right, skipping the trusted hops — the first address that is not a
trusted proxy is the client (a client cannot forge its way in by prepending addresses). Where the
network of the proxies is not known, ``DUI_TRUSTED_PROXY_COUNT`` says how many proxies stand in front.
With neither, the peer is the client (no proxy). ``check --deploy`` refuses production when neither is set.

Hand-written on purpose (decision 0009): django-ipware reads the proxies listed inside the header rather
than checking the peer, which is the rule that matters here.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Adresse = ipaddress.IPv4Address | ipaddress.IPv6Address
Reseau = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def reseaux_de_confiance(valeurs: tuple[str, ...]) -> tuple[Reseau, ...]:
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in valeurs if v.strip())


def _adresse(valeur: str | None) -> Adresse | None:
    try:
        return ipaddress.ip_address((valeur or "").strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    pair = _adresse(request.META.get("REMOTE_ADDR"))
    if pair is None:
        return None
    transmis = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    reseaux = reseaux_de_confiance(tuple(getattr(settings, "DUI_TRUSTED_PROXIES", None) or ()))
    if reseaux:
        chaine = [*transmis, str(pair)]
        for valeur in reversed(chaine):
            adresse = _adresse(valeur)
            if adresse is None:  # a forged or broken hop: the last trusted proxy is all we know
                return str(pair)
            if not any(adresse in r for r in reseaux):
                return str(adresse)
            pair = adresse
        return str(pair)
    nombre = getattr(settings, "DUI_TRUSTED_PROXY_COUNT", None) or 0
    if nombre and len(transmis) >= nombre:
        adresse = _adresse(transmis[-nombre])
        if adresse is not None:
            return str(adresse)
    return str(pair)


__all__ = ["client_ip"]
