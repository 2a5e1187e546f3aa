"""Periods of validity, declared once per model: a séjour (entrée → sortie), a habilitation, an absence, a
care plan, a prescription line, a protection measure. The model says which fields bound it, and the SQL
filter (``.en_cours(jour)``) and the Python test (``couvre``) are then the same everywhere:

    class Sejour(TenantModel):
        periode = Periode("date_entree", "date_sortie")
        objects = PeriodeQuerySet.as_manager()

    Sejour.objects.filter(etablissement=etab).en_cours(jour)
    sejour.periode.couvre(sejour, jour)

The start is included. The end is included (``fin`` the last day) unless ``fin_exclue`` (a datetime end,
``fin`` the first moment out). An empty end is open-ended.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

Moment = datetime.date | datetime.datetime
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Periode:
    debut: str
    fin: str
    fin_exclue: bool = False

    def q(self, moment: Moment) -> Q:
        """SQL: the period covers ``moment``."""
        borne = "gt" if self.fin_exclue else "gte"
        return Q(**{f"{self.debut}__lte": moment}) & (
            Q(**{f"{self.fin}__isnull": True}) | Q(**{f"{self.fin}__{borne}": moment})
        )

    def couvre(self, obj: Any, moment: Moment) -> bool:
        """Python: the period of ``obj`` covers ``moment``."""
        debut, fin = getattr(obj, self.debut), getattr(obj, self.fin)
        if debut is None or debut > moment:
            return False
        return fin is None or (fin > moment if self.fin_exclue else fin >= moment)


class PeriodeQuerySet(models.QuerySet[M]):
    def en_cours(self, moment: Moment) -> PeriodeQuerySet[M]:
        """The rows whose period (the model's ``periode``) covers ``moment``."""
        periode: Periode = getattr(self.model, "periode")  # noqa: B009 - declared by each model
        return self.filter(periode.q(moment))
