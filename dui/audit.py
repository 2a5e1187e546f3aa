"""The access journal: one call, used by every view that shows, exports or prints sensitive data."""

from __future__ import annotations

from collections.abc import Iterable
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
        chemin=request.path[:500],  # never the query string: a search's terms are personal data
    )


def journaliser_personnes(
    request: HttpRequest,
    type_acces: str,
    personnes: Iterable[Model],
    libelle: str,
    etablissement_id: int | None = None,
) -> int:
    """One journal row per person shown by a page that lists several (a unit's relève, the round, a search,
    the waiting list): the DPO's question is "who saw this person", not "who opened this unit". One
    INSERT for the page."""
    user: Any = request.user
    vus: dict[Any, Model] = {}
    for personne in personnes:
        vus.setdefault(personne.pk, personne)
    if not vus:
        return 0
    adresse, chemin = client_ip(request), request.path[:500]
    JournalAcces.objects.bulk_create(
        JournalAcces(
            organisme_id=user.organisme_id,
            professionnel=user,
            type_acces=type_acces,
            objet_type=p._meta.label_lower,
            objet_id=getattr(p, "public_id", None),
            libelle=libelle[:255],
            etablissement_id=etablissement_id,
            adresse_ip=adresse,
            chemin=chemin,
        )
        for p in vus.values()
    )
    return len(vus)


__all__ = ["journaliser_acces", "journaliser_personnes", "TypeAcces"]
