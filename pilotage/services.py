from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dui import production
from dui.models import Etablissement
from dui.queue import enqueue_on_commit, tenant_kwargs
from dui.tenancy import tenant_context
from habilitations import policy
from habilitations.roles import Droit

from .models import CoupePathos, RapportActivite


@transaction.atomic
def do_enregistrer_coupe(auteur, etablissement: Etablissement, **champs) -> CoupePathos:
    """Record the validated result of a coupe Pathos of an EHPAD (``pilotage.modifier`` there)."""
    if not policy.can(auteur, Droit.PILOTAGE_MODIFIER, etablissement):
        raise PermissionDenied
    coupe = CoupePathos(
        organisme_id=etablissement.organisme_id, etablissement=etablissement, enregistree_par=auteur, **champs
    )
    coupe.full_clean()
    try:
        with transaction.atomic():
            coupe.save()
    except IntegrityError as erreur:  # two people recording the same coupe at once
        raise ValidationError(
            {"date_coupe": "Une coupe Pathos est déjà enregistrée à cette date pour cet ESMS."}
        ) from erreur
    return coupe


def _exiger_pilotage(auteur, etablissement: Etablissement) -> None:
    if (
        etablissement.organisme_id != auteur.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(auteur, Droit.PILOTAGE_VOIR)
    ):
        raise PermissionDenied


@transaction.atomic
def do_demander_rapport(auteur, etablissement: Etablissement, annee: int) -> RapportActivite:
    """Ask the worker for the annual activity report of an ESMS (``pilotage.voir`` there)."""
    _exiger_pilotage(auteur, etablissement)
    if not 2000 <= annee <= timezone.localdate().year:
        raise ValidationError({"annee": "Choisissez une année écoulée ou l'année en cours."})
    production.refuser_un_doublon(
        RapportActivite.objects.all(),
        auteur,
        "Ce rapport est déjà en préparation : patientez quelques instants.",
        etablissement=etablissement,
        annee=annee,
    )
    rapport = RapportActivite.objects.create(
        organisme_id=auteur.organisme_id, etablissement=etablissement, annee=annee, demandeur=auteur
    )
    enqueue_on_commit("pilotage.produire_rapport", str(rapport.public_id), **tenant_kwargs(auteur))
    return rapport


def produire_rapport(rapport_public_id: str, acteur) -> str:
    """Worker side (``TenantTaskParEtapes``): the figures computed with the requester's rights read again now
    (a right lost since the request is lost for the report too), then the PDF, the XLSX and the ANAP CSV."""
    from documents.pdf import rendre_pdf
    from dui.exports import nom_de_fichier_sur
    from dui.replique import lecture_sur_replique

    from . import rapport as module_rapport

    rapport = production.a_produire(
        RapportActivite.objects.select_related("etablissement"), rapport_public_id, acteur
    )
    if rapport is None:
        return "deja_produit"
    production.progres(rapport, 10)

    def etapes() -> None:
        with tenant_context(acteur.organisme_id):
            _exiger_pilotage(acteur, rapport.etablissement)
            with lecture_sur_replique(acteur.organisme_id):  # a year of figures: read on the replica
                donnees = module_rapport.donnees(acteur, rapport.etablissement, rapport.annee)
        production.progres(rapport, 40)
        base = nom_de_fichier_sur(
            f"rapport-activite-{rapport.etablissement.finess_geographique or rapport.etablissement.pk}-{rapport.annee}"
        )
        chemin = f"rapports/{rapport.organisme_id}/{base}-{rapport.public_id}"
        rapport.fichier_xlsx.save(
            f"{chemin}.xlsx", ContentFile(module_rapport.ecrire_xlsx(donnees)), save=False
        )
        rapport.fichier_anap.save(
            f"{chemin}-anap.csv", ContentFile(module_rapport.ecrire_csv_anap(donnees)), save=False
        )
        production.progres(rapport, 60)
        contexte = {**donnees, "histogramme": module_rapport.histogramme(donnees["mois"])}
        rapport.fichier_pdf.save(f"{chemin}.pdf", ContentFile(rendre_pdf("pilotage/pdf/rapport.html", contexte)),
                                 save=False)  # fmt: skip

    return production.produire(
        rapport,
        acteur,
        etapes,
        refus="Le demandeur n'a plus l'habilitation sur cet ESMS.",
        nom="Rapport d'activité",
    )
