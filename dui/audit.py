"""The access journal: one call, used by every view that shows, exports or prints sensitive data."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from .models import JournalAcces, TypeAcces, etablissement_id_of
from .reseau import client_ip


def journaliser_acces(
    request: HttpRequest,
    type_acces: str,
    obj: Model | None,
    libelle: str,
    etablissement_id: int | None = None,
) -> JournalAcces:
    user: Any = request.user  # an authenticated professional: the views that journal require it
    if etablissement_id is None and obj is not None:
        etablissement_id = etablissement_id_of(obj)
    return JournalAcces.objects.create(
        organisme_id=user.organisme_id,
        professionnel=user,
        type_acces=type_acces,
        objet_type=obj._meta.label_lower if obj is not None else "",
        objet_id=getattr(obj, "public_id", None),
        libelle=libelle[:255],
        etablissement_id=etablissement_id,
        adresse_ip=client_ip(request),
        chemin=request.get_full_path()[:500],
    )


__all__ = ["journaliser_acces", "TypeAcces"]
