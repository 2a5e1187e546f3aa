"""The PDF of a contract: its frozen text, and once signed on a tablet the signature image (a data: URL,
the only kind the PDF renderer fetches), who signed, when, and the content hash."""

from __future__ import annotations

import base64
from typing import Any

from django.utils import timezone

from .contrats import blocs


def contexte_contrat(contrat: Any) -> dict[str, Any]:
    signature = ""
    if contrat.signe and contrat.signature:
        with contrat.signature.open("rb") as f:
            signature = "data:image/png;base64," + base64.b64encode(f.read()).decode()
    return {
        "contrat": contrat,
        "blocs": blocs(contrat.texte),
        "signature": signature,
        "genere_le": timezone.localtime(),
    }
