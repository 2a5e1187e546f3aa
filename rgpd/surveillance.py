"""The DPO's report of unusual accesses, read from the access journal: who opened many dossiers, who opened
dossiers outside the ESMS of their habilitations, what was opened at night, and the break-the-glass
accesses still waiting for their review. Each finding points back to the journal entries behind it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from dui.models import JournalAcces, TypeAcces
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
    base = JournalAcces.objects.filter(organisme_id=organisme_id).filter(_periode(filtres))
    if filtres.professionnel_id:
        base = base.filter(professionnel_id=filtres.professionnel_id)
    dossiers = base.filter(objet_type=DOSSIER, type_acces__in=TYPES_CONSULTATION)
    r = Rapport()
    noms = {p.pk: p for p in Professionnel.objects.filter(organisme_id=organisme_id)}

    # 1. many distinct dossiers in one day
    tz = timezone.get_current_timezone()
    par_jour: dict[tuple[int, datetime.date], set[Any]] = defaultdict(set)
    for pro_id, quand, objet in dossiers.values_list("professionnel_id", "horodatage", "objet_id").iterator():
        par_jour[(pro_id, quand.astimezone(tz).date())].add(objet)
    for (pro_id, jour), objets in sorted(par_jour.items(), key=lambda x: (-len(x[1]), x[0][1])):
        if len(objets) > filtres.seuil_dossiers:
            r.volumes.append({"professionnel": noms.get(pro_id), "jour": jour, "dossiers": len(objets)})

    # 2. dossiers of an ESMS where the professional held no habilitation that day
    habilitations: dict[int, list[Habilitation]] = defaultdict(list)
    for h in Habilitation.objects.filter(organisme_id=organisme_id):
        habilitations[h.professionnel_id].append(h)
    hors: dict[tuple[int, int | None], dict[str, Any]] = {}
    for entree in dossiers.exclude(etablissement__isnull=True).select_related("etablissement"):
        jour = entree.horodatage.astimezone(tz).date()
        couvert = any(
            h.etablissement_id == entree.etablissement_id
            and h.debut <= jour
            and (h.fin is None or jour <= h.fin)
            for h in habilitations[entree.professionnel_id]
        )
        if not couvert:
            cle = (entree.professionnel_id, entree.etablissement_id)
            ligne = hors.setdefault(
                cle,
                {
                    "professionnel": noms.get(entree.professionnel_id),
                    "etablissement": entree.etablissement,
                    "acces": 0,
                    "bris_de_glace": 0,
                    "dernier": entree.horodatage,
                },
            )
            ligne["acces"] += 1
            ligne["bris_de_glace"] += entree.type_acces == TypeAcces.BRIS_DE_GLACE
            ligne["dernier"] = max(ligne["dernier"], entree.horodatage)
    r.hors_habilitations = sorted(hors.values(), key=lambda x: -x["acces"])

    # 3. accesses at night (local time)
    nuit = [
        e
        for e in dossiers.select_related("professionnel").order_by("-horodatage")[:5000]
        if _la_nuit(e.horodatage.astimezone(tz).hour, filtres)
    ]
    r.nuit = nuit[:500]

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


def _la_nuit(heure: int, filtres: Filtres) -> bool:
    if filtres.nuit_debut > filtres.nuit_fin:
        return heure >= filtres.nuit_debut or heure < filtres.nuit_fin
    return filtres.nuit_debut <= heure < filtres.nuit_fin


def resume(organisme_id: int, filtres: Filtres) -> dict[str, int]:
    """How many accesses the report read (shown with it: an empty report over an empty journal is no news)."""
    base = JournalAcces.objects.filter(organisme_id=organisme_id).filter(_periode(filtres))
    return base.aggregate(total=Count("id"), dossiers=Count("id", filter=Q(objet_type=DOSSIER)))
