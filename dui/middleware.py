"""Request middleware of the tenancy core and the security headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from . import tenancy
from .history import reset_actor, set_actor

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class RequestBodyLimitMiddleware:
    """One limit on every request body, before anything reads it (``DUI_MAX_REQUEST_BYTES``): a larger
    declared body gets a French 413 page, and a body without a declared length (chunked) a 411 — Django's
    own limits apply only to form fields, not to uploaded files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from django.conf import settings
        from django.shortcuts import render

        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return render(request, "413.html", {"limite": None}, status=411)
        try:
            longueur = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            longueur = -1
        if longueur < 0 or longueur > settings.DUI_MAX_REQUEST_BYTES:
            octets = settings.DUI_MAX_REQUEST_BYTES
            limite = f"{octets // (1024 * 1024)} Mo" if octets >= 1024 * 1024 else f"{octets // 1024} Ko"
            return render(request, "413.html", {"limite": limite}, status=413)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline script or style, nothing from other origins (assets are vendored)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def journaliser_refus(request: HttpRequest, code: int) -> None:
    """A refused (or absent) page of a professional goes to the access journal: the DPO sees who tried to
    open what (the path holds identifiers only, never a query string)."""
    from .audit import journaliser_acces
    from .models import TypeAcces

    journaliser_acces(request, TypeAcces.REFUS, None, f"Accès refusé ({code}) : {request.path}"[:255])


class TenantMiddleware:
    """Bind the request to the authenticated professional's organisme, in one database transaction.

    The tenant comes from the user, never from the URL or a form (the session only says which organisme to
    load the professional under; a professional of another organisme, or none, resets it). The transaction opened here spans the
    rest of the middleware chain, the view and the rendering; ``set_config(..., true)`` makes the tenant
    last exactly that long. It is the request's only transaction (``ATOMIC_REQUESTS`` is off: its savepoint
    cost two round trips on every page): a view that raises — an error, ``Http404``, ``PermissionDenied`` —
    rolls back everything it wrote (``process_exception``), and so does a 5xx response. A refused page (403
    or 404) is journaled after that rollback, in a transaction of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        annonce = session.get(tenancy.SESSION_ORGANISME) if session is not None else None
        token = None
        precedent = tenancy.current_organisme_id()
        try:
            with transaction.atomic():
                # The organisme written in the session at login binds the transaction first, so that the
                # professional is loaded under it (habilitations.auth.EmailBackend.get_user); the tenant is
                # then the loaded professional's, whatever the session said.
                tenancy.activate(annonce)
                user: Any = getattr(request, "user", None)
                organisme_id = user.organisme_id if user is not None and user.is_authenticated else None
                if organisme_id != annonce:
                    tenancy.activate(organisme_id)
                request.organisme_id = organisme_id  # type: ignore[attr-defined]  # read by the tenancy helpers
                token = set_actor(user)
                response = self.get_response(request)
                if response.status_code >= 500 or getattr(request, "_dui_vue_en_erreur", False):
                    transaction.set_rollback(True)
            if response.status_code in (403, 404) and organisme_id and request.resolver_match:
                with tenancy.tenant_context(organisme_id):
                    journaliser_refus(request, response.status_code)
            return response
        finally:
            tenancy.restaurer(precedent)
            if token is not None:
                reset_actor(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """The view (or its rendering) raised: nothing it wrote is kept, whatever response Django makes of
        the exception (404, 403, 400 or 500)."""
        request._dui_vue_en_erreur = True  # type: ignore[attr-defined]
