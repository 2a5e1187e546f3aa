"""Validating one planned occurrence: a care task at its time (``soins``) or a planned dose (``medicaments``).

Both flows have the same shape:
- the reason of a "not done" is required, and "autre" needs a precision;
- one row per occurrence, guaranteed by a unique constraint;
- a postponed row is updated later, to done or not done, and its history keeps each step;
- a row that is final cannot be changed;
- two professionals validating at once: the database keeps one row, and the second gets a clear French
  message naming who noted it and when.
- a validation outside the occurrence's time window (``settings.DUI_GARDES_HORAIRES``) asks for a
  confirmation, recorded with the row (``ecart_confirme``, minutes: negative = early);
- a final row is corrected, never deleted: its author undoes it within ``DUI_FENETRE_CORRECTION_MINUTES``,
  afterwards a nurse with a reason; the row becomes "annulé" (the occurrence is to do again, its history
  keeps what was noted, by whom, and the correction).

The domain services keep their own rules (timing, rights, stock) and call these helpers for the shared part.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone

from .forms import CorrectionForm

L = TypeVar("L", bound=models.Model)

ANNULE = "annule"  # the status of a corrected (undone) validation, in both flows
# The response header that tells a device's offline queue what became of a replayed action:
# "enregistre" (done, or already done), "refuse" (an error to show), "a_confirmer" (a question to answer).
RESULTAT = "X-DUI-Resultat"
CODE_HORS_HORAIRE = "hors_horaire"


def duree_texte(minutes: int) -> str:
    """« 45 min », « 2 h », « 4 h 10 »."""
    minutes = abs(minutes)
    if minutes < 60:
        return f"{minutes} min"
    heures, reste = divmod(minutes, 60)
    return f"{heures} h {reste:02d}" if reste else f"{heures} h"


def garde_horaire(cles: tuple[str, ...]) -> dict[str, int | None]:
    """The window of the first key configured in ``DUI_GARDES_HORAIRES`` (a type of care task before "soin")."""
    gardes = settings.DUI_GARDES_HORAIRES
    for cle in cles:
        if cle in gardes:
            return {"avance": gardes[cle].get("avance"), "retard": gardes[cle].get("retard")}
    return {"avance": None, "retard": None}


def verifier_horaire(
    attendu: datetime.datetime,
    maintenant: datetime.datetime,
    cles: tuple[str, ...],
    confirme: bool,
    quoi: str,
) -> int | None:
    # ``quoi``: the subject and its verb, agreed ("Cette dose est prévue", "Ce soin est prévu")
    """The deviation (minutes, negative = early) to record when ``maintenant`` is outside the window around
    ``attendu``, once confirmed; None inside the window. Unconfirmed outside: a ValidationError with the
    code ``hors_horaire`` that the views turn into a confirmation."""
    garde = garde_horaire(cles)
    secondes = (maintenant - attendu).total_seconds()
    ecart = round(secondes / 60)
    avance, retard = garde["avance"], garde["retard"]
    hors = (avance is not None and -secondes > avance * 60) or (retard is not None and secondes > retard * 60)
    if not hors:
        return None
    if not confirme:
        sens = "d'avance" if ecart < 0 else "de retard"
        raise ValidationError(
            f"{quoi} à {timezone.localtime(attendu):%H:%M} : il est {timezone.localtime(maintenant):%H:%M}, "
            f"soit {duree_texte(ecart)} {sens}. Confirmez si c'est bien maintenant.",
            code=CODE_HORS_HORAIRE,
        )
    return ecart


def hors_horaire(exc: ValidationError) -> bool:
    return getattr(exc, "code", None) == CODE_HORS_HORAIRE


def confirmation(
    exc: ValidationError, url: str, post: Any, statut: str, cible: str = "", retour: str = ""
) -> dict[str, Any]:
    """What ``dui/_confirmer_horaire.html`` shows: the question, and the posted fields to post again."""
    champs = [
        (nom, valeur)
        for nom in post
        if nom not in ("csrfmiddlewaretoken", "confirmer_horaire")
        for valeur in post.getlist(nom)
    ]
    return {
        "message": " ".join(exc.messages),
        "url": url,
        "champs": champs,
        "statut": statut,
        "cible": cible,
        "retour": retour,
    }


def mode_correction(
    ligne: Any, user: Any, champ_moment: str, peut_corriger_tout: bool, maintenant: datetime.datetime
) -> str:
    """How ``user`` may correct this validation: "auteur" (one tap, its author within the window), "motif"
    (with a reason), or "" (not at all: a row still to do, or no right)."""
    if ligne is None or ligne.statut == ANNULE:
        return ""
    fenetre = datetime.timedelta(minutes=settings.DUI_FENETRE_CORRECTION_MINUTES)
    if ligne.auteur_id == user.pk and maintenant - getattr(ligne, champ_moment) <= fenetre:
        return "auteur"
    return "motif" if peut_corriger_tout else ""


def corriger_depuis(request: Any, appel: Callable[[str], L]) -> tuple[L | None, str]:
    """A correction posted from a page (``motif_correction``), through the domain's service ``appel(motif)``:
    (the row, "") or (None, the French error). A refusal of the policy is a 404, as everywhere."""
    form = CorrectionForm(request.POST)
    form.is_valid()
    try:
        return appel(form.cleaned_data.get("motif_correction", "")), ""
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    except PermissionDenied:
        raise Http404 from None


def annuler_validation(
    ligne: Any,
    auteur: Any,
    motif: str,
    champ_moment: str,
    peut_corriger_tout: bool,
    maintenant: datetime.datetime | None = None,
) -> None:
    """Undo a validation (locked by the caller): its author within the window without a reason, otherwise a
    professional who ``peut_corriger_tout`` with one. The row becomes "annulé": to do again; who corrected,
    when and why are the row's values now, what was noted before is its history."""
    maintenant = maintenant or timezone.now()
    if ligne.statut == ANNULE:
        raise ValidationError("Cette validation est déjà annulée.")
    motif = motif.strip()
    if mode_correction(ligne, auteur, champ_moment, peut_corriger_tout, maintenant) != "auteur":
        if not peut_corriger_tout:
            raise ValidationError(
                f"Passé {settings.DUI_FENETRE_CORRECTION_MINUTES} minutes, ou pour la validation d'un "
                "collègue, une correction est faite par un(e) infirmier(ère)."
            )
        if not motif:
            raise ValidationError({"motif_correction": "Indiquez pourquoi vous corrigez cette validation."})
    ligne.statut = ANNULE
    ligne.motif = ""
    ligne.precision = (motif or "Erreur de saisie, annulée par son auteur")[:200]
    ligne.reporte_a = None
    ligne.ecart_confirme = None
    ligne.auteur = auteur
    setattr(ligne, champ_moment, maintenant)
    ligne.save()


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


def rejouee(ligne: Any, cle: str) -> bool:
    """The same validation sent again by the device (its idempotency key): already done, not an error."""
    return bool(cle) and ligne is not None and getattr(ligne, "cle_idempotence", "") == cle


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
      or an undone one takes ``valeurs``; a final one is refused with ``refus(ligne)``.
    - Otherwise ``nouvelle()`` is saved. A row written meanwhile by someone else (unique constraint) is read
      back with ``relire()`` and refused."""
    if existante is not None:
        if not (reportee(existante) or getattr(existante, "statut", None) == ANNULE):
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
        if rejouee(autre, valeurs.get("cle_idempotence", "")):
            return autre  # the first sending of this very action won the race
        raise refus(autre) from None
    return ligne
