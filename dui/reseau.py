"""The client's address of a request, behind the reverse proxies the deployment declares."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies = getattr(settings, "DUI_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    adresse = request.META.get("REMOTE_ADDR")
    return str(adresse) if adresse else None


__all__ = ["client_ip"]
