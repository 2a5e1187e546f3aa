"""Addresses. The URL of each row of a long page, without a ``reverse()`` per row: the route is reversed once
with a placeholder identifier, then each row's ``public_id`` is put in its place (a round of two hundred doses
pays one ``reverse``). And where a page may send the user back to (``adresse_locale``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

_MARQUE = "00000000-0000-0000-0000-000000000000"


def adresse_par_objet(nom: str) -> Callable[[Any], str]:
    """For a named route taking one ``public_id``: a function giving the URL for an identifier."""
    modele = reverse(nom, args=[_MARQUE])
    return lambda public_id: modele.replace(_MARQUE, str(public_id))


def adresse_locale(request: HttpRequest, cible: str | None) -> str:
    """``cible`` when it is an address of this site (a "next" or "back to" given by a form or a link), else "":
    never a redirection to another site."""
    if cible and url_has_allowed_host_and_scheme(
        cible, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return cible
    return ""
