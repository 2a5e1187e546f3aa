"""The URL of each row of a long page, without a ``reverse()`` per row: the route is reversed once with a
placeholder identifier, then each row's ``public_id`` is put in its place (a round of two hundred doses pays
one ``reverse``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

_MARQUE = "00000000-0000-0000-0000-000000000000"


def adresse_par_objet(nom: str) -> Callable[[Any], str]:
    """For a named route taking one ``public_id``: a function giving the URL for an identifier."""
    modele = reverse(nom, args=[_MARQUE])
    return lambda public_id: modele.replace(_MARQUE, str(public_id))
