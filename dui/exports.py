"""Files handed to users: spreadsheet cells that cannot run, and download names that cannot break a header."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r", "\n")


def cellule_sure(valeur: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs (OWASP CSV injection): a text starting with
    ``= + - @`` or a control character gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur


_NON_SUR = re.compile(r"[^A-Za-z0-9._-]+")


def nom_de_fichier_sur(nom: str, defaut: str = "document") -> str:
    """A download name safe in ``Content-Disposition`` and on every file system: ASCII letters, digits,
    dot, hyphen and underscore only (accents folded), no path, no leading dot, 100 characters at most."""
    pli = unicodedata.normalize("NFKD", nom or "").encode("ascii", "ignore").decode()
    pli = _NON_SUR.sub("-", pli.replace("/", "-").replace("\\", "-")).strip("-.")
    return (pli or defaut)[:100]
