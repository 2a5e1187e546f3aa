"""The DPO's report of unusual accesses, read from the access journal: who opened many dossiers, who opened
dossiers outside the ESMS of their habilitations, what was opened at night, and the break-the-glass
accesses still waiting for their review. Each finding points back to the journal entries behind it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from dui.models import Etablissement, JournalAcces, TypeAcces
from habilitations.models import BrisDeGlace, Habilitation, Professionnel

DOSSIER = "usagers.usager"
TYPES_CONSULTATION = (TypeAcces.LECTURE, TypeAcces.EXPORT, TypeAcces.IMPRESSION, TypeAcces.BRIS_DE_GLACE)


@dataclass
class Filtres:
    du: datetime.date
    au: datetime.date
    seuil_dossiers: int = 40  # distinct dossiers per professional and day beyond which it is unusual
    nuit_debut: int = 22  # local hour
    nuit_fin: int = 6
    professionnel_id: int | None = None


@dataclass
class Rapport:
    volumes: list[dict[str, Any]] = field(default_factory=list)
    hors_habilitations: list[dict[str, Any]] = field(default_factory=list)
    nuit: list[JournalAcces] = field(default_factory=list)
    bris_de_glace_non_revus: list[BrisDeGlace] = field(default_factory=list)


def _periode(filtres: Filtres) -> Q:
    tz = timezone.get_current_timezone()
    debut = datetime.datetime.combine(filtres.du, datetime.time.min, tzinfo=tz)
    fin = datetime.datetime.combine(filtres.au + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return Q(horodatage__gte=debut, horodatage__lt=fin)


def rapport(organisme_id: int, filtres: Filtres) -> Rapport:
    """The four findings, each computed by the database (the journal grows by a row per person shown)."""
    tz = timezone.get_current_timezone()
    base = JournalAcces.objects.filter(organisme_id=organisme_id).filter(_periode(filtres))
    if filtres.professionnel_id:
        base = base.filter(professionnel_id=filtres.professionnel_id)
    dossiers = base.filter(objet_type=DOSSIER, type_acces__in=TYPES_CONSULTATION).annotate(
        jour=TruncDate("horodatage", tzinfo=tz)
    )
    r = Rapport()
    noms = {p.pk: p for p in Professionnel.objects.filter(organisme_id=organisme_id)}

    # 1. many distinct dossiers in one day
    volumes = (
        dossiers.values("professionnel_id", "jour")
        .annotate(n=Count("objet_id", distinct=True))
        .filter(n__gt=filtres.seuil_dossiers)
        .order_by("-n", "jour")
    )
    r.volumes = [
        {"professionnel": noms.get(v["professionnel_id"]), "jour": v["jour"], "dossiers": v["n"]}
        for v in volumes
    ]

    # 2. dossiers of an ESMS where the professional held no habilitation that day
    habilite = Habilitation.objects.filter(
        professionnel_id=OuterRef("professionnel_id"),
        etablissement_id=OuterRef("etablissement_id"),
        debut__lte=OuterRef("jour"),
    ).filter(Q(fin__isnull=True) | Q(fin__gte=OuterRef("jour")))
    hors = (
        dossiers.exclude(etablissement__isnull=True)
        .filter(~Exists(habilite))
        .values("professionnel_id", "etablissement_id")
        .annotate(
            acces=Count("id"),
            bris_de_glace=Count("id", filter=Q(type_acces=TypeAcces.BRIS_DE_GLACE)),
            dernier=Max("horodatage"),
        )
        .order_by("-acces")
    )
    etablissements = {e.pk: e for e in Etablissement.objects.filter(organisme_id=organisme_id)}
    r.hors_habilitations = [
        {
            **h,
            "professionnel": noms.get(h["professionnel_id"]),
            "etablissement": etablissements.get(h["etablissement_id"]),
        }
        for h in hors
    ]

    # 3. accesses at night (local time)
    heure = ExtractHour("horodatage", tzinfo=tz)
    nuit = (
        Q(heure__gte=filtres.nuit_debut) | Q(heure__lt=filtres.nuit_fin)
        if filtres.nuit_debut > filtres.nuit_fin
        else Q(heure__gte=filtres.nuit_debut, heure__lt=filtres.nuit_fin)
    )
    r.nuit = list(
        dossiers.annotate(heure=heure)
        .filter(nuit)
        .select_related("professionnel")
        .order_by("-horodatage")[:500]
    )

    # 4. break-the-glass accesses ended and never reviewed
    bdg = BrisDeGlace.objects.filter(
        organisme_id=organisme_id, revu_le__isnull=True, expire_le__lt=timezone.now()
    )
    if filtres.professionnel_id:
        bdg = bdg.filter(professionnel_id=filtres.professionnel_id)
    r.bris_de_glace_non_revus = list(
        bdg.select_related("professionnel", "etablissement").order_by("debut")[:500]
    )
    return r


def resume(organisme_id: int, filtres: Filtres) -> dict[str, int]:
    """How many accesses the report read (shown with it: an empty report over an empty journal is no news)."""
    base = JournalAcces.objects.filter(organisme_id=organisme_id).filter(_periode(filtres))
    return base.aggregate(total=Count("id"), dossiers=Count("id", filter=Q(objet_type=DOSSIER)))
