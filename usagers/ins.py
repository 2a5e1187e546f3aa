"""Matricule INS (NIR or NIA): the 2-digit key. Standard library only, importable without Django.

Source: ../shared/docs/DOMAIN.md, "Identity": the matricule is 13 characters plus a 2-digit key,
``key = 97 − (int(first 13) mod 97)``; for Corsica the department ``2A`` is replaced by ``19`` and
``2B`` by ``18`` before computing (the INSEE rule for the NIR, also applied by the ANS to the INS).
Published examples: ``295109912611193``, ``253072B07300470``, ``284052A32102552`` are valid;
``295109912611199`` is not.
"""

from __future__ import annotations

import re

_DEBUT13 = re.compile(r"^[12378][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{6}$")
_CORSE = {"2A": "19", "2B": "18"}


def _normaliser(valeur: str) -> str:
    return re.sub(r"\s+", "", valeur or "").upper()


def cle_matricule(debut13: str) -> str:
    """The 2-digit key of the first 13 characters of a matricule INS (``ValueError`` if malformed)."""
    debut13 = _normaliser(debut13)
    if not _DEBUT13.match(debut13):
        raise ValueError(f"Début de matricule INS invalide : {debut13!r}")
    departement = debut13[5:7]
    chiffres = debut13[:5] + _CORSE.get(departement, departement) + debut13[7:]
    return f"{97 - int(chiffres) % 97:02d}"


def matricule_valide(matricule: str) -> bool:
    """15 characters (spaces tolerated on input): a well-formed first 13 and the right key."""
    matricule = _normaliser(matricule)
    if len(matricule) != 15 or not matricule[13:].isdigit():
        return False
    try:
        return cle_matricule(matricule[:13]) == matricule[13:]
    except ValueError:
        return False


def normaliser_matricule(matricule: str) -> str:
    """The matricule without spaces, upper case (``2a`` → ``2A``)."""
    return _normaliser(matricule)
