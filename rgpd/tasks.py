"""Workers of the RGPD app: the right-of-access ZIP (never built in the request), the purge of expired files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from dui.tasks import SystemTenantTask, TenantTask, pour_chaque_organisme

LISEZMOI = """Droit d'accès — {personne}
Produit le {date} par {organisme}, à la demande de : {motif}

Contenu :
- donnees.json : toutes les données structurées détenues sur la personne, par rubrique (format ouvert,
  réutilisable : droit à la portabilité, article 20 du RGPD) ;
- dossier.pdf : les mêmes données, lisibles ;
- journal_des_acces.csv : les consultations, impressions et exports du dossier (qui, quand, quoi) ;
- fichiers/ : les documents produits ou déposés dans le dossier, et la photo.

Rubriques : {rubriques}
"""


@shared_task(base=TenantTask, bind=True, name="rgpd.generer_droit_acces")
def generer_droit_acces(self: Task[Any, Any], demande_public_id: str, *, acteur: Any) -> int:
    from documents.pdf import rendre_pdf
    from dui.exports import cellule_sure, nom_de_fichier_sur
    from dui.models import JournalAcces, StatutExport

    from .extraction import extraire
    from .models import DemandeDroitAcces
    from .services import expiration

    demande = DemandeDroitAcces.objects.select_related("usager").get(public_id=demande_public_id)
    usager = demande.usager
    try:
        sections = extraire(usager)
        ids = {str(usager.public_id)} | {i for s in sections for i in s.public_ids}
        journal = list(
            JournalAcces.objects.filter(organisme_id=demande.organisme_id, objet_id__in=ids)
            .select_related("professionnel", "etablissement")
            .order_by("horodatage")
        )
        paris = timezone.get_current_timezone()
        maintenant = timezone.now()
        donnees = {
            "personne": str(usager),
            "organisme": str(usager.organisme),
            "genere_le": maintenant.isoformat(),
            "sections": {s.label: {"libelle": s.libelle, "lignes": s.lignes} for s in sections},
        }
        csv_texte = io.StringIO()
        writer = csv.writer(csv_texte, delimiter=";")
        writer.writerow(["horodatage", "professionnel", "type", "libellé", "établissement"])
        for e in journal:
            writer.writerow(
                cellule_sure(v)
                for v in (
                    e.horodatage.astimezone(paris).strftime("%d/%m/%Y %H:%M:%S"),
                    str(e.professionnel),
                    e.get_type_acces_display(),
                    e.libelle,
                    e.etablissement.nom if e.etablissement else "",
                )
            )
        pdf = rendre_pdf(
            "rgpd/droit_acces_pdf.html",
            {
                "usager": usager,
                "sections": sections,
                "journal": journal,
                "genere_le": maintenant,
                "demande": demande,
            },
        )
        dossier = Path(settings.MEDIA_ROOT) / "rgpd" / str(demande.organisme_id)
        dossier.mkdir(parents=True, exist_ok=True)
        chemin = dossier / f"droit-acces-{demande.public_id}.zip"
        nb_fichiers = 0
        with zipfile.ZipFile(chemin, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(
                "LISEZMOI.txt",
                LISEZMOI.format(
                    personne=usager,
                    date=maintenant.astimezone(paris).strftime("%d/%m/%Y %H:%M"),
                    organisme=usager.organisme,
                    motif=demande.motif,
                    rubriques=", ".join(s.libelle for s in sections),
                ),
            )
            zf.writestr("donnees.json", json.dumps(donnees, ensure_ascii=False, indent=1, default=str))
            zf.writestr("dossier.pdf", pdf)
            zf.writestr("journal_des_acces.csv", "\ufeff" + csv_texte.getvalue())
            for section in sections:
                for nom, fichier in section.fichiers:
                    try:
                        with fichier.open("rb") as f:
                            contenu = f.read()
                    except FileNotFoundError:
                        continue
                    zf.writestr(
                        f"fichiers/{nom}-{nom_de_fichier_sur(Path(fichier.name or '').name)}", contenu
                    )
                    nb_fichiers += 1
        demande.fichier = str(chemin.relative_to(settings.MEDIA_ROOT))
        demande.taille = chemin.stat().st_size
        demande.contenu = {
            "sections": {s.label: len(s.lignes) for s in sections},
            "fichiers": nb_fichiers,
            "journal": len(journal),
        }
        demande.statut = StatutExport.TERMINE
        demande.termine_le = maintenant
        demande.expire_le = expiration()
    except Exception as exc:  # noqa: BLE001 - recorded on the request and shown to the DPO, who asks again
        demande.statut = StatutExport.ECHEC
        demande.erreur = str(exc)[:2000]
        demande.save(update_fields=["statut", "erreur", "modifie_le"])
        return 0
    demande.save()
    return demande.taille


@shared_task(base=SystemTenantTask, bind=True, name="rgpd.purger")
def purger(self: Task[Any, Any], *, acteur: Any) -> int:
    from dui.tenancy import organisme_courant

    from .services import purger as purger_organisme

    return purger_organisme(organisme_courant())


@shared_task(name="rgpd.purger_tous")
def purger_tous() -> int:
    return pour_chaque_organisme(purger)


@shared_task(base=SystemTenantTask, bind=True, name="rgpd.archiver")
def archiver(self: Task[Any, Any], *, acteur: Any) -> int:
    """Archive the organisme's dossiers whose last séjour ended long enough ago (daily)."""
    from dui.tenancy import organisme_courant

    from .cycle import archiver as archiver_organisme

    return archiver_organisme(organisme_courant())


@shared_task(name="rgpd.archiver_tous")
def archiver_tous() -> int:
    return pour_chaque_organisme(archiver)
