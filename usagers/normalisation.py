"""Name normalisation for identitovigilance and search: accents, case, hyphens and apostrophes
do not distinguish two people ("Lefèvre-Dupont" = "LEFEVRE DUPONT"). Standard library only, so the
same rule applies in Python and in the stored search column."""

from __future__ import annotations

import re
import unicodedata

_SEPARATEURS = re.compile(r"[\s\-'’‘`.,]+")


def normaliser_nom(valeur: str) -> str:
    decompose = unicodedata.normalize("NFKD", valeur or "")
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    sans_accents = sans_accents.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return _SEPARATEURS.sub(" ", sans_accents).strip().lower()
