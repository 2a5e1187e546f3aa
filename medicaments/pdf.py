"""What the médicaments' PDFs show (ordonnance, compte rendu d'administration), shared by the workers and
the tests (no task imports)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from usagers.identite import matricule_partageable

from .models import Administration
from .selectors import lignes_en_cours


def contexte_ordonnance(document, acteur) -> dict:
    usager, etablissement = document.usager, document.etablissement
    lignes = lignes_en_cours(usager, etablissement)
    return {
        "usager": usager,
        "etablissement": etablissement,
        "document": document,
        "prescripteur": acteur,
        "ins": matricule_partageable(usager) or "",
        "lignes": [p for p in lignes if not p.si_besoin],
        "si_besoin": [p for p in lignes if p.si_besoin],
        "genere_le": timezone.localtime(),
    }


def contexte_cr_administration(document, acteur) -> dict:
    du = datetime.date.fromisoformat(document.options["du"])
    au = datetime.date.fromisoformat(document.options["au"])
    tz = timezone.get_current_timezone()
    administrations = (
        Administration.objects.filter(
            usager=document.usager,
            etablissement=document.etablissement,
            administree_le__gte=datetime.datetime.combine(du, datetime.time(0), tzinfo=tz),
            administree_le__lt=datetime.datetime.combine(
                au + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz
            ),
        )
        .select_related("prescription", "dose", "auteur")
        .order_by("administree_le")
    )
    lignes = list(administrations)
    return {
        "usager": document.usager,
        "etablissement": document.etablissement,
        "document": document,
        "ins": matricule_partageable(document.usager) or "",
        "du": du,
        "au": au,
        "administrations": lignes,
        "donnees": sum(1 for a in lignes if a.statut == "donne"),
        "non_donnees": [a for a in lignes if a.statut in ("refuse", "non_donne")],
        "genere_le": timezone.localtime(),
    }
