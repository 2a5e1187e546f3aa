"""Read paths of the administrative side: the data of a month of presence, in three queries, within the
requester's habilitations; the exports a professional may see."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q, QuerySet

from accompagnement.models import EvaluationAggir
from dui.models import Etablissement
from habilitations import policy
from habilitations.roles import Droit
from usagers.models import Absence, Sejour, Usager

from .models import ExportPresence, ParametresFacturation
from .presence import SejourDuMois, bornes


def etablissements_factures(user) -> QuerySet[Etablissement]:
    """The ESMS whose presence ``user`` may export (the administrative record, written)."""
    return policy.scope(
        user, Droit.ADMINISTRATIF_MODIFIER, Etablissement.objects.filter(actif=True)
    ).order_by("nom")


def parametres(etablissement) -> ParametresFacturation:
    return ParametresFacturation.objects.filter(etablissement=etablissement).first() or ParametresFacturation(
        organisme_id=etablissement.organisme_id, etablissement=etablissement
    )


def exports(user, etablissement) -> QuerySet[ExportPresence]:
    """The month records of the ESMS asked by ``user`` (a record holds names: each sees his own)."""
    return ExportPresence.objects.filter(
        organisme_id=user.organisme_id, etablissement=etablissement, demandeur=user
    ).select_related("etablissement")


def donnees_du_mois(user, etablissement, mois: datetime.date) -> tuple[list[SejourDuMois], dict]:
    """The séjours of the month in the ESMS of the persons ``user`` may read (DENY exceptions included), their
    absences, and their AGGIR evaluations up to the month's end."""
    debut, fin = bornes(mois)
    lisibles = policy.scope(user, Droit.ADMINISTRATIF_VOIR, Usager.objects.all()).values("pk")
    sejours = list(
        Sejour.objects.filter(
            organisme_id=etablissement.organisme_id,
            etablissement=etablissement,
            date_entree__lte=fin,
            usager_id__in=lisibles,
        )
        .filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=debut))
        .select_related("usager")
    )
    absences = defaultdict(list)
    for a in Absence.objects.filter(sejour__in=[s.pk for s in sejours], debut__lte=fin).filter(
        Q(fin__isnull=True) | Q(fin__gte=debut)
    ):
        absences[a.sejour_id].append((a.motif, a.debut, a.fin))
    girs = defaultdict(list)
    for usager_id, jour, gir in EvaluationAggir.objects.filter(
        organisme_id=etablissement.organisme_id,
        usager_id__in={s.usager_id for s in sejours},
        annulee_le__isnull=True,
        date_evaluation__lte=fin,
    ).values_list("usager_id", "date_evaluation", "gir"):
        girs[usager_id].append((jour, gir))
    return (
        [
            SejourDuMois(
                s.usager_id,
                s.usager.nom_affiche,
                s.usager.prenom_affiche,
                s.usager.date_naissance,
                s.chambre,
                s.date_entree,
                s.date_sortie,
                absences.get(s.pk, []),
            )
            for s in sejours
        ],
        girs,
    )


def mes_exports(user) -> QuerySet[ExportPresence]:
    """The records ``user`` asked, in the ESMS where he still may export."""
    return ExportPresence.objects.filter(
        organisme_id=user.organisme_id,
        demandeur=user,
        etablissement__in=etablissements_factures(user),
    ).select_related("etablissement")
