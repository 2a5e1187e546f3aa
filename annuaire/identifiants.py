"""Check keys of the national identifiers a partner may carry. Pure standard library.

- RPPS: 11 digits, the last one a Luhn key over the first ten (ANS, « Répertoire partagé des professionnels
  de santé » ; the same number, prefixed with ``8``, is the national id of Pro Santé Connect).
- FINESS: 9 characters — the department (two digits, or ``2A`` / ``2B`` in Corsica), six digits, and a Luhn
  key over the first eight. The key of a Corsican number is not checked: we hold no published rule for the
  letters, so only its shape is.
- SIRET: 14 digits (SIREN + NIC), Luhn over the fourteen; La Poste's establishments (SIREN 356000000) use
  the sum of the digits modulo 5 instead (INSEE).
"""

from __future__ import annotations

import re

_CHIFFRES = re.compile(r"^\d+$")


def luhn_valide(chiffres: str) -> bool:
    """The Luhn check over ``chiffres``, key included (rightmost digit)."""
    if not chiffres or not _CHIFFRES.match(chiffres):
        return False
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        valeur = int(caractere)
        if rang % 2 == 1:
            valeur *= 2
            if valeur > 9:
                valeur -= 9
        total += valeur
    return total % 10 == 0


def normaliser(valeur: str) -> str:
    """What a user types, without its spaces, dots and dashes (``810 000 012 34`` → ``81000001234``)."""
    return re.sub(r"[\s.\-]", "", valeur or "").upper()


def erreur_rpps(valeur: str) -> str | None:
    """The French message for an invalid RPPS number, or None."""
    if not re.fullmatch(r"\d{11}", valeur):
        return "Le numéro RPPS compte 11 chiffres."
    if not luhn_valide(valeur):
        return "Ce numéro RPPS est invalide : sa clé de contrôle (dernier chiffre) ne correspond pas."
    return None


def erreur_finess(valeur: str) -> str | None:
    """The French message for an invalid FINESS number, or None."""
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", valeur):
        return "Le numéro FINESS compte 9 caractères : le département (2 chiffres, 2A ou 2B) puis 7 chiffres."
    if valeur[:2] in ("2A", "2B"):
        return None
    if not luhn_valide(valeur):
        return "Ce numéro FINESS est invalide : sa clé de contrôle (dernier chiffre) ne correspond pas."
    return None


def erreur_siret(valeur: str) -> str | None:
    """The French message for an invalid SIRET number, or None."""
    if not re.fullmatch(r"\d{14}", valeur):
        return "Le numéro SIRET compte 14 chiffres."
    valide = sum(int(c) for c in valeur) % 5 == 0 if valeur.startswith("356000000") else luhn_valide(valeur)
    if not valide:
        return "Ce numéro SIRET est invalide : sa clé de contrôle ne correspond pas."
    return None


def texte_de_recherche(*valeurs: str) -> str:
    """What the directory's search compares: lower case, without accents ("Hôpital" is found by "hopital")."""
    import unicodedata

    texte = unicodedata.normalize("NFKD", " ".join(v or "" for v in valeurs))
    return " ".join("".join(c for c in texte if not unicodedata.combining(c)).lower().split())
