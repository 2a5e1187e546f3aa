"""Write paths of the administrative side: the ESMS's billing settings, and the monthly presence record
(asked in the request, produced by a worker with its progress, CSV and XLSX with neutralised cells)."""

from __future__ import annotations

import csv
import datetime
import io
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dui.exports import cellule_sure
from dui.models import StatutExport
from dui.queue import enqueue_on_commit, tenant_kwargs
from dui.tenancy import tenant_context
from habilitations import policy
from habilitations.roles import Droit

from . import presence
from .models import ExportPresence, ParametresFacturation

logger = logging.getLogger(__name__)


def _exiger(auteur, etablissement) -> None:
    if (
        etablissement.organisme_id != auteur.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(auteur, Droit.ADMINISTRATIF_MODIFIER)
    ):
        raise PermissionDenied


@transaction.atomic
def do_regler_seuil(auteur, etablissement, seuil_absence_heures: int) -> ParametresFacturation:
    _exiger(auteur, etablissement)
    if seuil_absence_heures % 24:
        raise ValidationError(
            {"seuil_absence_heures": "Indiquez un nombre de jours entiers (24, 48, 72 heures…)."}
        )
    reglage, _ = ParametresFacturation.objects.get_or_create(
        organisme_id=etablissement.organisme_id, etablissement=etablissement
    )
    reglage.seuil_absence_heures = seuil_absence_heures
    reglage.full_clean(exclude=["organisme", "etablissement"])
    reglage.save()
    return reglage


@transaction.atomic
def do_demander_export(auteur, etablissement, mois: datetime.date) -> ExportPresence:
    from .selectors import parametres

    _exiger(auteur, etablissement)
    mois = mois.replace(day=1)
    if mois > timezone.localdate().replace(day=1):
        raise ValidationError({"mois": "Ce mois n'a pas commencé."})
    if ExportPresence.objects.filter(
        organisme_id=auteur.organisme_id,
        etablissement=etablissement,
        demandeur=auteur,
        mois=mois,
        statut=StatutExport.EN_ATTENTE,
        cree_le__gt=timezone.now() - datetime.timedelta(minutes=10),
    ).exists():
        raise ValidationError("Ce relevé est déjà en préparation : patientez quelques instants.")
    export = ExportPresence.objects.create(
        organisme_id=auteur.organisme_id,
        etablissement=etablissement,
        mois=mois,
        seuil_absence_heures=parametres(etablissement).seuil_absence_heures,
        demandeur=auteur,
    )
    enqueue_on_commit(
        "administratif.produire_export_presence", str(export.public_id), **tenant_kwargs(auteur)
    )
    return export


def _progres(export: ExportPresence, pourcentage: int) -> None:
    with tenant_context(export.organisme_id):  # its own transaction: the page sees it at once
        ExportPresence.objects.filter(pk=export.pk).update(progression=pourcentage)


def produire_export(export_public_id: str, acteur) -> str:
    """Worker side (``TenantTaskParEtapes``: one transaction per step, the progress committed as it goes):
    the month computed within the requester's habilitations, read again now (a right lost since the request
    is lost for the export too), written as CSV and XLSX."""
    from .selectors import donnees_du_mois

    with tenant_context(acteur.organisme_id):
        export = ExportPresence.objects.select_related("etablissement").get(public_id=export_public_id)
        if export.statut != StatutExport.EN_ATTENTE or export.progression:
            return export.statut  # redelivered, or already being produced by another worker
    _progres(export, 10)
    try:
        with tenant_context(acteur.organisme_id):
            _exiger(acteur, export.etablissement)
            sejours, girs = donnees_du_mois(acteur, export.etablissement, export.mois)
        _progres(export, 50)
        lignes = presence.calculer(export.mois, sejours, export.seuil_absence_heures // 24, girs)
        totaux = presence.totaux(lignes)
        _progres(export, 70)
        base = f"presence-{export.etablissement.finess_geographique or export.etablissement.pk}-{export.mois:%Y-%m}"
        export.fichier_csv.save(f"exports/{export.organisme_id}/{base}-{export.public_id}.csv",
                                ContentFile(ecrire_csv(export, lignes, totaux)), save=False)  # fmt: skip
        export.fichier_xlsx.save(f"exports/{export.organisme_id}/{base}-{export.public_id}.xlsx",
                                 ContentFile(ecrire_xlsx(export, lignes, totaux)), save=False)  # fmt: skip
    except PermissionDenied:
        export.statut, export.erreur = (
            StatutExport.ECHEC,
            "Le demandeur n'a plus l'habilitation sur cet ESMS.",
        )
    except Exception as exc:  # noqa: BLE001 - recorded on the export, shown on the page
        logger.exception("Relevé de présence %s en échec", export_public_id)
        export.statut, export.erreur = (
            StatutExport.ECHEC,
            f"Échec de la production ({exc.__class__.__name__}).",
        )
    else:
        export.statut, export.personnes, export.totaux = StatutExport.TERMINE, len(lignes), totaux
    export.progression = 100
    export.termine_le = timezone.now()
    with tenant_context(acteur.organisme_id):
        export.save()
    return export.statut


def _entete(export: ExportPresence) -> list[str]:
    return [
        f"Relevé de présence — {export.etablissement.nom} (FINESS {export.etablissement.finess_geographique})",
        f"Mois : {export.mois:%m/%Y} — seuil d'absence : {export.seuil_absence_heures} h (CASF, art. R314-204)",
    ]


def _cellule(ligne, colonne: str):
    v = presence.valeur(ligne, colonne)
    if isinstance(v, datetime.date):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else v


def ecrire_csv(export: ExportPresence, lignes, totaux: dict) -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    for texte in _entete(export):
        ecrivain.writerow([cellule_sure(texte)])
    ecrivain.writerow([libelle for _c, libelle in presence.COLONNES])
    for ligne in lignes:
        ecrivain.writerow([cellule_sure(_cellule(ligne, c)) for c, _l in presence.COLONNES])
    ecrivain.writerow(
        [
            f"Total ({len(lignes)} séjours)",
            *[""] * 5,
            *[totaux.get(c, "") for c, _l in presence.COLONNES[6:19]],
            "",
            "",
        ]
    )
    return ("\ufeff" + sortie.getvalue()).encode("utf-8")  # BOM: Excel opens it in UTF-8


def ecrire_xlsx(export: ExportPresence, lignes, totaux: dict) -> bytes:
    """openpyxl; every text cell written as text (a name starting with "=" stays a name, never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook()
    feuille = classeur.active
    feuille.title = f"Présence {export.mois:%m-%Y}"
    for texte in _entete(export):
        feuille.append([texte])
    feuille.append([libelle for _c, libelle in presence.COLONNES])
    for cellule in feuille[feuille.max_row]:
        cellule.font = Font(bold=True)
    for ligne in lignes:
        feuille.append([_cellule(ligne, c) for c, _l in presence.COLONNES])
    feuille.append([f"Total ({len(lignes)} séjours)", *[""] * 5,
                    *[totaux.get(c, "") for c, _l in presence.COLONNES[6:19]]])  # fmt: skip
    for rangee in feuille.iter_rows():
        for cellule in rangee:
            if isinstance(cellule.value, str):
                cellule.value = cellule_sure(cellule.value)  # as in the CSV: a leading quote
                cellule.data_type = "s"  # and a text cell: never a formula
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
