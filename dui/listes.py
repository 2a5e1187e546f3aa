"""Exports of lists (CSV and XLSX): each app declares its exportable lists here; a worker writes the files.

    registre_listes.declarer(Liste(
        code="liste_attente", titre="Liste d'attente", colonnes=("Nom", …),
        lignes=lambda user, parametres: <queryset of what user may see, ordered>,
        ligne=lambda objet: [<cells>],
        parametres=lambda donnees: {<validated filters>},   # raises ValidationError (French)
        autorise=lambda user: <may user export it at all>,
    ))

The request only records the export (``ExportListe``) and queues ``dui.produire_export_liste``; the worker
reads the rows again with the requester's rights as they are then (a right lost in between is lost for the
export), in slices of ``TRANCHE`` rows, each in its own transaction, so that the page polling the export sees
its progress. Text cells are neutralised (``exports.cellule_sure``) and XLSX text cells are typed as text."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.utils import timezone

from . import production, tenancy
from .exports import cellule_sure, nom_de_fichier_sur
from .registre import Registre

TRANCHE = 500


@dataclass(frozen=True)
class Liste:
    code: str
    titre: str
    colonnes: Sequence[str]
    # a queryset of what the user may see, read in slices (``ligne`` makes a row of each object)…
    lignes: Callable[[Any, dict[str, Any]], QuerySet[Any]] | None
    ligne: Callable[[Any], Sequence[Any]] | None
    autorise: Callable[[Any], bool]
    parametres: Callable[[Any, dict[str, Any]], dict[str, Any]] = lambda user, donnees: {}
    ordre: int = 0
    # the field that the optional ESMS filter of the page (``parametre_etablissement``) applies to
    champ_etablissement: str = "etablissement__public_id"
    # … or rows computed at once (a small table: the days of a month)
    calcul: Callable[[Any, dict[str, Any]], Sequence[Sequence[Any]]] | None = None


registre_listes: Registre[Liste] = Registre("liste exportable")


def declarer(liste: Liste) -> Liste:
    return registre_listes.ajouter(liste)


def parametre_etablissement(user: Any, donnees: dict[str, Any]) -> dict[str, Any]:
    """The optional ESMS filter of a list page (``etablissement``: a public id), checked as a UUID."""
    import uuid

    from django.core.exceptions import ValidationError

    etablissement = (donnees.get("etablissement") or "").strip()
    if not etablissement:
        return {}
    try:
        uuid.UUID(etablissement)
    except ValueError:
        raise ValidationError("Établissement inconnu : choisissez-le dans la liste.") from None
    return {"etablissement": etablissement}


def _cellule(valeur: Any) -> Any:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.datetime):
        return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, list | tuple):
        return cellule_sure(", ".join(str(v) for v in valeur))
    return cellule_sure(valeur) if isinstance(valeur, str) else valeur


def _queryset(liste: Liste, user: Any, parametres: dict[str, Any]) -> QuerySet[Any]:
    """What the user may see of the list, narrowed to the page's ESMS when it names one."""
    assert liste.lignes is not None
    qs = liste.lignes(user, parametres)
    if parametres.get("etablissement"):
        qs = qs.filter(**{liste.champ_etablissement: parametres["etablissement"]})
    return qs


def _ecrire(liste: Liste, export: Any, acteur: Any) -> tuple[bytes, bytes, int]:
    from openpyxl import Workbook

    with tenancy.tenant_context(acteur.organisme_id):
        if not liste.autorise(acteur):
            raise PermissionDenied
        calculees = liste.calcul(acteur, export.parametres) if liste.calcul else None
        if calculees is not None:
            total = len(calculees)
        else:
            total = _queryset(liste, acteur, export.parametres).count()
    texte = io.StringIO()
    ecrivain = csv.writer(texte, delimiter=";")
    ecrivain.writerow(liste.colonnes)
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(liste.titre[:31])
    feuille.append(list(liste.colonnes))
    ecrites, dernier_pk = 0, None
    for rangee in calculees or ():
        rangee = [_cellule(v) for v in rangee]
        ecrivain.writerow(rangee)
        feuille.append(rangee)
        ecrites += 1
    ligne = liste.ligne
    while calculees is None:
        assert ligne is not None  # a list declares a queryset and its row, or a computation
        with tenancy.tenant_context(acteur.organisme_id):  # keyset pagination on the primary key
            qs = _queryset(liste, acteur, export.parametres).order_by("pk")
            if dernier_pk is not None:
                qs = qs.filter(pk__gt=dernier_pk)
            tranche = list(qs[:TRANCHE])
            rangees = [[_cellule(v) for v in ligne(objet)] for objet in tranche]
        if not tranche:
            break
        dernier_pk = tranche[-1].pk
        for rangee in rangees:
            ecrivain.writerow(rangee)
            feuille.append(rangee)  # strings stay strings: openpyxl writes them as text, never formulas
        ecrites += len(tranche)
        production.progres(export, 10 + int(80 * ecrites / max(total, 1)))
    sortie = io.BytesIO()
    classeur.save(sortie)
    return ("\ufeff" + texte.getvalue()).encode("utf-8"), sortie.getvalue(), ecrites


def produire(export_public_id: str, acteur: Any) -> str:
    """Worker side (``TenantTaskParEtapes``)."""
    from .models import ExportListe
    from .replique import lecture_sur_replique

    export = production.a_produire(ExportListe.objects.all(), export_public_id, acteur)
    if export is None:
        return "deja_produit"
    production.progres(export, 5)
    liste = registre_listes.get(export.liste)

    def etapes() -> None:
        if liste is None:
            raise PermissionDenied
        with lecture_sur_replique(export.organisme_id):  # the rows of a list: read on the replica
            contenu_csv, contenu_xlsx, export.lignes = _ecrire(liste, export, acteur)
        base = f"exports/{export.organisme_id}/{nom_de_fichier_sur(export.liste)}-{export.public_id}"
        export.fichier_csv.save(f"{base}.csv", ContentFile(contenu_csv), save=False)
        export.fichier_xlsx.save(f"{base}.xlsx", ContentFile(contenu_xlsx), save=False)

    return production.produire(
        export,
        acteur,
        etapes,
        refus="Le demandeur n'a plus le droit de voir cette liste.",
        nom="Export de liste",
    )


def demander(auteur: Any, code: str, donnees: dict[str, Any]) -> Any:
    """Record the export of list ``code`` with the filters in ``donnees`` and queue it (PermissionDenied when
    the list is unknown or not the user's to export; ValidationError on a wrong filter)."""
    from django.db import transaction

    from .models import ExportListe
    from .queue import enqueue_on_commit, tenant_kwargs

    liste = registre_listes.get(code)
    if liste is None or not auteur.organisme_id or not liste.autorise(auteur):
        raise PermissionDenied
    parametres = liste.parametres(auteur, donnees)
    production.refuser_un_doublon(
        ExportListe.objects.all(),
        auteur,
        "Cet export est déjà en préparation : patientez quelques instants.",
        liste=code,
        parametres=parametres,
    )
    with transaction.atomic():
        export = ExportListe.objects.create(
            organisme_id=auteur.organisme_id,
            liste=code,
            titre=liste.titre,
            parametres=parametres,
            demandeur=auteur,
        )
        enqueue_on_commit("dui.produire_export_liste", str(export.public_id), **tenant_kwargs(auteur))
    return export


def mes_exports(user: Any) -> QuerySet[Any]:
    from .models import ExportListe

    return ExportListe.objects.filter(organisme_id=user.organisme_id, demandeur=user)
