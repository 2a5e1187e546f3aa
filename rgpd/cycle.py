"""The end of a dossier's life: archiving once the last séjour ended long enough ago, then, past the
retention period, anonymisation proposed to the DPO (identity, free texts and files wiped, the dated and
coded facts kept for the statistics), traced in the access journal.

Periods per kind of data come from the organisme's ``RegleConservation`` rows, or the defaults with their
legal source (``REGLES_PAR_DEFAUT``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone

from dui.audit import journaliser_acces
from dui.history import update_with_history
from dui.models import TypeAcces
from usagers.models import Sejour, StatutIdentite, Usager
from usagers.normalisation import normaliser_nom

from .extraction import dossiers_de_la_personne, lignes_de_la_personne, modeles_de_la_personne
from .models import REGLES_PAR_DEFAUT, NatureDonnees, RegleConservation

ANONYME = "ANONYME"
EFFACE = "[anonymisé]"
# kept as they are: coded facts that the statistics need (the AGGIR answers give the GIR history)
CONSERVES = {("accompagnement.evaluationaggir", "codes")}


@dataclass(frozen=True)
class Regle:
    nature: str
    archivage_apres_mois: int
    conservation_annees: int
    source: str


def regles(organisme_id: int) -> dict[str, Regle]:
    propres = {r.nature: r for r in RegleConservation.objects.filter(organisme_id=organisme_id)}
    resultat = {}
    for nature in NatureDonnees.values:
        r = propres.get(nature)
        defaut = REGLES_PAR_DEFAUT[nature]
        resultat[nature] = Regle(
            nature,
            r.archivage_apres_mois if r else defaut["archivage_apres_mois"],
            r.conservation_annees if r else defaut["conservation_annees"],
            r.source if r else defaut["source"],
        )
    return resultat


def _plus_annees(jour: datetime.date, annees: int) -> datetime.date:
    try:
        return jour.replace(year=jour.year + annees)
    except ValueError:  # 29 February
        return jour.replace(year=jour.year + annees, day=28)


def _moins_mois(jour: datetime.date, mois: int) -> datetime.date:
    annee, m = divmod(jour.month - 1 - mois, 12)
    return jour.replace(year=jour.year + annee, month=m + 1, day=min(jour.day, 28))


def _dossiers_clos(organisme_id: int) -> Any:  # annotated with "fin" (a QuerySet of Usager)
    """Dossiers (not merged) with séjours, none open, annotated with the end of the last one."""
    return (
        Usager.objects.filter(organisme_id=organisme_id, fusionne_dans__isnull=True)
        .annotate(
            ouverts=Count("sejours", filter=Q(sejours__date_sortie__isnull=True)),
            nb_sejours=Count("sejours"),
            fin=Max("sejours__date_sortie"),
            motif_fin=Subquery(
                Sejour.objects.filter(usager=OuterRef("pk"), date_sortie__isnull=False)
                .order_by("-date_sortie")
                .values("motif_sortie")[:1]
            ),
        )
        .filter(ouverts=0, nb_sejours__gt=0)
    )


def a_archiver(organisme_id: int, jour: datetime.date | None = None) -> Any:
    jour = jour or timezone.localdate()
    mois = min(r.archivage_apres_mois for r in regles(organisme_id).values())
    return _dossiers_clos(organisme_id).filter(archive_le__isnull=True, fin__lte=_moins_mois(jour, mois))


def archiver(organisme_id: int, jour: datetime.date | None = None) -> int:
    """Archive the dossiers whose last séjour ended long enough ago (read-only, the DPO only)."""
    ids = list(a_archiver(organisme_id, jour).values_list("pk", flat=True))
    return update_with_history(Usager.objects.filter(pk__in=ids), archive_le=timezone.now()) if ids else 0


def _deces(usager: Any) -> bool:
    """The last séjour ended with a death (read from the list's annotation when there is one)."""
    if hasattr(usager, "motif_fin"):
        motif = usager.motif_fin or ""
    else:
        derniere = usager.sejours.exclude(date_sortie__isnull=True).order_by("-date_sortie").first()
        motif = derniere.motif_sortie if derniere else ""
    return "deces" in normaliser_nom(motif)


def echeance(usager: Any, fin: datetime.date, regles_organisme: dict[str, Regle]) -> datetime.date:
    """The day the whole dossier has outlived both retention periods."""
    dossier = _plus_annees(fin, regles_organisme[NatureDonnees.DOSSIER].conservation_annees)
    sante = _plus_annees(fin, regles_organisme[NatureDonnees.SANTE].conservation_annees)
    sante = max(sante, _plus_annees(usager.date_naissance, 28))
    if _deces(usager):  # died during the stay (or before leaving): 10 years after the death (R1112-7)
        sante = min(sante, _plus_annees(fin, 10))
    return max(dossier, sante)


def a_anonymiser(organisme_id: int, jour: datetime.date | None = None) -> list[tuple[Any, datetime.date]]:
    """Archived dossiers past their retention: proposed to the DPO (never acted on automatically)."""
    jour = jour or timezone.localdate()
    r = regles(organisme_id)
    candidats = _dossiers_clos(organisme_id).filter(archive_le__isnull=False, anonymise_le__isnull=True)
    resultat = []
    for usager in candidats.order_by("fin"):
        quand = echeance(usager, usager.fin, r)
        if quand <= jour:
            resultat.append((usager, quand))
    return resultat


def _valeurs_effacees(modele: type[models.Model]) -> tuple[dict[str, Any], list[str]]:
    """Field → wiped value for the free texts and JSON of ``modele``; the names of its file fields."""
    label = modele._meta.label_lower
    valeurs: dict[str, Any] = {}
    fichiers = []
    for f in modele._meta.concrete_fields:
        if f.is_relation or f.primary_key or (label, f.name) in CONSERVES or f.name == "organisme":
            continue
        if isinstance(f, models.FileField):
            fichiers.append(f.name)
            valeurs[f.name] = ""
        elif isinstance(f, (models.CharField, models.TextField)) and not f.choices and not f.unique:
            # a marker rather than nothing: a row's own checks ("some content") still hold
            longueur = f.max_length or len(EFFACE)
            valeurs[f.name] = EFFACE if longueur >= len(EFFACE) else ("" if f.blank else "-")
        elif isinstance(f, models.JSONField):
            valeurs[f.name] = {} if isinstance(f.default, dict) or f.default is dict else []
        elif isinstance(f, SearchVectorField):  # the words of a document's text
            valeurs[f.name] = None
        elif isinstance(f, ArrayField) and isinstance(f.base_field, models.CharField) and not f.choices:
            valeurs[f.name] = []  # free tags
    return valeurs, fichiers


def anonymiser(request: HttpRequest, usager: Usager) -> dict[str, int]:
    """Wipe what identifies the person in every row about them and in the history of those rows; delete
    their stored files; keep dates, codes and numbers. Traced in the access journal (the journal itself is
    append-only: its entries keep their wording)."""
    user: Any = request.user
    if not user.est_dpo or usager.organisme_id != user.organisme_id or usager.archive_le is None:
        raise PermissionError("Seul le DPO anonymise un dossier archivé.")
    bilan: dict[str, int] = {}
    doublons = [pk for pk in dossiers_de_la_personne(usager) if pk != usager.pk]
    for m in modeles_de_la_personne():
        if m.modele is Usager:
            continue
        qs = lignes_de_la_personne(m, usager)
        valeurs, fichiers = _valeurs_effacees(m.modele)
        pks = list(qs.values_list("pk", flat=True))
        if not pks or not valeurs:
            continue
        for instance in qs.only("pk", *fichiers) if fichiers else []:
            for nom in fichiers:
                fichier = getattr(instance, nom)
                if fichier:
                    fichier.delete(save=False)
        if hasattr(m.modele, "history"):
            update_with_history(m.modele._default_manager.filter(pk__in=pks), **valeurs)
            historique = m.modele.history.model
            colonnes = {f.name for f in historique._meta.concrete_fields}  # a history may exclude fields
            historique._default_manager.filter(id__in=pks).update(
                **{k: v for k, v in valeurs.items() if k in colonnes}
            )
        else:
            m.modele._default_manager.filter(pk__in=pks).update(**valeurs)
        bilan[m.label] = len(pks)
    for personne in Usager.objects.filter(pk__in=[usager.pk, *doublons]):
        if personne.photo:
            personne.photo.delete(save=False)
    identite = {
        "nom_naissance": ANONYME,
        "prenoms_naissance": [ANONYME],
        "premier_prenom": ANONYME,
        "nom_usage": "",
        "prenom_utilise": "",
        "date_naissance": usager.date_naissance.replace(month=1, day=1),  # the age stays for the statistics
        "lieu_naissance_insee": "99999",
        "photo": "",
        "statut_identite": StatutIdentite.PROVISOIRE,
        "matricule_ins": "",
        "oid_ins": "",
        "nom_recherche": ANONYME.lower(),
    }
    tous = [usager.pk, *doublons]  # the duplicates merged into the dossier carry the same identity
    update_with_history(Usager.objects.filter(pk__in=tous), **identite, anonymise_le=timezone.now())
    Usager.history.model._default_manager.filter(id__in=tous).update(**identite)
    bilan["usagers.usager"] = len(tous)
    journaliser_acces(
        request,
        TypeAcces.ADMINISTRATION,
        usager,
        f"Dossier anonymisé en fin de conservation ({sum(bilan.values())} lignes)",
    )
    return bilan
