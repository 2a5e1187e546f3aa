"""Read paths of the tenancy core."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import JournalAcces


def peut_consulter_journal(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisme_id
        and (user.est_dpo or user.est_admin_organisme)
    )


def journal_filtre(
    user: Any,
    *,
    professionnel_id: int | None = None,
    objet_id: Any = None,
    type_acces: str = "",
    du: datetime.date | None = None,
    au: datetime.date | None = None,
) -> QuerySet[JournalAcces]:
    qs = JournalAcces.objects.filter(organisme_id=user.organisme_id)
    if professionnel_id:
        qs = qs.filter(professionnel_id=professionnel_id)
    if objet_id:
        qs = qs.filter(objet_id=objet_id)
    if type_acces:
        qs = qs.filter(type_acces=type_acces)
    tz = timezone.get_current_timezone()
    if du:
        qs = qs.filter(horodatage__gte=datetime.datetime.combine(du, datetime.time.min, tzinfo=tz))
    if au:
        qs = qs.filter(
            horodatage__lt=datetime.datetime.combine(
                au + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
        )
    return qs.select_related("professionnel", "etablissement")
