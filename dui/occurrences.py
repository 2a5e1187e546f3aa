"""Validating one planned occurrence: a care task at its time (``soins``) or a planned dose (``medicaments``).

Both flows have the same shape:
- the reason of a "not done" is required, and "autre" needs a precision;
- one row per occurrence, guaranteed by a unique constraint;
- a postponed row is updated later, to done or not done, and its history keeps each step;
- a row that is final cannot be changed;
- two professionals validating at once: the database keeps one row, and the second gets a clear French
  message naming who noted it and when.

The domain services keep their own rules (timing, rights, stock) and call these helpers for the shared part.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

L = TypeVar("L", bound=models.Model)


def deja_note(ligne: Any, qui: str, quand: datetime.datetime) -> ValidationError:
    """The error for an occurrence someone else already noted (``ligne`` has a ``statut`` with choices)."""
    return ValidationError(
        f"Déjà noté « {ligne.get_statut_display().lower()} » par {qui} à {timezone.localtime(quand):%H:%M}."
    )


def verifier_motif(non_fait: bool, motif: str, precision: str, message_motif: str) -> None:
    """A "not done" needs its reason; the reason "autre" needs a precision."""
    if non_fait and not motif:
        raise ValidationError({"motif": message_motif})
    if non_fait and motif == "autre" and not precision.strip():
        raise ValidationError({"precision": "Précisez le motif."})


def enregistrer_validation(
    existante: L | None,
    reportee: Callable[[L], bool],
    valeurs: dict[str, Any],
    nouvelle: Callable[[], L],
    relire: Callable[[], L | None],
    refus: Callable[[L], ValidationError],
) -> L:
    """Write the validation of one occurrence:
    - ``existante`` is the row already there, locked by the caller, if any. A postponed row (``reportee``)
      takes ``valeurs``; a final one is refused with ``refus(ligne)``.
    - Otherwise ``nouvelle()`` is saved. A row written meanwhile by someone else (unique constraint) is read
      back with ``relire()`` and refused."""
    if existante is not None:
        if not reportee(existante):
            raise refus(existante)
        for champ, valeur in valeurs.items():
            setattr(existante, champ, valeur)
        existante.save()
        return existante
    ligne = nouvelle()
    try:
        with transaction.atomic():
            ligne.save()
    except IntegrityError:
        autre = relire()
        if autre is None:
            raise
        raise refus(autre) from None
    return ligne
